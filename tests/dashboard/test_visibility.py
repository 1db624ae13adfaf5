"""Who sees which figures: a unit head sees their subtree only and no trace of the unstarted
surprise inspection of their commune; a merged commune's successor counts its predecessors'
history; roles without the dashboard get 403, units outside the user's subtree 404."""

import pytest
from sqlalchemy import func, select

from inspection.admin.merges import merge_units
from inspection.dashboard import summary
from inspection.dashboard.board import get_dashboard
from inspection.dashboard.period import add_months, custom_period
from inspection.demo.seed import DEMO_PASSWORD
from inspection.language.formatting import local_today
from inspection.security import scoping
from models import Inspection, Task, db, utcnow
from models.enums import InspectionKind, InspectionStatus
from tests.dashboard.conftest import linked_figures, rows_listed, text_of
from tests.factories import sign_in


def _around_today():
    """Last month to next month: covers the demo's current tasks and its surprise inspection."""
    first = add_months(local_today().replace(day=1), -1)
    return custom_period(first, add_months(first, 2))


def _surprise() -> Inspection:
    return db.session.execute(select(Inspection).where(Inspection.kind == InspectionKind.SURPRISE)).scalar_one()


def _scoped_inspections(user, period) -> int:
    stmt = scoping.scope(select(func.count(Inspection.id)), user, Inspection).where(
        Inspection.start_on.between(period.first, period.last), Inspection.status != InspectionStatus.CANCELLED)
    return db.session.execute(stmt).scalar_one()


@pytest.mark.parametrize("use_summary", [False, True])
def test_the_head_sees_their_commune_only_and_no_trace_of_the_unstarted_surprise(demo, use_summary):
    head, leader, an_phuoc = demo["user"]("head"), demo["user"]("leader"), demo["unit"]("TH-ANPHUOC")
    period = _around_today()
    if use_summary:
        summary.refresh_summary()
    mine = get_dashboard(head, period, use_summary=use_summary).board
    assert set(mine.rows) == {an_phuoc.id}
    assert mine.inspections.planned == _scoped_inspections(head, period)
    assert mine.inspections.undisclosed == 0
    overseen = get_dashboard(leader, period, use_summary=use_summary).board.inspections_by_row[an_phuoc.id]
    assert overseen.undisclosed >= 1  # the surprise inspection (and any inspection not announced yet)
    assert overseen.planned == mine.inspections.planned + overseen.undisclosed


def test_the_head_page_shows_no_surprise_but_the_leader_page_does(app, client, demo, demo_login):
    demo_login("head")
    first = add_months(local_today().replace(day=1), -1)
    query = f"/dashboard?period=custom&start={first:%Y-%m}&end={add_months(first, 2):%Y-%m}"
    page = text_of(client.get(query).get_data(as_text=True))
    assert "UBND xã An Phước" in page and "Sở Nội vụ" not in page
    assert "đột xuất" not in page and "chưa thông báo" not in page
    leader = app.test_client()
    sign_in(leader, demo["user"]("leader"), password=DEMO_PASSWORD)
    assert "cuộc kiểm tra chưa thông báo cho đơn vị được kiểm tra (đột xuất" in text_of(
        leader.get(query).get_data(as_text=True))


def test_once_the_surprise_starts_the_head_counts_it(demo):
    head, period = demo["user"]("head"), _around_today()
    before = get_dashboard(head, period, use_summary=False).board.inspections
    surprise = _surprise()
    surprise.status, surprise.started_at = InspectionStatus.IN_PROGRESS, utcnow()
    db.session.commit()
    summary.refresh_summary()
    after = get_dashboard(head, period).board.inspections
    assert (after.planned, after.done) == (before.planned + 1, before.done + 1)


def test_the_head_cannot_look_into_another_unit(client, demo, demo_login):
    demo_login("head")
    other, own = demo["unit"]("TH-SARAI"), demo["unit"]("TH-ANPHUOC")
    assert client.get(f"/dashboard?unit_id={other.id}").status_code == 404
    assert client.get(f"/dashboard?unit_id={own.id}").status_code == 200


@pytest.mark.parametrize("username", ["officer", "inspector"])
def test_officers_and_inspectors_have_no_dashboard(client, demo, demo_login, username):
    demo_login(username)
    assert client.get("/dashboard").status_code == 403


def test_a_leader_looks_into_one_unit_and_not_outside_their_district(client, demo, demo_login):
    demo_login("leader")
    sarai, province = demo["unit"]("TH-SARAI"), demo["unit"]("DT")
    page = text_of(client.get(f"/dashboard?period=year&year=2024&unit_id={sarai.id}").get_data(as_text=True))
    assert "UBND xã Tân Hồng" in page and "Sở Nội vụ" not in page
    assert client.get(f"/dashboard?unit_id={province.id}").status_code == 404


def _merge_an_phuoc(demo):
    admin, an_phuoc, tan_phuoc, district = (demo["user"]("admin"), demo["unit"]("TH-ANPHUOC"),
                                            demo["unit"]("TH-TANPHUOC"), demo["unit"]("TH"))
    successor = merge_units(admin, predecessor_ids=[an_phuoc.id, tan_phuoc.id], effective_on=local_today(),
                            new_successor={"code": "TH-ANTANPHUOC", "name": "Ủy ban nhân dân xã An Tân Phước",
                                           "short_name": "UBND xã An Tân Phước", "kind": "commune",
                                           "parent_id": district.id})
    return successor, an_phuoc, tan_phuoc


def test_the_merged_communes_successor_counts_its_predecessors_history(demo):
    successor, an_phuoc, tan_phuoc = _merge_an_phuoc(demo)
    head, leader, period = demo["user"]("head"), demo["user"]("leader"), _around_today()
    led = db.session.execute(select(func.count(Task.id)).where(
        Task.unit_id.in_([an_phuoc.id, tan_phuoc.id]), Task.deadline.between(period.first, period.last))).scalar_one()
    assert led > 0
    mine = get_dashboard(head, period, use_summary=False).board  # the head now belongs to the successor
    assert set(mine.rows) == {successor.id} and mine.tasks.total == led
    assert mine.inspections.undisclosed == 0 and mine.inspections.planned == _scoped_inspections(head, period)
    overseen = get_dashboard(leader, period, use_summary=False).board
    assert an_phuoc.id not in overseen.rows and overseen.tasks_by_row[successor.id].total == led


def test_after_a_merge_every_linked_figure_still_matches_its_list(client, demo, demo_login, big_pages):
    _merge_an_phuoc(demo)
    demo_login("leader")
    first = add_months(local_today().replace(day=1), -1)
    html = client.get(f"/dashboard?period=custom&start={first:%Y-%m}&end={add_months(first, 2):%Y-%m}").get_data(
        as_text=True)
    assert "UBND xã An Tân Phước" in text_of(html)
    figures = linked_figures(html)
    assert len(figures) >= 8
    for href, shown, rows in figures:
        assert rows_listed(client, href, rows) == shown, href


def test_the_summary_follows_a_merge_without_a_refresh_of_its_counts(demo):
    summary.refresh_summary()
    successor, an_phuoc, _ = _merge_an_phuoc(demo)
    board = get_dashboard(demo["user"]("head"), _around_today()).board
    assert set(board.rows) == {successor.id} and board.tasks.total > 0  # counts are stored per original unit
