"""The plain-HTTP warning: shown where the browser has no secure context, hidden where it has."""

import pytest

from .conftest import save_screenshot

pytestmark = pytest.mark.browser


def test_banner_shows_on_plain_http_under_a_host_name(tablet, live_server):
    # cchc.test resolves to 127.0.0.1 (browser launch argument) but is not a "potentially
    # trustworthy" origin, unlike localhost and 127.0.0.1
    tablet.goto(f"http://cchc.test:{live_server.port}/login")
    assert tablet.evaluate("window.isSecureContext") is False
    banner = tablet.locator("#insecure-banner")
    assert banner.is_visible()
    assert "HTTPS" in banner.inner_text()
    save_screenshot(tablet, "base-insecure-banner-tablet")


def test_banner_hidden_in_a_secure_context(tablet, live_server):
    tablet.goto(f"{live_server.url}/login")
    assert tablet.evaluate("window.isSecureContext") is True
    assert tablet.locator("#insecure-banner").is_hidden()
