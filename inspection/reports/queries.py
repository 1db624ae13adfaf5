"""Reading renderings and documents: by subject, the live one for a hash, the register."""

from sqlalchemy import select

from models import Document, Inspection, OrgUnit, Plan, Report, db

from ..security import scoping
from .choices import LIVE

SUBJECT_MODELS = {"inspection": Inspection, "plan": Plan, "unit": OrgUnit}


def subject_type_of(subject) -> str:
    return next(name for name, model in SUBJECT_MODELS.items() if isinstance(subject, model))


def subject_of(record: Report | Document):
    """The Inspection, Plan or OrgUnit a rendering or document is about."""
    return db.session.get(SUBJECT_MODELS[record.subject_type], record.subject_id)


def issuing_unit_id(subject, kind: str | None = None) -> int:
    """The unit that issues documents about `subject` (and numbers them): an inspection's ordering
    body, but the inspected unit for its remediation report (it reports upward)."""
    if isinstance(subject, Inspection):
        return subject.unit_id if kind == "remediation_report" else subject.ordering_unit_id
    return subject.unit_id if isinstance(subject, Plan) else subject.id


def live_report(kind: str, subject_type: str, subject_id: int, digest: str) -> Report | None:
    """The queued, rendering or ready rendering of exactly these inputs, if any."""
    stmt = select(Report).where(Report.kind == kind, Report.subject_type == subject_type,
                                Report.subject_id == subject_id, Report.input_hash == digest,
                                Report.status.in_(LIVE))
    return db.session.execute(stmt).scalar()


def reports_of(actor, subject, kind: str | None = None, limit: int = 20) -> list[Report]:
    """The renderings of `subject` that `actor` sees, newest first (old versions stay downloadable;
    a plan's whole report only for plan-wide scope, a unit's own report for that unit)."""
    stmt = select(Report).where(Report.subject_type == subject_type_of(subject), Report.subject_id == subject.id)
    stmt = scoping.scope(stmt, actor, Report)
    if kind:
        stmt = stmt.where(Report.kind == kind)
    return list(db.session.execute(stmt.order_by(Report.id.desc()).limit(limit)).scalars())


def documents_of(subject) -> list[Document]:
    stmt = select(Document).where(Document.subject_type == subject_type_of(subject),
                                  Document.subject_id == subject.id, Document.status == "issued")
    return list(db.session.execute(stmt.order_by(Document.id)).scalars())


def issued_document(kind: str, subject) -> Document | None:
    stmt = select(Document).where(Document.kind == kind, Document.subject_type == subject_type_of(subject),
                                  Document.subject_id == subject.id, Document.status == "issued")
    return db.session.execute(stmt.order_by(Document.id.desc()).limit(1)).scalar()


def register(actor, *, year: int | None = None, unit_id: int | None = None, limit: int = 500) -> list:
    """The outgoing documents (sổ văn bản đi) `actor` sees, by issuing unit, year and number."""
    stmt = scoping.scope(select(Document, OrgUnit.name).join(OrgUnit, OrgUnit.id == Document.unit_id),
                             actor, Document).where(Document.status == "issued")
    if year:
        stmt = stmt.where(Document.year == year)
    if unit_id:
        stmt = stmt.where(Document.unit_id == unit_id)
    order = (Document.year.desc(), OrgUnit.name, Document.type_code, Document.number.desc())
    return list(db.session.execute(stmt.order_by(*order).limit(limit)).all())


def register_years(actor) -> list[int]:
    stmt = scoping.scope(select(Document.year).distinct(), actor, Document).where(Document.status == "issued")
    return sorted((y for y in db.session.execute(stmt).scalars() if y), reverse=True)
