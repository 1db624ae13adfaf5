"""The tablet's sync on PostgreSQL: an identical resubmission is acknowledged as stored, the same UUID
with different content is a 409 (never an overwrite), a photo addressed by its finding's UUID goes
after its finding, and batches from outside the team or outside the inspection's time are refused
with nothing stored."""

import hashlib
import io
import uuid
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from inspection.inspections import fieldwork, scheduling
from models import Correction, Finding, FindingPhoto, Inspection, db
from models.enums import InspectionKind, Role
from tests.factories import csrf_token, make_user, sign_in
from tests.inspections.test_services import make_checklist, on_site


@pytest.fixture
def team(client, tree):
    leader = make_user(role=Role.LEADER, unit=tree["pc"])
    lead = make_user(role=Role.INSPECTOR, unit=tree["dept"])
    stranger = make_user(role=Role.INSPECTOR, unit=tree["dept"])
    template = make_checklist(tree["pc"], n_items=2)
    inspection = scheduling.schedule_inspection(
        leader, ordering_unit=tree["pc"], target=tree["a"], kind=InspectionKind.SCHEDULED,
        start_on=on_site().date(), template=template, lead_id=lead.id)
    scheduling.announce_inspection(leader, inspection)
    fieldwork.start_inspection(lead, inspection, device_time=on_site(hour=8))
    db.session.commit()
    return {"lead": lead, "stranger": stranger, "inspection": inspection, "template": template}


def jpeg(shade: int = 120) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (shade, 90, 60)).save(out, "JPEG", quality=90)
    return out.getvalue()


def post(client, url, payload):
    return client.post(url, json=payload, headers={"X-CSRFToken": csrf_token(client, "/")})


def photo(client, inspection_id, finding_uuid, data: bytes, **extra):
    form = {"file": (io.BytesIO(data), "anh.jpg"), "finding_uuid": finding_uuid,
            "client_uuid": extra.pop("client_uuid", str(uuid.uuid4())),
            "device_time": extra.pop("device_time", on_site(hour=10).isoformat())} | extra
    return client.post(f"/api/v1/inspections/{inspection_id}/photos", data=form,
                       headers={"X-CSRFToken": csrf_token(client, "/")}, content_type="multipart/form-data")


def finding(inspection_id, **over) -> dict:
    return {"description": "Hộp thư góp ý đặt khuất, chưa có lịch mở hộp thư.", "severity": "minor",
            "client_uuid": str(uuid.uuid4()), "device_time": on_site(hour=9).isoformat()} | over


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def findings_url(inspection) -> str:
    return f"/api/v1/inspections/{inspection.id}/findings"


def test_an_identical_resubmission_is_acknowledged_as_stored_once(client, team):
    sign_in(client, team["lead"])
    inspection = team["inspection"]
    body = finding(inspection.id)
    first, again = post(client, findings_url(inspection), body), post(client, findings_url(inspection), body)
    assert first.status_code == again.status_code == 201
    assert first.get_json()["finding"]["id"] == again.get_json()["finding"]["id"]
    data = jpeg()
    shot = {"client_uuid": str(uuid.uuid4())}
    one = photo(client, inspection.id, body["client_uuid"], data, **shot)
    two = photo(client, inspection.id, body["client_uuid"], data, **shot)
    assert one.status_code == two.status_code == 201
    assert one.get_json()["photo"]["id"] == two.get_json()["photo"]["id"]
    assert one.get_json()["photo"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert (count(Finding), count(FindingPhoto)) == (1, 1)


def test_the_same_uuid_with_different_content_is_a_conflict_never_an_overwrite(client, team):
    sign_in(client, team["lead"])
    inspection = team["inspection"]
    body = finding(inspection.id)
    assert post(client, findings_url(inspection), body).status_code == 201
    changed = post(client, findings_url(inspection), body | {"description": "Một nội dung khác hẳn."})
    assert changed.status_code == 409
    assert changed.get_json()["current"]["description"] == body["description"]
    shot = {"client_uuid": str(uuid.uuid4())}
    assert photo(client, inspection.id, body["client_uuid"], jpeg(120), **shot).status_code == 201
    other_bytes = photo(client, inspection.id, body["client_uuid"], jpeg(200), **shot)
    assert other_bytes.status_code == 409
    stored = db.session.execute(select(Finding)).scalar_one()
    db.session.refresh(stored)
    assert stored.description == body["description"] and len(stored.photos) == 1


def test_a_result_uuid_reused_for_another_verdict_is_refused(client, team):
    sign_in(client, team["lead"])
    inspection, item = team["inspection"], team["template"].items[0]
    body = {"item_id": item.id, "value": "compliant", "client_uuid": str(uuid.uuid4()),
            "device_time": on_site(hour=9).isoformat()}
    url = f"/api/v1/inspections/{inspection.id}/results"
    assert post(client, url, body).status_code == 200
    assert post(client, url, body).status_code == 200
    assert post(client, url, body | {"value": "not_applicable"}).status_code == 409
    detail = client.get(f"/api/v1/inspections/{inspection.id}").get_json()
    assert [r["value"] for r in detail["results"]] == ["compliant"]


def test_a_photo_goes_after_its_finding_and_a_replayed_batch_stores_each_once(client, team):
    sign_in(client, team["lead"])
    inspection = team["inspection"]
    body, data, shot = finding(inspection.id), jpeg(), {"client_uuid": str(uuid.uuid4())}
    early = photo(client, inspection.id, body["client_uuid"], data, **shot)
    assert early.status_code == 404 and "gửi tồn tại trước" in early.get_json()["error"]
    assert count(FindingPhoto) == 0
    assert post(client, findings_url(inspection), body).status_code == 201
    assert photo(client, inspection.id, body["client_uuid"], data, **shot).status_code == 201
    # the whole batch again, in reverse (a sync whose answers were lost)
    assert photo(client, inspection.id, body["client_uuid"], data, **shot).status_code == 201
    assert post(client, findings_url(inspection), body).status_code == 201
    assert (count(Finding), count(FindingPhoto)) == (1, 1)


def test_after_the_minutes_close_a_resubmission_stays_one_pending_correction(client, team):
    sign_in(client, team["lead"])
    inspection = team["inspection"]
    for item in team["template"].items:
        fieldwork.record_result(team["lead"], inspection, item_id=item.id, value="compliant",
                                client_uuid=str(uuid.uuid4()), device_time=on_site(hour=9))
    fieldwork.close_minutes(team["lead"], inspection, representative_name="Trần Văn Bình",
                            representative_title="Chủ tịch UBND xã", device_time=on_site(hour=11))
    db.session.commit()
    body = finding(inspection.id, device_time=on_site(hour=10).isoformat())
    first, again = post(client, findings_url(inspection), body), post(client, findings_url(inspection), body)
    assert first.status_code == again.status_code == 202
    assert first.get_json()["correction"]["id"] == again.get_json()["correction"]["id"]
    assert post(client, findings_url(inspection), body | {"severity": "major"}).status_code == 409
    assert (count(Correction), count(Finding)) == (1, 0)


def test_a_batch_for_an_inspection_the_user_is_not_on_stores_nothing(client, team):
    sign_in(client, team["stranger"])
    inspection = team["inspection"]
    body = finding(inspection.id)
    assert post(client, findings_url(inspection), body).status_code in (403, 404)
    assert photo(client, inspection.id, body["client_uuid"], jpeg()).status_code in (403, 404)
    assert (count(Finding), count(FindingPhoto)) == (0, 0)


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_capture_time_outside_the_window_and_skew_is_refused(client, team, when):
    sign_in(client, team["lead"])
    inspection = db.session.get(Inspection, team["inspection"].id)
    day = inspection.start_on - timedelta(days=1) if when == "before" else inspection.end_on + timedelta(days=1)
    hour = 20 if when == "before" else 4  # 4 h outside the window: beyond the 2 h clock-skew allowance
    body = finding(inspection.id, device_time=on_site(day, hour).isoformat())
    response = post(client, findings_url(inspection), body)
    assert response.status_code == 422 and response.get_json()["field"] == "device_time"
    assert "Kiểm tra lại đồng hồ thiết bị" in response.get_json()["error"]
    assert count(Finding) == 0


def test_a_photo_whose_sha256_does_not_match_its_bytes_is_refused(client, team):
    sign_in(client, team["lead"])
    inspection = team["inspection"]
    body = finding(inspection.id)
    post(client, findings_url(inspection), body)
    response = photo(client, inspection.id, body["client_uuid"], jpeg(), sha256=hashlib.sha256(b"other").hexdigest())
    assert response.status_code == 422 and response.get_json()["field"] == "sha256"
    assert count(FindingPhoto) == 0
