"""The per-unit, per-year, per-type counter of outgoing documents (sổ đăng ký văn bản đi)."""

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from models import DocumentCounter, db


def _ensure_row(unit_id: int, year: int, type_code: str) -> None:
    exists = select(DocumentCounter.id).where(DocumentCounter.unit_id == unit_id, DocumentCounter.year == year,
                                              DocumentCounter.type_code == type_code)
    if db.session.execute(exists).first():
        return
    try:
        with db.session.begin_nested():  # a concurrent first issue of the year may insert it too
            db.session.add(DocumentCounter(unit_id=unit_id, year=year, type_code=type_code, last_number=0))
    except IntegrityError:
        pass


def next_number(unit_id: int, year: int, type_code: str) -> int:
    """The next number for (unit, year, type), inside the caller's transaction: one atomic
    increment, so two offices issuing at once get two numbers and a rollback gives its back."""
    _ensure_row(unit_id, year, type_code)
    stmt = (update(DocumentCounter)
            .where(DocumentCounter.unit_id == unit_id, DocumentCounter.year == year,
                   DocumentCounter.type_code == type_code)
            .values(last_number=DocumentCounter.last_number + 1)
            .returning(DocumentCounter.last_number)
            .execution_options(synchronize_session=False))
    return db.session.execute(stmt).scalar_one()
