"""Sign-in throttling: the lock answers like a wrong password, for real and unknown names alike,
and it holds across web processes because it lives in Redis."""

import html as html_lib
import re

import pytest
from sqlalchemy import select

from inspection.auth.services import BAD_CREDENTIALS
from models import AuditEvent, db
from tests.factories import PASSWORD, make_tree, make_user, sign_in

from .helpers import is_signed_in, password_step, text
from .webproc import Browser, web_process


@pytest.fixture
def user(tree):
    user = make_user(unit=tree["a"], username="nguyenvana")
    db.session.commit()
    return user


def _normalised(page: str, name: str) -> str:
    """The page with the typed name and the per-request CSRF token blanked out."""
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


def test_failures_lock_the_account_with_the_wrong_password_message(app, client, user, tree):
    limit = app.config["LOGIN_MAX_ATTEMPTS_PER_ACCOUNT"]
    answers = _attempts(client, user.username, limit)
    assert all(status == 200 and BAD_CREDENTIALS in page for status, page in answers)
    assert answers[-1][1] == answers[0][1]  # locked: the very page of a wrong password
    assert not is_signed_in(client)
    reasons = db.session.execute(select(AuditEvent.after).where(AuditEvent.action == "auth.login_failed"))
    assert [r["reason"] for r in reasons.scalars()] == ["bad_credentials"] * limit + ["throttled"]
    colleague = make_user(unit=tree["b"])
    db.session.commit()
    assert sign_in(client, colleague).headers["Location"] == "/"  # only that account is locked


def test_unknown_user_is_answered_like_a_real_one(app, client, user, tree):
    limit = app.config["LOGIN_MAX_ATTEMPTS_PER_ACCOUNT"]
    real = _attempts(client, user.username, limit)
    unknown = _attempts(app.test_client(), "nguyenvanb", limit)
    assert unknown == real


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
        for attempt in range(4):  # two failures on each process: neither alone reaches 4
            status, _headers, page = Browser(port_a if attempt % 2 else port_b).sign_in(user.username, "sai")
            assert status == 200 and BAD_CREDENTIALS in html_lib.unescape(page)
        for port in (port_a, port_b):
            status, _headers, page = Browser(port).sign_in(user.username, PASSWORD)
            assert status == 200 and BAD_CREDENTIALS in html_lib.unescape(page), port
        assert Browser(port_b).sign_in(colleague.username, PASSWORD)[0] == 302
