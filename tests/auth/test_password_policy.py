"""New passwords (ASVS 6.2.1, 6.2.4, 6.2.5, 6.2.9, 6.2.12): common and guessable ones are refused,
with the reason, at every place a password is set; nothing changes on a refusal."""

import re
import subprocess
import sys

import pytest
from sqlalchemy import select

from inspection.admin.users import temporary_password
from inspection.auth import password_policy
from inspection.demo.seed import DEMO_PASSWORD
from models import AuditEvent, User, db
from models.enums import Role
from tests.admin.helpers import USER_HEADER, confirm_from, post_form, upload, xlsx
from tests.factories import PASSWORD, make_user, sign_in

from .helpers import post, text

COMMON = "matkhau@123"
COMMON_MESSAGE = "nằm trong danh sách mật khẩu phổ biến"


def _choose(client, new: str, current: str = PASSWORD):
    return post(client, "/account/password", {"current_password": current, "new_password": new, "confirm": new})


def _changed(user) -> bool:
    stmt = select(AuditEvent.id).where(AuditEvent.action == "auth.password_changed",
                                       AuditEvent.target_id == str(user.id))
    return db.session.execute(stmt).first() is not None


def _refused_then_accepted(app, user, temporary: str) -> None:
    """The user signs in with a password issued to them, is sent to choose their own, and the
    common one is refused there with its reason; a strong one is then accepted."""
    newcomer = app.test_client()
    sign_in(newcomer, user, temporary)
    assert newcomer.get("/").headers["Location"].endswith("/account/password")
    refused = _choose(newcomer, COMMON, temporary)
    assert refused.status_code == 200 and COMMON_MESSAGE in text(refused)
    db.session.expire_all()
    assert db.session.get(User, user.id).must_change_password and not _changed(user)
    assert _choose(newcomer, "ghe-xuong-mua-trang", temporary).status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, user.id).must_change_password


def _issued(response) -> str:
    return re.search(r'<code class="secret">([^<]+)</code>', response.get_data(as_text=True)).group(1)


def test_a_common_password_is_refused_when_changing_ones_own(client, tree):
    user = make_user(unit=tree["a"])
    db.session.commit()
    sign_in(client, user)
    before = db.session.get(User, user.id).password_hash
    response = _choose(client, COMMON)
    assert response.status_code == 200 and COMMON_MESSAGE in text(response)
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == before and not _changed(user)


def test_a_common_password_is_refused_after_an_administrator_creates_the_account(app, client, login_as, tree):
    login_as(Role.ADMIN, "root")
    response = post_form(client, "/admin/users/new", {
        "username": "lethimen", "full_name": "Lê Thị Mến", "title": "", "email": "",
        "memberships-0-role": "unit_officer", "memberships-0-unit_id": str(tree["a"].id)})
    user = db.session.execute(select(User).where(User.username == "lethimen")).scalar_one()
    _refused_then_accepted(app, user, _issued(response))


def test_a_common_password_is_refused_after_an_administrator_resets_it(app, client, login_as, tree):
    login_as(Role.ADMIN, "root")
    user = make_user(unit=tree["a"])
    db.session.commit()
    response = post_form(client, f"/admin/users/{user.id}/reset-password", {}, form_path=f"/admin/users/{user.id}/edit")
    _refused_then_accepted(app, user, _issued(response))


def test_a_common_password_is_refused_for_an_imported_account(app, client, login_as, tree):
    login_as(Role.ADMIN, "root")
    sheet = xlsx([USER_HEADER, ["tran.an", "Trần An", "Công chức", "", "unit_officer", tree["a"].code]])
    assert confirm_from(client, "users", text(upload(client, "users", sheet))).status_code == 302
    user = db.session.execute(select(User).where(User.username == "tran.an")).scalar_one()
    # an imported account has no password until an administrator issues one
    response = post_form(client, f"/admin/users/{user.id}/reset-password", {}, form_path=f"/admin/users/{user.id}/edit")
    _refused_then_accepted(app, user, _issued(response))


def test_a_common_password_is_refused_by_flask_create_admin(app, ctx):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "quantri", "--password", COMMON])
    assert result.exit_code == 1 and COMMON_MESSAGE in result.output
    result = runner.invoke(args=["create-admin", "quantri", "--password", "quantri-2025"])
    assert result.exit_code == 1 and "không được chứa tên đăng nhập" in result.output
    assert db.session.execute(select(User).where(User.username == "quantri")).first() is None
    result = runner.invoke(args=["create-admin", "quantri", "--password", "ghe-xuong-mua-trang"])
    assert result.exit_code == 0, result.output


REFUSALS = [
    ("matkhau", "Mật khẩu phải có ít nhất 10 ký tự."),  # 6.2.1
    ("123456a@", "Mật khẩu phải có ít nhất 10 ký tự."),
    ("Mật khẩu 123", COMMON_MESSAGE),  # diacritics and spaces do not hide it
    ("123456789a@", COMMON_MESSAGE),
    ("anhyeuem123", COMMON_MESSAGE),
    ("hoa1990@hoa", "Mật khẩu chỉ gồm họ tên người"),
    ("Trần Thị Hoa 1990", "Mật khẩu chỉ gồm họ tên người"),
    ("nguyenvana@1985", "Mật khẩu chỉ gồm họ tên người"),
    ("zxcvbnm,./1", "dãy phím liền nhau"),
    ("abcdefghijk1", "dãy liên tiếp như abc hoặc 123"),
    ("xoxoxoxoxoxo", "lặp lại"),
    ("01/02/1990-a", "ngày tháng hoặc năm dễ đoán"),
    ("dongthap2024!", "có từ thông dụng, tên người, địa danh"),
    ("nguoidung77-an", "không được chứa tên đăng nhập"),
    ("x" * 201, "Mật khẩu dài tối đa 200 ký tự."),
]


@pytest.mark.parametrize(("password", "reason"), REFUSALS)
def test_each_refusal_says_why(client, tree, password, reason):
    user = make_user(unit=tree["a"], username="nguoidung77")
    db.session.commit()
    sign_in(client, user)
    response = _choose(client, password)
    assert response.status_code == 200 and reason in text(response)
    assert not _changed(user)


@pytest.mark.parametrize("password", [
    "ghe-xuong-mua-trang",  # a phrase of plain lower-case words: no composition rule (6.2.5)
    "hoa sen nở giữa đồng tháp mười",
    "Ngày mai trời lại sáng, đoàn kiểm tra về xã An Phước lúc bảy giờ sáng thứ Hai tuần sau nhé!!",  # 64+ (6.2.9)
])
def test_strong_passwords_of_any_shape_are_accepted(client, tree, password):
    user = make_user(unit=tree["a"])
    db.session.commit()
    sign_in(client, user)
    assert _choose(client, password).status_code == 302
    assert _changed(user)


def test_the_minimum_length_is_a_setting(app, client, tree):
    user = make_user(unit=tree["a"])
    db.session.commit()
    sign_in(client, user)
    app.config["PASSWORD_MIN_LENGTH"] = 16
    try:
        response = _choose(client, "ghe-xuong-mua-a")
    finally:
        app.config["PASSWORD_MIN_LENGTH"] = 10
    assert "Mật khẩu phải có ít nhất 16 ký tự." in text(response) and not _changed(user)


def test_the_reason_is_given_in_english_to_an_english_user(client, tree):
    user = make_user(unit=tree["a"], locale="en")
    db.session.commit()
    sign_in(client, user)
    page = text(_choose(client, COMMON))
    assert "is on the list of common passwords" in page
    assert "at least 10 characters" in text(_choose(client, "short1"))


def test_the_demo_test_and_issued_passwords_meet_the_policy(app, ctx):
    for password in [DEMO_PASSWORD, PASSWORD] + [temporary_password() for _ in range(30)]:
        password_policy.check_new_password(password)


def test_the_bundled_list_holds_vietnamese_passwords_and_names_with_years_and_is_rebuilt_as_committed():
    common = password_policy.common_passwords()
    assert {"matkhau", "123456a@", "anhyeuem", "ubnd@123", "nguyen1990", "hoa@1985", "123456"} <= common
    assert len(common) > 10_000
    committed = password_policy.DATA.joinpath("common_passwords.txt").read_bytes()
    subprocess.run([sys.executable, "tools/build_common_passwords.py"], check=True)
    assert password_policy.DATA.joinpath("common_passwords.txt").read_bytes() == committed
