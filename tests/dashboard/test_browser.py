"""The dashboard in Debian's Chromium on a tablet (800x1280) and a desktop (1366x900): a figure
opens the list behind it with as many rows as it shows; the charts fit the screen and carry their
accessible names; the head's page shows their commune only. With CCHC_SCREENSHOTS=docs/screens
the pages are saved as docs/screens/dashboard-*.png. The browser fixtures come from
tests/browser/conftest.py (made visible here by tests/dashboard/conftest.py)."""

import pytest

from tests.browser.conftest import DESKTOP, TABLET, save_screenshot, sign_in

pytestmark = pytest.mark.browser
VIEWPORTS = [("800", TABLET), ("1366", DESKTOP)]


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize(("size", "viewport"), VIEWPORTS)
def test_the_leaders_figures_open_lists_with_as_many_rows(new_context, demo_site, size, viewport):
    page = new_context(viewport).new_page()
    sign_in(page, demo_site, "leader")
    page.click("#mainnav >> text=Tổng quan")
    page.wait_for_url(f"{demo_site}/dashboard")
    save_screenshot(page, f"dashboard-leader-{size}")
    assert _fits(page)
    charts = page.locator("svg.chart[role=img]")
    assert charts.count() >= 3
    assert all(t.strip() for t in page.locator("svg.chart > title").all_text_contents())
    page.goto(f"{demo_site}/dashboard?period=year&year=2024")
    page.locator("#h-rank").scroll_into_view_if_needed()
    save_screenshot(page, f"dashboard-leader-ranking-{size}")
    figure = page.locator(".dash-card dd a.fig-n").first
    shown = int(figure.get_attribute("data-count"))
    figure.click()
    page.wait_for_url("**/tasks?**")
    assert page.locator("table.task-table tbody tr").count() == shown


@pytest.mark.parametrize(("size", "viewport"), VIEWPORTS)
def test_the_heads_dashboard_shows_their_commune_only(new_context, demo_site, size, viewport):
    page = new_context(viewport).new_page()
    sign_in(page, demo_site, "head")
    page.goto(f"{demo_site}/dashboard")
    save_screenshot(page, f"dashboard-head-{size}")
    assert _fits(page)
    text = page.locator("main").inner_text()
    assert "UBND xã An Phước" in text and "đột xuất" not in text and "Phòng Nội vụ" not in text
