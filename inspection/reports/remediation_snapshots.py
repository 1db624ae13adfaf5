"""Snapshots of the remediation report (báo cáo kết quả khắc phục): per inspection, or per unit
over a period (a merged commune's report includes its predecessors' actions)."""

from collections import Counter
from datetime import date

from sqlalchemy import select

from models import Finding, Inspection, OrgUnit, RemediationAction, db, subtree_ids
from models.enums import REMEDIATION_STATUS_LABELS, TIMELINESS_LABELS, Timeliness

from ..errors import ValidationError
from ..language.formatting import local_today
from ..plans.timeliness import rate, timeliness
from .inspection_snapshots import _require_started
from .queries import issued_document
from .remediation_photos import photo_rounds, rounds_of
from .snapshots import (
    committee_name,
    day_text,
    filing_line,
    header,
    short_committee,
    signature,
    unit_of,
    upward_recipients,
)


def _site(inspection: Inspection) -> str:
    return inspection.location or inspection.unit.address or inspection.unit.name


def _rows(actions: list[RemediationAction], today: date, inspections: dict[int, Inspection]) -> list[dict]:
    """One row per action: the finding, what was done, the photos before and by round, status and
    timeliness — loaded in a fixed number of queries whatever the number of actions."""
    finding_ids = [a.finding_id for a in actions if a.finding_id]
    described = dict(db.session.execute(select(Finding.id, Finding.description)
                                        .where(Finding.id.in_(finding_ids))).all())
    rounds = rounds_of(actions)
    sites = {a.id: (_site(inspections[a.inspection_id]), unit_of(a.unit_id).address or unit_of(a.unit_id).name)
             for a in actions}
    photos = photo_rounds(actions, rounds, sites)
    rows = []
    for n, action in enumerate(actions, 1):
        state = timeliness(action.status, action.deadline, action.completed_on, today)
        latest = rounds.get(action.id, [None])[-1]
        rows.append({"n": n, "finding": described.get(action.finding_id, ""), "action": action.description,
                     "unit": unit_of(action.unit_id).name, "deadline": day_text(action.deadline),
                     "status": REMEDIATION_STATUS_LABELS.get(action.status, ""),
                     "timeliness": TIMELINESS_LABELS[state], "timeliness_key": str(state),
                     "done": latest.note if latest else "", "completed_on": day_text(action.completed_on),
                     "photo_rounds": photos[action.id]})
    return rows


def _totals(rows: list[dict]) -> dict:
    counts = Counter(r["timeliness_key"] for r in rows)
    done = counts[Timeliness.DONE_ON_TIME] + counts[Timeliness.DONE_LATE]
    return {"total": len(rows), "done": done, "done_on_time": counts[Timeliness.DONE_ON_TIME],
            "done_late": counts[Timeliness.DONE_LATE], "awaiting": counts[Timeliness.AWAITING_REVIEW],
            "on_track": counts[Timeliness.ON_TRACK], "overdue": counts[Timeliness.OVERDUE],
            "rate": rate(done, len(rows))}


def _conclusion_citation(inspection: Inspection, ordering: OrgUnit) -> str:
    """ "Thông báo kết luận kiểm tra số 01/TB-UBND ngày 24/11/2026 của Ủy ban nhân dân tỉnh Đồng Tháp"."""
    document = issued_document("conclusion", inspection)
    issuer = committee_name(ordering)
    if document is None:
        return f"Thông báo kết luận kiểm tra của {issuer} (cuộc kiểm tra ngày {day_text(inspection.start_on)})"
    return f"Thông báo kết luận kiểm tra số {document.number_text} ngày {day_text(document.issued_on)} của {issuer}"


def for_inspection(inspection: Inspection) -> dict:
    """The remediation of one inspection's findings, reported by the inspected unit to the body
    that ordered the inspection: the unit's own number, place and signature, "Nơi nhận" upward."""
    _require_started(inspection)
    today = local_today()
    actions = list(db.session.execute(select(RemediationAction).where(
        RemediationAction.inspection_id == inspection.id).order_by(RemediationAction.id)).scalars())
    ordering, unit = unit_of(inspection.ordering_unit_id), inspection.unit
    rows = _rows(actions, today, {inspection.id: inspection})
    return {"header": header(unit, "remediation_report", year=today.year), "scope": "inspection",
            "subject": f"Kết quả khắc phục tồn tại, hạn chế theo {_conclusion_citation(inspection, ordering)}",
            "target": unit.name, "target_short": short_committee(unit.name),
            "conclusion": _conclusion_citation(inspection, ordering), "report_to": committee_name(ordering),
            "inspection_number": inspection.number, "inspection_on": day_text(inspection.start_on),
            "as_of": day_text(today), "groups": [{"title": inspection.title, "rows": rows}],
            "totals": _totals(rows), "signature": signature(unit, None),
            "recipients": upward_recipients(unit, ordering)}


def _parse(value) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationError("Ngày không hợp lệ (dd/mm/yyyy).", field="period") from exc


def _unit_actions(unit: OrgUnit, start: date, end: date) -> list[tuple[RemediationAction, Inspection]]:
    units = subtree_ids([unit.id], "report_unit")
    stmt = (select(RemediationAction, Inspection).join(Inspection, Inspection.id == RemediationAction.inspection_id)
            .where(RemediationAction.unit_id.in_(units), RemediationAction.deadline.between(start, end),
                   Inspection.started_at.is_not(None))
            .order_by(Inspection.start_on, Inspection.id, RemediationAction.id))
    return list(db.session.execute(stmt).all())


def for_unit(unit: OrgUnit, *, start, end) -> dict:
    """A unit's remediation over a period (deadlines within it), grouped by inspection."""
    start, end = _parse(start), _parse(end)
    if end < start:
        raise ValidationError("Ngày kết thúc phải sau ngày bắt đầu.", field="period")
    today = local_today()
    groups: dict[int, dict] = {}
    for action, inspection in _unit_actions(unit, start, end):
        groups.setdefault(inspection.id, {"title": inspection.title, "actions": [], "inspection": inspection}
                          )["actions"].append(action)
    out, n = [], 0
    for group in groups.values():
        rows = _rows(group["actions"], today, {group["inspection"].id: group["inspection"]})
        for row in rows:
            n += 1
            row["n"] = n
        out.append({"title": group["title"], "rows": rows})
    every = [r for g in out for r in g["rows"]]
    parent = unit_of(unit.parent_id)
    return {"header": header(unit, "remediation_report", year=today.year), "scope": "unit",
            "subject": f"Kết quả khắc phục tồn tại, hạn chế sau kiểm tra công tác cải cách hành chính "
                       f"từ ngày {day_text(start)} đến ngày {day_text(end)}",
            "target": unit.name, "period": [day_text(start), day_text(end)], "as_of": day_text(today),
            "groups": out, "totals": _totals(every), "signature": signature(unit, None),
            "recipients": upward_recipients(unit, parent) if parent else [filing_line(unit)]}
