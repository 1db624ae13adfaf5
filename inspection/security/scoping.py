"""Which rows a user sees (the scoping half of the permission rules; permissions.py has the policy).

A user sees the units of their memberships' subtrees (with the units merged into them), remembered
per request and per catalog version; each record kind has one SQL clause saying which of its rows
those units see (a surprise inspection hides itself and its records from its target until it is
announced or started). `scope()` is the one builder: for an actor who sees few units it binds
their ids instead of the recursive subtree query (NARROW_SCOPE), an optimisation
tests/test_scope_property.py proves returns the same rows."""

from flask import g
from sqlalchemy import Integer, Select, any_, bindparam, cast, func, select, union

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

from ..data import caches, catalog
from ..par import access as par_access

ALL_ROLES = frozenset(Role)

# each membership unit's subtree, remembered per catalog version
SUBTREES = caches.catalog_value("subtrees", org_unit=caches.EVERY_COLUMN)

STEERING = frozenset({Role.ADMIN, Role.LEADER, Role.COORDINATOR})

# Records whose visibility is their inspection's (a surprise inspection hides them all).
INSPECTION_RECORDS = (Finding, CheckResult, Correction, Conclusion, RemediationAction)

# Records a responsible unit also sees through its remediation actions (the findings they answer).
ACTION_RECORDS = (RemediationAction, Finding)

# Records about a subject (an inspection, plan or unit): visible exactly when their subject is.
SUBJECT_RECORDS = (Report, Document)

PAR_RECORDS = par_access.RECORDS  # Chỉ số CCHC: the unit's subtree sees them, and so do the round's appraisers

def request_cache() -> dict:
    if "visible_units" not in g:
        g.visible_units = {}
    return g.visible_units

def is_admin(actor) -> bool:
    return any(m.role == Role.ADMIN for m in actor.memberships)

def sees_everything(actor, roles: frozenset) -> bool:
    return Role.ADMIN in roles and is_admin(actor)

def visible_units_select(actor, roles: frozenset = ALL_ROLES, name: str = "unit"):
    """A select of the unit ids `actor` sees through a membership with one of `roles` (each
    membership unit, its descendants and the units merged into them), or None for everything."""
    if sees_everything(actor, roles):
        return None
    roots = [m.unit_id for m in actor.memberships if m.role in roles]
    return subtree_ids(roots, name) if roots else select(OrgUnit.id).where(False)

def visible_unit_ids(actor, roles: frozenset = ALL_ROLES) -> frozenset[int]:
    """The same units as a set, computed once per request (for checks on single records)."""
    key = (actor.id, roles)
    cache = request_cache()
    if key not in cache:
        if sees_everything(actor, roles):
            cache[key] = _all_unit_ids(cache)
        else:
            subtrees = _membership_subtrees(actor, cache)
            cache[key] = frozenset().union(*(subtrees[m.unit_id] for m in actor.memberships if m.role in roles))
    return cache[key]

def _all_unit_ids(cache: dict) -> frozenset[int]:
    if "all" not in cache:  # not remembered: every caller asks sees_everything() first
        cache["all"] = frozenset(db.session.execute(select(OrgUnit.id)).scalars())
    return cache["all"]

def _membership_subtrees(actor, cache: dict) -> dict[int, frozenset[int]]:
    """Each membership unit of `actor` → its subtree (as subtree_ids walks it), in one query when
    the tree changed: every role's set of visible units is a union of these."""
    key = ("subtrees", actor.id)
    if key not in cache:
        roots = tuple(sorted({m.unit_id for m in actor.memberships}))
        cache[key] = catalog.remembered_value(SUBTREES, roots, lambda: subtree_sets(roots))
    return cache[key]

def forget_visibility() -> None:
    """Drop the cached visibility (after memberships or the tree change)."""
    g.pop("visible_units", None)

def is_visible(actor, obj) -> bool:
    """Does scope() let `actor` see `obj`? (asked once per record and request: a page checks
    the same record for several buttons)"""
    model = type(obj)
    key = ("visible", actor.id, model, obj.id)
    cache = request_cache()
    if key not in cache:
        stmt = scope(select(model.id).where(model.id == obj.id), actor, model)
        cache[key] = db.session.execute(stmt).first() is not None
    return cache[key]

def _inspection_clause(actor, visible):
    """Team members, the ordering body's steering roles, and — once it is announced or started —
    the target unit's subtree see an inspection. Before that a surprise inspection is invisible
    to its target and the target's ancestors below the ordering body."""
    indexed = _by_ids(visible)
    team = select(InspectionMember.inspection_id).where(InspectionMember.user_id == actor.id)
    steering = visible_units_select(actor, STEERING, name="steering")
    clause = (_among(Inspection.id, team, indexed)
              | (_among(Inspection.unit_id, visible, indexed) & ~Inspection.undisclosed()))
    if any(m.role in STEERING for m in actor.memberships):
        clause = clause | _among(Inspection.ordering_unit_id, steering, indexed)
    return clause

def _by_ids(visible) -> bool:
    """Whether `visible` is the actor's unit ids themselves (a narrow scope, see scope()), not the
    recursive select of a wide one."""
    return not isinstance(visible, Select)

def _among(column, ids, indexed: bool):
    """`column` IN `ids` (a list or a select of ids). `indexed` (an actor who sees a few units,
    passed as their ids): a select becomes = ANY(ARRAY(select)), computed once per statement, so
    an index serves each branch of the ORs these clauses are. As IN (select) under an OR,
    PostgreSQL hashed the whole select and read the records' whole table: on ten provinces' data
    (bench/national.py) an inspector's inspection page took 24 → 37 ms, a commune head's
    remediation list 57 → 350 ms. For a wide scope the hash stays: a province's leader sees a
    tenth of the inspections, and their lists, read in order, find a page's rows sooner so."""
    if indexed and isinstance(ids, Select):
        return column == any_(func.array(ids.scalar_subquery()))
    return column.in_(ids)

def _scope_clause(model, visible, actor=None, paged: bool = False):
    if model is Inspection:
        return _inspection_clause(actor, visible)
    if model in INSPECTION_RECORDS:
        inspections = select(Inspection.id).where(_inspection_clause(actor, visible))
        clause = _among(model.inspection_id, inspections, _by_ids(visible))
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
        return Task.unit_id.in_(visible) | (_supported(visible) if paged else Task.id.in_(_supported_tasks(visible)))
    if model is Plan:  # as for a few units: the plans of the scope's own tasks (below)
        return _narrow_clause(Plan, visible)
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
    answered = select(RemediationAction.finding_id).where(RemediationAction.unit_id.in_(visible))
    return _among(Finding.id, answered, _by_ids(visible))

def _supported_tasks(visible):
    link = task_support_unit
    return select(link.c.task_id).where(link.c.unit_id.in_(visible))

def _supported(visible):
    """For one page (scope(paged=True)): a task led outside `visible` but supported by a unit in
    it, asked of each task the page passes over (its one or two links, by primary key). A scalar
    subquery, which PostgreSQL never turns into the hash of _supported_tasks: that hash, 33,000
    tasks for a province's leader, was built for the first task of another province the leader's
    list passed over in a database of ten provinces (bench/national.py); reading every row (an
    export), the hash is the cheaper (0.12 s against 1.1 s over 200,000 tasks)."""
    link = task_support_unit
    return (select(link.c.task_id).where(link.c.task_id == Task.id, link.c.unit_id.in_(visible))
            .limit(1).scalar_subquery().is_not(None))

# Below this many visible units, records are scoped by the ids themselves: the planner then reads a
# commune's few hundred tasks by unit instead of walking every deadline of the province (bench/web.py).
NARROW_SCOPE = 50

NARROW_IDS = bindparam("narrow_ids", expanding=True)

def scope(stmt, actor, model, *, paged: bool = False):
    """Restrict `stmt` to the rows of `model` that `actor` sees (a subquery, not a list); `paged`:
    `stmt` reads one page of tasks (see _supported)."""
    if sees_everything(actor, ALL_ROLES):
        return stmt
    if (ids := narrow_unit_ids(actor)) is None:
        return stmt.where(_scope_clause(model, visible_units_select(actor), actor, paged))
    if model in (Task, Plan):
        return stmt.where(_narrow_clause(model, ids))
    return stmt.where(_scope_clause(model, ids, actor))  # the ids themselves, not the recursive CTE again

def narrow_unit_ids(actor) -> list[int] | None:
    """The units `actor` sees when there are few of them (NARROW_SCOPE), else None."""
    ids = None if sees_everything(actor, ALL_ROLES) else visible_unit_ids(actor)
    return sorted(ids) if ids is not None and len(ids) <= NARROW_SCOPE else None

def prebuilt_scope(actor) -> tuple[str, dict] | None:
    """For statements of Task and Plan built once for everyone: ("all", {}) for who sees
    everything, ("units", params binding NARROW_IDS) for a narrow actor, or None (build for `actor`)."""
    if sees_everything(actor, ALL_ROLES):
        return "all", {}
    return None if (ids := narrow_unit_ids(actor)) is None else ("units", {NARROW_IDS.key: ids})

def scope_prebuilt(stmt, kind: str, model):
    """scope() of Task, Plan or OrgUnit for the actors of `kind` (prebuilt_scope), ids bound when it runs."""
    narrow = _narrow_clause(model, NARROW_IDS) if model in (Task, Plan) else OrgUnit.id.in_(NARROW_IDS)
    return stmt if kind == "all" else stmt.where(narrow)

_TASK = Task.__table__.alias("scoped_task")  # built once: aliasing the table per request costs ~1 ms

def _narrow_clause(model, ids):
    """Tasks led or supported by `ids` (a union the planner reads by index), or their plans. Also
    the plans of a wide scope: the plans of the scope's tasks are read only when a plan of a unit
    outside it comes up, and then once. The per-plan EXISTS it replaces became a hash of every
    task in the table (200,000 read for a leader on two provinces' data, bench/national.py);
    this reads the scope's own (133,000 there), whatever the size of the table."""
    task, link = _TASK.c, task_support_unit
    if model is Task:
        return Task.id.in_(union(select(task.id).where(task.unit_id.in_(ids)),
                                 select(link.c.task_id).where(link.c.unit_id.in_(ids))))
    plans = union(select(task.plan_id).where(task.unit_id.in_(ids)),
                  select(task.plan_id).join(link, link.c.task_id == task.id).where(link.c.unit_id.in_(ids)))
    return Plan.unit_id.in_(ids) | Plan.id.in_(plans)
