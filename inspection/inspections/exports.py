"""What the inspection list exports to .xlsx (the findings list defines its own in findings.py)."""

from models import Inspection
from models.enums import INSPECTION_KIND_LABELS, INSPECTION_STATUS_LABELS

from ..language.formatting import parse_date
from ..web import list_exports
from .forms import parse_month
from .queries import InspectionFilters, filtered_inspections, names_of


def filters_from_args(args) -> InspectionFilters:
    """InspectionFilters from the list's query string; a bad value is ignored (the form reports it)."""
    def number(name):
        value = (args.get(name) or "").strip()
        return int(value) if value.isdigit() else None

    return InspectionFilters(status=args.get("status") or None, kind=args.get("kind") or None,
                             unit_id=number("unit_id"), inspector_id=number("inspector_id"),
                             month=parse_month(args.get("month") or ""), q=(args.get("q") or "")[:200],
                             start_from=parse_date(args.get("start_from") or ""),
                             start_to=parse_date(args.get("start_to") or ""),
                             progress=args.get("progress") or None, unit_level=args.get("unit_level") or None,
                             period=args.get("period") or None)


def _rows(inspections: list[Inspection]):
    leads = names_of({m.user_id for i in inspections for m in i.members if m.role == "lead"})
    for i in inspections:
        lead = next((leads.get(m.user_id, "") for m in i.members if m.role == "lead"), "")
        yield [i.number, i.title, i.unit.name, str(INSPECTION_KIND_LABELS.get(i.kind, i.kind)), i.start_on, i.end_on,
               str(INSPECTION_STATUS_LABELS.get(i.status, i.status)), lead, i.decision_ref]


INSPECTIONS = list_exports.ListExport(
    kind="inspections", title="Danh sách cuộc kiểm tra", filename="danh-sach-cuoc-kiem-tra",
    permission="inspection.view",
    columns=[("Số", 12), ("Cuộc kiểm tra", 60), ("Đơn vị được kiểm tra", 30), ("Hình thức", 24),
             ("Từ ngày", 12), ("Đến ngày", 12), ("Trạng thái", 22), ("Trưởng đoàn", 26), ("Quyết định", 40)],
    select=lambda actor, args: filtered_inspections(actor, filters_from_args(args)),
    order=lambda: (Inspection.start_on.desc(), Inspection.id.desc()), rows=_rows)
