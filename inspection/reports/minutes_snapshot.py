"""The snapshot of the minutes (biên bản kiểm tra): the căn cứ, who (Ông/Bà, role in the team apart
from the job title, the unit's representatives as typed on site), when (the times the team lead
recorded), each criterion's result with its code in its own column and, for a failed one, its
findings; strengths, shortcomings tied to criteria, the team's recommendations, the unit's comments,
and the signatures drawn on the tablet."""

from datetime import datetime

from sqlalchemy import select

from models import ChecklistItem, CheckResult, Inspection, MinutesSignature, db
from models.enums import CHECK_VALUE_LABELS

from ..language.formatting import TZ
from .inspection_snapshots import TEAM_CODE, TEAM_ISSUER, _common, _require_started, findings, team
from .snapshots import header, unit_of

SIGNED_ROLES = {"lead": "TRƯỞNG ĐOÀN KIỂM TRA", "unit": "ĐẠI DIỆN ĐƠN VỊ ĐƯỢC KIỂM TRA"}


def clock(moment: datetime | None) -> str:
    """ "08 giờ 30 ngày 15 tháng 01 năm 2024" in Vietnam time."""
    if moment is None:
        return ""
    local = moment.astimezone(TZ)
    month = f"{local.month:02d}" if local.month <= 2 else str(local.month)
    return f"{local:%H} giờ {local:%M} ngày {local.day:02d} tháng {month} năm {local.year}"


def _results(inspection: Inspection, found: list[dict]) -> list[dict]:
    stmt = (select(ChecklistItem, CheckResult)
            .outerjoin(CheckResult, (CheckResult.item_id == ChecklistItem.id)
                       & (CheckResult.inspection_id == inspection.id))
            .where(ChecklistItem.template_id == inspection.template_id)
            .order_by(ChecklistItem.position, ChecklistItem.id))
    by_item: dict[int, list[dict]] = {}
    for finding in found:
        by_item.setdefault(finding["item_id"], []).append(finding)
    return [{"n": n, "code": item.code, "criterion": item.criterion,
             "result": CHECK_VALUE_LABELS.get(result.value, "") if result else "Chưa đánh giá",
             "compliant": bool(result and result.value == "compliant"), "note": result.note if result else "",
             "findings": [f"{f['description']} (Mức độ: {f['severity']}; xem mục 3.{f['n']})"
                          for f in by_item.get(item.id, [])]}
            for n, (item, result) in enumerate(db.session.execute(stmt).all(), 1)]


def _representatives(inspection: Inspection) -> list[dict]:
    """The representative who signs, then the others as typed on site ("Họ tên, chức vụ" a line)."""
    people = [{"name": inspection.representative_name, "title": inspection.representative_title}]
    for line in (inspection.other_representatives or "").splitlines():
        name, _comma, title = line.partition(",")
        if name.strip():
            people.append({"name": name.strip(), "title": title.strip()})
    return people


def _signatures(inspection: Inspection) -> dict:
    rows = db.session.execute(select(MinutesSignature).where(MinutesSignature.inspection_id == inspection.id)).scalars()
    return {s.role: {"signature_id": s.id, "sha256": s.image_sha256, "name": s.signer_name, "title": s.signer_title,
                     "signed": s.signed_at.astimezone(TZ).strftime("%H giờ %M, %d/%m/%Y"), "device": s.device,
                     "content_hash": s.content_hash}
            for s in rows}


def minutes(inspection: Inspection) -> dict:
    """The minutes: a draft until both sides have signed them on the tablet."""
    _require_started(inspection)
    ordering = unit_of(inspection.ordering_unit_id)
    closed = inspection.minutes_closed_at
    dated = (closed or inspection.started_at).astimezone(TZ).date()
    head = header(ordering, "minutes", issuer=TEAM_ISSUER, code=TEAM_CODE, governing=ordering.name.upper(),
                  dated=dated, year=dated.year)
    members = team(inspection)
    found = findings(inspection)
    lead = next((m for m in members if m["key"] == "lead"), {"name": "", "honorific": ""})
    return {"header": head, "subject": f"Kiểm tra công tác cải cách hành chính tại {inspection.unit.name}",
            **_common(inspection), "started": clock(inspection.minutes_began_at or inspection.started_at),
            "closed": clock(inspection.minutes_ended_at),
            "location": inspection.location or inspection.unit.address or inspection.unit.name,
            "representative": {"name": inspection.representative_name, "title": inspection.representative_title},
            "representatives": _representatives(inspection), "results": _results(inspection, found),
            "findings": found, "strengths": inspection.strengths, "recommendations": inspection.team_recommendations,
            "unit_comments": inspection.unit_comments, "lead": lead["name"],
            "secretary": next((m["name"] for m in members if m["key"] == "secretary"), ""),
            "signatures": _signatures(inspection)}
