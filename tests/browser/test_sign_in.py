"""Each demo role signs in on a tablet, sees who they are and where, and signs out."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import sign_in, sign_out

pytestmark = pytest.mark.browser

# (account, role label on the home page, unit of the membership)
DEMO_ROLES = [
    ("admin", "Quản trị hệ thống", "Tỉnh Đồng Tháp"),
    ("leader", "Lãnh đạo UBND", "Ủy ban nhân dân tỉnh Đồng Tháp"),
    ("coordinator", "Đầu mối CCHC", "Ủy ban nhân dân tỉnh Đồng Tháp"),
    ("inspector", "Thành viên đoàn kiểm tra", "Sở Nội vụ"),
    ("officer", "Cán bộ, công chức đơn vị", "Ủy ban nhân dân xã An Phước"),
    ("head", "Thủ trưởng đơn vị", "Ủy ban nhân dân xã An Phước"),
]


def test_each_demo_role_signs_in_on_a_tablet_and_sees_role_and_unit(tablet, demo_site):
    for username, role_label, unit_name in DEMO_ROLES:
        sign_in(tablet, demo_site, username)
        roles = tablet.locator(".role-list li")
        assert roles.count() == 1, username
        assert roles.first.locator(".badge-role").inner_text() == role_label
        assert unit_name in roles.first.inner_text()
        sign_out(tablet, demo_site)
        assert tablet.locator(".flash-info").inner_text() == "Bạn đã đăng xuất."
        tablet.goto(f"{demo_site}/")
        assert tablet.url.startswith(f"{demo_site}/login"), f"{username} still signed in"


def test_wrong_password_is_refused_with_a_vietnamese_message(tablet, demo_site):
    tablet.goto(f"{demo_site}/login")
    tablet.fill("#username", "leader")
    tablet.fill("#password", "sai-mat-khau")
    tablet.click("main form button[type=submit]")
    expect(tablet.locator(".flash-error")).to_have_text(re.compile(r"^Tên đăng nhập hoặc mật khẩu không đúng\."))
    assert tablet.url == f"{demo_site}/login"
