"""The audit log and findings lists, and every list's .xlsx export: the log shows who did what in
the units a leader steers and nothing of a surprise inspection hidden from them; a file holds the
rows of the filtered list; a large one is built by the worker and only its requester downloads it."""

import io
import sys

from openpyxl import load_workbook
from rq import SimpleWorker
from sqlalchemy import select

from inspection.data.queue import get_queue, get_redis
from inspection.jobs.exports import LISTS
from inspection.security import audit
from inspection.web import list_exports
from models import Notification, db
from models.enums import Role
from tests.factories import make_user, sign_in
from tests.scenario import new_action_for, new_finding_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rows(response) -> list[tuple]:
    assert response.status_code == 200 and response.mimetype == XLSX
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [r for r in sheet.iter_rows(min_row=4, values_only=True) if any(r)]


def _log(scenario):
    units, head = scenario.units, scenario.user_for(Role.UNIT_HEAD)
    audit.record(head, "task.submitted", "task", 7, unit_id=units["an_phuoc"].id)
    audit.record(head, "plan.created", "plan", 3, unit_id=units["tan_phuoc"].id)
    surprise = scenario.inspections["surprise_an_phuoc"]
    audit.record(scenario.user_for(Role.LEADER), "inspection.scheduled", "inspection", surprise.id,
                 unit_id=units["an_phuoc"].id)
    db.session.commit()


def test_the_audit_log_shows_the_leaders_units_and_hides_the_surprise_from_its_target(app, client, scenario):
    _log(scenario)
    sign_in(client, scenario.user_for(Role.LEADER))
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "task.submitted" in page and "plan.created" in page and "inspection.scheduled" in page
    assert "Võ Thị Thủ" in page  # who
    commune_leader = make_user(role=Role.LEADER, unit=scenario.units["an_phuoc"], full_name="Chủ tịch xã")
    db.session.commit()
    other = app.test_client()
    sign_in(other, commune_leader)
    page = other.get("/admin/audit").get_data(as_text=True)
    assert "task.submitted" in page
    assert "plan.created" not in page and "inspection.scheduled" not in page


def test_the_audit_log_filters_and_exports_the_same_rows(client, scenario):
    _log(scenario)
    sign_in(client, scenario.user_for(Role.ADMIN))
    head = scenario.user_for(Role.UNIT_HEAD)
    page = client.get(f"/admin/audit?action=task&actor_id={head.id}").get_data(as_text=True)
    assert "task.submitted" in page and "plan.created" not in page
    rows = _rows(client.get(f"/admin/audit/export.xlsx?action=task&actor_id={head.id}"))
    assert [r[4] for r in rows] == ["task.submitted"] and rows[0][2] == "Võ Thị Thủ"


def test_roles_without_the_log_get_403(client, scenario):
    sign_in(client, scenario.user_for(Role.UNIT_HEAD))
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit/export.xlsx").status_code == 403


def test_findings_list_and_each_lists_export_hold_the_rows_the_user_sees(client, scenario):
    for _ in range(3):
        new_finding_in(scenario.units["an_phuoc"])
    new_action_for(scenario.units["an_phuoc"])
    new_finding_in(scenario.units["tan_phuoc"])
    db.session.commit()
    sign_in(client, scenario.user_for(Role.UNIT_HEAD))
    page = client.get("/findings").get_data(as_text=True)
    assert page.count("Máy lấy số thứ tự bị hỏng") == 4  # an_phuoc's, not tan_phuoc's
    assert len(_rows(client.get("/findings/export.xlsx"))) == 4
    assert len(_rows(client.get("/findings/export.xlsx?severity=critical"))) == 0
    titles = [r[1] for r in _rows(client.get("/inspections/export.xlsx"))]
    assert len(titles) == 4 and not any("đột xuất" in t for t in titles)
    assert len(_rows(client.get("/remediation/export.xlsx?status="))) == 1


def test_a_large_export_is_built_by_the_worker_for_its_requester_only(app, client, scenario):
    for _ in range(3):
        new_finding_in(scenario.units["an_phuoc"])
    db.session.commit()
    head = scenario.user_for(Role.UNIT_HEAD)
    sign_in(client, head)
    app.config["EXPORT_SYNC_MAX_ROWS"], size = 2, app.config["EXPORT_SYNC_MAX_ROWS"]
    try:
        offer = client.get("/findings/export.xlsx")
        assert "3 dòng" in offer.get_data(as_text=True)
        token = client.get("/findings").get_data(as_text=True).split('name="csrf_token" value="')[-1].split('"')[0]
        assert client.post("/findings/export.xlsx", data={"csrf_token": token}).status_code == 200
    finally:
        app.config["EXPORT_SYNC_MAX_ROWS"] = size
    SimpleWorker([get_queue("default")], connection=get_redis()).work(burst=True)
    link = db.session.execute(select(Notification.link).where(Notification.user_id == head.id)
                              .order_by(Notification.id.desc())).scalars().first()
    assert link and link.startswith("/exports/")
    assert len(_rows(client.get(link))) == 3
    stranger = app.test_client()
    sign_in(stranger, scenario.user_for(Role.LEADER))
    assert stranger.get(link).status_code == 404


def test_the_worker_knows_every_list_export_the_app_defines(app):
    """A list's export is a value in its feature, named in jobs/exports.py's table, not one that
    registers itself on import: every ListExport of the app is there (a large export of a list
    left out would fail in the worker only), each under its own kind."""
    defined = {id(value): value for module in list(sys.modules.values())
               if getattr(module, "__name__", "").startswith("inspection.")
               for value in vars(module).values() if isinstance(value, list_exports.ListExport)}
    assert sorted(e.kind for e in defined.values()) == sorted(LISTS)
    assert all(LISTS[e.kind] is e for e in defined.values())
