"""The audit log and the findings list on a tablet (800x1280) and a desktop (1366x900): they fit
the screen, filter, and their "Xuất Excel" button downloads the filtered rows as .xlsx. With
CCHC_SCREENSHOTS=docs/screens the pages are saved as docs/screens/list-*.png."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from inspection.data.transaction import unit_of_work
from inspection.security import audit
from models import User, db
from tests.browser.conftest import DESKTOP, TABLET, save_screenshot, sign_in

pytestmark = pytest.mark.browser
VIEWPORTS = [("800", TABLET), ("1366", DESKTOP)]


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _downloaded_rows(page) -> int:
    with page.expect_download() as download:
        page.click("main >> text=Xuất Excel")
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    return sum(1 for row in sheet.iter_rows(min_row=4, values_only=True) if any(row))


def _logged(n: int) -> None:
    """n task submissions and a plan edit by the demo's unit head, in their commune."""
    head = db.session.execute(select(User).where(User.username == "head")).scalar_one()
    unit_id = head.memberships[0].unit_id
    with unit_of_work():
        for k in range(n):
            audit.record(head, "task.submitted", "task", 100 + k, unit_id=unit_id)
        audit.record(head, "plan.updated", "plan", 1, unit_id=unit_id)


@pytest.mark.parametrize(("size", "viewport"), VIEWPORTS)
def test_the_leader_reads_the_audit_log_and_exports_it(new_context, demo_site, size, viewport):
    _logged(3)
    page = new_context(viewport, accept_downloads=True).new_page()
    sign_in(page, demo_site, "leader")
    page.click(".usermenu summary")
    page.click("text=Nhật ký thao tác")
    page.wait_for_url(f"{demo_site}/admin/audit")
    save_screenshot(page, f"list-audit-{size}")
    assert _fits(page)
    page.select_option("#action", "task")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/admin/audit?**")
    actions = page.locator("main tbody code").all_text_contents()
    assert actions == ["task.submitted"] * 3
    assert _downloaded_rows(page) == 3


@pytest.mark.parametrize(("size", "viewport"), VIEWPORTS)
def test_the_findings_list_filters_by_severity_and_exports_the_rows(new_context, demo_site, size, viewport):
    page = new_context(viewport, accept_downloads=True).new_page()
    sign_in(page, demo_site, "leader")
    page.goto(f"{demo_site}/findings")
    save_screenshot(page, f"list-findings-{size}")
    assert _fits(page)
    every = page.locator("main tbody tr").count()
    page.select_option("#severity", "minor")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/findings?**")
    minor = page.locator("main tbody .badge.sev-minor").count()
    assert 0 < minor == page.locator("main tbody tr").count() <= every
    assert _downloaded_rows(page) == minor
