"""The one-stop desks of a unit and their posters: create, revoke the poster's QR, print it.

The coordinator (for any unit of the subtree) or a unit head (for their own unit) manages them."""

from dataclasses import dataclass

from sqlalchemy import bindparam, select

from models import Desk, OrgUnit, Report, db, utcnow
from models.feedback import procedure_lines

from ..data.transaction import run_alone, unit_of_work
from ..errors import InvalidTransition, ValidationError
from ..language.text import nfc
from ..reports.services import request_report
from ..security import audit, permissions
from . import tokens

MAX_PROCEDURES = 12  # the short list a citizen picks from on a phone


def _clean_procedures(text: str) -> str:
    lines = [nfc(line).strip()[:200] for line in (text or "").splitlines() if nfc(line).strip()]
    if len(lines) > MAX_PROCEDURES:
        raise ValidationError(f"Tối đa {MAX_PROCEDURES} thủ tục thường gặp, mỗi dòng một thủ tục.",
                              field="procedures")
    return "\n".join(lines)


def create_desk(actor, unit: OrgUnit, *, name: str, procedures: str = "") -> Desk:
    """Add a one-stop desk (Bộ phận tiếp nhận và trả kết quả) to `unit`, with a fresh poster token."""
    permissions.require(actor, "desk.manage", unit)
    name = nfc(name or "").strip()
    if not name or len(name) > 200:
        raise ValidationError("Nhập tên bộ phận (tối đa 200 ký tự), ví dụ: Bộ phận một cửa xã.", field="name")
    with unit_of_work():
        desk = Desk(unit_id=unit.id, name=name, procedures=_clean_procedures(procedures),
                    token_id=tokens.new_token_id(), token_issued_at=utcnow())
        db.session.add(desk)
        db.session.flush()
        audit.record(actor, "desk.created", "service_desk", desk.id, unit_id=unit.id, after={"name": name})
    return desk


def revoke_token(actor, desk: Desk) -> Desk:
    """Revoke the desk's QR code (a poster torn down or copied elsewhere): every poster printed
    before answers "no longer valid"; a new poster is printed with the new token."""
    permissions.require(actor, "desk.manage", desk)
    if not desk.is_active:
        raise InvalidTransition("Bộ phận này đã ngừng nhận đánh giá.")
    old = desk.token_id
    with unit_of_work():
        desk.token_id, desk.token_issued_at = tokens.new_token_id(), utcnow()
        audit.record(actor, "desk.token_revoked", "service_desk", desk.id, unit_id=desk.unit_id,
                     before={"token": old}, after={"token": desk.token_id})
    return desk


def request_poster(actor, desk: Desk, base_url: str) -> Report:
    """Ask the worker for the desk's A4 poster (a PDF like the other documents)."""
    permissions.require(actor, "desk.manage", desk)
    unit = db.session.get(OrgUnit, desk.unit_id)
    return request_report(actor, "desk_poster", unit, params={"desk_id": desk.id, "base_url": base_url})


def desks_of(unit: OrgUnit) -> list[Desk]:
    stmt = select(Desk).where(Desk.unit_id == unit.id).order_by(Desk.is_active.desc(), Desk.name)
    return list(db.session.execute(stmt).scalars())


@dataclass(frozen=True)
class PublicDesk:
    """What the citizen's survey needs of a desk and its unit: read as plain columns, no entities
    (the survey answers every citizen's two requests at opening hours; bench/feedback.py)."""

    id: int
    unit_id: int
    name: str
    procedures: str
    unit_name: str

    @property
    def procedure_list(self) -> list[str]:
        return procedure_lines(self.procedures)


_desk, _unit = Desk.__table__.c, OrgUnit.__table__.c
# Built once, on the tables' columns (no ORM entity to load): each request only binds the id.
_PUBLIC = (select(_desk.id, _desk.unit_id, _desk.name, _desk.procedures, _unit.name, _desk.token_id, _desk.is_active)
           .join_from(Desk.__table__, OrgUnit.__table__, _unit.id == _desk.unit_id)
           .where(_desk.id == bindparam("desk_id")))


def desk_by_token(token: str) -> tuple[PublicDesk | None, bool]:
    """(the desk, whether the token is its current one) for a genuine token; (None, False) otherwise.
    One statement, on its own (autocommit: no BEGIN, no COMMIT): the survey page shows the unit's
    name and writes nothing."""
    found = tokens.read(token)
    if found is None:
        return None, False
    row = run_alone(_PUBLIC, {"desk_id": found[0]})
    if row is None:
        return None, False
    *card, token_id, is_active = row
    return PublicDesk(*card), is_active and token_id == found[1]
