"""The first administrator of a fresh production install."""

from sqlalchemy import select

from models import Membership, OrgUnit, User, db
from models.enums import Role, UnitKind

from ..auth.password_policy import check_new_password
from ..auth.passwords import hash_password
from ..data.transaction import unit_of_work
from ..errors import ValidationError
from ..language.text import fold, nfc
from ..security import audit


def create_first_admin(username: str, full_name: str, password: str) -> User:
    """Create an admin on the root unit (creating a root unit if the tree is empty)."""
    username = nfc(username).lower()
    check_new_password(password, personal=(username, full_name), field="password")
    if db.session.execute(select(User.id).where(User.username == username)).first():
        raise ValidationError("Tên đăng nhập đã tồn tại.")
    with unit_of_work():
        root = _root_unit()
        user = User(username=username, full_name=nfc(full_name), full_name_folded=fold(full_name),
                    password_hash=hash_password(password), must_change_password=False)
        user.memberships = [Membership(role=Role.ADMIN, unit_id=root.id)]
        db.session.add(user)
        db.session.flush()
        audit.record(None, "user.created", "user", user.id, unit_id=root.id,
                     after={"username": username, "role": Role.ADMIN})
    return user


def _root_unit() -> OrgUnit:
    root = db.session.execute(select(OrgUnit).where(OrgUnit.parent_id.is_(None))
                              .order_by(OrgUnit.id).limit(1)).scalar_one_or_none()
    if root is None:
        root = OrgUnit(code="ROOT", name="Ủy ban nhân dân tỉnh", name_folded=fold("Ủy ban nhân dân tỉnh"),
                       kind=UnitKind.PROVINCE)
        db.session.add(root)
        db.session.flush()
    return root
