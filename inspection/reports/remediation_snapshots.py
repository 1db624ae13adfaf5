"""Snapshots of the remediation report (báo cáo kết quả khắc phục): per inspection, or per unit
over a period (a merged commune's report includes its predecessors' actions)."""

from collections import Counter
from datetime import date

from sqlalchemy import select

from models import (
    Finding,
    FindingPhoto,
    Inspection,
    OrgUnit,
    RemediationAction,
    RemediationSubmission,
    db,
    subtree_ids,
)
from models.enums import REMEDIATION_STATUS_LABELS, TIMELINESS_LABELS, Timeliness

from ..errors import ValidationError
from ..formatting import local_today
from ..plans.timeliness import rate, timeliness
from .inspection_snapshots import _require_started
from .snapshots import day_text, header, photo_index, short_committee, signature, unit_of

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")


def _latest_rounds(action_ids: list[int]) -> dict[int, RemediationSubmission]:
    """The latest submission of each action (what the unit last reported), in one query."""
    stmt = (select(RemediationSubmission).where(RemediationSubmission.action_id.in_(action_ids))
            .order_by(RemediationSubmission.action_id, RemediationSubmission.round))
    return {s.action_id: s for s in db.session.execute(stmt).scalars()}


def _after_photos(finding_ids: list[int]) -> dict[int, list[int]]:
    stmt = (select(FindingPhoto.finding_id, FindingPhoto.display_id)
            .where(FindingPhoto.finding_id.in_(finding_ids), FindingPhoto.kind == "after").order_by(FindingPhoto.id))
    photos: dict[int, list[int]] = {}
    for finding_id, display_id in db.session.execute(stmt).all():
        photos.setdefault(finding_id, []).append(display_id)
    return photos


def _images(latest: RemediationSubmission | None, after: list[int]) -> list[int]:
    """Images uploaded as evidence files, then the photos taken for it (the finding's "after" photos)."""
    files = [a.id for a in (latest.attachments if latest else [])
             if a.mime_type in IMAGE_TYPES and a.kind not in ("photo_original", "photo_display")]
    return files + after


def _rows(actions: list[RemediationAction], today: date) -> list[dict]:
    """One row per action: the finding, what was done, the evidence, status and timeliness — loaded
    in a fixed number of queries whatever the number of actions."""
    finding_ids = [a.finding_id for a in actions if a.finding_id]
    described = dict(db.session.execute(select(Finding.id, Finding.description)
                                        .where(Finding.id.in_(finding_ids))).all())
    latest, after = _latest_rounds([a.id for a in actions]), _after_photos(finding_ids)
    images = {a.id: _images(latest.get(a.id), after.get(a.finding_id, [])) for a in actions}
    refs = photo_index([i for ids in images.values() for i in ids])
    rows = []
    for n, action in enumerate(actions, 1):
        state = timeliness(action.status, action.deadline, action.completed_on, today)
        round_ = latest.get(action.id)
        rows.append({"n": n, "finding": described.get(action.finding_id, ""), "action": action.description,
                     "unit": unit_of(action.unit_id).name, "deadline": day_text(action.deadline),
                     "status": REMEDIATION_STATUS_LABELS.get(action.status, ""),
                     "timeliness": TIMELINESS_LABELS[state], "timeliness_key": str(state),
                     "done": round_.note if round_ else "", "completed_on": day_text(action.completed_on),
                     "photos": [refs[i] for i in images[action.id] if i in refs]})
    return rows


def _totals(rows: list[dict]) -> dict:
    counts = Counter(r["timeliness_key"] for r in rows)
    done = counts[Timeliness.DONE_ON_TIME] + counts[Timeliness.DONE_LATE]
    return {"total": len(rows), "done": done, "done_on_time": counts[Timeliness.DONE_ON_TIME],
            "done_late": counts[Timeliness.DONE_LATE], "awaiting": counts[Timeliness.AWAITING_REVIEW],
            "on_track": counts[Timeliness.ON_TRACK], "overdue": counts[Timeliness.OVERDUE],
            "rate": rate(done, len(rows))}


def for_inspection(inspection: Inspection) -> dict:
    """The remediation of one inspection's findings, reported by the body that ordered it."""
    _require_started(inspection)
    today = local_today()
    actions = list(db.session.execute(select(RemediationAction).where(
        RemediationAction.inspection_id == inspection.id).order_by(RemediationAction.id)).scalars())
    ordering = unit_of(inspection.ordering_unit_id)
    rows = _rows(actions, today)
    return {"header": header(ordering, "remediation_report", year=today.year), "scope": "inspection",
            "subject": f"Kết quả khắc phục tồn tại, hạn chế sau kiểm tra công tác cải cách hành chính tại "
                       f"{inspection.unit.name}",
            "target": inspection.unit.name, "target_short": short_committee(inspection.unit.name),
            "inspection_number": inspection.number, "inspection_on": day_text(inspection.start_on),
            "as_of": day_text(today), "groups": [{"title": inspection.title, "rows": rows}],
            "totals": _totals(rows), "signature": signature(ordering, None),
            "recipients": [f"{inspection.unit.name};", "Lưu: VT."]}


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
        groups.setdefault(inspection.id, {"title": inspection.title, "actions": []})["actions"].append(action)
    out, n = [], 0
    for group in groups.values():
        rows = _rows(group["actions"], today)
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
            "recipients": ([f"{parent.name} (để báo cáo);"] if parent else []) + ["Lưu: VT."]}
