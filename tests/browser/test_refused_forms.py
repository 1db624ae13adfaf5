"""A refused form answers on the page it lives on (issue 18): on a tablet and a desktop, an officer
reports a progress of 140 % with a note; the browser stays on the task's address (a reload does not
post again), the message stands next to the field and the form holds what was typed. The inspection
list's search by a place name lists that place first. With CCHC_SCREENSHOTS set:
h18-refused-progress-<tablet|desktop>.png, h18-search-place-<tablet|desktop>.png."""

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, TABLET, click_and_wait, save_screenshot, sign_in

pytestmark = pytest.mark.browser
TITLE = "Cập nhật sổ theo dõi hồ sơ, ghi đủ ngày trả kết quả"  # An Phước's, in progress at 40 %


@pytest.mark.parametrize("name, viewport", [("tablet", TABLET), ("desktop", DESKTOP)])
def test_a_refused_progress_report_stays_on_the_task_page_refilled(demo_site, new_context, name, viewport):
    page = new_context(viewport).new_page()
    sign_in(page, demo_site, "officer")
    page.goto(f"{demo_site}/tasks?q=so theo doi ho so")
    click_and_wait(page, page.get_by_role("link", name=TITLE))
    task_url = page.url
    form = page.locator("form[action$='/progress']")
    form.locator("input[name=progress]").fill("140")
    form.locator("textarea[name=progress_note]").fill("Đã rà soát 120 hồ sơ, còn 8 hồ sơ chờ bổ sung")
    click_and_wait(page, form.locator("button[type=submit]"))
    assert page.url.split("#")[0] == task_url, page.url  # never the POST-only /progress
    form = page.locator("form[action$='/progress']")
    expect(form.locator(".error").first).to_contain_text("Tiến độ phải từ 0 đến 100%.")
    expect(form.locator("input[name=progress]")).to_have_value("140")
    expect(form.locator("textarea[name=progress_note]")).to_have_value("Đã rà soát 120 hồ sơ, còn 8 hồ sơ chờ bổ sung")
    form.scroll_into_view_if_needed()
    save_screenshot(page, f"h18-refused-progress-{name}")
    page.reload()  # the message was for one view; the page answers GET
    expect(page.locator("form[action$='/progress'] .error")).to_have_count(0)


@pytest.mark.parametrize("name, viewport", [("tablet", TABLET), ("desktop", DESKTOP)])
def test_the_inspection_search_by_a_place_lists_it_first(demo_site, new_context, name, viewport):
    page = new_context(viewport).new_page()
    sign_in(page, demo_site, "coordinator")
    page.goto(f"{demo_site}/inspections?q=an+phuoc")
    rows = page.locator("main table tbody tr, main .inspection-list > li")
    expect(rows.first).to_contain_text("An Phước")
    save_screenshot(page, f"h18-search-place-{name}")
