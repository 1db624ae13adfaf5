"""The base layout on a 10-inch tablet (portrait and landscape) and a desktop: nothing wider than
the screen, every control at least 44 px tall, the menu reachable. With CCHC_SCREENSHOTS=<dir>
set, each page is also saved there as base-<page>-<viewport>.png (docs/screens/ holds them)."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from inspection.data.transaction import unit_of_work
from models import Notification, User, db

from .conftest import DESKTOP, TABLET, TABLET_LANDSCAPE, click_and_wait, save_screenshot, sign_in

pytestmark = pytest.mark.browser

VIEWPORTS = {"tablet": TABLET, "landscape": TABLET_LANDSCAPE, "desktop": DESKTOP}
# Controls a finger must hit. Links inside running text are exempt (WCAG 2.5.8).
TARGETS = ("button, input:not([type=hidden]), select, textarea, summary, .btn, "
           "header a, nav a, footer a, .usermenu-body a, .actions a, td a")


def _small_targets(page) -> list:
    return page.evaluate("""(selector) => [...document.querySelectorAll(selector)]
      .filter((el) => el.offsetParent !== null || el.tagName === "SUMMARY")
      .map((el) => { const r = el.getBoundingClientRect();
                     return [el.outerHTML.slice(0, 90), Math.round(r.width), Math.round(r.height)]; })
      .filter(([, w, h]) => w > 0 && (h < 44 || w < 44))""", TARGETS)


def _check_page(page, name: str, viewport_name: str) -> None:
    page.wait_for_load_state()  # measured before the stylesheet applies, the header links are bare text
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} is {overflow}px wider than the {viewport_name} screen"
    assert _small_targets(page) == [], f"{name} on {viewport_name}: controls under 44px"
    save_screenshot(page, f"base-{name}-{viewport_name}")


def _notify(username: str) -> None:
    user = db.session.execute(select(User).where(User.username == username)).scalar_one()
    with unit_of_work():
        db.session.add_all([
            Notification(user_id=user.id, kind="assigned", link="/",
                         title="Được giao nhiệm vụ: Rà soát, công bố thủ tục hành chính thuộc thẩm quyền "
                               "giải quyết của UBND xã An Phước (hạn 30/06/2025)"),
            Notification(user_id=user.id, kind="deadline_near", link="/",
                         title="Sắp đến hạn: Báo cáo kết quả thực hiện Kế hoạch CCHC quý II"),
        ])


@pytest.mark.parametrize("viewport_name", VIEWPORTS)
def test_pages_fit_the_screen_with_touch_sized_controls(demo_site, new_context, viewport_name):
    page = new_context(VIEWPORTS[viewport_name]).new_page()
    page.goto(f"{demo_site}/login")
    _check_page(page, "login", viewport_name)
    _notify("officer")
    sign_in(page, demo_site, "officer")
    _check_page(page, "home-officer", viewport_name)
    page.goto(f"{demo_site}/notifications")
    assert page.locator(".list li.unread").count() == 2
    _check_page(page, "notifications", viewport_name)
    page.goto(f"{demo_site}/no-such-page")
    _check_page(page, "404", viewport_name)


@pytest.mark.parametrize("viewport_name", VIEWPORTS)
def test_admin_pages_and_menu_on_each_screen(demo_site, new_context, viewport_name):
    page = new_context(VIEWPORTS[viewport_name]).new_page()
    sign_in(page, demo_site, "admin")
    _check_page(page, "home-admin", viewport_name)
    toggle = page.locator(".menu-toggle")
    if toggle.is_visible():
        toggle.click()
    click_and_wait(page, page.locator("#mainnav a", has_text="Đơn vị"))
    assert page.locator("table tbody tr").count() >= 20  # the whole demo district
    _check_page(page, "units", viewport_name)
    page.click(".usermenu summary")
    expect(page.locator(".usermenu-body")).to_be_visible()
    _check_page(page, "usermenu", viewport_name)


@pytest.mark.parametrize("username", ["leader", "coordinator", "inspector", "head"])
def test_home_of_each_role_on_tablet_and_desktop(demo_site, new_context, username):
    for viewport_name in ("tablet", "desktop"):
        page = new_context(VIEWPORTS[viewport_name]).new_page()
        sign_in(page, demo_site, username)
        _check_page(page, f"home-{username}", viewport_name)


def test_english_interface_fits_the_tablet(demo_site, new_context):
    page = new_context(TABLET).new_page()
    page.goto(f"{demo_site}/login")
    page.locator("footer").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")  # the English page, not the one it left
    _check_page(page, "login-en", "tablet")
    sign_in(page, demo_site, "admin")
    assert page.locator("#mainnav a").first.inner_text() == "Home"
    _check_page(page, "home-admin-en", "tablet")
    for path, name in (("/notifications", "notifications-en"), ("/no-such-page", "404-en")):
        page.goto(f"{demo_site}{path}")
        _check_page(page, name, "tablet")
