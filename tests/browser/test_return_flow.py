"""A returned task on a tablet: the head returns the officer's result, first without a reason (no
question asked; the message shows on the task page, whose address stays the task's), then with
one (the confirmation); the officer then finds the resubmit form first, open, the reason above it.
A submitted result reads 100 %. With CCHC_SCREENSHOTS set: return-refused-tablet.png,
resubmit-first-tablet.png."""

import pytest
from playwright.sync_api import expect

from .conftest import TABLET, click_and_wait, save_screenshot, sign_in

pytestmark = pytest.mark.browser
TITLE = "Cập nhật sổ theo dõi hồ sơ, ghi đủ ngày trả kết quả"  # An Phước's, in progress at 40 %


def test_return_without_reason_then_resubmit_first(demo_site, new_context):
    officer = new_context(TABLET).new_page()
    sign_in(officer, demo_site, "officer")
    officer.goto(f"{demo_site}/tasks?q=so theo doi ho so")
    click_and_wait(officer, officer.get_by_role("link", name=TITLE))
    task_url = officer.url
    officer.locator("details:has(form[action$='/submit']) summary").click()
    officer.fill("textarea[name=result_note]", "Đã cập nhật đủ 120 hồ sơ")
    officer.get_by_role("button", name="Gửi kết quả").click()
    expect(officer.locator(".progress-cell strong")).to_have_text("100%")

    head = new_context(TABLET).new_page()
    sign_in(head, demo_site, "head")
    head.goto(task_url)
    asked = []
    head.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    head.locator("#return-form summary").click()
    head.locator("#return-form button[type=submit]").click()
    expect(head.locator("#return-form .error, #return-form [role=alert]").first).to_contain_text("Nhập lý do trả lại.")
    assert asked == [] and head.url.split("#")[0] == task_url, "no question, and the task's own address"
    save_screenshot(head, "return-refused-tablet")
    head.fill("#return-form textarea", "Thiếu ảnh chụp sổ theo dõi")
    head.locator("#return-form button[type=submit]").click()
    expect(head.locator(".flash-success")).to_be_visible()
    assert len(asked) == 1

    officer.goto(task_url)
    first = officer.locator(".task-layout > *").first
    expect(first).to_have_id("resubmit")
    expect(first.locator(".return-reason")).to_contain_text("Thiếu ảnh chụp sổ theo dõi")
    assert first.locator("textarea[name=result_note]").bounding_box()["y"] < 1280, "above the fold"
    save_screenshot(officer, "resubmit-first-tablet")
