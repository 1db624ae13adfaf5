"""The route walk: every route that takes a record id, as every role, inside and outside scope.

Which routes: every rule of `app.url_map` with an id in its path (an `int` or `uuid` converter,
or an argument named `*_id`), and every rule whose view declares body ids (below). Routes added
later are walked without editing this file. A route fails the walk when:
- its view declares no `@permissions.scoped_view(Model, "x_id", "action")` for one of its path
  ids (two ids in one URL: stack two scoped_view decorators; each declares itself in
  `view.scoped_all`, outermost first), or
- a declared Model has no factory in tests/scenario.py RECORD_FACTORIES (add one: it takes an
  anchor unit and returns a new record inside that unit's subtree).

Cases, for each role's scenario user (memberships as in DESIGN's "Who sees what") and each
method of the rule (POST and other writes carry a valid CSRF token):
- "outside <arg>": that record lies under the parent of the user's home unit → exactly 404.
  Admin sees everything, so admin has no outside case.
- "inside": every record lies under the user's home unit → exactly 403 when
  `permissions.can(user, action, record)` is false for a guard (outermost first); otherwise GET
  answers 200 and a write anything but 400/403/404/500 (the empty form may be invalid).
After every 403 or 404 the database must be unchanged (a digest of every table's rows) but for
exactly one new row of the refusal log (security_event): kind "forbidden" for a 403, "out_of_scope"
for a 404 (the walk's 404s are all records that exist outside the user's scope).

Body ids (ids a view takes from its form or query string): decorate the view with
`@permissions.body_ids(parent_id=OrgUnit, ...)` right under `@login_required`. It answers 404
before the view runs when a value names a record the user does not see, and sets
`view.body_ids = {"parent_id": OrgUnit}`. The walk then sends, per role (not admin) and method,
an out-of-scope id in each field (query string for GET, form body otherwise) with every path record
inside: 404 when the user passes the path guards (403 or 404 when not), database unchanged; and,
with the last method (the write, if any), an in-scope id: never 400/404/500.

Routes with path arguments that are not record ids need a sample value in EXTRA_ARG_VALUES."""

import os
import re
import tempfile
from datetime import date

import pytest
from sqlalchemy import text

from inspection.reports import services
from inspection.security import permissions, scoping
from models import OrgUnit, Report, Task, db
from models.enums import Role
from tests.factories import csrf_token, sign_in
from tests.scenario import RECORD_FACTORIES

PATH_ARG = re.compile(r"<(?:(?P<conv>\w+)(?:\([^)]*\))?:)?(?P<arg>\w+)>")
ID_CONVERTERS = {"int", "uuid"}
EXTRA_ARG_VALUES: dict[str, str] = {"fingerprint": "0" * 64}  # non-id path argument → a sample value
VOLATILE_COLUMNS = {("user_session", "last_seen_at")}  # touched by merely signing in and browsing
REFUSAL_LOG = "security_event"  # grows by one row per refusal: checked on its own
REFUSAL_KINDS = {403: "forbidden", 404: "out_of_scope"}
WRITE_FAILURES = {400, 403, 404, 500}


def id_args(rule_text: str) -> list[str]:
    return [m["arg"] for m in PATH_ARG.finditer(rule_text)
            if m["conv"] in ID_CONVERTERS or m["arg"].endswith("_id")]


def guards_of(view) -> tuple[dict, ...]:
    if hasattr(view, "scoped_all"):
        return tuple(view.scoped_all)
    return (view.scoped,) if hasattr(view, "scoped") else ()


def is_walked(rule, view) -> bool:
    return bool(id_args(rule.rule)) or bool(getattr(view, "body_ids", None))


def declaration_problems(rule, view) -> list[str]:
    """What stops the walk from checking `rule`: undeclared ids, models without a factory."""
    route = f"{rule.endpoint} {rule.rule}"
    declared = {g["arg"] for g in guards_of(view)}
    problems = [f"{route}: takes {arg!r} in its URL but its view declares no "
                f"@permissions.scoped_view(Model, {arg!r}, action) for it"
                for arg in id_args(rule.rule) if arg not in declared]
    models = [g["model"] for g in guards_of(view)] + list(getattr(view, "body_ids", {}).values())
    problems += [f"{route}: no factory for {model.__name__} in tests/scenario.py RECORD_FACTORIES"
                 for model in dict.fromkeys(models) if model not in RECORD_FACTORIES]
    return problems


def _routes_of(app) -> list[tuple[str, str]]:
    return sorted((rule.endpoint, rule.rule) for rule in app.url_map.iter_rules()
                  if is_walked(rule, app.view_functions[rule.endpoint]))


def _collect_routes() -> list[tuple[str, str]]:
    """At collection time, from an app built without touching any database."""
    from app import create_app

    saved = os.environ.get("CCHC_INSTANCE_DIR")
    with tempfile.TemporaryDirectory() as instance:
        os.environ["CCHC_INSTANCE_DIR"] = instance
        try:
            app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg:///never-connected"})
            return _routes_of(app)
        finally:
            os.environ.pop("CCHC_INSTANCE_DIR")
            if saved is not None:
                os.environ["CCHC_INSTANCE_DIR"] = saved


ROUTES = _collect_routes()


def _digest_query():
    selects = []
    for table in db.metadata.sorted_tables:
        if table.name == REFUSAL_LOG:
            continue
        columns = ", ".join(f'"{c.name}"' for c in table.columns if (table.name, c.name) not in VOLATILE_COLUMNS)
        selects.append(f"SELECT '{table.name}' AS name, md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), ''))"
                       f' FROM (SELECT {columns} FROM "{table.name}") AS r')
    return text(" UNION ALL ".join(selects))


def fingerprint() -> dict[str, str]:
    """A digest of every table's rows (the audit chain included), in one query."""
    return dict(db.session.execute(_digest_query()).all())


def _changed(before: dict, after: dict) -> list[str]:
    return sorted(name for name in after if before.get(name) != after[name])


def last_refusal_id() -> int:
    return db.session.execute(text(f"SELECT coalesce(max(id), 0) FROM {REFUSAL_LOG}")).scalar_one()


def refusals_since(last_id: int) -> list[tuple[str, int]]:
    return [tuple(row) for row in db.session.execute(
        text(f"SELECT kind, user_id FROM {REFUSAL_LOG} WHERE id > :id ORDER BY id"), {"id": last_id})]


def outside_anchor(scenario, role):
    """Where a record outside the role's scope is made: under the parent of its home unit (a
    sibling of the home unit). None for admin, who sees everything."""
    return None if role == Role.ADMIN else db.session.get(OrgUnit, scenario.home_of(role).parent_id)


class RoleWalk:
    """The walk as one role's scenario user, signed in once; `walk(rule)` checks one route."""

    def __init__(self, app, scenario, role):
        self.app, self.role = app, role
        self.user = scenario.user_for(role)
        self.home = scenario.home_of(role)
        self.outside = outside_anchor(scenario, role)
        self.client = app.test_client()
        sign_in(self.client, self.user)
        self.token = csrf_token(self.client, "/")
        self.failures: list[str] = []
        self.known = None  # the last fingerprint, while nothing has been written since

    def walk(self, rule) -> None:
        self.rule, self.view = rule, self.app.view_functions[rule.endpoint]
        self.guards = guards_of(self.view)
        try:
            self.path_cases()
            for field, model in getattr(self.view, "body_ids", {}).items():
                self.body_cases(field, model)
        except Exception as exc:  # one broken route must not hide the others' results
            db.session.rollback()
            self.failures.append(f"{rule.rule} as {self.role}: raised {type(exc).__name__}: {exc}")

    @property
    def methods(self) -> list[str]:
        return sorted(self.rule.methods - {"HEAD", "OPTIONS"}, key=lambda m: (m != "GET", m))

    def path_cases(self) -> None:
        if not self.guards:
            return
        self.path_case(None)
        # admin sees everything: there is no outside case for admin
        for guard in self.guards if self.outside is not None else ():
            self.path_case(guard["arg"])

    def _records(self, outside_arg: str | None) -> dict:
        records = {g["arg"]: RECORD_FACTORIES[g["model"]](self.outside if g["arg"] == outside_arg else self.home)
                   for g in self.guards}
        self.commit()
        return records

    def commit(self) -> None:
        db.session.commit()
        self.known = None

    def expected(self, records: dict, outside_arg: str | None):
        """404, 403 or None (allowed), deciding guard by guard, outermost first."""
        scoping.forget_visibility()
        for guard in self.guards:
            if guard["arg"] == outside_arg:
                return 404
            if not permissions.can(self.user, guard["action"], records[guard["arg"]]):
                return 403
        return None

    def url(self, records: dict) -> str:
        def value(match):
            arg = match["arg"]
            if arg in records:
                return str(records[arg].id)
            if arg not in EXTRA_ARG_VALUES:
                raise AssertionError(f"add a sample value for {arg!r} to EXTRA_ARG_VALUES")
            return EXTRA_ARG_VALUES[arg]

        return PATH_ARG.sub(value, self.rule.rule)

    def send(self, method: str, url: str, fields: dict) -> int:
        self.known = None
        if method == "GET":
            return self.client.get(url, query_string=fields).status_code
        return self.client.open(url, method=method, data={"csrf_token": self.token, **fields}).status_code

    def path_case(self, outside_arg: str | None) -> None:
        records = self._records(outside_arg)
        expected, url = self.expected(records, outside_arg), self.url(records)
        case = f"outside {outside_arg}" if outside_arg else "inside"
        for method in self.methods:
            self.check(method, url, {}, case, {expected} if expected else None)

    def body_cases(self, field: str, model) -> None:
        records = self._records(None)
        passes_guards = self.expected(records, None) is None
        url, factory = self.url(records), RECORD_FACTORIES[model]
        if self.outside is not None:
            stray = factory(self.outside)
            self.commit()
            for method in self.methods:
                self.check(method, url, {field: str(stray.id)}, f"{field} outside",
                           {404} if passes_guards else {403, 404})
        inside = factory(self.home)
        self.commit()
        # once, with the write if there is one (GET forms rarely read the field)
        self.check_not_404(self.methods[-1], url, {field: str(inside.id)}, f"{field} inside")

    def _where(self, method: str, case: str) -> str:
        return f"{method} {self.rule.rule} as {self.role} [{case}]"

    def check(self, method: str, url: str, fields: dict, case: str, refused: set | None) -> None:
        """`refused`: the acceptable refusal statuses, or None when the request is allowed."""
        before = (self.known or fingerprint()) if refused else None
        logged = last_refusal_id() if refused else 0
        status = self.send(method, url, fields)
        if refused is None:
            ok = status == 200 if method == "GET" else status not in WRITE_FAILURES
            if not ok:
                self.failures.append(f"{self._where(method, case)}: allowed, but answered {status}")
            return
        if status not in refused:
            self.failures.append(f"{self._where(method, case)}: expected "
                                 f"{'/'.join(map(str, sorted(refused)))}, got {status}")
        self.known = fingerprint()
        changed = _changed(before, self.known)
        if changed:
            self.failures.append(f"{self._where(method, case)}: answered {status} but changed {', '.join(changed)}")
        recorded, wanted = refusals_since(logged), [(REFUSAL_KINDS.get(status), self.user.id)]
        if recorded != wanted:
            self.failures.append(f"{self._where(method, case)}: answered {status}, refusal log got {recorded}, "
                                 f"wanted {wanted}")

    def check_not_404(self, method: str, url: str, fields: dict, case: str) -> None:
        status = self.send(method, url, fields)
        if status in {404, 400, 500}:
            self.failures.append(f"{self._where(method, case)}: an in-scope id answered {status}")


def _rule(app, endpoint: str, rule_text: str):
    return next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and r.rule == rule_text)


@pytest.mark.parametrize(("endpoint", "rule_text"), ROUTES, ids=[f"{e} {r}" for e, r in ROUTES])
def test_route_declares_the_records_it_loads(app, endpoint, rule_text):
    problems = declaration_problems(_rule(app, endpoint, rule_text), app.view_functions[endpoint])
    assert not problems, "\n".join(problems)


BLUEPRINTS = sorted({endpoint.split(".")[0] for endpoint, _ in ROUTES})


# one test per blueprint and role: each signs its user in once and walks that blueprint's routes
@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize("blueprint", BLUEPRINTS)
def test_every_route_answers_404_outside_and_403_when_forbidden(app, scenario, blueprint, role, monkeypatch):
    # the walk refuses one user hundreds of times: no burst alert (tests/test_refusals.py tests it)
    monkeypatch.setitem(app.config, "REFUSAL_BURST", 10**6)
    walk = RoleWalk(app, scenario, role)
    for endpoint, rule_text in ROUTES:
        if endpoint.split(".")[0] != blueprint:
            continue
        rule = _rule(app, endpoint, rule_text)
        if not declaration_problems(rule, walk.app.view_functions[endpoint]):  # else failed above
            walk.walk(rule)
    assert not walk.failures, "\n".join(walk.failures)


def test_walk_covers_the_id_routes_of_the_test_app(app):
    assert _routes_of(app) == ROUTES
    assert ("admin.edit_unit", "/admin/units/<int:unit_id>/edit") in ROUTES


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_outside_anchor_is_outside_the_role_and_home_is_inside(scenario, role):
    user, anchor = scenario.user_for(role), outside_anchor(scenario, role)
    assert anchor.id not in scoping.visible_unit_ids(user)
    assert scenario.home_of(role).id in scoping.visible_unit_ids(user)


def test_walk_fails_undeclared_ids_and_models_without_a_factory():
    from flask import Flask

    from models import AuditEvent  # never loaded by id through a route

    fake = Flask("walk_self_test")

    @fake.route("/things/<int:thing_id>")
    def unguarded(thing_id):
        return ""

    @fake.route("/files/<int:file_id>", methods=["GET", "POST"])
    @permissions.body_ids(unit_id=AuditEvent)
    @permissions.scoped_view(AuditEvent, "file_id", "unit.view")
    def no_factory(audit_event):
        return ""

    problems = {r.endpoint: declaration_problems(r, fake.view_functions[r.endpoint])
                for r in fake.url_map.iter_rules() if r.endpoint != "static"}
    assert problems["unguarded"] == ["unguarded /things/<int:thing_id>: takes 'thing_id' in its URL but "
                                     "its view declares no @permissions.scoped_view(Model, 'thing_id', action) for it"]
    assert problems["no_factory"] == ["no_factory /files/<int:file_id>: no factory for AuditEvent "
                                      "in tests/scenario.py RECORD_FACTORIES"]


# ---- the plan progress report follows the requester's scope (issue 18): the whole plan's report
# for who sees its issuing unit; a unit's users get their own unit's report, and never see the whole one.
PLAN_REPORT_SCOPE = {Role.ADMIN: "whole", Role.LEADER: "whole", Role.COORDINATOR: "whole",
                     Role.UNIT_HEAD: "an_phuoc", Role.UNIT_OFFICER: "an_phuoc", Role.VIEWER: "tan_phuoc"}


def _plan_of_two_communes(scenario):
    from tests.scenario import new_plan_of

    plan = new_plan_of(scenario.units["pc"])
    for n, key in enumerate(("an_phuoc", "tan_phuoc"), start=1):
        title = f"Nhiệm vụ của {scenario.units[key].name}"
        db.session.add(Task(plan_id=plan.id, number=str(n), title=title, title_folded=title.lower(),
                            unit_id=scenario.units[key].id, deadline=date(2025, 9, 30),
                            original_deadline=date(2025, 9, 30)))
    db.session.commit()
    return plan


@pytest.mark.parametrize("role", list(PLAN_REPORT_SCOPE), ids=str)
def test_the_plan_report_follows_the_requesters_scope(app, scenario, role):
    plan = _plan_of_two_communes(scenario)
    whole = services.request_report(scenario.user_for(Role.LEADER), "progress_report", plan)
    db.session.commit()
    client = app.test_client()
    sign_in(client, scenario.user_for(role))
    response = client.post(f"/reports/plans/{plan.id}/request", data={"csrf_token": csrf_token(client, "/"),
                                                                       "kind": "progress_report"})
    assert response.status_code == 302, response.status_code
    report = db.session.get(Report, int(response.headers["Location"].rstrip("/").split("/")[-1]))
    tasks = [row["title"] for area in report.snapshot["tasks"] for table in area["tables"] for row in table]
    if PLAN_REPORT_SCOPE[role] == "whole":
        assert report.params in ({}, None) and len(tasks) == 2
        expected = 200
    else:
        unit = scenario.units[PLAN_REPORT_SCOPE[role]]
        assert report.params == {"unit_id": unit.id} and tasks == [f"Nhiệm vụ của {unit.name}"]
        assert unit.name in report.snapshot["subject"]
        expected = 404
    for url in (f"/reports/{whole.id}", f"/reports/{whole.id}/download"):
        assert client.get(url).status_code in ({expected} if expected == 404 else {200, 302, 409}), (role, url)
    listed = client.get(f"/reports/plans/{plan.id}").get_data(as_text=True)
    assert (f"/reports/{whole.id}\"" in listed) == (expected == 200)
