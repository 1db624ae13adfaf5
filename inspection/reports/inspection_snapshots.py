"""Snapshots of an inspection's documents: the minutes (biên bản) and the conclusion (thông báo
kết luận)."""

from datetime import datetime

from sqlalchemy import select

from models import (
    ChecklistItem,
    CheckResult,
    Finding,
    Inspection,
    db,
)
from models.enums import CHECK_VALUE_LABELS, FREE_FINDING_LABEL, SEVERITY_LABELS

from ..errors import ValidationError
from ..formatting import TZ
from .snapshots import day_text, header, photo_index, short_committee, unit_of

STARTED = ("in_progress", "minutes_closed", "conclusion_drafted", "concluded", "closed")
TEAM_ROLES = {"lead": "Trưởng đoàn", "member": "Thành viên", "secretary": "Thư ký"}
TEAM_ISSUER, TEAM_CODE = "Đoàn kiểm tra cải cách hành chính", "ĐKT"


def _clock(moment: datetime | None) -> str:
    """ "08 giờ 30 ngày 15 tháng 01 năm 2024" in Vietnam time."""
    if moment is None:
        return ""
    local = moment.astimezone(TZ)
    month = f"{local.month:02d}" if local.month <= 2 else str(local.month)
    return f"{local:%H} giờ {local:%M} ngày {local.day:02d} tháng {month} năm {local.year}"


def team(inspection: Inspection) -> list[dict]:
    order = {"lead": 0, "member": 1, "secretary": 2}
    members = sorted(inspection.members, key=lambda m: (order.get(m.role, 3), m.id))
    return [{"name": m.user.full_name, "title": m.user.title, "role": TEAM_ROLES.get(m.role, m.role),
             "key": m.role} for m in members]


def _results(inspection: Inspection) -> list[dict]:
    stmt = (select(ChecklistItem, CheckResult)
            .outerjoin(CheckResult, (CheckResult.item_id == ChecklistItem.id)
                       & (CheckResult.inspection_id == inspection.id))
            .where(ChecklistItem.template_id == inspection.template_id)
            .order_by(ChecklistItem.position, ChecklistItem.id))
    return [{"code": item.code, "criterion": item.criterion,
             "result": CHECK_VALUE_LABELS.get(result.value, "") if result else "Chưa đánh giá",
             "compliant": bool(result and result.value == "compliant"), "note": result.note if result else ""}
            for item, result in db.session.execute(stmt).all()]


def findings(inspection: Inspection, *, photo_kind: str = "before") -> list[dict]:
    """Each finding with its severity, the criterion it answers and its photos."""
    rows = db.session.execute(select(Finding, ChecklistItem.code, ChecklistItem.criterion)
                              .outerjoin(ChecklistItem, ChecklistItem.id == Finding.item_id)
                              .where(Finding.inspection_id == inspection.id).order_by(Finding.id)).all()
    shown = {f.id: [p.display_id for p in f.photos if p.kind == photo_kind] for f, _code, _criterion in rows}
    refs = photo_index([i for ids in shown.values() for i in ids])
    return [{"n": n, "id": finding.id, "severity": SEVERITY_LABELS.get(finding.severity, finding.severity),
             "description": finding.description,
             "criterion": f"{code} {criterion}".strip() if criterion else FREE_FINDING_LABEL,
             "photos": [refs[i] for i in shown[finding.id] if i in refs]}
            for n, (finding, code, criterion) in enumerate(rows, 1)]


def _require_started(inspection: Inspection) -> None:
    if inspection.status not in STARTED or inspection.started_at is None:
        raise ValidationError("Cuộc kiểm tra chưa bắt đầu: chưa có biên bản, kết luận hay báo cáo.")


def _basis(inspection: Inspection) -> list[str]:
    basis = [inspection.decision_ref] if inspection.decision_ref else []
    if inspection.inspection_plan_id:
        from models import InspectionPlan

        plan = db.session.get(InspectionPlan, inspection.inspection_plan_id)
        about = plan.title[len("kế hoạch "):] if plan.title.lower().startswith("kế hoạch ") else plan.title
        basis.append(f"Kế hoạch số {plan.number} ngày {day_text(plan.issued_on)} về {about[:1].lower()}{about[1:]}"
                     if plan.number else plan.title)
    return basis


def _common(inspection: Inspection) -> dict:
    target, ordering = inspection.unit, unit_of(inspection.ordering_unit_id)
    return {"inspection_id": inspection.id, "inspection_number": inspection.number, "title": inspection.title,
            "target": target.name, "target_short": short_committee(target.name), "ordering": ordering.name,
            "kind_label": {"surprise": "đột xuất", "thematic": "chuyên đề"}.get(inspection.kind, "theo kế hoạch"),
            "start_on": day_text(inspection.start_on), "end_on": day_text(inspection.end_on),
            "basis": _basis(inspection), "team": team(inspection)}


def minutes(inspection: Inspection) -> dict:
    """The minutes (biên bản kiểm tra): who, when, where, each item's result, findings and photos."""
    _require_started(inspection)
    ordering = unit_of(inspection.ordering_unit_id)
    closed = inspection.minutes_closed_at
    dated = (closed or inspection.started_at).astimezone(TZ).date()
    head = header(ordering, "minutes", issuer=TEAM_ISSUER, code=TEAM_CODE, governing=ordering.name.upper(),
                  dated=dated, year=dated.year)
    secretary = next((m for m in team(inspection) if m["key"] == "secretary"), None)
    return {"header": head, "subject": f"Kiểm tra công tác cải cách hành chính tại {inspection.unit.name}",
            **_common(inspection), "started": _clock(inspection.started_at), "closed": _clock(closed),
            "location": inspection.location or inspection.unit.address or inspection.unit.name,
            "representative": {"name": inspection.representative_name, "title": inspection.representative_title},
            "results": _results(inspection), "findings": findings(inspection),
            "lead": next((m["name"] for m in team(inspection) if m["key"] == "lead"), ""),
            "secretary": secretary["name"] if secretary else ""}
