"""The one permission module: who may do what (the policy table and the per-record checks); which
rows a user sees is scoping.py's (DESIGN "One vocabulary").

Outside what a user sees → 404 (NotFound); seen but not allowed → 403 (Forbidden)."""

from functools import wraps

from flask import request
from flask_login import current_user
from sqlalchemy import select

from models import Device, Feedback, Inspection, InspectionMember, OrgUnit, Plan, Task, User, db
from models.enums import Role

from ..errors import Forbidden, NotFound
from ..par import access as par_access
from . import security_events
from .scoping import (
    ALL_ROLES,
    INSPECTION_RECORDS,
    PAR_RECORDS,
    STEERING,
    SUBJECT_RECORDS,
    is_visible,
    request_cache,
    scope,
    sees_everything,
    visible_unit_ids,
)

MAX_ID = 2**31 - 1  # ids are PostgreSQL `integer`

MANAGERS = frozenset({Role.ADMIN})

# action → roles that may perform it on records inside the subtree of their membership unit
ACTIONS: dict[str, frozenset] = {
    "unit.view": ALL_ROLES,
    "unit.manage": MANAGERS,
    "unit.merge": MANAGERS,
    "user.view": STEERING | {Role.UNIT_HEAD},
    "user.manage": MANAGERS,
    "audit.view": STEERING,
    "dashboard.view": STEERING | {Role.UNIT_HEAD, Role.VIEWER},  # figures of the user's subtree
    "ops.view": MANAGERS,  # queues, failed jobs, worker heartbeats
    "trust.manage": MANAGERS,  # the trust anchors digital signatures are checked against
    "plan.view": ALL_ROLES,
    "plan.report": ALL_ROLES,  # the whole plan's progress report: who sees its issuing unit (plan-wide scope)
    "plan.manage": frozenset({Role.LEADER, Role.COORDINATOR}),
    "plan.issue": frozenset({Role.LEADER}),
    "task.view": ALL_ROLES,
    "task.assign": frozenset({Role.LEADER, Role.COORDINATOR}),
    "task.comment": frozenset({Role.LEADER, Role.COORDINATOR, Role.UNIT_HEAD, Role.UNIT_OFFICER}),
    "task.report": frozenset({Role.UNIT_HEAD, Role.UNIT_OFFICER}),
    "task.submit": frozenset({Role.UNIT_HEAD, Role.UNIT_OFFICER}),
    "task.confirm": frozenset({Role.UNIT_HEAD}),
    "task.review": frozenset({Role.LEADER, Role.COORDINATOR}),
    "task.reopen": frozenset({Role.LEADER}),
    "extension.request": frozenset({Role.UNIT_HEAD, Role.UNIT_OFFICER}),
    "extension.forward": frozenset({Role.COORDINATOR}),  # with an opinion, to the leader
    "extension.decide": frozenset({Role.LEADER}),
    "template.view": ALL_ROLES - {Role.UNIT_OFFICER},
    "template.manage": frozenset({Role.ADMIN, Role.COORDINATOR}),
    "inspection.view": ALL_ROLES,
    "inspection.schedule": frozenset({Role.COORDINATOR, Role.LEADER}),
    "inspection.order_surprise": frozenset({Role.LEADER}),
    "conclusion.issue": frozenset({Role.LEADER}),
    "finding.view": ALL_ROLES,
    "remediation.view": ALL_ROLES,
    "remediation.work": frozenset({Role.UNIT_OFFICER, Role.UNIT_HEAD}),
    "remediation.confirm": frozenset({Role.UNIT_HEAD}),
    "remediation.review": frozenset({Role.COORDINATOR}),  # and the inspector who raised the finding
    "remediation.manage": frozenset({Role.COORDINATOR}),
    "desk.view": ALL_ROLES,  # a one-stop desk of a unit and its figures
    "desk.manage": frozenset({Role.COORDINATOR, Role.UNIT_HEAD}),  # desks, posters, revoking a poster
    "feedback.view": ALL_ROLES,  # a citizen's answer: steering roles; a unit only once shared with it
    "feedback.triage": frozenset({Role.COORDINATOR}),
    "report.view": ALL_ROLES,  # a PDF rendering: seen by whoever sees its subject
    "document.view": ALL_ROLES,
    "document.issue": frozenset({Role.LEADER, Role.COORDINATOR, Role.UNIT_HEAD}),  # on the issuing unit
    **par_access.ACTIONS,  # Chỉ số CCHC
    # team actions: granted by being on the inspection's team (the lead for "lead" actions)
    "inspection.conduct": frozenset(),
    "inspection.lead": frozenset(),
}

TEAM_ACTIONS = {"inspection.conduct": ("lead", "member", "secretary"), "inspection.lead": ("lead",)}

# Actions a supporting unit (phối hợp) may take on a task as well as its lead unit.
SUPPORT_ACTIONS = frozenset({"task.view", "task.comment", "task.report"})

def _units_of(obj, action: str) -> set[int]:
    """The units whose members may act on `obj`: its own unit, and for tasks also the
    supporting units where `action` allows it."""
    if isinstance(obj, OrgUnit):
        return {obj.id}
    if isinstance(obj, Inspection):
        return {obj.ordering_unit_id}  # scheduling and issuing belong to the ordering body
    units = {getattr(obj, "unit_id", None)}
    if isinstance(obj, Task) and action in SUPPORT_ACTIONS:
        units |= {u.id for u in obj.support_units}
    return units

def can(actor, action: str, obj=None) -> bool:
    """May `actor` perform `action` (on `obj`, when given)?"""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if action in TEAM_ACTIONS:
        return obj is not None and _on_team(actor, obj, TEAM_ACTIONS[action])
    if action == "par.appraise":
        return obj is not None and par_access.appraises(actor, obj, request_cache())
    roles = ACTIONS[action]
    if obj is None:
        return bool(actor.roles & roles)
    if isinstance(obj, Device):  # a registered tablet is its user's
        return can(actor, action, obj.user)
    if sees_everything(actor, roles):
        return True
    if isinstance(obj, (Inspection, Feedback, *INSPECTION_RECORDS, *SUBJECT_RECORDS)) and action.endswith(".view"):
        return is_visible(actor, obj)
    if isinstance(obj, PAR_RECORDS) and action == "par.view":
        return is_visible(actor, obj)
    if isinstance(obj, Plan) and action == "plan.view":  # also the units of its tasks: scope() asks by EXISTS
        return is_visible(actor, obj)
    if isinstance(obj, User):
        return _can_on_user(actor, roles, obj)
    if action == "remediation.review" and getattr(obj, "raised_by_id", None) == actor.id:
        return True
    return bool(_units_of(obj, action) & visible_unit_ids(actor, roles))

def _on_team(actor, obj, roles: tuple) -> bool:
    """Is `actor` on the inspection's team in one of `roles`? (one query per inspection and request)"""
    inspection_id = obj.id if isinstance(obj, Inspection) else obj.inspection_id
    key = ("team", actor.id, inspection_id)
    cache = request_cache()
    if key not in cache and isinstance(obj, Inspection) and "members" in obj.__dict__:  # the team is loaded
        cache[key] = frozenset(m.role for m in obj.members if m.user_id == actor.id)
    if key not in cache:
        stmt = select(InspectionMember.role).where(InspectionMember.inspection_id == inspection_id,
                                                   InspectionMember.user_id == actor.id)
        cache[key] = frozenset(db.session.execute(stmt).scalars())
    return bool(cache[key] & set(roles))

def _can_on_user(actor, roles, user: User) -> bool:
    visible = visible_unit_ids(actor, roles)
    return any(m.unit_id in visible for m in user.memberships)

def require(actor, action: str, obj=None) -> None:
    """Raise Forbidden unless `actor` may perform `action`."""
    if not can(actor, action, obj):
        raise Forbidden("Bạn không có quyền thực hiện thao tác này.")

def get_visible_or_404(model, record_id, actor):
    """The record, if `actor` sees it; NotFound otherwise (never revealing that it exists)."""
    try:
        record_id = model.id.type.python_type(record_id)
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc
    if isinstance(record_id, int) and not 0 < record_id <= MAX_ID:
        raise NotFound()  # the database would refuse the query itself (integer out of range)
    stmt = scope(select(model).where(model.id == record_id), actor, model)
    record = db.session.execute(stmt).scalar_one_or_none()
    if record is None:
        if db.session.execute(select(model.id).where(model.id == record_id)).first() is not None:
            security_events.note("out_of_scope", f"{model.__tablename__} {record_id}")  # exists, not for this user
        raise NotFound()
    # the same scope() as is_visible: the view's "may see it" check needs no second query
    request_cache()[("visible", actor.id, model, record.id)] = True
    return record

def scoped_view(model, arg: str, action: str, *, as_name: str | None = None):
    """Decorator for a view taking a record id in its URL: loads the record the user sees (404
    otherwise), requires `action` on it (403 otherwise) and passes it to the view as `as_name`.

    The route walk test reads `view.scoped` to know what each route guards."""
    name = as_name or model.__tablename__.removeprefix("org_").removesuffix("_account")

    def decorator(view):
        @wraps(view)
        def wrapper(**kwargs):
            record = get_visible_or_404(model, kwargs.pop(arg), current_user)
            require(current_user, action, record)
            return view(**{name: record}, **kwargs)

        wrapper.scoped = {"model": model, "arg": arg, "action": action}
        # stacked decorators (two ids in one URL) declare all their guards, outermost first
        wrapper.scoped_all = (wrapper.scoped, *getattr(view, "scoped_all", ()))
        return wrapper

    return decorator

def body_ids(**fields):
    """Decorator for a view taking record ids from its form or query string, e.g.
    `@permissions.body_ids(parent_id=OrgUnit)`: every non-empty value of each field must name a
    record the user sees (404 otherwise) before the view runs. Put it right under
    @login_required. The route walk test reads `view.body_ids` and sends out-of-scope ids."""
    def decorator(view):
        @wraps(view)
        def wrapper(**kwargs):
            for field, model in fields.items():
                for value in request.values.getlist(field):
                    if value.strip():
                        get_visible_or_404(model, value.strip(), current_user)
            return view(**kwargs)

        wrapper.body_ids = {**getattr(view, "body_ids", {}), **fields}
        return wrapper

    return decorator
