"""The footer's language switch: English for the whole interface, remembered per user."""

import pytest

from .conftest import click_and_wait, sign_in, sign_out

pytestmark = pytest.mark.browser

HEADING_VI = "Đăng nhập hệ thống quản lý cải cách hành chính"
HEADING_EN = "Sign in to the administrative reform management system"


def _switch(page, label: str) -> None:
    click_and_wait(page, page.locator("footer").get_by_role("button", name=label))


def _nav(page) -> list[str]:
    """The first menu entry and the units entry (other entries come and go with the features)."""
    entries = page.locator("#mainnav a").all_inner_texts()
    return [entries[0], next(e for e in entries if e in ("Đơn vị", "Units"))]


def test_sign_in_page_switches_to_english_and_back(tablet, demo_site):
    tablet.goto(f"{demo_site}/login")
    assert tablet.locator("h1").inner_text() == HEADING_VI
    _switch(tablet, "English")
    assert tablet.locator("h1").inner_text() == HEADING_EN
    assert tablet.locator("label[for=username]").inner_text() == "Username"
    assert tablet.locator("html").get_attribute("lang") == "en"
    _switch(tablet, "Tiếng Việt")
    assert tablet.locator("h1").inner_text() == HEADING_VI
    assert tablet.locator("html").get_attribute("lang") == "vi"


def test_english_chosen_at_sign_in_follows_the_user_across_pages_and_sign_ins(tablet, demo_site):
    tablet.goto(f"{demo_site}/login")
    _switch(tablet, "English")
    sign_in(tablet, demo_site, "leader")
    assert _nav(tablet) == ["Home", "Units"]
    assert tablet.locator(".badge-role").inner_text() == "People's Committee leader"
    tablet.goto(f"{demo_site}/notifications")
    assert tablet.locator("h1").inner_text() == "Notifications"
    sign_out(tablet, demo_site)
    assert tablet.locator("h1").inner_text() == HEADING_VI  # a shared tablet: the next person's language
    sign_in(tablet, demo_site, "leader")
    assert _nav(tablet) == ["Home", "Units"]
    _switch(tablet, "Tiếng Việt")
    assert _nav(tablet) == ["Trang chính", "Đơn vị"]
    assert tablet.locator(".badge-role").inner_text() == "Lãnh đạo UBND"
    sign_out(tablet, demo_site)
    sign_in(tablet, demo_site, "leader")
    assert _nav(tablet) == ["Trang chính", "Đơn vị"]


def test_switching_while_signed_in_keeps_the_page(tablet, demo_site):
    sign_in(tablet, demo_site, "coordinator")
    tablet.goto(f"{demo_site}/notifications")
    _switch(tablet, "English")
    assert tablet.url == f"{demo_site}/notifications"
    assert tablet.locator("h1").inner_text() == "Notifications"


def test_another_user_keeps_vietnamese(demo_site, new_context):
    english = new_context().new_page()
    sign_in(english, demo_site, "leader")
    _switch(english, "English")
    assert _nav(english) == ["Home", "Units"]
    other = new_context().new_page()
    sign_in(other, demo_site, "coordinator")
    assert _nav(other) == ["Trang chính", "Đơn vị"]
