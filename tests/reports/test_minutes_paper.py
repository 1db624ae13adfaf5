"""The minutes' paper route (issue 21): where the two sides sign on paper, the team lead presses
"In bản giấy để ký" on the inspection's page — the minutes become final there and then (numbered,
no DỰ THẢO), the tablet route closes — and uploads the scan of the signed copy (PDF or JPEG, the
upload's checks), kept with the minutes and shown on their page. Refusals answer on that page in
Vietnamese and store nothing; outside the inspection both actions are 404."""

import io
import uuid

import pytest
from sqlalchemy import func, select

from inspection.demo.seed import DEMO_PASSWORD
from inspection.errors import InvalidTransition, ValidationError
from inspection.inspections import minutes, minutes_paper
from inspection.reports.queries import issued_document
from models import Attachment, AuditEvent, db
from tests.factories import csrf_token, make_photo, sign_in

from .support import on_site, pdf_text, run_jobs, stored_bytes, walk_to_minutes
from .test_minutes_signed import drawn


def lead_client(client, demo, inspection):
    sign_in(client, demo.user("inspector"), DEMO_PASSWORD)
    return csrf_token(client, f"/inspections/{inspection.id}")


def post_print(client, inspection, token):
    return client.post(f"/inspections/{inspection.id}/minutes/paper", data={"csrf_token": token})


def post_scan(client, inspection, token, data: bytes, name: str):
    return client.post(f"/inspections/{inspection.id}/minutes/scan",
                       data={"csrf_token": token, "scan": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def page(client, inspection) -> str:
    return " ".join(client.get(f"/inspections/{inspection.id}").get_data(as_text=True).split())


def attachments() -> int:
    return db.session.execute(select(func.count(Attachment.id))).scalar_one()


@pytest.fixture
def closed(demo):
    inspection = walk_to_minutes(demo, photos=0)
    db.session.commit()
    return inspection


def test_printed_minutes_are_final_and_numbered_and_their_signed_scan_is_kept(demo, client, closed):
    token = lead_client(client, demo, closed)
    assert "In bản giấy để ký" in page(client, closed)
    response = post_print(client, closed, token)
    assert response.status_code == 303 and "/reports/" in response.headers["Location"]  # the PDF's page
    document = issued_document("minutes", closed)
    assert document.number_text == "01/BB-ĐKT"
    run_jobs()
    db.session.refresh(document)
    pdf = stored_bytes(document.pdf_id)
    text = " ".join(pdf_text(pdf).split())
    assert "DỰ THẢO" not in text and "Số: 01/BB-ĐKT" in text and "Đặng Văn Lợi" in text
    assert post_print(client, closed, token).status_code == 303  # printed again: the same copy
    assert db.session.execute(select(func.count()).where(AuditEvent.action == "inspection.minutes_printed")
                              ).scalar_one() == 1
    with pytest.raises(InvalidTransition):  # the paper route closed the tablet's
        minutes.sign_minutes(demo.user("inspector"), closed, role="lead", image=drawn(), client_uuid=str(uuid.uuid4()),
                             content_hash_signed=minutes.content_hash(closed), device_time=on_site(17))
    shown = page(client, closed)
    assert "01/BB-ĐKT" in shown and "Chưa có bản chụp." in shown and "Tải lên bản chụp biên bản đã ký" in shown
    scan = make_photo(size=(1240, 1754))
    response = post_scan(client, closed, token, scan, "bien-ban-da-ky.jpg")
    assert response.status_code == 303 and response.headers["Location"].endswith("#minutes")
    db.session.refresh(document)
    assert stored_bytes(document.signed_scan_id) == scan
    shown = page(client, closed)
    assert "Xem bản chụp" in shown and "Đã lưu bản chụp biên bản số 01/BB-ĐKT đã ký." in shown
    assert client.get(f"/documents/{document.id}/scan").data == scan
    assert post_scan(client, closed, token, pdf, "bien-ban-da-ky.pdf").status_code == 303  # a scanner's PDF
    db.session.refresh(document)
    assert stored_bytes(document.signed_scan_id) == pdf


@pytest.mark.parametrize(("data", "name"), [(make_photo(fmt="PNG"), "bien-ban.png"),
                                            ("Biên bản đã ký".encode(), "bien-ban.pdf"), (b"", "rong.jpg")])
def test_a_wrong_file_is_refused_on_the_minutes_page_and_nothing_is_stored(demo, client, closed, data, name):
    token = lead_client(client, demo, closed)
    refused = post_scan(client, closed, token, make_photo(), "som.jpg")  # before the numbered copy
    assert refused.status_code == 303 and refused.headers["Location"].endswith(f"/inspections/{closed.id}#minutes")
    assert "Biên bản chưa có số" in page(client, closed)
    post_print(client, closed, token)
    before = attachments()
    response = post_scan(client, closed, token, data, name)
    assert response.status_code == 303 and response.headers["Location"].endswith("#minutes")
    shown = page(client, closed)
    assert ("Loại tệp không được chấp nhận" in shown or "Tệp rỗng" in shown or "Chọn tệp bản chụp" in shown), shown
    assert 'aria-invalid="true"' in shown  # the message sits at the form's file field
    assert attachments() == before and issued_document("minutes", closed).signed_scan_id is None


def test_outside_the_inspection_both_actions_are_404_and_only_the_team_lead_may(demo, client):
    elsewhere = walk_to_minutes(demo, "TH-THONGBINH", photos=0)
    here = walk_to_minutes(demo, photos=0)
    db.session.commit()
    sign_in(client, demo.user("officer"), DEMO_PASSWORD)  # a commune officer of xã An Phước
    token = csrf_token(client, f"/inspections/{here.id}")
    assert post_print(client, elsewhere, token).status_code == 404
    assert post_scan(client, elsewhere, token, make_photo(), "a.jpg").status_code == 404
    assert post_print(client, here, token).status_code == 403  # sees it: the inspected unit, not the team lead
    assert issued_document("minutes", here) is None and issued_document("minutes", elsewhere) is None


def test_printing_gives_way_to_a_signature_already_drawn_on_the_tablet(demo, closed):
    lead = demo.user("inspector")
    minutes.sign_minutes(lead, closed, role="lead", image=drawn(), client_uuid=str(uuid.uuid4()),
                         content_hash_signed=minutes.content_hash(closed), device_time=on_site(17))
    with pytest.raises(ValidationError, match="Đã có chữ ký trên máy tính bảng"):
        minutes_paper.print_minutes_on_paper(lead, closed)
    assert issued_document("minutes", closed) is None
