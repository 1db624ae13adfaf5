"""Desks and their posters: who manages them, the poster PDF and its QR code, revoking it."""

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from models import AuditEvent, Desk, Report, db
from models.enums import Role
from tests.factories import csrf_token, make_unit, make_user, sign_in
from tests.reports.support import pdf_fonts, pdf_text, run_jobs, stored_bytes

from .helpers import make_desk, text, token_of
from .posters import decoded_qr


@pytest.fixture
def units(tree):
    return {"commune": tree["a"], "other": tree["b"]}


def _client_as(app, role, unit):
    client = app.test_client()
    sign_in(client, make_user(role=role, unit=unit))
    return client


def _create(client, unit, name="Bộ phận một cửa", procedures="Chứng thực\nKhai sinh"):
    return client.post(f"/units/{unit.id}/desks", data={"name": name, "procedures": procedures,
                                                         "csrf_token": csrf_token(client, "/")})


def test_unit_head_adds_a_desk_to_own_unit_only(app, units):
    head = _client_as(app, Role.UNIT_HEAD, units["commune"])
    response = _create(head, units["commune"])
    assert response.status_code == 303
    desk = db.session.execute(select(Desk)).scalar_one()
    assert desk.unit_id == units["commune"].id and desk.procedure_list == ["Chứng thực", "Khai sinh"]
    assert _create(head, units["other"]).status_code == 404
    officer = _client_as(app, Role.UNIT_OFFICER, units["commune"])
    assert _create(officer, units["commune"]).status_code == 403
    events = db.session.execute(select(AuditEvent.action).where(AuditEvent.action.like("desk.%"))).scalars().all()
    assert events == ["desk.created"]


def test_coordinator_adds_desks_anywhere_below_and_a_blank_name_is_refused(app, tree, units):
    coordinator = _client_as(app, Role.COORDINATOR, tree["root"])
    assert _create(coordinator, units["other"]).status_code == 303
    response = _create(coordinator, units["commune"], name="  ")
    assert response.status_code == 422 and "Nhập tên bộ phận" in text(response)
    procedures = "\n".join(f"Thủ tục {i}" for i in range(13))
    response = _create(coordinator, units["commune"], procedures=procedures)
    assert response.status_code == 422 and "Tối đa 12" in text(response)


def _poster(client, desk) -> bytes:
    response = client.post(f"/desks/{desk.id}/poster", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 303
    run_jobs()
    report = db.session.execute(select(Report).where(Report.kind == "desk_poster").order_by(Report.id.desc())
                                ).scalars().first()
    db.session.refresh(report)
    assert report.status == "ready", report.error
    return stored_bytes(report.attachment_id)


def test_poster_pdf_names_unit_and_desk_and_its_qr_opens_the_survey(app, units):
    desk = make_desk(units["commune"], name="Bộ phận tiếp nhận và trả kết quả xã")
    head = _client_as(app, Role.UNIT_HEAD, units["commune"])
    pdf = _poster(head, desk)
    words = " ".join(pdf_text(pdf).split())
    assert desk.name in words and "ẩn danh" in words and "Quét mã QR" in words
    assert "CCHC-Liberation-Serif" in pdf_fonts(pdf)
    Path("/tmp/h23-poster.pdf").write_bytes(pdf) if os.environ.get("KEEP_POSTER") else None
    [url] = decoded_qr(pdf)
    assert url == f"http://localhost/danh-gia/{token_of(desk)}"
    assert head.get(url.removeprefix("http://localhost")).status_code == 200


def test_revoking_makes_old_posters_answer_no_longer_valid_and_a_new_poster_carries_the_new_token(app, units):
    desk = make_desk(units["commune"])
    head = _client_as(app, Role.UNIT_HEAD, units["commune"])
    [old_url] = decoded_qr(_poster(head, desk))
    response = head.post(f"/desks/{desk.id}/revoke", data={"csrf_token": csrf_token(head, "/")})
    assert response.status_code == 303
    old = head.get(old_url.removeprefix("http://localhost"))
    assert old.status_code == 410 and "Mã QR này không còn hiệu lực" in text(old)
    [new_url] = decoded_qr(_poster(head, desk))
    assert new_url != old_url and head.get(new_url.removeprefix("http://localhost")).status_code == 200
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "desk.token_revoked")).scalar_one()


def test_desk_name_with_markup_is_inert_on_the_poster(app, units):
    desk = make_desk(units["commune"], name="<b>Một cửa</b><img src=x>")
    pdf = _poster(_client_as(app, Role.UNIT_HEAD, units["commune"]), desk)
    assert "<b>Một cửa</b><img src=x>" in pdf_text(pdf)


def test_a_unit_sees_its_desks_but_not_another_units(app, units):
    desk = make_desk(units["other"])
    officer = _client_as(app, Role.UNIT_OFFICER, units["commune"])
    assert officer.get(f"/desks/{desk.id}").status_code == 404
    assert officer.get(f"/units/{units['other'].id}/desks").status_code == 404
    mine = make_desk(make_unit(name="Tổ một cửa", parent=units["commune"]))
    assert officer.get(f"/desks/{mine.id}").status_code == 200
