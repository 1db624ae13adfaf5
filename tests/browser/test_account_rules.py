"""In the browser: a common password refused with its reason, and an administrator requiring
two-factor sign-in of a role, then reading who has not enrolled (tablet and desktop)."""

from playwright.sync_api import expect

from inspection.demo.seed import DEMO_PASSWORD

from .conftest import DESKTOP, TABLET, save_screenshot, sign_in


def test_a_common_password_is_refused_with_its_reason_on_the_tablet(tablet, demo_site):
    sign_in(tablet, demo_site, "officer")
    tablet.goto(f"{demo_site}/account/password")
    tablet.fill("#current_password", DEMO_PASSWORD)
    tablet.fill("#new_password", "matkhau@123")
    tablet.fill("#confirm", "matkhau@123")
    tablet.click("main form button[type=submit]")
    expect(tablet.locator(".error", has_text="danh sách mật khẩu phổ biến")).to_be_visible()
    assert tablet.url.endswith("/account/password")
    save_screenshot(tablet, "password-refused-tablet")


def test_an_administrator_requires_a_role_and_reads_who_has_not_enrolled(new_context, demo_site):
    for viewport, name in ((DESKTOP, "desktop"), (TABLET, "tablet")):
        page = new_context(viewport).new_page()
        sign_in(page, demo_site, "admin")
        page.goto(f"{demo_site}/admin/users")
        page.click("text=Xác thực hai lớp")
        page.wait_for_url(f"{demo_site}/admin/two-factor")
        if not page.is_checked("#role-inspector"):
            page.check("#role-inspector")
            page.check("#role-leader")
            page.click("main form.two-factor-roles button[type=submit]")
            page.locator(".flash-success").wait_for()
        report = page.locator("table.two-factor-report")  # below the flash: maybe not parsed yet
        expect(report.locator("tr", has_text="inspector")).to_have_count(1)
        expect(report.locator("tr", has_text="leader").locator(".badge-warn")).to_have_count(1)
        save_screenshot(page, f"two-factor-report-{name}")
    inspector = new_context(TABLET).new_page()
    sign_in(inspector, demo_site, "inspector")
    assert inspector.locator(".two-factor-due").is_visible()
