"""A plan's page stays bounded whatever the size of the plan: up to PLAN_PAGE_TASKS visible tasks it
lists them grouped by PAR area; above, it shows each area's counts, every count a link to the task
list filtered by plan and area (giving exactly those rows), and the first overdue tasks with a
link to all of them. Either way the page runs at most 15 SQL statements."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from inspection.language.formatting import local_today
from inspection.plans import pages
from models import ParArea, Task, db
from models.enums import PlanStatus, Role, TaskStatus
from tests.factories import make_plan, make_task, make_user, sign_in
from tests.querycount import statement_budget

TODAY = local_today()
DETAIL_BUDGET = 15


@pytest.fixture
def readers(app, tree):
    """The leader (whole plan) and a commune officer (the tasks their commune leads or supports)."""
    users = {"leader": make_user(role=Role.LEADER, unit=tree["pc"]),
             "officer": make_user(role=Role.UNIT_OFFICER, unit=tree["a"])}
    db.session.commit()
    clients = {}
    for key, user in users.items():
        clients[key] = app.test_client()
        sign_in(clients[key], user)
    return clients


@pytest.fixture
def small_page(app, monkeypatch):
    monkeypatch.setitem(app.config, "PLAN_PAGE_TASKS", 5)
    monkeypatch.setitem(app.config, "PAGE_SIZE", 100)  # a linked list shows all its rows on one page


def make_big_plan(tree, n: int):
    """An issued plan of n tasks over three areas, led by two communes, in every state."""
    areas = db.session.execute(select(ParArea).order_by(ParArea.position).limit(3)).scalars().all()
    plan = make_plan(unit=tree["pc"], issued_on=TODAY - timedelta(days=60), status=PlanStatus.ISSUED, areas=areas)
    states = [  # (status, deadline offset, completed offset)
        (TaskStatus.OPEN, 20, None), (TaskStatus.OPEN, -5, None), (TaskStatus.ACCEPTED, 10, -1),
        (TaskStatus.ACCEPTED, -10, -2), (TaskStatus.SUBMITTED, 5, -1), (TaskStatus.IN_PROGRESS, -1, None),
        (TaskStatus.CANCELLED, 3, None),
    ]
    for k in range(n):
        status, due, done = states[k % len(states)]
        led_by_b = k % 3 == 0  # commune A supports those, except every ninth (hidden from its officer)
        hidden = led_by_b and k % 9 == 6
        support = [tree["dept"]] if hidden else [tree["a"], tree["dept"]] if led_by_b else [tree["dept"]] * (k % 2)
        make_task(plan=plan, unit=tree["b"] if led_by_b else tree["a"], area=areas[k % len(areas)], status=status,
                  deadline=TODAY + timedelta(days=due),
                  completed_on=TODAY + timedelta(days=done) if done is not None else None, support_units=support)
    db.session.commit()
    return plan


def count_links(page: str) -> list[tuple[str, int]]:
    """(url, number shown) of every count linked to the task list in the per-area table."""
    table = page.split('class="table numeric progress-table area-counts"')[1].split("</table>")[0]
    return [(html.unescape(url), int(value.replace(".", "")))
            for url, value in re.findall(r'<a href="(/tasks\?[^"]+)">([\d.]+)</a>', table)]


def task_rows(client, url: str) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200
    return {int(i) for i in re.findall(r'href="/tasks/(\d+)"', response.get_data(as_text=True))}


def opened(client, app, url: str) -> tuple[str, int]:
    with statement_budget(app, DETAIL_BUDGET) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True), len(statements)


@pytest.mark.parametrize("who", ["leader", "officer"])
def test_a_large_plan_shows_counts_per_area_each_linked_to_exactly_its_tasks(app, tree, readers, small_page, who):
    client = readers[who]
    figures = {}
    for n in (6, 40):
        plan = make_big_plan(tree, n)
        page, statements = opened(client, app, f"/plans/{plan.id}")
        figures[n] = statements
        visible = task_rows(client, f"/tasks?plan_id={plan.id}")
        assert len(visible) == (n if who == "leader" else n - len(range(6, n, 9)))
        assert "area-counts" in page and 'class="table task-table"' not in page  # no per-task rows
        links = count_links(page)
        totals = [(url, shown) for url, shown in links if "timeliness" not in url]
        assert len(totals) == 3 and sum(shown for _url, shown in totals) == len(visible)
        assert any("timeliness=overdue" in url for url, _shown in links)
        for url, shown in links:
            assert f"plan_id={plan.id}" in url and "area_id=" in url
            assert len(task_rows(client, url)) == shown, url
    assert figures[40] <= figures[6] <= DETAIL_BUDGET, figures


def test_the_overdue_list_shows_its_first_tasks_and_links_to_all_of_them(app, tree, readers, small_page,
                                                                        monkeypatch):
    monkeypatch.setattr(pages, "OVERDUE_SHOWN", 4)
    plan = make_big_plan(tree, 40)
    overdue = db.session.execute(select(Task.id).where(
        Task.plan_id == plan.id, Task.status.in_([TaskStatus.OPEN, TaskStatus.IN_PROGRESS]),
        Task.deadline < TODAY)).scalars().all()
    page, _statements = opened(readers["leader"], app, f"/plans/{plan.id}")
    section = page.split('class="overdue-list"')[1].split("</section>")[0]
    assert len(re.findall(r'href="/tasks/\d+"', section)) == 4
    assert f"Nhiệm vụ quá hạn chưa hoàn thành ({len(overdue)})" in page
    link = re.search(r'<a href="([^"]+)">Xem tất cả (\d+) nhiệm vụ quá hạn</a>', section)
    assert int(link.group(2)) == len(overdue) > 4
    assert task_rows(readers["leader"], html.unescape(link.group(1))) == set(overdue)


def test_a_plan_within_the_limit_lists_its_tasks_by_area_in_few_statements(app, tree, readers):
    figures = {}
    for n in (6, 40):
        plan = make_big_plan(tree, n)
        page, figures[n] = opened(readers["leader"], app, f"/plans/{plan.id}")
        assert 'class="table task-table"' in page and "area-counts" not in page
        titles = db.session.execute(select(Task.title).where(Task.plan_id == plan.id)).scalars().all()
        assert all(html.escape(t, quote=False) in page for t in titles)
        assert "Phối hợp: Phòng Nội vụ" in page
    assert figures[40] <= figures[6] <= DETAIL_BUDGET, figures
