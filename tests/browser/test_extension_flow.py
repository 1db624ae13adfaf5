"""An extension request on a tablet (800x1280), on the demo district: xã An Phước's officer asks
for a later deadline on a task and on a remediation action through their pages, the coordinator
(Sở Nội vụ) forwards each with an opinion, the leader reads the opinion and decides. With
CCHC_SCREENSHOTS=<dir>, the task page and the action page are saved with the request pending
(the coordinator's view) and forwarded (the leader's view) as extension-<subject>-<stage>-800.png."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from inspection.language.formatting import local_today
from models import OrgUnit, Task, db
from models.enums import TaskStatus

from .conftest import save_screenshot, sign_in, sign_out
from .test_layout import _small_targets
from .test_remediation_flow import an_phuoc_work

pytestmark = pytest.mark.browser


def _an_phuoc_task() -> int:
    unit = db.session.execute(select(OrgUnit).filter_by(code="TH-ANPHUOC")).scalar_one()
    stmt = (select(Task.id).where(Task.unit_id == unit.id, Task.status.in_((TaskStatus.OPEN, TaskStatus.IN_PROGRESS)))
            .order_by(Task.id))
    return db.session.execute(stmt).scalars().first()


def _check(page, name: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} is {overflow}px wider than the screen"
    assert _small_targets(page) == [], f"{name}: controls under 44px"
    page.locator("[data-extension]").first.scroll_into_view_if_needed()
    save_screenshot(page, f"extension-{name}-800")


def _walk(page, base: str, path: str, name: str, deadline_field_value: str) -> None:
    page.goto(f"{base}{path}")
    page.click("summary:has-text('Đề nghị gia hạn')")
    page.fill("#new_deadline", deadline_field_value)
    page.fill("#extension_reason", "Chờ kinh phí của tỉnh để thay bảng niêm yết")
    page.click(f"form[action='{path}/extension'] button[type=submit]")
    expect(page.locator(".flash-success")).to_contain_text("chờ cơ quan tham mưu chuyển lãnh đạo")

    sign_out(page, base)
    sign_in(page, base, "coordinator")
    page.goto(f"{base}{path}")
    form = page.locator("form[data-extension='forward']")
    assert "Chờ kinh phí của tỉnh" in form.inner_text()
    _check(page, f"{name}-pending")
    form.locator("textarea").fill("Đơn vị đã thực hiện 80%, đề nghị đồng ý")
    form.locator("button[value='agree']").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã chuyển đề nghị gia hạn đến lãnh đạo.")

    sign_out(page, base)
    sign_in(page, base, "leader")
    page.goto(f"{base}{path}")
    form = page.locator("form[data-extension='decide']")
    assert "Đề xuất đồng ý" in form.inner_text() and "đề nghị đồng ý" in form.inner_text()
    _check(page, f"{name}-forwarded")
    form.locator("button[value='approve']").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã quyết định đề nghị gia hạn.")
    expect(page.locator("#ext-h").locator("..")).to_contain_text("Đã gia hạn")  # the old page has this section too
    sign_out(page, base)


def test_a_request_is_forwarded_and_decided_on_the_task_and_the_action_pages(tablet, demo_site):
    action_id, _inspection = an_phuoc_work()
    task_id = _an_phuoc_task()
    task_deadline = db.session.get(Task, task_id).deadline
    later = (max(task_deadline, local_today()) + timedelta(days=30)).strftime("%d/%m/%Y")
    sign_in(tablet, demo_site, "officer")
    _walk(tablet, demo_site, f"/tasks/{task_id}", "task", later)
    sign_in(tablet, demo_site, "officer")
    _walk(tablet, demo_site, f"/remediation/{action_id}", "action", later)
