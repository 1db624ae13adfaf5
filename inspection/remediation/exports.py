"""What the remediation list exports to .xlsx: its filtered rows, as the user sees them."""

from models import RemediationAction
from models.enums import REMEDIATION_STATUS_LABELS, SEVERITY_LABELS, TIMELINESS_LABELS

from ..deadlines.queries import stage_from
from ..language.formatting import local_today
from ..plans.timeliness import task_timeliness
from ..web import list_exports
from .queries import ActionFilters, filtered_actions, related


def filters_from_args(args) -> ActionFilters:
    """ActionFilters from the list's query string (no status: every status); bad values ignored."""
    def number(name):
        value = (args.get(name) or "").strip()
        return int(value) if value.isdigit() else None

    return ActionFilters(status=args.get("status") or None, timeliness=args.get("timeliness") or None,
                         inspection_id=number("inspection_id"), unit_id=number("unit_id"), area_id=number("area_id"),
                         returned=args.get("returned") == "y", extension=stage_from(args.get("extension")),
                         escalated=args.get("escalated") == "y", q=(args.get("q") or "")[:200])


def _rows(actions: list[RemediationAction]):
    named, today = related(actions), local_today()
    for a in actions:
        finding, inspection = named["findings"].get(a.finding_id), named["inspections"].get(a.inspection_id)
        unit = named["units"].get(a.unit_id)
        severity = SEVERITY_LABELS.get(finding.severity, "") if finding else ""
        yield [a.description, unit.name if unit else "", str(severity), inspection.title if inspection else "",
               a.deadline, a.original_deadline, str(REMEDIATION_STATUS_LABELS.get(a.status, a.status)),
               str(TIMELINESS_LABELS[task_timeliness(a, today)]), a.times_returned, a.completed_on]


ACTIONS = list_exports.ListExport(
    kind="remediation", title="Danh sách yêu cầu khắc phục", filename="danh-sach-khac-phuc",
    permission="remediation.view",
    columns=[("Yêu cầu khắc phục", 60), ("Đơn vị thực hiện", 30), ("Mức độ", 16), ("Cuộc kiểm tra", 50),
             ("Thời hạn", 12), ("Thời hạn ban đầu", 14), ("Trạng thái", 22), ("Tiến độ so với hạn", 22),
             ("Số lần bị trả lại", 12), ("Ngày hoàn thành", 14)],
    select=lambda actor, args: filtered_actions(actor, filters_from_args(args)),
    order=lambda: (RemediationAction.deadline, RemediationAction.id), rows=_rows)
