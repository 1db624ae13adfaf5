"""Desks, survey pages and answers for the feedback tests."""

import html
import re

from inspection.feedback import tokens
from models import Desk, db, utcnow

SCORES = {"access": "4", "procedure": "5", "official": "4", "result": "5", "handling": "3"}


def make_desk(unit, *, name="Bộ phận một cửa xã", procedures="Chứng thực bản sao\nĐăng ký khai sinh") -> Desk:
    desk = Desk(unit_id=unit.id, name=name, procedures=procedures, token_id=tokens.new_token_id(),
                token_issued_at=utcnow())
    db.session.add(desk)
    db.session.commit()
    return desk


def token_of(desk: Desk) -> str:
    return tokens.sign(desk.id, desk.token_id)


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', page)
    return html.unescape(found.group(1)) if found else ""


def survey_form(client, token: str) -> dict:
    """The survey page's hidden fields (CSRF token, signed start time)."""
    page = client.get(f"/danh-gia/{token}").get_data(as_text=True)
    return {"csrf_token": hidden(page, "csrf_token"), "started": hidden(page, "started")}


def answer(client, token: str, form_of: str | None = None, **fields):
    """Open the survey (of `form_of`'s token when given) and post an answer to `token` (the five
    scores by default)."""
    data = {**survey_form(client, form_of or token), **SCORES, "procedure_name": "", "comment": "", "website": ""}
    data.update(fields)
    return client.post(f"/danh-gia/{token}", data=data)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))
