"""Options for the plan and task forms and filters: only what the user sees."""

from functools import lru_cache

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import SelectChoice

from models import Membership, OrgUnit, ParArea, Plan, db

from ..data import caches, catalog
from ..security import permissions, scoping

# what each remembered list reads (the units' subtrees too: scoping.py); its triggers: inspection/data/caches.py
UNITS = caches.catalog_value("units", org_unit=caches.EVERY_COLUMN)
AREAS = caches.catalog_value("areas", par_area=caches.EVERY_COLUMN)
PLANS = caches.catalog_value("plans", plan=caches.EVERY_COLUMN, org_unit=caches.EVERY_COLUMN,
                             task=("id", "plan_id", "unit_id"), task_support_unit=("task_id", "unit_id"))


def unit_choices(actor, *, active_only: bool = True) -> list[SelectChoice]:
    """The units `actor` sees, by name."""
    prebuilt = scoping.prebuilt_scope(actor)
    if prebuilt is None:
        return _unit_rows(_units(scoping.scope(_UNIT_CHOICES, actor, OrgUnit), active_only), {})
    kind, params = prebuilt
    return catalog.remembered(UNITS, (kind, active_only, scope_ids(params)),
                              lambda: _unit_rows(_units_in_scope(kind, active_only), params))


def _unit_rows(stmt, params: dict) -> list[SelectChoice]:
    return [SelectChoice(str(r.id), r.name) for r in db.session.execute(stmt, params)]


def scope_ids(params: dict) -> tuple:
    """The units bound in a prebuilt scope's parameters, as part of a key."""
    return tuple(params.get(scoping.NARROW_IDS.key, ()))


def _units(stmt, active_only: bool):
    return (stmt.where(OrgUnit.is_active.is_(True)) if active_only else stmt).order_by(OrgUnit.name_folded)


@lru_cache(maxsize=8)
def _units_in_scope(kind: str, active_only: bool):
    """unit_choices' statement for the actors of `kind` (scoping.prebuilt_scope), built once."""
    return _units(scoping.scope_prebuilt(_UNIT_CHOICES, kind, OrgUnit), active_only)


def issuing_unit_choices(actor) -> list[SelectChoice]:
    """The units where `actor` drafts plans: those of their leader or coordinator memberships."""
    roles = permissions.ACTIONS["plan.manage"]
    stmt = (select(OrgUnit.id, OrgUnit.name).join(Membership, Membership.unit_id == OrgUnit.id)
            .where(Membership.user_id == actor.id, Membership.role.in_(list(roles)), OrgUnit.is_active.is_(True))
            .distinct().order_by(OrgUnit.name))
    return [SelectChoice(str(r.id), r.name) for r in db.session.execute(stmt)]


# built once: SQLAlchemy takes longer to build a select (and its cache key, which a statement object
# keeps) than PostgreSQL takes to run these
_ACTIVE_AREAS = (select(ParArea.id, ParArea.name).where(ParArea.is_active.is_(True))
                 .order_by(ParArea.position, ParArea.id))
_PLAN_CHOICES = select(Plan.id, Plan.number, Plan.title, Plan.year)
_UNIT_CHOICES = select(OrgUnit.id, OrgUnit.name)
_NEWEST_FIRST = (Plan.year.desc(), Plan.issued_on.desc(), Plan.id.desc())


def area_choices() -> list[SelectChoice]:
    """The active PAR areas in their official order."""
    return catalog.remembered(AREAS, None, lambda: [SelectChoice(str(r.id), r.name)
                                                      for r in db.session.execute(_ACTIVE_AREAS)])


def plan_choices(actor, limit: int = 200) -> list[SelectChoice]:
    """The newest plans `actor` sees, labelled "35/KH-UBND — title"."""
    prebuilt = scoping.prebuilt_scope(actor)
    if prebuilt is None:  # many units (a province's leader): remembered for the same units
        stmt = scoping.scope(_PLAN_CHOICES, actor, Plan).order_by(*_NEWEST_FIRST).limit(limit)
        units = tuple(sorted(scoping.visible_unit_ids(actor)))
        return catalog.remembered(PLANS, ("units", limit, units, str(get_locale())), lambda: _plan_rows(stmt, {}))
    kind, params = prebuilt
    return catalog.remembered(PLANS, (kind, limit, scope_ids(params), str(get_locale())),
                              lambda: _plan_rows(_plans_in_scope(kind, limit), params))


def _plan_rows(stmt, params: dict) -> list[SelectChoice]:
    draft = _("Dự thảo")
    return [SelectChoice(str(r.id), f"{r.number or draft} — {r.title}") for r in db.session.execute(stmt, params)]


@lru_cache(maxsize=8)
def _plans_in_scope(kind: str, limit: int):
    """plan_choices' statement for the actors of `kind` (scoping.prebuilt_scope), built once."""
    return scoping.scope_prebuilt(_PLAN_CHOICES, kind, Plan).order_by(*_NEWEST_FIRST).limit(limit)


def plan_years(actor) -> list[int]:
    """The years of the plans `actor` sees, newest first."""
    stmt = scoping.scope(select(Plan.year).distinct(), actor, Plan)
    return sorted(db.session.execute(stmt).scalars(), reverse=True)


def home_unit_id(actor) -> int | None:
    """The unit of the user's first unit-level membership (officer or head), for "my unit" links."""
    for membership in actor.memberships:
        if membership.role in permissions.ACTIONS["task.report"]:
            return membership.unit_id
    return None
