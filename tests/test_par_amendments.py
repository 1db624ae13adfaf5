"""Amendments of a frozen index from its page: only the coordinator of the index's unit amends
(others get 404 or 403 and no form), the reason is required (a refusal answers on the index page
with what was typed), the list shows who, when, what and why, and the scores follow the new
maximum at once."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from inspection.errors import InvalidTransition
from inspection.par import amendments, results
from models import AuditEvent, db
from models.enums import Role
from tests.factories import csrf_token, sign_in
from tests.par_records import save_points


def _client(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


def _amend(client, par, **fields):
    page = f"/chi-so-cchc/bo-chi-so/{par.index.id}"
    data = {"csrf_token": csrf_token(client, page), "sub_id": str(par.scores["1.1.1"].sub_id)} | fields
    return client.post(f"{page}/dieu-chinh", data=data)


def _amended() -> int:
    return db.session.execute(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == amendments.ACTION)).scalar_one()


def test_the_coordinator_amends_a_frozen_index_the_list_shows_it_and_the_scores_follow(app, par):
    save_points(par, {"1.1.1": "2", "1.2.1": "4", "2.1.1": "3"})  # 1.1.1 is yes/no: "đạt" = its maximum, 2
    coordinator = _client(app, par.coordinator)
    answer = _amend(coordinator, par, max_points="1", reason="Sửa theo Quyết định 12/QĐ-UBND")
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"/bo-chi-so/{par.index.id}#amendments")
    page = coordinator.get(f"/chi-so-cchc/bo-chi-so/{par.index.id}").get_data(as_text=True)
    listed = page[page.index('id="amendments"'):]
    for shown in (par.coordinator.full_name, "1.1.1", "Điểm tối đa: 2 → 1", "Sửa theo Quyết định 12/QĐ-UBND",
                  "1 điểm được tính lại"):
        assert shown in listed
    db.session.expire_all()
    assert par.scores["1.1.1"].sub.max_points == 1 and par.scores["1.1.1"].self_points == 1  # still "đạt"
    mine = next(r for r in results.round_results(par.round) if r.unit_id == par.an_phuoc.unit_id)
    assert (mine.points, mine.maximum) == (Decimal(1 + 4 + 3), Decimal(1 + 4 + 3))
    history = coordinator.get(f"/chi-so-cchc/diem/{par.scores['1.1.1'].id}").get_data(as_text=True)
    assert "Điều chỉnh bộ chỉ số (điểm tự đánh giá)" in history


def test_an_amendment_without_a_reason_is_refused_on_the_index_page_and_nothing_changes(app, par):
    coordinator = _client(app, par.coordinator)
    answer = _amend(coordinator, par, max_points="1,5", text="Ban hành kế hoạch CCHC năm", reason="   ")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("#amend-form")
    page = coordinator.get(answer.headers["Location"]).get_data(as_text=True)
    form = page[page.index('id="amend-form"'):page.index('id="amendments"')]
    assert "Nhập lý do điều chỉnh" in form and 'value="1,5"' in form and "Ban hành kế hoạch CCHC năm</textarea>" in form
    db.session.expire_all()
    assert par.scores["1.1.1"].sub.max_points == 2 and _amended() == 0


@pytest.mark.parametrize("role", [Role.UNIT_OFFICER, Role.UNIT_HEAD, Role.INSPECTOR, Role.LEADER, Role.VIEWER])
def test_only_the_coordinator_amends_others_get_404_or_403_and_no_form(app, par, role):
    client = _client(app, par.s.user_for(role))
    page = client.get(f"/chi-so-cchc/bo-chi-so/{par.index.id}")
    assert page.status_code == 404 or 'id="amend-form"' not in page.get_data(as_text=True)
    token = csrf_token(client, "/chi-so-cchc/")
    answer = client.post(f"/chi-so-cchc/bo-chi-so/{par.index.id}/dieu-chinh", data={
        "csrf_token": token, "sub_id": str(par.scores["1.1.1"].sub_id), "max_points": "1", "reason": "Thử"})
    assert answer.status_code in (403, 404)
    db.session.expire_all()
    assert par.scores["1.1.1"].sub.max_points == 2 and _amended() == 0


def test_a_published_round_refuses_amendments_of_its_index(par):
    par.round.status = "published"
    with pytest.raises(InvalidTransition):
        amendments.amend_sub(par.coordinator, par.scores["1.1.1"].sub, max_points="1", text=None, reason="Muộn")
    assert _amended() == 0
