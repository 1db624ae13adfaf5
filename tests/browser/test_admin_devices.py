"""The administrator's list of registered tablets: who registered which, when it was last used, and
revoking one (the row then says so). Screens at tablet and desktop size."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from inspection.admin.devices import register_device
from models import Device, User, db

from .conftest import DESKTOP, TABLET, save_screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [TABLET, DESKTOP], ids=["800", "1366"])
def test_an_administrator_revokes_a_registered_tablet(new_context, demo_site, viewport):
    inspector = db.session.execute(select(User).where(User.username == "inspector")).scalar_one()
    register_device(inspector, name="Máy tính bảng đoàn kiểm tra số 1")
    register_device(inspector, name="Máy tính bảng dự phòng")
    page = new_context(viewport).new_page()
    sign_in(page, demo_site, "admin")
    page.goto(f"{demo_site}/admin/users")
    page.get_by_role("link", name="Thiết bị đồng bộ").click()
    rows = page.locator(".device-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(inspector.full_name)
    page.wait_for_load_state()  # the width of the whole page, styled
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    target = rows.filter(has_text="Máy tính bảng dự phòng")
    target.get_by_role("button", name="Thu hồi").click()
    expect(page.locator(".flash").first).to_contain_text("Đã thu hồi thiết bị")
    expect(rows.filter(has_text="Máy tính bảng dự phòng")).to_contain_text("Đã thu hồi")
    save_screenshot(page, f"admin-devices-{viewport['width']}")
    db.session.expire_all()
    revoked = db.session.execute(select(Device).where(Device.revoked_at.is_not(None))).scalars().all()
    assert [d.name for d in revoked] == ["Máy tính bảng dự phòng"]
