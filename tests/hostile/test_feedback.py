"""The hostile battery on the citizen's public survey (anonymous, so not in test_forms' walk):
every TEXT and EXTRA_TEXT case in the comment and the procedure, CHOICES in the scores, the
procedure choice and the signed start time; a 10 MB body. Never a server error; a refusal says why
and stores nothing; what is stored is inert on the coordinator's pages and in the export."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from models import Feedback, db
from models.enums import Role
from tests.factories import make_user, sign_in
from tests.feedback.helpers import SCORES, make_desk, survey_form, token_of
from tests.hostile import cases


@pytest.fixture(autouse=True)
def _quick_forms(app, monkeypatch):
    monkeypatch.setitem(app.config, "FEEDBACK_MIN_SECONDS", 0)
    monkeypatch.setitem(app.config, "FEEDBACK_MAX_PER_ADDRESS", 10_000)


def _count() -> int:
    return db.session.execute(select(func.count()).select_from(Feedback)).scalar_one()


def _post(app, desk, **fields):
    client = app.test_client()
    form = {**survey_form(client, token_of(desk)), **SCORES, "official": "1", **fields}
    return client.post(f"/danh-gia/{token_of(desk)}", data=form)


def _inert(body: str) -> bool:
    return not any(marker in body for marker in cases.RAW_MARKERS)


@pytest.mark.parametrize("case", cases.TEXT + cases.EXTRA_TEXT, ids=lambda c: c.name)
def test_hostile_text_is_stored_plain_or_refused_clearly(app, ctx, tree, case):
    desk = make_desk(tree["a"])
    before = _count()
    response = _post(app, desk, comment=case.value, procedure_name=case.value)
    body = response.get_data(as_text=True)
    assert response.status_code in (303, 413, 422), response.status_code  # 413: beyond the survey's body cap
    assert _inert(body)
    if response.status_code != 303:
        assert ('class="error"' in body or response.status_code == 413) and _count() == before
        return
    stored = db.session.execute(select(Feedback)).scalars().one()
    assert "\x00" not in stored.comment and len(stored.comment) <= 1000
    coordinator = app.test_client()
    sign_in(coordinator, make_user(role=Role.COORDINATOR, unit=tree["root"]))
    for page in ("/feedback/triage", f"/feedback/answers/{stored.id}", f"/desks/{desk.id}", "/feedback"):
        answer = coordinator.get(page)
        assert answer.status_code == 200 and _inert(answer.get_data(as_text=True))
    sheet = load_workbook(io.BytesIO(coordinator.get("/feedback/export").get_data())).active
    assert all(not str(c.value or "").startswith("=") for row in sheet.iter_rows() for c in row)


@pytest.mark.parametrize("field", ["access", "handling", "procedure_choice", "started", "csrf_token"])
@pytest.mark.parametrize("case", cases.CHOICES, ids=lambda c: c.name)
def test_hostile_choices_are_refused_and_nothing_stored(app, ctx, tree, field, case):
    desk = make_desk(tree["a"])
    response = _post(app, desk, **{field: case.value})
    assert response.status_code in (400, 409, 422) or (field == "procedure_choice" and response.status_code == 303)
    assert _inert(response.get_data(as_text=True))
    if field != "procedure_choice":
        assert _count() == 0


def test_ten_megabyte_body_is_refused_413(app, ctx, tree):
    desk = make_desk(tree["a"])
    response = _post(app, desk, comment="Ắ" * (5 * 1024 * 1024))
    assert response.status_code == 413 and _count() == 0
