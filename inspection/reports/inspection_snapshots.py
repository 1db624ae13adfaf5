"""Snapshots of an inspection's documents: the minutes (biên bản) and the conclusion (thông báo
kết luận)."""


from sqlalchemy import select

from models import (
    ChecklistItem,
    Finding,
    Inspection,
    InspectionPlan,
    db,
)
from models.enums import FREE_FINDING_LABEL, SEVERITY_LABELS

from ..errors import ValidationError
from .snapshots import day_text, photo_index, short_committee, unit_of

STARTED = ("in_progress", "minutes_closed", "conclusion_drafted", "concluded", "closed")
TEAM_ROLES = {"lead": "Trưởng đoàn", "member": "Thành viên", "secretary": "Thư ký"}
TEAM_ISSUER, TEAM_CODE = "Đoàn kiểm tra cải cách hành chính", "ĐKT"


def team(inspection: Inspection) -> list[dict]:
    order = {"lead": 0, "member": 1, "secretary": 2}
    members = sorted(inspection.members, key=lambda m: (order.get(m.role, 3), m.id))
    return [{"name": m.user.full_name, "honorific": m.user.honorific, "title": m.user.title,
             "role": TEAM_ROLES.get(m.role, m.role), "key": m.role} for m in members]


def findings(inspection: Inspection, *, photo_kind: str = "before") -> list[dict]:
    """Each finding with its severity, the criterion it answers and its photos."""
    rows = db.session.execute(select(Finding, ChecklistItem.code, ChecklistItem.criterion)
                              .outerjoin(ChecklistItem, ChecklistItem.id == Finding.item_id)
                              .where(Finding.inspection_id == inspection.id).order_by(Finding.id)).all()
    shown = {f.id: [p.display_id for p in f.photos if p.kind == photo_kind] for f, _code, _criterion in rows}
    refs = photo_index([i for ids in shown.values() for i in ids])
    return [{"n": n, "id": finding.id, "item_id": finding.item_id,
             "severity": SEVERITY_LABELS.get(finding.severity, finding.severity),
             "description": finding.description,
             "criterion": f"{code} {criterion}".strip() if criterion else FREE_FINDING_LABEL,
             "photos": [refs[i] for i in shown[finding.id] if i in refs]}
            for n, (finding, code, criterion) in enumerate(rows, 1)]


def _require_started(inspection: Inspection) -> None:
    if inspection.status not in STARTED or inspection.started_at is None:
        raise ValidationError("Cuộc kiểm tra chưa bắt đầu: chưa có biên bản, kết luận hay báo cáo.")


def decision_text(inspection: Inspection) -> str:
    """The decision forming the team, cited in full: type, số, ngày, cơ quan ban hành, trích yếu."""
    if not inspection.decision_number:
        return inspection.decision_ref
    summary = inspection.decision_summary
    return (f"Quyết định số {inspection.decision_number} ngày {day_text(inspection.decision_date)} của "
            f"{inspection.decision_issuer} {summary[:1].lower()}{summary[1:]}".strip())


def _basis(inspection: Inspection) -> list[str]:
    basis = [decision_text(inspection)] if inspection.decision_number or inspection.decision_ref else []
    if inspection.inspection_plan_id:
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
