"""The one permission module: who may do what, on which units' records (DESIGN "One vocabulary").

Outside what a user sees → 404 (NotFound); seen but not allowed → 403 (Forbidden)."""

from functools import wraps

from flask import g, request
from flask_login import current_user
from sqlalchemy import Integer, bindparam, cast, exists, select, union

from models import (
    CheckResult,
    Conclusion,
    Correction,
    Device,
    Document,
    Feedback,
    Finding,
    Inspection,
    InspectionMember,
    Membership,
    OrgUnit,
    Plan,
    RemediationAction,
    Report,
    Task,
    User,
    db,
    subtree_ids,
    subtree_sets,
)
from models.enums import Role
from models.plans import task_support_unit

from . import catalog, par_access, refusals
from .errors import Forbidden, NotFound

MAX_ID = 2**31 - 1  # ids are PostgreSQL `integer`
ALL_ROLES = frozenset(Role)
MANAGERS = frozenset({Role.ADMIN})
STEERING = frozenset({Role.ADMIN, Role.LEADER, Role.COORDINATOR})

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
# Records whose visibility is their inspection's (a surprise inspection hides them all).
INSPECTION_RECORDS = (Finding, CheckResult, Correction, Conclusion, RemediationAction)
# Records a responsible unit also sees through its remediation actions (the findings they answer).
ACTION_RECORDS = (RemediationAction, Finding)

# Records about a subject (an inspection, plan or unit): visible exactly when their subject is.
SUBJECT_RECORDS = (Report, Document)
PAR_RECORDS = par_access.RECORDS  # Chỉ số CCHC: the unit's subtree sees them, and so do the round's appraisers

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


def _cache() -> dict:
    if "visible_units" not in g:
        g.visible_units = {}
    return g.visible_units


def is_admin(actor) -> bool:
    return any(m.role == Role.ADMIN for m in actor.memberships)


def _sees_everything(actor, roles: frozenset) -> bool:
    return Role.ADMIN in roles and is_admin(actor)


def visible_units_select(actor, roles: frozenset = ALL_ROLES, name: str = "unit"):
    """A select of the unit ids `actor` sees through a membership with one of `roles` (each
    membership unit, its descendants and the units merged into them), or None for everything."""
    if _sees_everything(actor, roles):
        return None
    roots = [m.unit_id for m in actor.memberships if m.role in roles]
    return subtree_ids(roots, name) if roots else select(OrgUnit.id).where(False)


def visible_unit_ids(actor, roles: frozenset = ALL_ROLES) -> frozenset[int]:
    """The same units as a set, computed once per request (for checks on single records)."""
    key = (actor.id, roles)
    cache = _cache()
    if key not in cache:
        if _sees_everything(actor, roles):
            cache[key] = _all_unit_ids(cache)
        else:
            subtrees = _membership_subtrees(actor, cache)
            cache[key] = frozenset().union(*(subtrees[m.unit_id] for m in actor.memberships if m.role in roles))
    return cache[key]


def _all_unit_ids(cache: dict) -> frozenset[int]:
    if "all" not in cache:  # the tree is in the catalog: remembered per version (catalog.py)
        cache["all"] = catalog.remembered_value("all_units", None, lambda: frozenset(
            db.session.execute(select(OrgUnit.id)).scalars()))
    return cache["all"]


def _membership_subtrees(actor, cache: dict) -> dict[int, frozenset[int]]:
    """Each membership unit of `actor` → its subtree (as subtree_ids walks it), in one query when
    the tree changed: every role's set of visible units is a union of these."""
    key = ("subtrees", actor.id)
    if key not in cache:
        roots = tuple(sorted({m.unit_id for m in actor.memberships}))
        cache[key] = catalog.remembered_value("subtrees", roots, lambda: subtree_sets(roots))
    return cache[key]


def forget_visibility() -> None:
    """Drop the cached visibility (after memberships or the tree change)."""
    g.pop("visible_units", None)


def can(actor, action: str, obj=None) -> bool:
    """May `actor` perform `action` (on `obj`, when given)?"""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if action in TEAM_ACTIONS:
        return obj is not None and _on_team(actor, obj, TEAM_ACTIONS[action])
    if action == "par.appraise":
        return obj is not None and par_access.appraises(actor, obj, _cache())
    roles = ACTIONS[action]
    if obj is None:
        return bool(actor.roles & roles)
    if isinstance(obj, Device):  # a registered tablet is its user's
        return can(actor, action, obj.user)
    if _sees_everything(actor, roles):
        return True
    if isinstance(obj, (Inspection, Feedback, *INSPECTION_RECORDS, *SUBJECT_RECORDS)) and action.endswith(".view"):
        return _is_visible(actor, obj)
    if isinstance(obj, PAR_RECORDS) and action == "par.view":
        return _is_visible(actor, obj)
    if isinstance(obj, Plan) and action == "plan.view":  # also the units of its tasks: scope() asks by EXISTS
        return _is_visible(actor, obj)
    if isinstance(obj, User):
        return _can_on_user(actor, roles, obj)
    if action == "remediation.review" and getattr(obj, "raised_by_id", None) == actor.id:
        return True
    return bool(_units_of(obj, action) & visible_unit_ids(actor, roles))


def _on_team(actor, obj, roles: tuple) -> bool:
    """Is `actor` on the inspection's team in one of `roles`? (one query per inspection and request)"""
    inspection_id = obj.id if isinstance(obj, Inspection) else obj.inspection_id
    key = ("team", actor.id, inspection_id)
    cache = _cache()
    if key not in cache and isinstance(obj, Inspection) and "members" in obj.__dict__:  # the team is loaded
        cache[key] = frozenset(m.role for m in obj.members if m.user_id == actor.id)
    if key not in cache:
        stmt = select(InspectionMember.role).where(InspectionMember.inspection_id == inspection_id,
                                                   InspectionMember.user_id == actor.id)
        cache[key] = frozenset(db.session.execute(stmt).scalars())
    return bool(cache[key] & set(roles))


def _is_visible(actor, obj) -> bool:
    """Does scope() let `actor` see `obj`? (asked once per record and request: a page checks
    the same record for several buttons)"""
    model = type(obj)
    key = ("visible", actor.id, model, obj.id)
    cache = _cache()
    if key not in cache:
        stmt = scope(select(model.id).where(model.id == obj.id), actor, model)
        cache[key] = db.session.execute(stmt).first() is not None
    return cache[key]


def _can_on_user(actor, roles, user: User) -> bool:
    visible = visible_unit_ids(actor, roles)
    return any(m.unit_id in visible for m in user.memberships)


def require(actor, action: str, obj=None) -> None:
    """Raise Forbidden unless `actor` may perform `action`."""
    if not can(actor, action, obj):
        raise Forbidden("Bạn không có quyền thực hiện thao tác này.")


def _inspection_clause(actor, visible):
    """Team members, the ordering body's steering roles, and — once it is announced or started —
    the target unit's subtree see an inspection. Before that a surprise inspection is invisible
    to its target and the target's ancestors below the ordering body."""
    team = select(InspectionMember.inspection_id).where(InspectionMember.user_id == actor.id)
    steering = visible_units_select(actor, STEERING, name="steering")
    disclosed = Inspection.announced_at.is_not(None) | Inspection.started_at.is_not(None)
    clause = Inspection.id.in_(team) | (Inspection.unit_id.in_(visible) & disclosed)
    if any(m.role in STEERING for m in actor.memberships):
        clause = clause | Inspection.ordering_unit_id.in_(steering)
    return clause


def _scope_clause(model, visible, actor=None):
    if model is Inspection:
        return _inspection_clause(actor, visible)
    if model in INSPECTION_RECORDS:
        clause = model.inspection_id.in_(select(Inspection.id).where(_inspection_clause(actor, visible)))
        return clause | _through_actions(model, visible) if model in ACTION_RECORDS else clause
    if model in SUBJECT_RECORDS:
        return _subject_clause(model, visible, actor)
    if model in PAR_RECORDS:
        return par_access.scope_clause(model, visible, actor)
    if model is Feedback:  # raw answers: the steering roles; a unit only those shared with it
        steering = visible_units_select(actor, STEERING, name="steering")
        return Feedback.unit_id.in_(visible) & (Feedback.is_shared | Feedback.unit_id.in_(steering))
    if model is OrgUnit:
        return OrgUnit.id.in_(visible)
    if model is User:
        return User.id.in_(select(Membership.user_id).where(Membership.unit_id.in_(visible)))
    if model is Device:
        return Device.user_id.in_(select(Membership.user_id).where(Membership.unit_id.in_(visible)))
    if model is Task:
        return Task.unit_id.in_(visible) | Task.id.in_(_supported_tasks(visible))
    if model is Plan:  # per plan, stop at its first visible task (an IN would read every task)
        task = _TASK.c
        return Plan.unit_id.in_(visible) | exists().where(
            task.plan_id == Plan.id, task.unit_id.in_(visible) | task.id.in_(_supported_tasks(visible)))
    return model.unit_id.in_(visible)


def _subject_clause(model, visible, actor):
    """A rendering or document is seen by whoever sees its subject: an inspection (so a surprise
    one's documents stay hidden from its target until it starts), a plan or a unit."""
    inspections = select(Inspection.id).where(_inspection_clause(actor, visible))
    plans = select(Plan.id).where(_scope_clause(Plan, visible))
    whole_plans = select(Plan.id).where(Plan.unit_id.in_(visible))
    report_unit = model.params["unit_id"].as_string()  # a unit's own report of the plan: that unit's
    return (((model.subject_type == "inspection") & model.subject_id.in_(inspections))
            | ((model.subject_type == "plan") & report_unit.is_(None) & model.subject_id.in_(whole_plans))
            | ((model.subject_type == "plan") & model.subject_id.in_(plans)
               & cast(report_unit, Integer).in_(visible))
            | ((model.subject_type == "unit") & model.subject_id.in_(visible)))


def _through_actions(model, visible):
    """A unit responsible for an issued remediation action sees it and the finding it answers,
    even when the inspection was of another unit."""
    if model is RemediationAction:
        return RemediationAction.unit_id.in_(visible)
    return Finding.id.in_(select(RemediationAction.finding_id).where(RemediationAction.unit_id.in_(visible)))


def _supported_tasks(visible):
    link = task_support_unit
    return select(link.c.task_id).where(link.c.unit_id.in_(visible))


# Below this many visible units, records are scoped by the ids themselves: the planner then reads a
# commune's few hundred tasks by unit instead of walking every deadline of the province (bench/web.py).
NARROW_SCOPE = 50
NARROW_IDS = bindparam("narrow_ids", expanding=True)


def scope(stmt, actor, model):
    """Restrict `stmt` to the rows of `model` that `actor` sees (a subquery, not a list)."""
    if _sees_everything(actor, ALL_ROLES):
        return stmt
    if (ids := narrow_unit_ids(actor)) is None:
        return stmt.where(_scope_clause(model, visible_units_select(actor), actor))
    if model in (Task, Plan):
        return stmt.where(_narrow_clause(model, ids))
    return stmt.where(_scope_clause(model, ids, actor))  # the ids themselves, not the recursive CTE again


def narrow_unit_ids(actor) -> list[int] | None:
    """The units `actor` sees when there are few of them (NARROW_SCOPE), else None."""
    ids = None if _sees_everything(actor, ALL_ROLES) else visible_unit_ids(actor)
    return sorted(ids) if ids is not None and len(ids) <= NARROW_SCOPE else None


def prebuilt_scope(actor) -> tuple[str, dict] | None:
    """For statements of Task and Plan built once for everyone: ("all", {}) for who sees
    everything, ("units", params binding NARROW_IDS) for a narrow actor, or None (build for `actor`)."""
    if _sees_everything(actor, ALL_ROLES):
        return "all", {}
    return None if (ids := narrow_unit_ids(actor)) is None else ("units", {NARROW_IDS.key: ids})


def scope_prebuilt(stmt, kind: str, model):
    """scope() of Task, Plan or OrgUnit for the actors of `kind` (prebuilt_scope), ids bound when it runs."""
    narrow = _narrow_clause(model, NARROW_IDS) if model in (Task, Plan) else OrgUnit.id.in_(NARROW_IDS)
    return stmt if kind == "all" else stmt.where(narrow)


_TASK = Task.__table__.alias("scoped_task")  # built once: aliasing the table per request costs ~1 ms


def _narrow_clause(model, ids):
    """Tasks led or supported by `ids` (a union the planner reads by index), or their plans."""
    task, link = _TASK.c, task_support_unit
    if model is Task:
        return Task.id.in_(union(select(task.id).where(task.unit_id.in_(ids)),
                                 select(link.c.task_id).where(link.c.unit_id.in_(ids))))
    plans = union(select(task.plan_id).where(task.unit_id.in_(ids)),
                  select(task.plan_id).join(link, link.c.task_id == task.id).where(link.c.unit_id.in_(ids)))
    return Plan.unit_id.in_(ids) | Plan.id.in_(plans)


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
            refusals.note("out_of_scope", f"{model.__tablename__} {record_id}")  # exists, not for this user
        raise NotFound()
    # the same scope() as _is_visible: the view's "may see it" check needs no second query
    _cache()[("visible", actor.id, model, record.id)] = True
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
