"""Rate limits beyond sign-in (ASVS 2.4.1): POSTs and the API, per user and per address, shared by
every web process through Redis; a Vietnamese 429 page, JSON for the API."""

import html as html_lib
import re

import pytest
from sqlalchemy import select

from inspection.security.ratelimit import parse_rates
from models import SecurityEvent, db
from models.enums import Role
from tests.auth.webproc import Browser, web_process
from tests.factories import PASSWORD, csrf_token, make_tree, make_user

TOO_MANY = "Bạn gửi quá nhiều yêu cầu trong thời gian ngắn"


def _token(browser: Browser) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', browser.request("GET", "/")[2]).group(1)


@pytest.mark.committed
def test_a_write_limit_is_shared_by_two_web_processes(committed, database_url, redis_url, tmp_path):
    tree = make_tree()
    user = make_user(unit=tree["a"], username="canbo.gioihan")
    colleague = make_user(unit=tree["a"], username="canbo.dongnghiep")
    db.session.commit()
    limits = {"CCHC_RATE_LIMIT_WEB_USER": "4/minute", "CCHC_RATE_LIMIT_ADDRESS": "1000/minute"}
    with (web_process(database_url, redis_url, tmp_path, **limits) as port_a,
          web_process(database_url, redis_url, tmp_path, **limits) as port_b):
        on_a, on_b = Browser(port_a), Browser(port_b)
        assert on_a.sign_in(user.username, PASSWORD)[0] == 302
        token = _token(on_a)
        on_b.cookies = dict(on_a.cookies)  # one session, two processes (behind a load balancer)
        for attempt in range(4):  # two writes on each process: neither alone reaches 4
            status = (on_a if attempt % 2 else on_b).request("POST", "/notifications/read", {"csrf_token": token})[0]
            assert status == 303, attempt
        for browser in (on_a, on_b):
            status, headers, page = browser.request("POST", "/notifications/read", {"csrf_token": token})
            assert status == 429 and TOO_MANY in html_lib.unescape(page)
            assert 1 <= int(headers["Retry-After"]) <= 60
        assert on_a.request("GET", "/")[0] == 200  # reading is not limited
        other = Browser(port_b)
        assert other.sign_in(colleague.username, PASSWORD)[0] == 302
        assert other.request("POST", "/notifications/read", {"csrf_token": _token(other)})[0] == 303  # per user
    rows = db.session.execute(select(SecurityEvent.kind, SecurityEvent.user_id, SecurityEvent.status)).all()
    assert rows == [("rate_limited", user.id, 429)]  # two refusals within a minute: logged once


def test_the_api_answers_429_json_per_user_and_the_address_limit_stops_everyone(app, client, login_as,
                                                                                  monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMIT_API_USER", "3/minute")
    login_as(Role.INSPECTOR, "dept")
    answers = [client.get("/api/v1/inspections/today") for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    body = answers[-1].get_json()
    assert body["code"] == "rate_limited" and TOO_MANY in body["error"]
    # three at once, then one every 20 s: the tablet is told to come back in about 20 s, not a minute
    assert 15 <= int(answers[-1].headers["Retry-After"]) == body["retry_after"] <= 20
    monkeypatch.setitem(app.config, "RATE_LIMIT_ADDRESS", "2/minute")
    visitor = app.test_client()  # not signed in: counted by its address only
    form = {"username": "ai-do", "password": "x", "csrf_token": csrf_token(visitor)}
    answers = [visitor.post("/login", data=form) for _ in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 429]
    assert TOO_MANY in html_lib.unescape(answers[-1].get_data(as_text=True))


def test_a_person_at_work_is_never_limited(app, client, login_as):
    """The defaults let a person post a form every second for a minute, and a tablet sync a day's
    outbox at the offline soak's pace (bench/offline.py: 3,100 requests in 90 s)."""
    login_as(Role.UNIT_OFFICER, "a")
    token = csrf_token(client, "/")
    assert {client.post("/notifications/read", data={"csrf_token": token}).status_code for _ in range(60)} == {303}
    soak = 3100 / 90  # requests a second
    api = parse_rates(app.config["RATE_LIMIT_API_USER"])
    address = parse_rates(app.config["RATE_LIMIT_ADDRESS"])
    for rate in api + address:  # GCRA: `limit` at once, then limit per interval
        assert rate.limit + rate.limit * 90_000 / rate.interval > 2 * 3100, rate
        assert rate.limit * 1000 / rate.interval > soak or rate.limit > 2 * 3100, rate


def test_a_mistyped_limit_stops_the_start():
    with pytest.raises(ValueError, match="N/minute"):
        parse_rates("100/minutes")
