"""How long a session lasts: the idle timeout (ASVS 7.3.1), the absolute lifetime (7.3.2), and the
__Host- cookie whenever cookies are Secure (3.3.1). The clock is moved with time-machine."""

from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from inspection.security import hardening
from models import UserSession, db
from tests.factories import PASSWORD, csrf_token, make_user, sign_in

from .helpers import is_signed_in, text


@pytest.fixture
def user(tree):
    user = make_user(unit=tree["a"])
    db.session.commit()
    return user


def _later(start: datetime, **delta):
    return time_machine.travel(start + timedelta(**delta), tick=False)


def test_an_idle_session_ends_after_the_idle_timeout_counted_from_the_last_request(app, client, user):
    idle = app.config["SESSION_IDLE_MINUTES"]
    start = datetime.now().astimezone()
    sign_in(client, user)
    with _later(start, minutes=idle - 10):
        assert is_signed_in(client)  # used just before the timeout: the clock starts again
    with _later(start, minutes=2 * idle - 20):
        assert is_signed_in(client)
    with _later(start, minutes=3 * idle - 10):
        response = client.get("/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_session_in_daily_use_is_refused_after_its_absolute_lifetime(app, client, user):
    days, idle_hours = app.config["SESSION_MAX_DAYS"], app.config["SESSION_IDLE_MINUTES"] // 60
    assert days == 7
    sign_in(client, user)
    start = datetime.now().astimezone()  # after the sign-in, however long it took: its lifetime began before
    hours = idle_hours - 2
    while hours < days * 24:  # opened every ten hours: never idle
        with _later(start, hours=hours):
            assert is_signed_in(client), f"signed out after {hours} hours"
        hours += idle_hours - 2
    created = db.session.execute(select(UserSession.created_at).where(UserSession.user_id == user.id)).scalar_one()
    with _later(created, days=days, seconds=1):  # from the sign-in itself, not from before it
        response = client.get("/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        api = client.get("/api/v1/inspections/today")
        assert api.status_code == 401 and api.is_json
        sign_in(client, user)  # a new sign-in gets a new full lifetime
        assert is_signed_in(client)


def test_the_security_page_shows_when_each_session_ends(app, client, user):
    start = datetime(2026, 3, 2, 1, 30).astimezone()
    with _later(start):
        sign_in(client, user)
    with _later(start, hours=3):
        page = text(client.get("/account/security"))
    assert "Tự kết thúc lúc" in page
    assert "09/03/2026" in page  # signed in on 2 March: ends 7 days later, whatever the activity
    row = db.session.execute(select(UserSession).where(UserSession.user_id == user.id)).scalar_one()
    with _later(start, days=7, seconds=1):
        assert not is_signed_in(client)
        assert db.session.get(UserSession, row.id).revoked_at is None  # refused, not rewritten


@pytest.fixture
def secure_cookies(app):
    saved = dict(app.config)
    app.config["SESSION_COOKIE_SECURE"] = True
    hardening.name_cookies(app.config)
    yield
    app.config.clear()
    app.config.update(saved)


def test_a_secure_session_cookie_is_a_host_cookie_and_the_only_cookie(app, ctx, user, secure_cookies):
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    sign_in(client, user)
    assert client.get_cookie("session") is None
    cookie = client.get_cookie("__Host-session")
    assert cookie is not None and cookie.secure and cookie.http_only and cookie.path == "/"
    assert cookie.domain in ("", "localhost") and not cookie.domain.startswith(".")
    headers = _sign_in_headers(app, user)
    assert headers
    for header in headers:
        assert header.startswith("__Host-session="), header
        assert "Secure" in header and "Path=/" in header and "Domain=" not in header
    assert is_signed_in(client)


def _sign_in_headers(app, user) -> list[str]:
    fresh = app.test_client()
    fresh.environ_base["wsgi.url_scheme"] = "https"
    token = csrf_token(fresh, "/login")
    response = fresh.post("/login", data={"username": user.username, "password": PASSWORD,
                                          "csrf_token": token})
    assert response.status_code == 302
    return response.headers.getlist("Set-Cookie")


def test_plain_http_cookies_keep_their_plain_name(client, user):
    sign_in(client, user)
    assert client.get_cookie("session") is not None
    assert client.get_cookie("__Host-session") is None
