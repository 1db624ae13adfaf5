"""The outbox's answer to an expired CSRF token (an item that waited on the tablet): the server says
400 with code "csrf", the outbox takes a fresh token from the page and sends the same item again;
it is stored once and nothing is left on the device."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from models import Finding, db

from .conftest import open_started

pytestmark = pytest.mark.browser


def test_a_stale_csrf_token_is_replaced_and_the_item_is_sent_again(started, new_context):
    page = open_started(new_context, started)
    answers: list[int] = []

    def record(route):
        if route.request.method != "POST":
            return route.continue_()
        response = route.fetch()
        answers.append(response.status)
        return route.fulfill(response=response)

    page.context.route("**/api/v1/**", record)
    page.evaluate("document.querySelector('meta[name=csrf-token]').setAttribute('content', 'expired-token')")
    page.locator("#free-form .sev-minor").tap()
    page.fill("#free-description", "Tồn tại: hồ sơ trả kết quả chưa ký nhận.")
    page.locator("#free-form").get_by_role("button", name="Lưu tồn tại khác").tap()
    expect(page.locator("#free-state")).to_contain_text("Đã lưu")
    expect(page.locator("#outbox-count")).to_have_text("Đã đồng bộ hết dữ liệu trên máy.")
    assert answers[:2] == [400, 200]  # refused for the token, then the batch stored with a fresh one
    assert page.evaluate("document.querySelector('meta[name=csrf-token]').content") != "expired-token"
    db.session.expire_all()
    assert db.session.execute(select(func.count()).select_from(Finding)
                              .where(Finding.inspection_id == started["id"])).scalar_one() == 1
