"""The leader's dashboard on the demo district: the figures equal the rows of the lists they link
to, the seed's 2024 plan reads as the articles report it, and the page stays within its budget."""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from inspection.dashboard import summary
from inspection.dashboard.board import get_dashboard
from inspection.dashboard.period import month_period, year_period
from inspection.language.formatting import local_today
from inspection.plans.queries import TaskFilters, filtered_tasks
from inspection.security import scoping
from models import Inspection, ParArea, db
from models.enums import InspectionStatus
from tests.dashboard.conftest import linked_figures, rows_listed, text_of
from tests.querycount import statement_budget

PAGE_BUDGET = 15


def _count(stmt) -> int:
    return db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()


@pytest.mark.parametrize("query", ["period=year&year=2024", "", "period=month&month={this_month}",
                                   "period=year&year={this_year}&area_id={tthc}",
                                   "period=year&year=2024&area_id={tthc}", "period=quarter&year=2024&quarter=4"])
def test_every_linked_figure_equals_the_rows_of_its_list(client, demo, demo_login, big_pages, query):
    """Task, inspection (and inspected units), finding and remediation figures alike."""
    demo_login("leader")
    today = local_today()
    tthc = db.session.execute(select(ParArea.id).where(ParArea.code == "TTHC")).scalar_one()
    url = "/dashboard?" + query.format(this_month=f"{today:%Y-%m}", this_year=today.year, tthc=tthc)
    figures = _check_every_link(client, url)
    assert len(figures) >= 8, "the page links its figures to their lists"
    if not query:  # this year's page: the demo's inspections, findings and remediation are in it
        assert {href.split("?")[0] for href, _, _ in figures} == {"/tasks", "/inspections", "/findings", "/remediation"}


def _check_every_link(client, url: str) -> list[tuple[str, int, str]]:
    figures = linked_figures(client.get(url).get_data(as_text=True))
    for href, shown, rows in figures:
        assert rows_listed(client, href, rows) == shown, href
    return figures


def test_findings_by_area_link_to_their_list_and_an_area_keeps_every_link(client, demo, demo_login, big_pages):
    """The findings per PAR area open the findings of that area and period; with that area chosen
    on the dashboard, the finding and remediation figures still link to lists that count alike."""
    demo_login("leader")
    year = local_today().year
    html = client.get(f"/dashboard?period=year&year={year}").get_data(as_text=True)
    table = html[html.index('id="h-findings"'):]
    by_area = [(href, n) for href, n, _ in linked_figures(table[:table.index("</table>")]) if "severity" not in href]
    assert by_area and all("area_id=" in href and f"start_from=01/01/{year}" in href for href, _ in by_area)
    total = int(re.search(r'id="c-find".*?data-count="(\d+)"', html, re.S).group(1))
    assert sum(n for _, n in by_area) <= total  # findings outside any area are in the total only
    busiest = max(by_area, key=lambda link: link[1])[0]
    area_id = re.search(r"area_id=(\d+)", busiest).group(1)
    figures = _check_every_link(client, f"/dashboard?period=year&year={year}&area_id={area_id}")
    lists = {href.split("?")[0] for href, _, _ in figures}
    assert {"/findings", "/remediation"} <= lists, lists
    assert all(f"area_id={area_id}" in href for href, _, _ in figures if not href.startswith("/inspections"))


def test_the_2024_plan_reads_as_the_seed_reports_it(client, demo, demo_login):
    demo_login("leader")
    text = text_of(client.get("/dashboard?period=year&year=2024").get_data(as_text=True))
    # 23 tasks due in 2024 (the 24th was extended into the next year): 22 done, 4 of them late, 1 overdue
    assert "Nhiệm vụ đến hạn trong kỳ 22 / 23 (95,7%)" in text
    assert "Hoàn thành đúng hạn 18 / 22 (81,8%)" in text
    assert "Hoàn thành quá hạn 4" in text and "Quá hạn chưa hoàn thành 1 / 23 (4,3%)" in text


def test_task_figures_match_the_task_list_query(demo):
    leader, today = demo["user"]("leader"), local_today()
    board = get_dashboard(leader, year_period(2024), use_summary=False).board
    span = TaskFilters(due_from=date(2024, 1, 1), due_to=date(2024, 12, 31))
    assert board.tasks.total == _count(filtered_tasks(leader, span, today))
    for value in ("done_on_time", "done_late", "overdue", "on_track", "awaiting_review"):
        flt = TaskFilters(due_from=span.due_from, due_to=span.due_to, timeliness=value)
        assert getattr(board.tasks, value) == _count(filtered_tasks(leader, flt, today)), value


def test_inspections_count_units_planned_and_done_in_the_period(demo):
    leader, today = demo["user"]("leader"), local_today()
    board = get_dashboard(leader, year_period(today.year), use_summary=False).board
    stmt = scoping.scope(select(Inspection), leader, Inspection).where(
        Inspection.start_on.between(date(today.year, 1, 1), date(today.year, 12, 31)),
        Inspection.status != InspectionStatus.CANCELLED)
    inspections = db.session.execute(stmt).scalars().all()
    started = [i for i in inspections if i.started_at is not None]
    assert board.inspections.planned == len(inspections) and board.inspections.done == len(started)
    assert board.inspections.units_done == {i.unit_id for i in started}
    undisclosed = [i for i in inspections if i.announced_at is None and i.started_at is None]
    assert board.inspections.undisclosed == len(undisclosed)  # the surprise one of xã An Phước among them
    assert any(i.kind == "surprise" for i in undisclosed)


def test_summary_and_live_counting_give_the_same_board(demo):
    leader = demo["user"]("leader")
    summary.refresh_summary()
    for period in (year_period(2024), year_period(local_today().year), month_period(local_today())):
        stored = get_dashboard(leader, period)
        live = get_dashboard(leader, period, use_summary=False)
        assert not stored.freshness.live and live.freshness.live
        assert stored.board.tasks == live.board.tasks
        assert stored.board.remediation == live.board.remediation
        assert stored.board.inspections == live.board.inspections
        assert stored.board.findings == live.board.findings
        assert [r.combined for r in stored.board.ranking()] == [r.combined for r in live.board.ranking()]


@pytest.mark.parametrize("username", ["leader", "head"])
@pytest.mark.parametrize("refreshed", [True, False])
def test_the_page_stays_within_its_statement_budget(app, client, demo, demo_login, username, refreshed):
    demo_login(username)
    if refreshed:
        summary.refresh_summary()
    client.get("/dashboard")  # warm: the first request of a session loads more
    with statement_budget(app, PAGE_BUDGET):
        assert client.get("/dashboard?period=year&year=2024").status_code == 200
