"""A citizen rates a one-stop desk on a 360x640 phone, from the QR code of the poster the worker
rendered (rasterised by pdftoppm, decoded by zxing-cpp): the answer shows in the desk's figures, a
second answer the same day is refused, the complaint becomes a finding through the coordinator's
triage and a remediation action the unit sees, and a revoked poster says so. Lighthouse audits the
survey page at 360x640. With CCHC_SCREENSHOTS=<dir> set the pages are saved as
feedback-<page>-<width>.png (phone and tablet)."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from inspection.language.formatting import format_date, local_today
from models import Report, db
from models.enums import Role
from tests.factories import PASSWORD, make_tree, make_user
from tests.feedback.posters import decoded_qr
from tests.reports.support import run_jobs

from . import lighthouse
from .conftest import DESKTOP, TABLET, click_and_wait, save_screenshot, sign_in
from .test_layout import _small_targets

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 640}
LOW = {"access": "2", "procedure": "3", "official": "1", "result": "3", "handling": "2"}


@pytest.fixture
def site(committed, live_server, app, monkeypatch):
    monkeypatch.setitem(app.config, "FEEDBACK_MIN_SECONDS", 1)
    tree = make_tree()
    people = {"head": make_user(role=Role.UNIT_HEAD, unit=tree["a"], username="truong.anphuoc"),
              "coordinator": make_user(role=Role.COORDINATOR, unit=tree["pc"], username="dau.moi.cchc")}
    db.session.commit()
    return live_server.url, tree, people


def _poster_url(page, base: str, unit) -> str:
    """The unit head adds the desk, asks for its poster, the worker renders it; the QR's URL."""
    page.goto(f"{base}/units/{unit.id}/desks")
    page.fill("#name", "Bộ phận tiếp nhận và trả kết quả xã An Phước")
    page.fill("#procedures", "Chứng thực bản sao\nĐăng ký khai sinh")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/desks/\d+$"))  # the new desk's page
    click_and_wait(page, "text=In áp phích mã QR (PDF)")  # the report row is committed: the worker finds it
    run_jobs()
    report = db.session.execute(select(Report).where(Report.kind == "desk_poster")).scalar_one()
    pdf = page.request.get(f"{base}/reports/{report.id}/download").body()
    [url] = decoded_qr(pdf)
    return url


def _answer(phone, url: str) -> int:
    """Open the survey, note what it weighs, answer it with a complaint; the page's weight."""
    weights = []
    phone.on("response", lambda r: weights.append(len(r.body())) if r.ok else None)
    phone.goto(url)
    weight = sum(weights)
    assert _small_targets(phone) == [], "controls under 44px on the phone"
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    save_screenshot(phone, "feedback-survey-360")
    for name, value in LOW.items():
        phone.check(f"input[name={name}][value='{value}']")
    phone.check("text=Chứng thực bản sao")
    phone.fill("#comment", "Chờ hai tiếng, cán bộ không hướng dẫn bổ sung hồ sơ")
    phone.wait_for_timeout(1100)  # the minimum filling time
    phone.click("button[type=submit]")
    phone.wait_for_url("**/danh-gia/cam-on")
    assert "Điều gì xảy ra tiếp theo" in phone.inner_text("main")
    save_screenshot(phone, "feedback-thanks-360")
    return weight


def test_citizen_rates_a_desk_from_the_poster_and_the_complaint_reaches_the_unit(site, new_context):
    base, tree, people = site
    staff = new_context(TABLET).new_page()
    sign_in(staff, base, people["head"].username, PASSWORD)
    url = _poster_url(staff, base, tree["a"])
    assert url.startswith(f"{base}/danh-gia/")

    tablet = new_context(TABLET).new_page()
    tablet.goto(url)
    assert _small_targets(tablet) == []
    save_screenshot(tablet, "feedback-survey-800")
    phone = new_context(PHONE, is_mobile=True).new_page()
    weight = _answer(phone, url)
    assert weight <= 60 * 1024, weight
    phone.goto(url)
    assert "đã gửi đánh giá cho bộ phận hôm nay" in phone.inner_text("main")
    assert phone.locator("input[name=access]").count() == 0

    report = lighthouse.run(url, None, PHONE, ("accessibility", "best-practices"))
    assert report.scores["accessibility"] >= 0.95, report.failures("accessibility")
    assert report.scores["best-practices"] >= 0.95, report.failures("best-practices")

    staff.goto(f"{base}/feedback")
    click_and_wait(staff, "text=Bộ phận tiếp nhận và trả kết quả xã An Phước")
    assert "(1/5)" in staff.inner_text("#element-overall") or "1 phiếu" in staff.inner_text("main")
    assert "0,0%" in staff.inner_text("#element-official")
    save_screenshot(staff, "feedback-desk-800")

    coordinator = new_context(TABLET).new_page()
    sign_in(coordinator, base, people["coordinator"].username, PASSWORD)
    coordinator.goto(f"{base}/feedback/triage")
    save_screenshot(coordinator, "feedback-triage-800")
    coordinator.click("table.triage-table tbody a")
    coordinator.fill("#description", "Công chức không hướng dẫn đầy đủ thành phần hồ sơ")
    coordinator.check("input[name=severity][value=major]")
    coordinator.fill("#action", "Chấn chỉnh công chức; niêm yết đầy đủ thành phần hồ sơ tại bộ phận")
    coordinator.fill("#deadline", format_date(local_today() + timedelta(days=30)))
    coordinator.click("#open-finding button[type=submit]")
    expect(coordinator.locator("main")).to_contain_text("Đã mở tồn tại")

    staff.goto(f"{base}/remediation")
    click_and_wait(staff, "text=Chấn chỉnh công chức")
    body = staff.inner_text("main")
    assert "Phản ánh của người dân" in body and "Công chức không hướng dẫn đầy đủ" in body
    assert "Chờ hai tiếng" not in body  # the coordinator chose not to quote the citizen
    save_screenshot(staff, "feedback-action-800")

    wide = new_context(DESKTOP).new_page()
    sign_in(wide, base, people["coordinator"].username, PASSWORD)
    for name, path in (("overview", "/feedback"), ("desks", f"/units/{tree['a'].id}/desks")):
        wide.goto(f"{base}{path}")
        assert _small_targets(wide) == [], name
        save_screenshot(wide, f"feedback-{name}-1366")
    desk_page = staff.url
    staff.goto(f"{base}/feedback")
    click_and_wait(staff, "text=Bộ phận tiếp nhận và trả kết quả xã An Phước")
    click_and_wait(staff, "text=Thu hồi mã QR")  # revoked before the phone asks
    assert desk_page
    phone.goto(url)
    assert "Mã QR này không còn hiệu lực" in phone.inner_text("main")
    save_screenshot(phone, "feedback-revoked-360")
    tablet.goto(url)
    save_screenshot(tablet, "feedback-revoked-800")
