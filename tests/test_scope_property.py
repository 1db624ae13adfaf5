"""scope() is the one builder of "which rows a user sees" (inspection/security/scoping.py). Its narrow form
(for an actor who sees at most NARROW_SCOPE units: their ids bound instead of the recursive subtree
query) and the prebuilt Task/Plan statements (prebuilt_scope + scope_prebuilt) are optimisations:
they must return exactly the rows of the general form. Shown on the shared scenario for every user
and every record kind a route loads by id, and on random trees of units with merges, tasks led and
supported by random units, and plans (hypothesis)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from inspection.security import scoping
from models import (
    CheckResult,
    Conclusion,
    Correction,
    Device,
    Document,
    Feedback,
    Finding,
    Inspection,
    Membership,
    OrgUnit,
    ParAssessment,
    ParEvidence,
    ParRound,
    ParScore,
    Plan,
    RemediationAction,
    Report,
    Task,
    User,
    db,
)
from models.enums import Role
from tests.factories import make_plan, make_task, make_unit, make_user
from tests.scenario import RECORD_FACTORIES

SCOPED = (OrgUnit, User, Device, Plan, Task, Inspection, Finding, CheckResult, Correction, Conclusion,
          RemediationAction, Report, Document, Feedback, ParRound, ParAssessment, ParScore, ParEvidence)
PREBUILT = (Task, Plan, OrgUnit)  # the statements built once for everyone (lists, dashboard)
ANCHORS = ("an_phuoc", "an_phuoc_desk", "tan_phuoc", "noi_vu", "predecessor_a", "successor", "service")


def _rows(actor, model, *, narrow: bool, paged: bool = False) -> frozenset[int]:
    """The ids scope() lets `actor` see, by the narrow form (ids bound) or the general one (for a
    page of tasks with `paged`)."""
    saved = scoping.NARROW_SCOPE
    scoping.NARROW_SCOPE = 10**6 if narrow else -1
    try:
        scoping.forget_visibility()
        if narrow:
            assert scoping.sees_everything(actor, scoping.ALL_ROLES) or scoping.narrow_unit_ids(actor) is not None
        return frozenset(db.session.execute(scoping.scope(select(model.id), actor, model, paged=paged)).scalars())
    finally:
        scoping.NARROW_SCOPE = saved


def _prebuilt_rows(actor, model) -> frozenset[int]:
    saved = scoping.NARROW_SCOPE
    scoping.NARROW_SCOPE = 10**6
    try:
        scoping.forget_visibility()
        kind, params = scoping.prebuilt_scope(actor)
        stmt = scoping.scope_prebuilt(select(model.id), kind, model)
        return frozenset(db.session.execute(stmt, params).scalars())
    finally:
        scoping.NARROW_SCOPE = saved


def _same_rows_both_ways(actor, models) -> dict:
    seen = {}
    for model in models:
        general = _rows(actor, model, narrow=False)
        assert _rows(actor, model, narrow=True) == general, (actor.username, model.__name__)
        if model is Task:
            assert _rows(actor, model, narrow=False, paged=True) == general, (actor.username, "paged")
        if model in PREBUILT:
            assert _prebuilt_rows(actor, model) == general, (actor.username, model.__name__, "prebuilt")
        seen[model] = general
    return seen


@pytest.fixture
def populated(scenario):
    """The shared scenario with a record of each kind under several units (each factory makes its
    record inside the anchor's subtree: plans, tasks, surprise and announced inspections, findings,
    remediation actions of another unit, reports, documents, answers, Chỉ số CCHC records…)."""
    for anchor in ANCHORS:
        for model in SCOPED:
            if model in RECORD_FACTORIES:
                RECORD_FACTORIES[model](scenario.units[anchor])
    db.session.flush()
    return scenario


def test_the_narrow_and_prebuilt_scopes_return_the_general_scopes_rows_for_every_user_and_record(populated):
    every = {model: frozenset(db.session.execute(select(model.id)).scalars()) for model in SCOPED}
    narrowed_somewhere = set()
    for user in populated.users.values():
        seen = _same_rows_both_ways(user, SCOPED)
        narrowed_somewhere |= {model for model, rows in seen.items() if rows and rows != every[model]}
    # the comparison means something: most kinds are seen by some user only in part
    assert {Task, Plan, Inspection, Finding, Document, Feedback, OrgUnit, User} <= narrowed_somewhere


TREES = st.lists(st.tuples(st.integers(0, 40), st.booleans()), min_size=2, max_size=12)
WORK = st.lists(st.tuples(st.integers(0, 40), st.lists(st.integers(0, 40), max_size=2), st.booleans()),
                min_size=1, max_size=10)
MEMBERS = st.lists(st.tuples(st.integers(0, 40), st.sampled_from([Role.UNIT_OFFICER, Role.LEADER, Role.VIEWER])),
                   min_size=1, max_size=3)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=TREES, work=WORK, members=MEMBERS)
def test_on_random_trees_the_narrow_form_is_the_general_one(ctx, tree, work, members):
    """Unit i hangs under an earlier unit (or is merged into it: a predecessor whose successor sees
    it); tasks are led by one unit and supported by others, inside plans of a third."""
    savepoint = db.session.begin_nested()
    try:
        units = [make_unit(name="Ủy ban nhân dân tỉnh Ngẫu Nhiên")]
        for pick, merged in tree:
            other = units[pick % len(units)]
            units.append(make_unit(parent=None if merged else other, successor_id=other.id if merged else None))
        for lead, supports, in_plan in work:
            plan = make_plan(unit=units[(lead * 7) % len(units)]) if in_plan else None
            helpers = {s % len(units) for s in supports} - {lead % len(units)}
            make_task(unit=units[lead % len(units)], plan=plan, support_units=[units[s] for s in sorted(helpers)])
        pairs = list(dict.fromkeys((units[u % len(units)].id, role) for u, role in members))
        actor = make_user(unit=db.session.get(OrgUnit, pairs[0][0]), role=pairs[0][1])
        actor.memberships += [Membership(role=role, unit_id=unit_id) for unit_id, role in pairs[1:]]
        db.session.flush()
        _same_rows_both_ways(actor, (OrgUnit, Task, Plan))
    finally:
        savepoint.rollback()
        scoping.forget_visibility()
