"""Keyword-only factories (STYLE.md §19) and the sign-in helper."""

import itertools
import re

import pytest

from inspection.auth.passwords import hash_password
from inspection.text import fold
from models import Membership, OrgUnit, User, db
from models.enums import Role, UnitKind

PASSWORD = "mat-khau-thu-nghiem"
_PASSWORD_HASH = hash_password(PASSWORD)
_seq = itertools.count(1)


def make_unit(*, name=None, parent=None, kind=UnitKind.COMMUNE, code=None, **fields) -> OrgUnit:
    n = next(_seq)
    name = name or f"Ủy ban nhân dân xã Thử Nghiệm {n}"
    unit = OrgUnit(name=name, name_folded=fold(name), code=code or f"U{n}", kind=kind,
                   parent_id=parent.id if parent else None, **fields)
    db.session.add(unit)
    db.session.flush()
    return unit


def make_user(*, role=Role.UNIT_OFFICER, unit=None, username=None, full_name=None, **fields) -> User:
    n = next(_seq)
    full_name = full_name or f"Nguyễn Văn Thử {n}"
    user = User(username=username or f"user{n}", full_name=full_name, full_name_folded=fold(full_name),
                password_hash=_PASSWORD_HASH, **fields)
    if unit is not None:
        user.memberships = [Membership(role=role, unit_id=unit.id)]
    db.session.add(user)
    db.session.flush()
    return user


def make_tree() -> dict[str, OrgUnit]:
    """A small province: root → People's Committee → a department and two communes."""
    root = make_unit(name="Tỉnh Thử Nghiệm", kind=UnitKind.PROVINCE)
    pc = make_unit(name="Ủy ban nhân dân huyện Thử Nghiệm", kind=UnitKind.PEOPLES_COMMITTEE, parent=root)
    dept = make_unit(name="Phòng Nội vụ", kind=UnitKind.DEPARTMENT, parent=pc)
    commune_a = make_unit(name="Ủy ban nhân dân xã An Phước", parent=pc)
    commune_b = make_unit(name="Ủy ban nhân dân xã Tân Phước", parent=pc)
    return {"root": root, "pc": pc, "dept": dept, "a": commune_a, "b": commune_b}


def csrf_token(client, path="/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client, user: User, password: str = PASSWORD):
    """Sign in through the real form (TOTP step included when the user has it)."""
    response = client.post("/login", data={"username": user.username, "password": password,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def tree(ctx):
    return make_tree()


@pytest.fixture
def login_as(client, tree):
    """login_as(role, unit_key) → the signed-in user (a new one per call)."""

    def _login(role=Role.UNIT_OFFICER, unit="a"):
        unit_obj = tree[unit] if isinstance(unit, str) else unit
        user = make_user(role=role, unit=unit_obj)
        db.session.commit()
        sign_in(client, user)
        return user

    return _login
