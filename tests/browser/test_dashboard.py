"""The dashboard in Debian's Chromium on a tablet (800x1280) and a desktop (1366x900): every
numerator and denominator the leader's page shows opens a list with exactly that many records;
the charts fit the screen and carry their accessible names; the unit head's page shows their
commune only and nothing of the unstarted surprise inspection, down to the inspection list it
links to. With CCHC_SCREENSHOTS=docs/screens the pages are saved as docs/screens/dashboard-*.png."""

import re

import pytest

from tests.browser.conftest import DESKTOP, TABLET, save_screenshot, sign_in

pytestmark = pytest.mark.browser
VIEWPORTS = [("800", TABLET), ("1366", DESKTOP)]
SURPRISE = re.compile(r"đột xuất|chưa thông báo", re.I)

# (href, the count shown, "num"/"den"/"", "units" when it counts units) of every linked figure of the page
LINKED = """() => [...document.querySelectorAll('main a.fig-n[data-count]')].map(a => [
  a.getAttribute('href'), Number(a.dataset.count), a.textContent.trim(),
  a.classList.contains('num') ? 'num' : a.classList.contains('den') ? 'den' : '', a.dataset.rows || ''])"""
# distinct records a list shows: the task, remediation, inspection or finding its table body links to
RECORDS = """() => new Set([...document.querySelectorAll('main tbody a[href]')].map(a => a.getAttribute('href'))
  .filter(h => /^\\/(tasks|remediation|inspections)\\/\\d+(#finding-\\d+)?$/.test(h))).size"""
# distinct units an inspection list shows
UNITS = """() => new Set([...document.querySelectorAll('main tbody [data-unit-id]')].map(c => c.dataset.unitId)).size"""


@pytest.fixture
def whole_lists(app):
    """Lists show every row on one page, so a figure can be counted against its list."""
    size = app.config["PAGE_SIZE"]
    app.config["PAGE_SIZE"] = 1000
    yield
    app.config["PAGE_SIZE"] = size


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _figures(page) -> list[tuple[str, int, str, str, str]]:
    return [tuple(f) for f in page.evaluate(LINKED)]


def _records(page, base: str, href: str, rows: str = "") -> int:
    page.goto(base + href)
    return page.evaluate(UNITS if rows == "units" else RECORDS)


@pytest.mark.parametrize(("size", "viewport"), VIEWPORTS)
def test_the_leaders_numerators_and_denominators_open_lists_with_as_many_rows(
        new_context, demo_site, whole_lists, size, viewport):
    page = new_context(viewport).new_page()
    sign_in(page, demo_site, "leader")
    page.click("#mainnav >> text=Tổng quan")
    page.wait_for_url(f"{demo_site}/dashboard")
    save_screenshot(page, f"dashboard-leader-{size}")
    assert _fits(page)
    charts = page.locator("svg.chart[role=img]")
    assert charts.count() >= 3
    assert all(t.strip() for t in page.locator("svg.chart > title").all_text_contents())
    page.locator("#h-findings").scroll_into_view_if_needed()
    save_screenshot(page, f"dashboard-leader-findings-{size}")
    page.goto(f"{demo_site}/dashboard?period=year&year=2024")
    save_screenshot(page, f"dashboard-leader-2024-{size}")
    page.locator("#h-rank").scroll_into_view_if_needed()
    save_screenshot(page, f"dashboard-leader-ranking-{size}")
    figures = _figures(page)
    sides = {side for _, _, _, side, _ in figures}
    assert {"num", "den"} <= sides and len(figures) >= 8, "numerators and denominators link to their lists"
    for _href, shown, text, _side, _rows in figures:
        assert int(text.replace(".", "")) == shown, "the figure on screen is the one its link counts"
    for (href, rows), shown in dict(((href, rows), shown) for href, shown, _, _, rows in figures).items():
        assert _records(page, demo_site, href, rows) == shown, href


@pytest.mark.parametrize(("size", "viewport"), VIEWPORTS)
def test_the_heads_dashboard_shows_their_commune_and_no_trace_of_the_surprise(
        new_context, demo_site, whole_lists, size, viewport):
    page = new_context(viewport).new_page()
    sign_in(page, demo_site, "head")
    page.goto(f"{demo_site}/dashboard")
    save_screenshot(page, f"dashboard-head-{size}")
    assert _fits(page)
    text = page.locator("main").inner_text()
    assert "UBND xã An Phước" in text and "Sở Nội vụ" not in text
    assert not SURPRISE.search(text)
    for href, shown, _, _, rows in _figures(page):
        assert _records(page, demo_site, href, rows) == shown, href
    page.goto(f"{demo_site}/dashboard")
    page.click("text=Mọi cuộc kiểm tra trong kỳ")
    page.wait_for_url("**/inspections**")
    assert not SURPRISE.search(page.locator("main table").inner_text())  # the filter offers the kind, no more
    assert "245/QĐ-UBND" not in page.content() and "Bộ phận một cửa UBND xã An Phước" not in page.content()
