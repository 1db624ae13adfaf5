"""Sign-in throttling: the lock says so and until when, for real and unknown names alike (so it
tells nothing of whether an account exists); an office behind one address is not locked out by its
own people's typos; and the lock holds across web processes because it lives in Redis."""

import html as html_lib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from inspection.auth.services import BAD_CREDENTIALS
from inspection.language.formatting import TZ
from models import AuditEvent, db, utcnow
from tests.factories import PASSWORD, make_tree, make_user, sign_in

from .helpers import is_signed_in, password_step, text
from .webproc import Browser, web_process


@pytest.fixture
def user(tree):
    user = make_user(unit=tree["a"], username="nguyenvana")
    db.session.commit()
    return user


def _normalised(page: str, name: str) -> str:
    """The page with the typed name, the per-request CSRF token and times blanked out."""
    page = re.sub(r"\d\d:\d\d \d\d/\d\d/\d{4}", "HH:MM dd/mm/yyyy", page)  # a lock's end: minutes apart
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1", page).replace(name, "NAME")


def _attempts(client, username: str, limit: int) -> list[tuple[int, str]]:
    """`limit` wrong passwords, then the right one; each answer's status and page."""
    answers = []
    for password in ["sai-mat-khau"] * limit + [PASSWORD]:
        response = client.post("/login", data={"username": username, "password": password,
                                               "csrf_token": _token(client)})
        answers.append((response.status_code, _normalised(text(response), username)))
    return answers


def _token(client) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text(client.get("/login"))).group(1)


ACCOUNT_LOCKED = ("Tài khoản “NAME” tạm bị khóa đăng nhập do nhập sai mật khẩu nhiều lần liên tiếp. "
                  "Vui lòng thử lại sau")


def _until(app, said: str, page: str) -> bool:
    """Does `page` say `said` and the end of a lock that set in within the last minute?"""
    end = utcnow().astimezone(TZ) + timedelta(seconds=app.config["LOGIN_THROTTLE_SECONDS"])
    return any(f"{said} {end - timedelta(minutes=m):%H:%M %d/%m/%Y}" in page for m in (0, 1))


def test_failures_lock_the_account_and_say_so_and_until_when(app, client, user, tree):
    limit = app.config["LOGIN_MAX_ATTEMPTS_PER_ACCOUNT"]
    answers = _attempts(client, user.username, limit)
    assert all(status == 200 for status, _page in answers)
    assert all(BAD_CREDENTIALS in page for _status, page in answers[:limit - 1])
    for _status, page in answers[limit - 1:]:  # the failure that sets the lock in, then the right password
        assert f"{ACCOUNT_LOCKED} HH:MM dd/mm/yyyy" in page and BAD_CREDENTIALS not in page
    again = client.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": _token(client)})
    assert _until(app, ACCOUNT_LOCKED.replace("NAME", user.username), text(again))
    assert not is_signed_in(client)
    reasons = db.session.execute(select(AuditEvent.after).where(AuditEvent.action == "auth.login_failed"))
    assert [r["reason"] for r in reasons.scalars()] == ["bad_credentials"] * limit + ["throttled"] * 2
    colleague = make_user(unit=tree["b"])
    db.session.commit()
    assert sign_in(client, colleague).headers["Location"] == "/"  # only that account is locked


def test_unknown_user_is_answered_like_a_real_one(app, client, user, tree):
    limit = app.config["LOGIN_MAX_ATTEMPTS_PER_ACCOUNT"]
    real = _attempts(client, user.username, limit)
    unknown = _attempts(app.test_client(), "nguyenvanb", limit)
    assert unknown == real


def test_an_office_behind_one_address_is_not_locked_out_by_its_own_typos(app, tree):
    """Twelve colleagues behind the office's NAT address each mistype their password twice (24
    failures, over the old per-address limit of 20): each still signs in."""
    colleagues = [make_user(unit=tree["a"], username=f"canbo{n:02d}") for n in range(12)]
    db.session.commit()
    office = {"REMOTE_ADDR": "203.113.10.5"}
    for colleague in colleagues:
        client = app.test_client()
        for _ in range(2):
            client.post("/login", data={"username": colleague.username, "password": "sai-mat-khau",
                                        "csrf_token": _token(client)}, environ_base=office)
    for colleague in colleagues:
        client = app.test_client()
        response = client.post("/login", data={"username": colleague.username, "password": PASSWORD,
                                               "csrf_token": _token(client)}, environ_base=office)
        assert response.status_code == 302, (colleague.username, text(response)[:300])


def test_one_address_trying_many_names_is_locked_and_told_so(app, user):
    limit = app.config["LOGIN_MAX_ATTEMPTS_PER_ADDRESS"]
    sprayer = {"REMOTE_ADDR": "198.51.100.7"}
    client = app.test_client()
    for n in range(limit):
        client.post("/login", data={"username": f"doan-ten-{n}", "password": "123456",
                                    "csrf_token": _token(client)}, environ_base=sprayer)
    response = client.post("/login", data={"username": user.username, "password": PASSWORD,
                                           "csrf_token": _token(client)}, environ_base=sprayer)
    page = html_lib.unescape(text(response))
    assert response.status_code == 200 and "(địa chỉ 198.51.100.7) tạm bị khóa đăng nhập" in page
    assert _until(app, "Vui lòng thử lại sau", page)
    assert sign_in(app.test_client(), user).headers["Location"] == "/"  # from another address: signs in


def test_inactive_user_gets_the_wrong_password_message(client, user):
    user.is_active = False
    db.session.commit()
    response = password_step(client, user, PASSWORD)
    assert response.status_code == 200
    assert BAD_CREDENTIALS in html_lib.unescape(response.get_data(as_text=True))
    assert not is_signed_in(client)


@pytest.mark.committed
def test_lock_is_shared_by_two_web_processes(committed, database_url, redis_url, tmp_path):
    tree = make_tree()
    user = make_user(unit=tree["a"], username="lanhdao.thu")
    colleague = make_user(unit=tree["b"], username="canbo.thu")
    db.session.commit()
    limits = {"CCHC_LOGIN_MAX_PER_ACCOUNT": "4", "CCHC_LOGIN_MAX_PER_ADDRESS": "100"}
    with (web_process(database_url, redis_url, tmp_path, **limits) as port_a,
          web_process(database_url, redis_url, tmp_path, **limits) as port_b):
        assert Browser(port_a).sign_in(user.username, PASSWORD)[0] == 302  # both serve the user
        assert Browser(port_b).sign_in(user.username, PASSWORD)[0] == 302
        for attempt in range(3):  # failures on each process: neither alone reaches 4
            status, _headers, page = Browser(port_a if attempt % 2 else port_b).sign_in(user.username, "sai")
            assert status == 200 and BAD_CREDENTIALS in html_lib.unescape(page)
        status, _headers, page = Browser(port_a).sign_in(user.username, "sai")  # the 4th sets the lock in
        assert status == 200 and "tạm bị khóa đăng nhập" in html_lib.unescape(page)
        for port in (port_a, port_b):
            status, _headers, page = Browser(port).sign_in(user.username, PASSWORD)
            assert status == 200 and "tạm bị khóa đăng nhập" in html_lib.unescape(page), port
        assert Browser(port_b).sign_in(colleague.username, PASSWORD)[0] == 302
