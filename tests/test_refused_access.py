"""Refused access is a security event (ASVS 16.3.2, 16.3.3): 403s, 404s on records that exist
outside the user's scope, CSRF refusals and throttled sign-ins are recorded (who, what, when, from
where; never a body) in an append-only log, counted on the operations page; a burst from one user
notifies the administrators once."""

import html as html_lib
import re

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from models import Notification, SecurityEvent, db
from models.enums import Role
from tests.factories import csrf_token, make_task, make_user, sign_in

SECRET_TEXT = "noi-dung-bi-mat-khong-duoc-ghi"


def _events() -> list[SecurityEvent]:
    db.session.expire_all()
    return list(db.session.execute(select(SecurityEvent).order_by(SecurityEvent.id)).scalars())


def test_a_403_is_recorded_with_who_what_where_and_no_body(client, login_as):
    officer = login_as(Role.UNIT_OFFICER, "a")
    response = client.post("/admin/units/new", data={"name": SECRET_TEXT, "csrf_token": csrf_token(client, "/")},
                           environ_base={"REMOTE_ADDR": "10.20.30.40"})
    assert response.status_code == 403
    [event] = _events()
    assert (event.kind, event.user_id, event.method, event.path, event.address, event.status) == (
        "forbidden", officer.id, "POST", "/admin/units/new", "10.20.30.40", 403)
    assert event.endpoint == "admin.new_unit" and event.at is not None
    assert SECRET_TEXT not in repr([getattr(event, c.name) for c in SecurityEvent.__table__.columns])


def test_a_404_is_recorded_only_for_a_record_that_exists_outside_scope(client, login_as, tree):
    officer = login_as(Role.UNIT_OFFICER, "a")
    neighbours = make_task(unit=tree["b"])
    db.session.commit()
    outside = client.get(f"/tasks/{neighbours.id}")
    missing = client.get("/tasks/987654")
    assert outside.status_code == missing.status_code == 404
    # the page never tells the two apart
    def page(response, path):  # the CSRF token is signed with the second it was drawn in
        return re.sub(r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True).replace(path, "/tasks/N"))
    assert page(outside, f"/tasks/{neighbours.id}") == page(missing, "/tasks/987654")
    [event] = _events()
    assert (event.kind, event.user_id, event.target, event.path) == (
        "out_of_scope", officer.id, f"task {neighbours.id}", f"/tasks/{neighbours.id}")


def test_a_csrf_refusal_and_a_throttled_sign_in_are_recorded(app, client, tree):
    user = make_user(unit=tree["a"], username="canbo.khoa")
    db.session.commit()
    assert client.post("/login", data={"username": user.username, "password": "x"}).status_code == 400
    token = csrf_token(client)
    for _ in range(app.config["LOGIN_MAX_ATTEMPTS_PER_ACCOUNT"] + 1):
        client.post("/login", data={"username": user.username, "password": "sai-mat-khau", "csrf_token": token})
    assert [(e.kind, e.user_id, e.path) for e in _events()] == [("csrf", None, "/login"),
                                                                ("sign_in_throttled", None, "/login")]
    assert _events()[-1].username == user.username


def test_the_log_is_append_only(ctx, client, login_as):
    login_as(Role.UNIT_OFFICER, "a")
    client.get("/admin/users")
    assert len(_events()) == 1
    for statement in ("UPDATE security_event SET kind = 'x'", "DELETE FROM security_event"):
        with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
            db.session.execute(text(statement))
    assert [e.kind for e in _events()] == ["forbidden"]


def test_a_burst_notifies_the_administrators_once(app, client, login_as, tree, monkeypatch):
    monkeypatch.setitem(app.config, "REFUSAL_BURST", 5)
    admins = [make_user(role=Role.ADMIN, unit=tree["root"]) for _ in range(2)]
    make_user(role=Role.ADMIN, unit=tree["root"], is_active=False)
    db.session.commit()
    prober = login_as(Role.UNIT_OFFICER, "a")
    for _ in range(12):
        assert client.get("/admin/users").status_code == 403
    rows = db.session.execute(select(Notification.user_id, Notification.kind, Notification.title)).all()
    assert sorted(r.user_id for r in rows) == sorted(a.id for a in admins)
    assert {r.kind for r in rows} == {"security.burst"} and prober.username in rows[0].title
    assert len(_events()) == 12


def test_the_operations_page_counts_refusals_per_user_and_hour(app, client, login_as, tree):
    prober = login_as(Role.UNIT_OFFICER, "a")
    for _ in range(3):
        client.get("/admin/users")
    admin = make_user(role=Role.ADMIN, unit=tree["root"])
    db.session.commit()
    reader = app.test_client()
    sign_in(reader, admin)
    page = html_lib.unescape(reader.get("/admin/ops").get_data(as_text=True))
    table = page.split('id="h-refusals"', 1)[1].split("</table>", 1)[0]
    assert prober.username in table and "Không có quyền (403)" in table
    row = table.split(prober.username, 1)[1].split("</tr>", 1)[0]
    assert ">3<" in row
