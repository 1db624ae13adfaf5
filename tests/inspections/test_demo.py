"""The demo's inspections: the year's plan over 6 departments, 2 service units and 9 communes,
and one unstarted surprise inspection of xã An Phước that its commune cannot see."""

from sqlalchemy import select

from inspection.demo.seed import seed_demo
from inspection.security import scoping
from models import Finding, Inspection, InspectionPlan, OrgUnit, RemediationAction, User, db
from models.enums import InspectionKind


def _user(name):
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def _visible(user):
    stmt = scoping.scope(select(Inspection), user, Inspection)
    return list(db.session.execute(stmt).scalars())


def test_demo_inspection_plan_covers_every_department_service_unit_and_commune(ctx):
    seed_demo("demo")
    plan = db.session.execute(select(InspectionPlan)).scalar_one()
    inspections = db.session.execute(select(Inspection).where(Inspection.inspection_plan_id == plan.id)).scalars().all()
    kinds = sorted(db.session.get(OrgUnit, i.unit_id).kind for i in inspections)
    assert kinds.count("department") == 6 and kinds.count("service_unit") == 2
    assert kinds.count("commune") + kinds.count("township") == 9
    assert any(i.status == "concluded" for i in inspections) and any(i.status == "planned" for i in inspections)
    assert db.session.execute(select(Finding)).first() is not None
    assert db.session.execute(select(RemediationAction)).first() is not None


def test_the_demo_surprise_inspection_is_hidden_from_the_commune_only(ctx):
    seed_demo("demo")
    surprise = db.session.execute(select(Inspection).where(Inspection.kind == InspectionKind.SURPRISE)).scalar_one()
    assert surprise.started_at is None
    for name in ("officer", "head"):
        assert surprise not in _visible(_user(name)), name
    for name in ("coordinator", "leader", "inspector", "admin"):
        assert surprise in _visible(_user(name)), name
