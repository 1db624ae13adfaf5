"""Offline capture needs a secure context. Opened over plain HTTP under a host name (cchc.test maps
to 127.0.0.1 in the browser's launch arguments but, unlike localhost and 127.0.0.0/8, is not a
"potentially trustworthy" origin), the field screen says offline capture is unavailable and no
service worker is registered; over http://127.0.0.1 (trustworthy) it says nothing of the kind."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

from .conftest import save_screenshot, sign_in

pytestmark = pytest.mark.browser


def test_the_field_screen_says_offline_capture_is_unavailable_on_plain_http(new_context, site, live_server):
    page = new_context().new_page()
    origin = f"http://cchc.test:{live_server.port}"
    sign_in(page, origin, site["lead"].username, PASSWORD)
    page.goto(f"{origin}/field/{site['id']}")
    assert page.evaluate("window.isSecureContext") is False
    notice = page.locator("#field-insecure")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Không làm việc ngoại tuyến được")
    expect(notice).to_contain_text("https://")
    expect(page.locator("[data-bind=status]")).to_have_text("Đang kiểm tra")  # the screen itself still works
    assert page.evaluate("'serviceWorker' in navigator") is False  # not even exposed: nothing registered
    save_screenshot(page, "offline-insecure-field-800")
    page.goto(f"{origin}/field")
    expect(page.locator("#field-insecure")).to_be_visible()
    expect(page.locator("#outbox-count")).to_have_text("Đã đồng bộ hết dữ liệu trên máy.")
    expect(page.locator("#device-box")).to_be_hidden()  # no device token over plain HTTP
    assert page.locator("#device-box").count() == 1


def test_over_a_secure_origin_the_notice_stays_hidden_and_the_worker_registers(new_context, site):
    page = new_context().new_page()
    sign_in(page, site["url"], site["lead"].username, PASSWORD)
    page.goto(f"{site['url']}/field/{site['id']}")
    expect(page.locator("[data-bind=status]")).to_have_text("Đang kiểm tra")
    expect(page.locator("#field-insecure")).to_be_hidden()
    page.wait_for_function("() => navigator.serviceWorker.getRegistrations().then((r) => r.length === 1)")
