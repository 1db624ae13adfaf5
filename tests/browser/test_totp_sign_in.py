"""A leader with two-factor sign-in signs in on a tablet: password, then the authenticator code."""

import pyotp
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from inspection.demo.seed import DEMO_PASSWORD
from models import User, db
from tests.factories import totp_code

from .conftest import TABLET, save_screenshot

pytestmark = pytest.mark.browser


def test_a_leader_with_totp_signs_in_on_a_tablet(new_context, demo_site):
    leader = db.session.execute(select(User).where(User.username == "leader")).scalar_one()
    leader.totp_secret, leader.totp_enabled = pyotp.random_base32(), True
    db.session.commit()
    page = new_context(TABLET).new_page()
    page.goto(f"{demo_site}/login")
    page.fill("#username", "leader")
    page.fill("#password", DEMO_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{demo_site}/login/two-factor")
    page.goto(f"{demo_site}/plans")  # nothing opens before the code step is done
    assert page.url.startswith(f"{demo_site}/login/two-factor")
    page.fill("#code", "000000" if totp_code(leader) != "000000" else "111111")
    page.click("main form button[type=submit] >> nth=0")
    expect(page.locator(".error, .flash-error").first).to_be_visible()
    save_screenshot(page, "auth-totp-wrong-code-tablet")
    page.fill("#code", totp_code(leader))
    page.click("main form button[type=submit] >> nth=0")
    page.wait_for_url(f"{demo_site}/")
    expect(page.locator(".role-list")).to_contain_text("Lãnh đạo UBND")
