"""Việc cần làm: on each role's home page every line is a count linking to a filtered list, and the
list shows exactly that many rows; the menu's badges count the distinct rows behind each item's
lines. Checked over the demo district and over the shared scenario with work in every state."""

import re
from datetime import timedelta

from sqlalchemy import select

from inspection.demo.seed import DEMO_PASSWORD, seed_demo
from inspection.inspections.queries import period_bounds
from inspection.language.formatting import local_today
from inspection.main import todo
from models import ExtensionRequest, InspectionMember, Membership, User, db
from models.enums import ExtensionStatus, InspectionStatus, RemediationStatus, Role, TaskStatus
from tests.factories import sign_in
from tests.querycount import statement_budget
from tests.scenario import new_action_for, new_inspection_of, new_task_for

LINE = re.compile(r'<li data-todo-line="(\w+)"[^>]*><a href="([^"]+)"><span class="todo-count"[^>]*>(\d+)</span>')
BADGE = re.compile(r'<span class="nav-count" data-todo="(\w+)"><span class="sr-only">: </span>(\d+)')
DETAIL = {"tasks": r'href="/tasks/(\d+)"', "remediation": r'href="/remediation/(\d+)"',
          "inspections": r'href="/inspections/(\d+)"'}
MENU_OF = {"/tasks": "tasks", "/remediation": "remediation", "/inspections": "inspections"}
ROLE_LINES = {
    "officer": {"tasks_due", "tasks_overdue", "tasks_returned", "actions_todo", "actions_returned"},
    "head": {"tasks_to_confirm", "actions_to_confirm"},
    "coordinator": {"tasks_to_review", "actions_to_review", "conclusions_to_draft", "task_extensions_to_forward",
                    "action_extensions_to_forward"},
    "leader": {"task_extensions", "action_extensions", "conclusions_to_issue", "actions_escalated"},
    "inspector": {"inspections_today", "inspections_week", "actions_to_review", "unsynced"},
}


def listed_ids(client, href: str) -> set[str]:
    """The ids of the records the list at `href` shows (its table's links to them)."""
    response = client.get(href)
    assert response.status_code == 200, href
    html = response.get_data(as_text=True)
    table = html[html.index("<table"):html.rindex("</table>")] if "<table" in html else ""
    return set(re.findall(DETAIL[MENU_OF[href.split("?")[0]]], table))


def check_home(client) -> dict[str, int]:
    """Each line's count equals its list's rows, each badge the distinct rows of its item's lines;
    {line: count} for the caller's own expectations."""
    html = client.get("/").get_data(as_text=True)
    assert html.index("Việc cần làm") < html.index("Vai trò của bạn"), "the first card of the home page"
    lines, behind = {}, {}
    for key, href, count in LINE.findall(html):
        lines[key] = int(count)
        if key == "unsynced":  # the tablet's own outbox, counted in the browser (tests/browser/test_todo.py)
            continue
        href = href.replace("&amp;", "&")
        ids = listed_ids(client, href)
        assert len(ids) == int(count), (key, href, count, ids)
        behind.setdefault(MENU_OF[href.split("?")[0]], set()).update(ids)
    badges = dict(BADGE.findall(html))
    assert badges == {menu: str(len(ids)) for menu, ids in behind.items() if ids}, badges
    return lines


def test_demo_district_counts_equal_the_rows_behind_their_links(app, ctx, whole_lists):
    seed_demo("demo")
    db.session.commit()
    found = {}
    for username, expected in ROLE_LINES.items():
        client = app.test_client()
        sign_in(client, db.session.execute(select(User).where(User.username == username)).scalar_one(), DEMO_PASSWORD)
        found[username] = check_home(client)
        assert set(found[username]) == expected, username
    assert sum(found["officer"].values()) > 0 and sum(found["coordinator"].values()) > 0, found


def _work_in_every_state(scenario) -> None:
    """An Phước's tasks and actions in each state the lines count, inspections waiting for a
    conclusion, extension requests and an action escalated to the leader."""
    unit, today = scenario.units["an_phuoc"], local_today()
    officer = scenario.user_for(Role.UNIT_OFFICER)
    deadlines = {TaskStatus.OPEN: today + timedelta(days=3), TaskStatus.IN_PROGRESS: today - timedelta(days=2),
                 TaskStatus.RETURNED: today + timedelta(days=7), TaskStatus.AWAITING_HEAD: today + timedelta(days=1),
                 TaskStatus.SUBMITTED: today + timedelta(days=30)}
    for status, deadline in [*deadlines.items(), (TaskStatus.OPEN, today + timedelta(days=8))]:
        task = new_task_for(unit)
        task.status, task.deadline = status, deadline
    for status in (ExtensionStatus.REQUESTED, ExtensionStatus.FORWARDED, ExtensionStatus.APPROVED):
        extended = new_task_for(unit)
        extended.deadline = today + timedelta(days=30)
        db.session.add(ExtensionRequest(task_id=extended.id, unit_id=unit.id, requested_by_id=officer.id, status=status,
                                        current_deadline=extended.deadline, requested_deadline=today, reason="Chờ"))
    for status in (RemediationStatus.OPEN, RemediationStatus.RETURNED, RemediationStatus.AWAITING_HEAD,
                   RemediationStatus.SUBMITTED, RemediationStatus.IN_PROGRESS):
        action = new_action_for(unit)
        action.status = status
    escalated = new_action_for(unit)
    escalated.status, escalated.escalation_level = RemediationStatus.IN_PROGRESS, 2
    db.session.add(ExtensionRequest(action_id=escalated.id, unit_id=unit.id, requested_by_id=officer.id,
                                    current_deadline=escalated.deadline, requested_deadline=today, reason="Chờ",
                                    status=ExtensionStatus.FORWARDED))
    for _n in range(2):  # two actions whose requests wait for the coordinator
        waiting = new_action_for(unit)
        waiting.status = RemediationStatus.IN_PROGRESS
        db.session.add(ExtensionRequest(action_id=waiting.id, unit_id=unit.id, requested_by_id=officer.id,
                                        current_deadline=waiting.deadline, requested_deadline=today, reason="Chờ"))
    inspector = scenario.user_for(Role.INSPECTOR)
    for status in (InspectionStatus.MINUTES_CLOSED, InspectionStatus.CONCLUSION_DRAFTED, InspectionStatus.ANNOUNCED):
        inspection = new_inspection_of(unit, status)
        inspection.members.append(InspectionMember(user_id=inspector.id, role="member"))
    later = new_inspection_of(unit, InspectionStatus.PLANNED)
    later.start_on = later.end_on = today + timedelta(days=6 - today.weekday())  # Sunday: this week
    later.members.append(InspectionMember(user_id=inspector.id, role="lead"))
    db.session.commit()


def test_scenario_counts_equal_the_rows_behind_their_links(app, scenario, whole_lists):
    _work_in_every_state(scenario)
    found = {}
    for role in (Role.UNIT_OFFICER, Role.UNIT_HEAD, Role.COORDINATOR, Role.LEADER, Role.INSPECTOR):
        client = app.test_client()
        sign_in(client, scenario.user_for(role))
        found[role] = check_home(client)
    today = local_today()
    today_sunday = today.weekday() == 6
    assert found[Role.UNIT_OFFICER] == {"tasks_due": 2, "tasks_overdue": 1, "tasks_returned": 1, "actions_todo": 6,
                                        "actions_returned": 1}
    assert found[Role.UNIT_HEAD] == {"tasks_to_confirm": 1, "actions_to_confirm": 1}
    assert found[Role.LEADER] == {"task_extensions": 1, "action_extensions": 1, "conclusions_to_issue": 1,
                                  "actions_escalated": 1}
    assert found[Role.COORDINATOR]["conclusions_to_draft"] == 1
    assert (found[Role.COORDINATOR]["task_extensions_to_forward"],
            found[Role.COORDINATOR]["action_extensions_to_forward"]) == (1, 2)
    assert found[Role.COORDINATOR]["tasks_to_review"] == 1
    assert found[Role.INSPECTOR]["inspections_today"] == 2 + today_sunday
    surprise = scenario.inspections["surprise_an_phuoc"]  # the inspector leads it, in two days
    assert found[Role.INSPECTOR]["inspections_week"] == 3 + (surprise.start_on <= period_bounds("week", today)[1])


def test_badges_read_anew_run_one_statement_and_stay_current(app, scenario):
    """After a minute (or a change of the user's) the menu's badges are counted anew, in one
    statement; a new membership's unit is counted at once."""
    unit, head = scenario.units["an_phuoc"], scenario.user_for(Role.UNIT_HEAD)

    def awaiting_head(task) -> None:
        task.status = TaskStatus.AWAITING_HEAD  # a task's state is no catalog change
        db.session.commit()
        todo.forget(head.id)  # the badges read anew, as a minute later

    def badge(budget: int = 3) -> int:
        with statement_budget(app, budget):  # the session, the badges, the page
            html = client.get("/tasks").get_data(as_text=True)
        return int(dict(BADGE.findall(html)).get("tasks", 0))

    tasks = [new_task_for(unit), new_task_for(unit)]
    awaiting_head(tasks[0])
    client = app.test_client()
    sign_in(client, head)
    first = badge(budget=10)
    assert first >= 1
    awaiting_head(tasks[1])
    assert badge() == first + 1
    other = scenario.units["tan_phuoc"]
    db.session.add(Membership(user_id=head.id, unit_id=other.id, role=Role.UNIT_HEAD))
    awaiting_head(new_task_for(other))
    assert badge(budget=10) == first + 2
