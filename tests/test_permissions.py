"""Truth tables of the permission module on the shared scenario (DESIGN "Who sees what"):
visible_unit_ids, can, scope and get_visible_or_404 per role and unit subtree."""

import pytest
from flask import g
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from inspection.errors import NotFound
from inspection.security import permissions, scoping
from models import OrgUnit, User, db

EVERY_UNIT = frozenset({"root", "pc", "noi_vu", "van_phong", "service", "an_phuoc", "an_phuoc_desk",
                        "tan_phuoc", "successor", "predecessor_a", "predecessor_b"})
BELOW_PC = EVERY_UNIT - {"root"}
AN_PHUOC = frozenset({"an_phuoc", "an_phuoc_desk"})
MERGED = frozenset({"successor", "predecessor_a", "predecessor_b"})
NOTHING = frozenset()

# user key → the units whose records the user sees
SEES = {
    "admin": EVERY_UNIT,
    "leader": BELOW_PC,
    "coordinator": BELOW_PC,
    "inspector": frozenset({"noi_vu"}),
    "unit_head": AN_PHUOC,
    "unit_officer": AN_PHUOC,
    "viewer": frozenset({"tan_phuoc"}),
    "successor_officer": MERGED,
    "predecessor_officer": frozenset({"predecessor_a"}),
}
STEERING = {"admin", "leader", "coordinator"}

# (action, user) → units on which can() is true; users not listed: none
UNIT_TABLE = {
    "unit.view": {**SEES, "inactive": NOTHING},
    "unit.manage": {"admin": EVERY_UNIT},
    "unit.merge": {"admin": EVERY_UNIT},
    "audit.view": {u: SEES[u] for u in STEERING},
}
EVERY_USER = frozenset(SEES) | {"inactive"}
# (action, user) → users on which can() is true; users not listed: none
USER_TABLE = {
    "user.view": {"admin": EVERY_USER, "leader": EVERY_USER - {"admin"},
                  "coordinator": EVERY_USER - {"admin"},
                  "unit_head": frozenset({"unit_head", "unit_officer", "inactive"})},
    "user.manage": {"admin": EVERY_USER},
}
# user key → users that scope(select(User)) returns
SCOPED_USERS = {
    "admin": EVERY_USER,
    "leader": EVERY_USER - {"admin"},
    "unit_officer": frozenset({"unit_head", "unit_officer", "inactive"}),
    "inspector": frozenset({"inspector"}),
    "viewer": frozenset({"viewer"}),
    "successor_officer": frozenset({"successor_officer", "predecessor_officer"}),
    "predecessor_officer": frozenset({"predecessor_officer"}),
}


def _unit_keys(scenario, ids) -> set[str]:
    ids = set(ids)
    return {key for key, unit in scenario.units.items() if unit.id in ids}


def _units_where(scenario, user, action) -> set[str]:
    return {key for key, unit in scenario.units.items() if permissions.can(user, action, unit)}


def _users_where(scenario, user, action) -> set[str]:
    return {key for key, other in scenario.users.items() if permissions.can(user, action, other)}


@pytest.mark.parametrize("user_key", sorted(SEES))
def test_visible_units_follow_the_membership_subtree(scenario, user_key):
    visible = scoping.visible_unit_ids(scenario.users[user_key])
    assert _unit_keys(scenario, visible) == SEES[user_key]


@pytest.mark.parametrize("action", sorted(UNIT_TABLE))
@pytest.mark.parametrize("user_key", sorted(EVERY_USER))
def test_can_on_units_truth_table(scenario, action, user_key):
    expected = UNIT_TABLE[action].get(user_key, NOTHING)
    assert _units_where(scenario, scenario.users[user_key], action) == expected


@pytest.mark.parametrize("action", sorted(USER_TABLE))
@pytest.mark.parametrize("user_key", sorted(EVERY_USER))
def test_can_on_users_truth_table(scenario, action, user_key):
    expected = USER_TABLE[action].get(user_key, NOTHING)
    assert _users_where(scenario, scenario.users[user_key], action) == expected


@pytest.mark.parametrize("user_key", sorted(SEES))
def test_scope_lists_exactly_the_visible_units(scenario, user_key):
    stmt = scoping.scope(select(OrgUnit.id), scenario.users[user_key], OrgUnit)
    assert _unit_keys(scenario, db.session.execute(stmt).scalars()) == SEES[user_key]


@pytest.mark.parametrize("user_key", sorted(SCOPED_USERS))
def test_scope_lists_the_users_of_the_visible_units(scenario, user_key):
    stmt = scoping.scope(select(User.id), scenario.users[user_key], User)
    ids = set(db.session.execute(stmt).scalars())
    assert {key for key, user in scenario.users.items() if user.id in ids} == SCOPED_USERS[user_key]


def test_admin_scope_covers_every_unit_in_the_database(scenario):
    extra = OrgUnit(name="Đơn vị ngoài kịch bản", name_folded="don vi ngoai kich ban", code="NGOAI", kind="other")
    db.session.add(extra)
    db.session.flush()
    stmt = scoping.scope(select(func.count()).select_from(OrgUnit), scenario.users["admin"], OrgUnit)
    assert db.session.execute(stmt).scalar() == db.session.execute(select(func.count(OrgUnit.id))).scalar()


def test_unit_officer_sees_own_commune_and_sub_units_not_the_neighbour_nor_the_committee(scenario):
    officer, units = scenario.users["unit_officer"], scenario.units
    assert permissions.can(officer, "unit.view", units["an_phuoc"])
    assert permissions.can(officer, "unit.view", units["an_phuoc_desk"])
    assert not permissions.can(officer, "unit.view", units["tan_phuoc"])
    assert not permissions.can(officer, "unit.view", units["pc"])


def test_successor_sees_predecessors_but_their_former_users_do_not_see_the_successor(scenario):
    units = scenario.units
    successor, former = scenario.users["successor_officer"], scenario.users["predecessor_officer"]
    assert permissions.can(successor, "unit.view", units["predecessor_a"])
    assert permissions.can(successor, "unit.view", units["predecessor_b"])
    assert not permissions.can(former, "unit.view", units["successor"])
    assert not permissions.can(former, "unit.view", units["predecessor_b"])


def test_viewer_reads_but_never_manages(scenario):
    viewer, commune = scenario.users["viewer"], scenario.units["tan_phuoc"]
    assert permissions.can(viewer, "unit.view", commune)
    assert not permissions.can(viewer, "unit.manage", commune)
    assert not permissions.can(viewer, "user.view")
    with pytest.raises(permissions.Forbidden):
        permissions.require(viewer, "unit.manage", commune)


@pytest.mark.parametrize("action", sorted(permissions.ACTIONS))
def test_inactive_user_and_anonymous_can_nothing(scenario, action):
    inactive, own_unit = scenario.users["inactive"], scenario.units["an_phuoc"]
    assert not permissions.can(inactive, action)
    assert not permissions.can(inactive, action, own_unit)
    assert not permissions.can(AnonymousUserMixin(), action, own_unit)
    assert not permissions.can(None, action)


def test_role_level_can_without_a_record(scenario):
    users = scenario.users
    assert permissions.can(users["admin"], "unit.manage")
    assert permissions.can(users["unit_head"], "user.view")
    assert not permissions.can(users["unit_officer"], "user.view")
    assert not permissions.can(users["leader"], "user.manage")


def test_get_visible_or_404_returns_a_visible_record(scenario):
    officer, desk = scenario.users["unit_officer"], scenario.units["an_phuoc_desk"]
    assert permissions.get_visible_or_404(OrgUnit, str(desk.id), officer) is desk
    assert permissions.get_visible_or_404(User, scenario.users["unit_head"].id, officer).username == "kb_unit_head"


@pytest.mark.parametrize("record_id", ["outside", "user_outside", "abc", "1.5", "", None, "missing"])
def test_get_visible_or_404_raises_not_found(scenario, record_id):
    officer = scenario.users["unit_officer"]
    model = User if record_id == "user_outside" else OrgUnit
    ids = {"outside": scenario.units["tan_phuoc"].id, "user_outside": scenario.users["viewer"].id,
           "missing": db.session.execute(select(func.max(OrgUnit.id))).scalar() + 1000}
    with pytest.raises(NotFound):
        permissions.get_visible_or_404(model, ids.get(record_id, record_id), officer)


def test_visibility_is_recomputed_after_forget(scenario):
    officer = scenario.users["unit_officer"]
    assert permissions.can(officer, "unit.view", scenario.units["an_phuoc"])
    new = OrgUnit(name="Tổ công tác mới", name_folded="to cong tac moi", code="TCT", kind="other",
                  parent_id=scenario.units["an_phuoc"].id)
    db.session.add(new)
    db.session.flush()
    scoping.forget_visibility()
    assert permissions.can(officer, "unit.view", new)


# ---- the decorators' declarations the route walk relies on

@permissions.body_ids(parent_id=OrgUnit)
def _view_with_body_id():
    return "ran"


def _run_as(app, user, view, **request_kwargs):
    with app.test_request_context(**request_kwargs):
        g._login_user = user
        return view()


@pytest.mark.parametrize("data", [{}, {"parent_id": ""}, {"parent_id": "inside"}])
def test_body_ids_lets_absent_empty_and_visible_ids_through(app, scenario, data):
    officer = scenario.users["unit_officer"]
    if data.get("parent_id") == "inside":
        data = {"parent_id": str(scenario.units["an_phuoc_desk"].id)}
    assert _run_as(app, officer, _view_with_body_id, method="POST", data=data) == "ran"


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_body_ids_answers_404_for_any_invisible_value(app, scenario, method):
    officer, units = scenario.users["unit_officer"], scenario.units
    values = [str(units["an_phuoc"].id), str(units["pc"].id)]  # the second is outside
    where = "data" if method == "POST" else "query_string"
    with pytest.raises(NotFound):
        _run_as(app, officer, _view_with_body_id, method=method, **{where: {"parent_id": values}})
    assert _view_with_body_id.body_ids == {"parent_id": OrgUnit}


def test_stacked_scoped_views_declare_every_guard_outermost_first():
    @permissions.scoped_view(OrgUnit, "unit_id", "unit.manage")
    @permissions.scoped_view(User, "user_id", "user.manage")
    def view(unit, user):
        return unit, user

    assert [d["arg"] for d in view.scoped_all] == ["unit_id", "user_id"]
    assert view.scoped == {"model": OrgUnit, "arg": "unit_id", "action": "unit.manage"}
