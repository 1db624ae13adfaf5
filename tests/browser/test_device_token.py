"""A registered tablet syncs with its device token: the inspector registers it on the field screen,
a finding taken without signal syncs after the session is gone (the cookies cleared, as when it
expired), and once an administrator revokes the device the next one stays on the tablet, with the
reason shown, until the inspector signs in again."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from inspection.admin.devices import revoke_device
from models import Device, Finding, User, db
from models.enums import Role
from tests.factories import PASSWORD, make_user

from .conftest import open_started, save_screenshot

pytestmark = pytest.mark.browser

SYNCED = "Đã đồng bộ hết dữ liệu trên máy."


def no_signal_for_writes(route):
    return route.abort("internetdisconnected") if route.request.method == "POST" else route.continue_()


def findings(inspection_id: int) -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(Finding)
                              .where(Finding.inspection_id == inspection_id)).scalar_one()


def queue_finding(page, text: str) -> None:
    page.context.route("**/api/v1/**", no_signal_for_writes)
    page.locator("#free-form .sev-minor").tap()
    page.fill("#free-description", text)
    page.locator("#free-form").get_by_role("button", name="Lưu tồn tại khác").tap()
    expect(page.locator("#outbox-why")).to_contain_text("Chưa có kết nối")
    page.context.unroute("**/api/v1/**")


def test_a_registered_tablet_syncs_without_a_session_until_it_is_revoked(started, new_context):
    page = open_started(new_context, started)
    page.goto(f"{started['url']}/field")  # the start screen of the day: register the tablet there
    page.locator("#device-state").tap()
    page.fill("#device-name", "Máy tính bảng đoàn 1")
    page.get_by_role("button", name="Đăng ký máy này").tap()
    expect(page.locator("#device-state")).to_have_text("Máy đã đăng ký đồng bộ: Máy tính bảng đoàn 1")
    save_screenshot(page, "offline-device-registered-800")
    page.goto(f"{started['url']}/field/{started['id']}")

    queue_finding(page, "Tồn tại 1: sổ tiếp nhận hồ sơ ghi thiếu ngày hẹn trả.")
    page.context.clear_cookies()  # the session is gone, as after an expiry
    page.locator("#outbox-sync").tap()
    expect(page.locator("#outbox-count")).to_have_text(SYNCED)
    assert findings(started["id"]) == 1
    device = db.session.execute(select(Device)).scalar_one()
    assert device.last_used_at is not None and device.user_id == started["lead"].id

    admin = make_user(role=Role.ADMIN, unit=db.session.get(User, started["leader"].id).memberships[0].unit)
    revoke_device(admin, device)
    queue_finding(page, "Tồn tại 2: chưa niêm yết số điện thoại đường dây nóng.")
    page.locator("#outbox-sync").tap()  # the token is refused, and there is no session to fall back on
    expect(page).to_have_url(f"{started['url']}/login?next=%2Ffield%2F{started['id']}")  # "Đồng bộ": sign in
    assert findings(started["id"]) == 1
    sign_in_to(page, started)
    expect(page.locator("#outbox-count")).to_have_text(SYNCED, timeout=30_000)  # through the session now
    assert findings(started["id"]) == 2
    page.goto(f"{started['url']}/field")
    expect(page.locator("#device-state")).to_have_text("Máy chưa đăng ký đồng bộ")  # the revoked token is gone


def sign_in_to(page, site) -> None:
    page.fill("#username", site["lead"].username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{site['url']}/field/{site['id']}")

