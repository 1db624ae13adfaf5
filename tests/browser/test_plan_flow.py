"""Issue 4 on a tablet: a coordinator drafts a plan with tasks, a leader issues it, the commune's
officer reports progress and submits, the head confirms, the coordinator accepts, and the plan
page shows the new rate."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from inspection.language.formatting import local_today
from models import Plan, Task, db

from .conftest import TABLET, save_screenshot, sign_in, sign_out

pytestmark = pytest.mark.browser


def _fill_task(page, number: str, title: str, unit: str, deadline: date) -> None:
    page.fill("#number", number)
    page.select_option("#area_id", label="Cải cách thủ tục hành chính")
    page.fill("#title", title)
    page.fill("#expected_output", "Báo cáo kết quả")
    page.select_option("#unit_id", label=unit)
    page.fill("#deadline", deadline.strftime("%d/%m/%Y"))


def _open_task(page, base: str, title: str) -> None:
    task_id = db.session.execute(select(Task.id).where(Task.title == title)).scalar_one()
    page.goto(f"{base}/tasks/{task_id}")


def test_plan_from_draft_to_accepted_task_on_a_tablet(new_context, demo_site):
    page = new_context(TABLET).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    today, base = local_today(), demo_site
    sign_in(page, base, "coordinator")
    page.goto(f"{base}/plans/new")
    page.fill("#number", "99/KH-UBND")
    page.fill("#issued_on", today.strftime("%d/%m/%Y"))
    page.fill("#title", "Kế hoạch khắc phục tồn tại sau kiểm tra Bộ phận một cửa")
    page.fill("#year", str(today.year))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/plans/\d+$"))
    plan_url = page.url
    titles = ["Niêm yết bổ sung thủ tục hành chính còn thiếu", "Cập nhật sổ theo dõi hồ sơ tại Bộ phận một cửa"]
    for n, title in enumerate(titles, start=1):
        page.goto(f"{plan_url}/tasks/new")
        _fill_task(page, str(n), title, "Ủy ban nhân dân xã An Phước", today + timedelta(days=10))
        page.click("main form button[type=submit] >> nth=0")
        page.wait_for_url(plan_url)  # saved: back on the plan (/plans/<id>/tasks/new matched the old pattern)
    save_screenshot(page, "flow-plan-draft-tablet")
    sign_out(page, base)

    sign_in(page, base, "leader")
    page.goto(plan_url)
    page.click("button:has-text('Ban hành kế hoạch')")
    expect(page.locator(".flash-success")).to_contain_text("Đã ban hành kế hoạch")
    sign_out(page, base)

    sign_in(page, base, "officer")
    _open_task(page, base, titles[0])
    page.fill("#progress", "60")
    page.fill("#progress_note", "Đã rà soát danh mục, còn 3 thủ tục cần niêm yết")
    page.click("button:has-text('Gửi báo cáo tiến độ')")
    expect(page.locator(".flash-success")).to_contain_text("Đã cập nhật tiến độ 60%")
    page.click("summary:has-text('Gửi kết quả thực hiện')")
    page.fill("#result_note", "Đã niêm yết đủ 45/45 thủ tục hành chính")
    page.click("button:has-text('Gửi kết quả')")
    expect(page.locator(".flash-success")).to_contain_text("Đã gửi kết quả")  # the progress flash was there already
    save_screenshot(page, "flow-task-submitted-tablet")
    sign_out(page, base)

    sign_in(page, base, "head")
    _open_task(page, base, titles[0])
    page.click("button:has-text('Xác nhận kết quả')")
    expect(page.locator(".flash-success")).to_contain_text("Đã xác nhận kết quả")
    sign_out(page, base)

    sign_in(page, base, "coordinator")
    _open_task(page, base, titles[0])
    page.click("button:has-text('Chấp nhận kết quả')")
    expect(page.locator(".flash-success")).to_contain_text("Đã chấp nhận kết quả")
    page.goto(plan_url)
    assert "1/2 (50,0%)" in page.locator("main").inner_text()
    save_screenshot(page, "flow-plan-rate-tablet")

    db.session.expire_all()
    plan = db.session.execute(select(Plan).where(Plan.number == "99/KH-UBND")).scalar_one()
    statuses = sorted(db.session.execute(select(Task.status).where(Task.plan_id == plan.id)).scalars())
    assert plan.status == "issued" and statuses == ["accepted", "open"]
