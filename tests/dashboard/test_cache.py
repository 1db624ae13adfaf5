"""The rendered dashboard is kept per summary version, scope and filters: another scope never gets
it, a refreshed summary is shown at once, and live figures are never kept."""

from sqlalchemy import select, update

from inspection.dashboard import summary
from inspection.demo.seed import DEMO_PASSWORD
from inspection.jobs.summary import refresh_dashboard
from inspection.plans.workflow import accept_task
from models import ParArea, Task, db
from models.enums import TaskStatus
from tests.dashboard.conftest import text_of
from tests.factories import sign_in


def _cached_pages(redis_client) -> int:
    return len(list(redis_client.scan_iter("*dashboard:page:*")))


def test_a_unit_head_never_gets_the_page_kept_for_a_leader(app, client, demo, demo_login, redis_client):
    summary.refresh_summary()
    demo_login("leader")
    leader_page = text_of(client.get("/dashboard").get_data(as_text=True))
    assert "Sở Nội vụ" in leader_page and _cached_pages(redis_client) == 1
    head = app.test_client()
    sign_in(head, demo["user"]("head"), password=DEMO_PASSWORD)
    head_page = text_of(head.get("/dashboard").get_data(as_text=True))
    assert "Sở Nội vụ" not in head_page and "chưa thông báo" not in head_page
    assert _cached_pages(redis_client) == 2


def test_the_same_scope_and_filters_share_one_kept_page(app, client, demo, demo_login, redis_client):
    summary.refresh_summary()
    demo_login("leader")
    first = client.get("/dashboard?period=year&year=2024").get_data(as_text=True)
    other = app.test_client()
    sign_in(other, demo["user"]("leader"), password=DEMO_PASSWORD)  # a second session of the same scope
    again = other.get("/dashboard?period=year&year=2024").get_data(as_text=True)
    assert _cached_pages(redis_client) == 1
    assert text_of(first).split("Tổng quan công tác")[1] == text_of(again).split("Tổng quan công tác")[1]


def test_a_refreshed_summary_is_shown_at_once(client, demo, demo_login):
    summary.refresh_summary(through=summary.changes()[1])
    coordinator = demo_login("coordinator")
    before = text_of(client.get("/dashboard").get_data(as_text=True))
    waiting = db.session.execute(select(Task).where(Task.status == TaskStatus.SUBMITTED)).scalars().first()
    accept_task(coordinator, waiting)
    assert text_of(client.get("/dashboard").get_data(as_text=True)) == before  # the summary is not refreshed yet
    refresh_dashboard()
    after = text_of(client.get("/dashboard").get_data(as_text=True))
    assert after != before and "Chờ duyệt 0" in after


def test_live_figures_are_never_kept(client, demo, demo_login, redis_client):
    demo_login("leader")
    assert "Số liệu tính trực tiếp" in text_of(client.get("/dashboard").get_data(as_text=True))
    assert _cached_pages(redis_client) == 0


def test_a_renamed_area_is_on_the_kept_page_at_once(client, demo, demo_login, redis_client):
    """The page's names come from the catalog: the kept page carries the catalog version too."""
    summary.refresh_summary(through=summary.changes()[1])
    demo_login("leader")
    area = db.session.execute(select(ParArea).order_by(ParArea.position)).scalars().first()
    assert area.name in text_of(client.get("/dashboard").get_data(as_text=True))
    assert _cached_pages(redis_client) == 1
    db.session.execute(update(ParArea).where(ParArea.id == area.id).values(name="Cải cách thể chế (sửa đổi)"))
    db.session.commit()
    assert "Cải cách thể chế (sửa đổi)" in text_of(client.get("/dashboard").get_data(as_text=True))
