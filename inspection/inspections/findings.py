"""The findings list (tồn tại, hạn chế): every finding the user sees across inspections,
filtered by severity, inspected unit and inspection, newest first."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import raiseload

from models import ChecklistItem, Finding, Inspection, OrgUnit, ParArea, db, subtree_ids
from models.enums import SEVERITY_LABELS, Severity

from ..language.formatting import parse_date
from ..language.text import fold
from ..security import scoping
from ..web import list_exports
from ..web.listing import Page, paginate
from . import queries

SORTS = {"newest": (Finding.received_at, True), "oldest": (Finding.received_at, False)}


@dataclass
class FindingFilters:
    """The filters of the findings list (all optional); `q` matches without diacritics."""

    severity: str | None = None
    unit_id: int | None = None
    inspection_id: int | None = None
    area_id: int | None = None  # the PAR area of the checklist item the finding was recorded on
    start_from: date | None = None  # the inspection's start date, from and to (the dashboard's period)
    start_to: date | None = None
    q: str = ""


def filters_from_args(args) -> FindingFilters:
    """FindingFilters from a query string; a bad value is ignored (the form reports it)."""
    def number(name):
        value = (args.get(name) or "").strip()
        return int(value) if value.isdigit() else None

    severity = args.get("severity") or None
    return FindingFilters(severity=severity if severity in set(Severity) else None, unit_id=number("unit_id"),
                          inspection_id=number("inspection_id"), area_id=number("area_id"),
                          start_from=parse_date(args.get("start_from") or ""),
                          start_to=parse_date(args.get("start_to") or ""), q=(args.get("q") or "")[:200])


def filtered_findings(actor, filters: FindingFilters):
    """The findings `actor` sees (never those of an inspection hidden from them), narrowed."""
    stmt = scoping.scope(select(Finding).options(raiseload(Finding.photos)), actor, Finding)
    if filters.severity:
        stmt = stmt.where(Finding.severity == filters.severity)
    if filters.unit_id:
        stmt = stmt.where(Finding.unit_id.in_(subtree_ids([filters.unit_id], "filter_unit")))
    if filters.inspection_id:
        stmt = stmt.where(Finding.inspection_id == filters.inspection_id)
    if fold(filters.q):
        stmt = stmt.where(Finding.description_folded.contains(fold(filters.q), autoescape=True))
    return _narrow_dashboard(stmt, filters)


def _narrow_dashboard(stmt, filters: FindingFilters):
    """The filters a dashboard figure links with: the PAR area and the inspection's start dates."""
    if filters.area_id:
        stmt = stmt.where(Finding.item_id.in_(select(ChecklistItem.id).where(ChecklistItem.area_id == filters.area_id)))
    if filters.start_from or filters.start_to:
        starts = select(Inspection.id)
        if filters.start_from:
            starts = starts.where(Inspection.start_on >= filters.start_from)
        if filters.start_to:
            starts = starts.where(Inspection.start_on <= filters.start_to)
        stmt = stmt.where(Finding.inspection_id.in_(starts))
    return stmt


def area_choices() -> list[tuple[int, str]]:
    """Every PAR area (those no longer used too: old findings carry them), in the official order."""
    return list(db.session.execute(select(ParArea.id, ParArea.name).order_by(ParArea.position, ParArea.id)).all())


def list_findings(actor, filters: FindingFilters, *, sort: str, cursor: str | None, size: int) -> Page:
    return paginate(filtered_findings(actor, filters), sorts=SORTS, sort=sort, cursor=cursor, size=size)


def related(findings: list[Finding]) -> dict:
    """The inspections and units a page of findings names, each loaded in one query."""
    inspection_ids = {f.inspection_id for f in findings}
    unit_ids = {f.unit_id for f in findings}
    inspections = db.session.execute(select(Inspection.id, Inspection.title, Inspection.start_on)
                                     .where(Inspection.id.in_(inspection_ids))).all()
    units = db.session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(unit_ids))).all()
    return {"inspections": {i.id: i for i in inspections}, "units": dict(units)}


def inspection_choices(actor, chosen: int | None = None) -> list[tuple[int, str]]:
    """The inspections whose findings the user sees, newest first (the newest queries.CHOICES, and
    `chosen`)."""
    ids = scoping.scope(select(Finding.inspection_id), actor, Finding)
    return [(r.id, r.title) for r in queries.newest_inspections(ids, chosen)]


def _rows(findings: list[Finding]):
    named = related(findings)
    for f in findings:
        inspection = named["inspections"].get(f.inspection_id)
        yield [f.received_at, str(SEVERITY_LABELS.get(f.severity, f.severity)), f.description,
               named["units"].get(f.unit_id, ""), inspection.title if inspection else "",
               inspection.start_on if inspection else None]


FINDINGS = list_exports.ListExport(
    kind="findings", title="Danh sách tồn tại, hạn chế", filename="danh-sach-ton-tai", permission="inspection.view",
    columns=[("Ngày ghi nhận", 18), ("Mức độ", 16), ("Tồn tại, hạn chế", 70), ("Đơn vị được kiểm tra", 30),
             ("Cuộc kiểm tra", 50), ("Ngày kiểm tra", 14)],
    select=lambda actor, args: filtered_findings(actor, filters_from_args(args)),
    order=lambda: (Finding.received_at.desc(), Finding.id.desc()),
    rows=_rows)
