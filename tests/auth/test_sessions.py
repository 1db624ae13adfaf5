"""Server-side sessions: each way a session ends, seen from two devices of one user."""

import pytest
from sqlalchemy import func, select

from inspection.auth import services
from inspection.auth.queries import session_handle
from inspection.data.transaction import unit_of_work
from models import AuditEvent, UserSession, db
from tests.factories import PASSWORD, make_user, sign_in

from .helpers import device, is_signed_in, post, text


@pytest.fixture
def user(tree):
    user = make_user(unit=tree["a"])
    db.session.commit()
    return user


@pytest.fixture
def phone_and_laptop(app, user):
    phone, laptop = device(app, "phone"), device(app, "laptop")
    sign_in(phone, user)
    sign_in(laptop, user)
    assert is_signed_in(phone) and is_signed_in(laptop)
    return phone, laptop


def _open_sessions(user) -> int:
    stmt = select(func.count()).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    return db.session.execute(stmt).scalar_one()


def test_sign_out_ends_only_this_session(phone_and_laptop, user):
    phone, laptop = phone_and_laptop
    response = post(phone, "/logout", token_from="/")
    assert response.headers["Location"].endswith("/login")
    assert not is_signed_in(phone)
    assert is_signed_in(laptop)
    assert _open_sessions(user) == 1


def test_sign_out_everywhere_ends_every_session(phone_and_laptop, user):
    phone, laptop = phone_and_laptop
    post(phone, "/logout-all", token_from="/")
    assert not is_signed_in(phone)
    assert not is_signed_in(laptop)
    assert _open_sessions(user) == 0


def test_password_change_ends_the_other_sessions(phone_and_laptop, user):
    phone, laptop = phone_and_laptop
    response = post(phone, "/account/password", {"current_password": PASSWORD,
                                                  "new_password": "mat-khau-moi-2025", "confirm": "mat-khau-moi-2025"})
    assert response.status_code == 302
    assert is_signed_in(phone)
    assert not is_signed_in(laptop)
    assert "không đúng" in text(post(laptop, "/login", {"username": user.username, "password": PASSWORD}))


def test_deactivated_user_is_signed_out_everywhere_at_the_next_request(phone_and_laptop, user):
    phone, laptop = phone_and_laptop
    user.is_active = False
    db.session.commit()
    assert not is_signed_in(phone)
    assert not is_signed_in(laptop)


def test_sessions_revoked_by_an_administrator_end_at_the_next_request(phone_and_laptop, user):
    phone, laptop = phone_and_laptop
    with unit_of_work():
        assert services.revoke_sessions(user, "revoked_by_admin") == 2
    assert not is_signed_in(phone)
    assert not is_signed_in(laptop)
    reasons = db.session.execute(select(UserSession.revoked_reason).where(UserSession.user_id == user.id))
    assert set(reasons.scalars()) == {"revoked_by_admin"}


def test_security_page_lists_each_device_and_ends_one(phone_and_laptop, user):
    phone, laptop = phone_and_laptop
    page = text(phone.get("/account/security"))
    assert "Chrome · Android" in page and "Edge · Windows" in page
    assert "Phiên này" in page
    laptop_row = db.session.execute(select(UserSession).where(
        UserSession.user_id == user.id, UserSession.user_agent.contains("Windows"))).scalar_one()
    assert laptop_row.id not in page  # the bearer id never reaches the page
    response = post(phone, f"/account/sessions/{session_handle(laptop_row.id)}/end", token_from="/account/security")
    assert "Đã kết thúc phiên đăng nhập trên Edge · Windows" in text(phone.get(response.headers["Location"]))
    assert not is_signed_in(laptop)
    assert is_signed_in(phone)


def test_ending_this_session_from_the_security_page_signs_out(phone_and_laptop, user):
    phone, laptop = phone_and_laptop
    phone_row = db.session.execute(select(UserSession).where(
        UserSession.user_id == user.id, UserSession.user_agent.contains("Android"))).scalar_one()
    response = post(phone, f"/account/sessions/{session_handle(phone_row.id)}/end", token_from="/account/security")
    assert response.headers["Location"].endswith("/login")
    assert not is_signed_in(phone)
    assert is_signed_in(laptop)


def test_another_users_session_cannot_be_ended(app, phone_and_laptop, tree):
    phone, _laptop = phone_and_laptop
    stranger = make_user(unit=tree["b"])
    db.session.commit()
    theirs = device(app, "tablet")
    sign_in(theirs, stranger)
    their_row = db.session.execute(select(UserSession).where(UserSession.user_id == stranger.id)).scalar_one()
    for handle in (session_handle(their_row.id), "khong-ton-tai", their_row.id):
        response = post(phone, f"/account/sessions/{handle}/end", token_from="/account/security")
        assert response.status_code == 404
    assert is_signed_in(theirs)


def test_sign_in_without_csrf_token_is_refused_and_opens_no_session(client, user):
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 400
    assert _open_sessions(user) == 0
    assert not is_signed_in(client)


def test_over_long_username_gets_a_clear_message(client, user):
    response = post(client, "/login", {"username": "a" * 61, "password": PASSWORD})
    assert response.status_code == 200
    assert "Tên đăng nhập dài tối đa 60 ký tự." in text(response)
    assert db.session.execute(select(func.count(UserSession.id))).scalar_one() == 0


def test_sign_in_and_failure_are_audited(client, user):
    post(client, "/login", {"username": user.username, "password": "sai-mat-khau"})
    sign_in(client, user)
    actions = db.session.execute(select(AuditEvent.action).order_by(AuditEvent.seq)).scalars().all()
    assert actions[-2:] == ["auth.login_failed", "auth.login"]
