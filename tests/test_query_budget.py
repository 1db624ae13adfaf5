"""The statement budget of every page: at most 10 SQL statements for a list page and 15 for a
detail page, whatever the number of rows — measured with a few rows, then with 30 more of every
kind (and a detail record carrying 30 findings, tasks or sub-units), the second count no higher
than the first.

Pages are found in `app.url_map` as tests/test_route_walk.py finds routes: a list page is a GET
rule without path arguments, a detail page a GET rule whose ids are guarded by
`@permissions.scoped_view` on a model tests/scenario.py can make. Files (xlsx, pdf, photos, the
service worker) are not pages. Each page is opened as the admin, the leader and the unit head;
what a role may not open (403) is left out. Run with `-s` to see each page's figures."""

import io
import os
import uuid

import pytest

from inspection.data import catalog
from inspection.files.photos import store_photo
from inspection.security import audit
from models import Finding, FindingPhoto, InspectionMember, Notification, Task, db, utcnow
from models.enums import Role
from tests.factories import make_photo, make_user, sign_in
from tests.querycount import statement_budget
from tests.scenario import RECORD_FACTORIES, new_finding_in, new_unit_under
from tests.test_route_walk import guards_of, id_args

LIST_BUDGET, DETAIL_BUDGET = 10, 15
SMALL, LARGE = 2, 30
ROLES = (Role.ADMIN, Role.LEADER, Role.UNIT_HEAD)
NOT_PAGES = (".xlsx", ".pdf", ".svg", "/photo", "/file", "/scan", "/download", "/status", "/sw.js",
             "/manifest.webmanifest", "/healthz", "/exports/", "/logout")
LISTED = ("Task", "RemediationAction", "Inspection", "InspectionPlan", "ChecklistTemplate", "Document",
          "User", "OrgUnit")  # factories of the rows the list pages show (a task brings its plan)


def _pages(app) -> tuple[list[str], list]:
    lists, details = [], []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or rule.rule.endswith(NOT_PAGES):
            continue
        if any(part in rule.rule for part in NOT_PAGES):
            continue
        if not rule.arguments:
            lists.append(rule.rule)
        elif set(rule.arguments) == set(id_args(rule.rule)):
            details.append(rule)
    return sorted(lists), sorted(details, key=lambda r: r.rule)


def _detail_url(app, rule, anchor) -> str | None:
    guards = guards_of(app.view_functions[rule.endpoint])
    if len(guards) != len(rule.arguments) or any(g["model"] not in RECORD_FACTORIES for g in guards):
        return None
    values = {}
    for guard in guards:
        record = RECORD_FACTORIES[guard["model"]](anchor)
        _enrich(record, DETAIL_ROWS[0])
        values[guard["arg"]] = record.id
    return app.url_map.bind("localhost").build(rule.endpoint, values)


DETAIL_ROWS = [SMALL]  # how many findings/tasks/units the next detail record carries


def _enrich(record, n: int) -> None:
    """Give a detail record n of the rows its page lists."""
    name = type(record).__name__
    if name == "Inspection":
        author = make_user(role=Role.INSPECTOR, unit=record.unit)
        record.members.append(InspectionMember(user_id=author.id, role="member" if record.members else "lead"))
        for _ in range(n):
            _finding_of(record, author)
    elif name == "Plan":
        for k in range(n):
            db.session.add(Task(plan_id=record.id, number=str(k + 1), title=f"Nhiệm vụ {k + 1}", title_folded="",
                                unit_id=record.unit_id, deadline=record.issued_on, original_deadline=record.issued_on))
    elif name == "OrgUnit":
        for _ in range(n):
            new_unit_under(record)
    db.session.flush()


def _finding_of(inspection, author) -> None:
    finding = Finding(inspection_id=inspection.id, unit_id=inspection.unit_id, severity="major",
                      description="Chưa niêm yết đầy đủ thủ tục hành chính", description_folded="",
                      client_uuid=str(uuid.uuid4()), device_time=utcnow(), recorded_by_id=author.id)
    db.session.add(finding)
    db.session.flush()
    original, display = store_photo(io.BytesIO(make_photo(size=(64, 48))), "anh.jpg", unit_id=inspection.unit_id,
                                    uploaded_by_id=finding.recorded_by_id)
    db.session.flush()
    db.session.add(FindingPhoto(finding_id=finding.id, original_id=original.id, display_id=display.id,
                                client_uuid=str(uuid.uuid4()), device_time=utcnow()))


def _populate(scenario, n: int) -> None:
    """n more rows of every list, inside the units of the scenario's head (so every role sees them)."""
    anchor, head = scenario.units["an_phuoc"], scenario.user_for(Role.UNIT_HEAD)
    for _ in range(n):
        new_finding_in(anchor)
        for model in RECORD_FACTORIES:
            if model.__name__ in LISTED:
                RECORD_FACTORIES[model](anchor)
    for k in range(n):
        audit.record(head, "task.commented", "task", k + 1, unit_id=anchor.id)
        for user in scenario.users.values():
            db.session.add(Notification(user_id=user.id, kind="assigned", title=f"Thông báo {k}", link="/"))
    db.session.commit()


def _measure(app, scenario, clients, rows: int) -> dict:
    """{(role, page): statements} for every page each role may open."""
    DETAIL_ROWS[0] = rows
    lists, details = _pages(app)
    counts = {}
    for role in ROLES:
        client, anchor = clients[role], scenario.home_of(role)
        urls = [(u, LIST_BUDGET) for u in lists]
        for rule in details:
            url = _detail_url(app, rule, anchor)
            if url:
                urls.append((url.split("?")[0], DETAIL_BUDGET))
        db.session.commit()
        for url, budget in urls:
            catalog._remembered.clear()  # counted with no choices remembered: the page's most
            with statement_budget(app, 10_000) as statements:
                response = client.get(url)
            if response.status_code == 200:
                counts[(str(role), url, budget)] = len(statements)
                _show(role, url, statements)
    return counts


def _show(role, url: str, statements: list[str]) -> None:
    """With QUERY_BUDGET_SHOW=<part of a URL> (and -s), print that page's statements."""
    wanted = os.environ.get("QUERY_BUDGET_SHOW")
    if wanted and any(part in url for part in wanted.split(",")):
        print(f"--- {role} {url}", *(" ".join(s.split())[:300] for s in statements), sep="\n")


@pytest.fixture
def clients(app, scenario):
    out = {}
    for role in ROLES:
        out[role] = app.test_client()
        sign_in(out[role], scenario.user_for(role))
    return out


def _key(page: tuple) -> tuple:
    role, url, budget = page
    return role, "/".join("<id>" if part.isdigit() else part for part in url.split("/")), budget


def test_every_page_stays_within_its_statement_budget_whatever_the_rows(app, scenario, clients):
    _populate(scenario, SMALL)
    few = {_key(k): v for k, v in _measure(app, scenario, clients, SMALL).items()}
    _populate(scenario, LARGE)
    many = {_key(k): v for k, v in _measure(app, scenario, clients, LARGE).items()}
    report, over = [], []
    for key in sorted(many):
        role, page, budget = key
        report.append(f"{role:12} {page:55} {few.get(key, '-')!s:>4} {many[key]:>4} / {budget}")
        if many[key] > budget or many[key] > few.get(key, many[key]):
            over.append(report[-1])
    print("\n".join(report))
    lists = [v for (_, _, b), v in many.items() if b == LIST_BUDGET]
    details = [v for (_, _, b), v in many.items() if b == DETAIL_BUDGET]
    print(f"max list page: {max(lists)}, max detail page: {max(details)}, pages: {len(many)}")
    assert len(lists) >= 20 and len(details) >= 15, "the walk found the app's pages"
    assert not over, "over budget or growing with the rows:\n" + "\n".join(over)
