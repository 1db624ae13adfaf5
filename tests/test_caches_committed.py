"""Each cache with production's timing: the writes really commit, on another connection and as a bulk
statement (a script, a psql session), so the catalog's deferred triggers fire at that commit and
the dashboard's statement triggers with it — not at each statement, as in the tests that roll back."""

from datetime import date

import pytest
from sqlalchemy import text

from inspection.dashboard import summary
from inspection.jobs.summary import refresh_dashboard
from models import db
from models.enums import PlanStatus, Role, TaskStatus
from tests.dashboard.conftest import text_of
from tests.factories import Person, make_plan, make_task, make_unit, make_user

pytestmark = pytest.mark.committed
DEADLINE = date(date.today().year, 6, 30)


@pytest.fixture
def commune(committed):
    province = make_unit(name="UBND tỉnh Thử Nghiệm", kind="province")
    unit = make_unit(name="UBND xã An Phước", parent=province)
    plan = make_plan(unit=unit, number="50/KH-UBND", status=PlanStatus.ISSUED)
    tasks = [make_task(unit=unit, plan=plan, deadline=DEADLINE, status=TaskStatus.SUBMITTED,
                       title=f"Rà soát thủ tục hành chính lĩnh vực hộ tịch đợt {n}") for n in (1, 2)]
    users = {"head": make_user(role=Role.UNIT_HEAD, unit=unit), "leader": make_user(role=Role.LEADER, unit=province)}
    db.session.commit()
    return {"unit": unit.id, "tasks": [t.id for t in tasks],
            **{name: Person(committed, user) for name, user in users.items()}}


def _psql(sql: str, **params) -> None:
    """A statement committed by another connection: no ORM object, no session hook sees it."""
    with db.engine.begin() as conn:
        conn.execute(text(sql), params)


def _version() -> int:
    return db.session.execute(text("SELECT version FROM catalog_version")).scalar_one()


def test_a_committed_bulk_rename_of_a_unit_is_in_the_next_pages_filters_not_before_its_commit(commune):
    head = commune["head"]
    assert "UBND xã An Phước" in head.text("/tasks")
    before = _version()
    with db.engine.connect() as conn, conn.begin():
        conn.execute(text("UPDATE org_unit SET name = 'UBND xã An Phước (sáp nhập)' WHERE id = :u"),
                     {"u": commune["unit"]})
        assert _version() == before  # deferred: the version moves at the commit, not at the statement
        assert "(sáp nhập)" not in head.text("/tasks")
    assert _version() > before
    assert "UBND xã An Phước (sáp nhập)" in head.text("/tasks")


def test_a_committed_bulk_change_of_a_task_is_drawn_anew_in_its_row(commune):
    """Rows are remembered by their values (inspection/web/rows.py): a changed task is another key."""
    head = commune["head"]
    assert "Rà soát thủ tục hành chính lĩnh vực hộ tịch đợt 1" in head.text("/tasks")
    _psql("UPDATE task SET title = 'Công bố thủ tục hành chính mới' WHERE id = :t", t=commune["tasks"][0])
    page = head.text("/tasks")
    assert "Công bố thủ tục hành chính mới" in page and "hộ tịch đợt 1" not in page


def test_a_committed_bulk_update_reaches_the_dashboard_at_the_jobs_next_run(committed, commune):
    """The ORM session hooks this replaced never saw a bulk UPDATE: the dashboard kept its counts."""
    summary.refresh_summary(through=summary.changes()[1])
    leader = commune["leader"]
    assert "Chờ duyệt 2" in text_of(leader.text("/dashboard"))
    _psql("UPDATE task SET status = 'accepted', completed_on = deadline WHERE id = :t", t=commune["tasks"][0])
    assert "Chờ duyệt 2" in text_of(leader.text("/dashboard"))  # the summary is not recounted yet
    assert refresh_dashboard() == "1 units"
    assert "Chờ duyệt 1" in text_of(leader.text("/dashboard"))
