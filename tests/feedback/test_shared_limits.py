"""The survey's limits hold across web processes: they live in Redis, not in a process."""

import html
import re

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from inspection.feedback import tokens
from models import Feedback, db
from tests.auth.webproc import Browser, web_process
from tests.factories import make_unit

from .helpers import SCORES, make_desk

WEB_SECRET = "khoa-bi-mat-thu-nghiem"


def _form(browser: Browser, path: str) -> dict:
    status, _headers, page = browser.request("GET", path)
    assert status == 200, (status, page[:2000])
    fields = dict(re.findall(r'name="(csrf_token|started)"[^>]*value="([^"]*)"', page))
    return {k: html.unescape(v) for k, v in fields.items()}


@pytest.mark.committed
def test_address_limit_and_replay_are_shared_by_two_web_processes(committed, database_url, redis_url, tmp_path):
    desk = make_desk(make_unit(name="Xã Phú Thọ"))
    # the web processes sign with their own key (tests/auth/webproc.py)
    token = URLSafeSerializer(WEB_SECRET, salt=tokens.SALT).dumps([desk.id, desk.token_id])
    path = f"/danh-gia/{token}"
    limits = {"CCHC_FEEDBACK_MAX_PER_ADDRESS": "6", "CCHC_FEEDBACK_MIN_SECONDS": "0"}
    with (web_process(database_url, redis_url, tmp_path, **limits) as port_a,
          web_process(database_url, redis_url, tmp_path, **limits) as port_b):
        citizen = Browser(port_a)
        form = {**_form(citizen, path), **SCORES}  # 1 request on A
        first = citizen.request("POST", path, form)  # 2 on A
        assert first[0] == 303
        replay = Browser(port_b)
        replay.cookies = {k: v for k, v in citizen.cookies.items() if k == "session"}  # without the day cookie
        status, _headers, page = replay.request("POST", path, form)  # 3, on B
        assert status == 409 and "đã được gửi" in html.unescape(page)  # the form's one use is in Redis
        statuses = [Browser(port_a if i % 2 else port_b).request("GET", path)[0] for i in range(5)]  # 4..8
        assert statuses == [200, 200, 200, 429, 429]
        status, headers, page = Browser(port_a).request("GET", path)
        assert status == 429 and "Quá nhiều yêu cầu" in html.unescape(page) and headers["Retry-After"]
    assert db.session.execute(select(func.count()).select_from(Feedback)).scalar_one() == 1
