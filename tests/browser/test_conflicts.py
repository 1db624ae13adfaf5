"""The conflict list on the tablet: a verdict taken without signal on an item a teammate changed
meanwhile is synced, stored by the server as a pending correction (it leaves the device queue) and
shown with its reason; a finding sent after the minutes closed likewise. The lead decides there.
With CCHC_SCREENSHOTS=<dir>, the list is saved as conflicts-*.png."""

import uuid
from datetime import datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from inspection.inspections import fieldwork
from inspection.language.formatting import TZ
from models import CheckResult, Correction, Inspection, db
from tests import factories

from .conftest import open_started, save_screenshot

pytestmark = pytest.mark.browser

SYNCED = "Đã đồng bộ hết dữ liệu trên máy."


def no_signal_for_writes(route):
    return route.abort("internetdisconnected") if route.request.method == "POST" else route.continue_()


def close_minutes_meanwhile(site) -> None:
    """The lead's other device marks the remaining items and closes the minutes; a finding sent later
    from the tablet becomes a pending correction."""
    inspection = db.session.get(Inspection, site["id"])
    done = set(db.session.execute(select(CheckResult.item_id).where(CheckResult.inspection_id == site["id"])).scalars())
    for item_id in (i for i in site["items"] if i not in done):
        fieldwork.record_result(site["lead"], inspection, item_id=item_id, value="compliant",
                                client_uuid=str(uuid.uuid4()), device_time=datetime.now(TZ))
    factories.close_minutes(site["lead"], inspection, representative_name="Trần Văn Bình",
                            representative_title="Chủ tịch UBND xã", device_time=datetime.now(TZ))
    fieldwork.record_finding(site["member"], inspection, description="Chưa công khai số điện thoại đường dây nóng.",
                             severity="minor", client_uuid=str(uuid.uuid4()), device_time=datetime.now(TZ))
    db.session.commit()


def test_a_queued_verdict_that_clashes_is_kept_as_a_correction_shown_with_its_reason(started, new_context):
    page = open_started(new_context, started)
    page.context.route("**/api/v1/**", no_signal_for_writes)
    card = page.locator(".item-card.current")
    card.get_by_role("button", name="Không áp dụng").tap()
    expect(page.locator("#outbox-count")).to_have_text("1 mục chưa đồng bộ")
    expect(page.locator("#outbox-why")).to_contain_text("Chưa có kết nối")  # the send failed: it waits on the device
    inspection = db.session.get(Inspection, started["id"])
    fieldwork.record_result(started["member"], inspection, item_id=started["items"][0], value="compliant",
                            client_uuid=str(uuid.uuid4()), device_time=datetime.now(TZ))  # the teammate, meanwhile
    db.session.commit()

    page.context.unroute("**/api/v1/**")
    page.locator("#outbox-sync").tap()
    expect(page.locator("#outbox-count")).to_have_text(SYNCED)  # acknowledged: it left the device
    correction = db.session.execute(select(Correction)).scalar_one()
    assert (correction.status, correction.reason, correction.payload["value"]) == (
        "pending", "changed_meanwhile", "not_applicable")
    close_minutes_meanwhile(started)

    page.locator("#conflicts-link").tap()
    items = page.locator(".conflict-list .correction")
    expect(items).to_have_count(2)
    expect(items.first.locator(".conflict-reason")).to_contain_text("Thành viên khác đã sửa kết quả tiêu chí này")
    expect(items.nth(1).locator(".conflict-reason")).to_contain_text("Biên bản đã được lập")
    save_screenshot(page, "conflicts-field-800")
    items.first.get_by_role("button", name="Chấp nhận", exact=True).tap()
    expect(page.locator(f"#correction-{correction.id}")).to_contain_text("Đã chấp nhận (biên bản bổ sung)")
    save_screenshot(page, "conflicts-decided-800")
    db.session.expire_all()
    stored = db.session.execute(select(CheckResult).where(CheckResult.item_id == started["items"][0])).scalar_one()
    assert stored.value == "not_applicable"
