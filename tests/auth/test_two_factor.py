"""Two-factor sign-in: enrolment, the second step, replay, recovery codes, the role setting."""

import re

import pytest
from sqlalchemy import select

from inspection.auth import second_factor, totp
from inspection.errors import Forbidden
from models import AuditEvent, RecoveryCode, User, UserSession, db
from models.enums import Role
from tests.factories import PASSWORD, make_user, sign_in, totp_code

from .helpers import ENROL, device, enrol, is_signed_in, password_step, post, second_step, text


@pytest.fixture
def user(tree):
    user = make_user(unit=tree["a"])
    db.session.commit()
    return user


@pytest.fixture
def enrolled(app, user):
    """The user with two-factor on; returns their ten recovery codes."""
    setup = device(app, "laptop")
    sign_in(setup, user)
    return enrol(setup, user)


@pytest.fixture
def leaders_need_2fa(app):
    """The production setting: admin and leader must use two-factor sign-in."""
    saved = app.config["TWO_FACTOR_REQUIRED_ROLES"]
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = frozenset({Role.ADMIN, Role.LEADER})
    yield
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = saved


def _audit_actions() -> list[str]:
    return list(db.session.execute(select(AuditEvent.action).order_by(AuditEvent.seq)).scalars())


def test_enrolment_shows_secret_and_qr_then_ten_codes_stored_hashed(app, user):
    client = device(app, "laptop")
    sign_in(client, user)
    post(client, f"{ENROL}/start", token_from=ENROL)
    secret = db.session.execute(select(User.totp_secret).where(User.id == user.id)).scalar_one()
    page = text(client.get(ENROL))
    assert totp.grouped(secret) in page and 'src="/account/two-factor/qr.svg"' in page
    qr = client.get("/account/two-factor/qr.svg")
    assert qr.mimetype == "image/svg+xml" and qr.data.startswith(b"<svg")
    assert qr.headers["Cache-Control"] == "no-store"
    codes = enrol(client, user)
    assert len(set(codes)) == 10
    stored = db.session.execute(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).scalars().all()
    assert len(stored) == 10 and not set(codes) & set(stored)
    assert client.get("/account/two-factor/qr.svg").status_code == 404  # never shown again
    assert "Còn 10 mã khôi phục chưa dùng." in text(client.get("/account/security"))
    assert {"auth.totp_enrolment_started", "auth.totp_enabled"} <= set(_audit_actions())


def test_wrong_code_at_enrolment_leaves_two_factor_off(client, user):
    sign_in(client, user)
    post(client, f"{ENROL}/start", token_from=ENROL)
    response = post(client, ENROL, {"code": "000000" if totp_code(user) != "000000" else "111111"})
    assert second_factor.WRONG_CODE in text(response)
    db.session.expire_all()
    assert not db.session.get(User, user.id).totp_enabled


def test_enabling_two_factor_ends_the_other_sessions(app, user):
    phone, laptop = device(app, "phone"), device(app, "laptop")
    sign_in(phone, user)
    sign_in(laptop, user)
    enrol(laptop, user)
    assert is_signed_in(laptop)
    assert not is_signed_in(phone)


def test_sign_in_asks_for_the_code_before_the_session_counts(app, user, enrolled):
    client = device(app, "phone")
    response = password_step(client, user, PASSWORD)
    assert "/login/two-factor" in response.headers["Location"]
    for path in ("/", "/account/security", "/account/password", "/admin/units"):
        assert "/login/two-factor" in client.get(path).headers["Location"], path
    row = db.session.execute(select(UserSession).where(UserSession.user_agent.contains("Android"))).scalar_one()
    assert not row.is_second_factor_done
    page = text(client.get("/login/two-factor"))
    assert "Nhập mã xác thực" in page and "Bảo mật tài khoản" not in page  # no menus that lead nowhere
    assert second_step(client, code=totp_code(user)).status_code == 302
    assert is_signed_in(client)


def test_half_signed_in_session_cannot_change_the_password_or_the_secret(app, user, enrolled):
    client = device(app, "phone")
    password_step(client, user, PASSWORD)
    db.session.refresh(user)
    password_hash, secret = user.password_hash, user.totp_secret
    token = text(client.get("/login/two-factor")).split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/account/password", data={"csrf_token": token, "current_password": PASSWORD,
                                           "new_password": "mat-khau-ke-gian-1", "confirm": "mat-khau-ke-gian-1"})
    client.post(f"{ENROL}/start", data={"csrf_token": token})
    client.post("/account/two-factor/disable", data={"csrf_token": token, "proof": PASSWORD})
    db.session.expire_all()
    after = db.session.get(User, user.id)
    assert after.totp_enabled
    assert (after.password_hash, after.totp_secret) == (password_hash, secret)


def test_wrong_code_is_refused_with_a_clear_message(app, user, enrolled):
    client = device(app, "phone")
    password_step(client, user, PASSWORD)
    wrong = "123456" if totp_code(user) != "123456" else "654321"
    response = second_step(client, code=wrong)
    assert second_factor.WRONG_CODE in text(response)
    assert not is_signed_in(client)
    assert "auth.second_factor_failed" in _audit_actions()


def test_replayed_code_is_refused(app, user, enrolled):
    phone, tablet = device(app, "phone"), device(app, "tablet")
    code = totp_code(user)
    password_step(phone, user, PASSWORD)
    assert second_step(phone, code=code).status_code == 302
    password_step(tablet, user, PASSWORD)
    response = second_step(tablet, code=code)
    assert "Mã này vừa được dùng" in text(response)
    assert not is_signed_in(tablet)
    assert is_signed_in(phone)


def test_recovery_code_works_once(app, user, enrolled):
    phone, tablet, laptop = device(app, "phone"), device(app, "tablet"), device(app, "laptop")
    password_step(phone, user, PASSWORD)
    assert second_step(phone, recovery_code=enrolled[0].lower().replace("-", " ")).status_code == 302
    assert is_signed_in(phone)
    password_step(tablet, user, PASSWORD)
    assert second_factor.WRONG_RECOVERY_CODE in text(second_step(tablet, recovery_code=enrolled[0]))
    assert not is_signed_in(tablet)
    password_step(laptop, user, PASSWORD)
    assert second_step(laptop, recovery_code=enrolled[1]).status_code == 302
    assert "Còn 8 mã khôi phục chưa dùng." in text(phone.get("/account/security"))
    assert _audit_actions().count("auth.recovery_code_used") == 2


def test_second_factor_attempts_are_throttled(app, user, enrolled):
    client = device(app, "phone")
    password_step(client, user, PASSWORD)
    right = totp_code(user)
    wrong = next(c for c in ("111111", "222222", "333333") if c not in (right, totp_code(user)))
    for _ in range(app.config["LOGIN_MAX_ATTEMPTS_PER_ACCOUNT"]):
        assert second_factor.WRONG_CODE in text(second_step(client, code=wrong))
    response = second_step(client, code=totp_code(user))
    assert second_factor.TOO_MANY in text(response)
    assert not is_signed_in(client)
    reasons = db.session.execute(select(AuditEvent.after).where(AuditEvent.action == "auth.second_factor_failed"))
    assert [r["reason"] for r in reasons.scalars()][-1] == "throttled"


def test_disabling_needs_the_password_or_a_current_code(app, user, enrolled):
    client = device(app, "phone")
    password_step(client, user, PASSWORD)
    second_step(client, recovery_code=enrolled[0])  # keeps the next code step free for the proof
    response = post(client, "/account/two-factor/disable", {"proof": "khong-phai-mat-khau"})
    assert second_factor.WRONG_PROOF in text(response)
    response = post(client, "/account/two-factor/disable", {"proof": totp_code(user)})
    assert "Đã tắt xác thực hai lớp" in text(client.get(response.headers["Location"]))
    assert db.session.execute(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).first() is None
    fresh = device(app, "tablet")
    assert password_step(fresh, user, PASSWORD).headers["Location"] == "/"
    assert "auth.totp_disabled" in _audit_actions()


def test_disabling_ends_sign_ins_stopped_at_the_code_step(app, user, enrolled):
    stranger, owner = device(app, "tablet"), device(app, "phone")
    password_step(stranger, user, PASSWORD)  # someone who knows the password, but has no phone
    password_step(owner, user, PASSWORD)
    second_step(owner, recovery_code=enrolled[0])
    post(owner, "/account/two-factor/disable", {"proof": PASSWORD})
    assert is_signed_in(owner)
    assert not is_signed_in(stranger)
    assert stranger.get("/").headers["Location"].startswith("/login?")  # back to the password


def test_new_recovery_codes_replace_the_old_ones(app, user, enrolled):
    client = device(app, "phone")
    sign_in(client, user)
    response = post(client, "/account/two-factor/recovery-codes", {"proof": PASSWORD})
    new_codes = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", text(response))
    assert len(new_codes) == 10 and not set(new_codes) & set(enrolled)
    tablet = device(app, "tablet")
    password_step(tablet, user, PASSWORD)
    assert second_factor.WRONG_RECOVERY_CODE in text(second_step(tablet, recovery_code=enrolled[2]))


def test_required_role_is_sent_to_enrolment_until_it_is_done(app, tree, leaders_need_2fa):
    leader = make_user(role=Role.LEADER, unit=tree["pc"])
    db.session.commit()
    client = device(app, "laptop")
    sign_in(client, leader)
    for path in ("/", "/account/security", "/admin/units"):
        assert client.get(path).headers["Location"].endswith(ENROL), path
    assert "Vai trò của bạn bắt buộc" in text(client.get(ENROL))
    post(client, f"{ENROL}/start", token_from=ENROL)
    assert client.get("/account/two-factor/qr.svg").status_code == 200  # part of the step
    enrol(client, leader)
    assert is_signed_in(client)


def test_required_role_cannot_turn_two_factor_off(app, tree, leaders_need_2fa):
    leader = make_user(role=Role.LEADER, unit=tree["pc"])
    db.session.commit()
    client = device(app, "laptop")
    sign_in(client, leader)
    enrol(client, leader)
    assert "Tắt xác thực hai lớp" not in text(client.get("/account/security"))
    response = post(client, "/account/two-factor/disable", {"proof": PASSWORD})
    assert second_factor.REQUIRED in text(response)
    db.session.expire_all()
    assert db.session.get(User, leader.id).totp_enabled


def test_roles_outside_the_setting_are_not_forced(app, tree, leaders_need_2fa):
    officer = make_user(role=Role.UNIT_OFFICER, unit=tree["a"])
    db.session.commit()
    client = device(app, "phone")
    sign_in(client, officer)
    assert is_signed_in(client)


def test_demo_profile_requires_two_factor_of_no_one(app, tree):
    assert app.config["TWO_FACTOR_REQUIRED_ROLES"] == frozenset()
    leader = make_user(role=Role.LEADER, unit=tree["pc"])
    db.session.commit()
    client = device(app, "phone")
    sign_in(client, leader)
    assert is_signed_in(client)


def test_sign_in_helper_passes_the_code_step_for_enrolled_users(app, user, enrolled):
    client = device(app, "tablet")
    assert sign_in(client, user).headers["Location"] == "/"
    assert is_signed_in(client)


def test_administrator_resets_a_lost_second_factor(app, user, enrolled, tree):
    admin = make_user(role=Role.ADMIN, unit=tree["root"])
    colleague = make_user(role=Role.UNIT_HEAD, unit=tree["a"])
    phone = device(app, "phone")
    sign_in(phone, user)
    db.session.expire_all()  # the administrator's request loads the user as it is now
    with pytest.raises(Forbidden):
        second_factor.reset_two_factor(colleague, user)
    second_factor.reset_two_factor(admin, user)
    assert not is_signed_in(phone)
    assert password_step(device(app, "tablet"), user, PASSWORD).headers["Location"] == "/"
    assert db.session.execute(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).first() is None
    assert _audit_actions()[-2:] == ["auth.totp_reset", "auth.login"]
