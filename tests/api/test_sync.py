"""The tablet's sync on PostgreSQL: a first storage is 201, an identical resubmission is acknowledged as
already stored (202, `already_stored: true`, the stored record), the same UUID with different content
is a 409 (never an overwrite), a photo addressed by its finding's UUID goes after its finding, and
batches from outside the team, outside the inspection's time or in the future, or too large, are
refused with nothing stored."""

import hashlib
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from inspection.inspections import fieldwork
from inspection.language.formatting import TZ
from models import Correction, Finding, FindingPhoto, Inspection, db
from tests import factories
from tests.factories import sign_in
from tests.fieldwork import count, finding, findings_url, jpeg, on_site, photo, post


def test_an_identical_resubmission_is_acknowledged_as_stored_once(client, team):
    sign_in(client, team["lead"])
    inspection = team["inspection"]
    body = finding(inspection.id)
    first, again = post(client, findings_url(inspection), body), post(client, findings_url(inspection), body)
    assert (first.status_code, first.get_json()["already_stored"]) == (201, False)
    assert (again.status_code, again.get_json()["already_stored"]) == (202, True)
    assert first.get_json()["finding"] == again.get_json()["finding"]  # the stored record, not a correction
    assert "correction" not in again.get_json()
    data = jpeg()
    shot = {"client_uuid": str(uuid.uuid4())}
    one = photo(client, inspection.id, body["client_uuid"], data, **shot)
    two = photo(client, inspection.id, body["client_uuid"], data, **shot)
    assert (one.status_code, one.get_json()["already_stored"]) == (201, False)
    assert (two.status_code, two.get_json()["already_stored"]) == (202, True)
    assert one.get_json()["photo"] == two.get_json()["photo"]
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
    first, again = post(client, url, body), post(client, url, body)
    assert (first.status_code, first.get_json()["already_stored"]) == (201, False)
    assert (again.status_code, again.get_json()["already_stored"]) == (202, True)
    assert again.get_json()["result"] == first.get_json()["result"]
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
    # the whole batch again, in reverse (a sync whose answers were lost): acknowledged, not stored anew
    assert photo(client, inspection.id, body["client_uuid"], data, **shot).status_code == 202
    assert post(client, findings_url(inspection), body).status_code == 202
    assert (count(Finding), count(FindingPhoto)) == (1, 1)


def test_after_the_minutes_close_a_resubmission_stays_one_pending_correction(client, team):
    sign_in(client, team["lead"])
    inspection = team["inspection"]
    for item in team["template"].items:
        fieldwork.record_result(team["lead"], inspection, item_id=item.id, value="compliant",
                                client_uuid=str(uuid.uuid4()), device_time=on_site(hour=9))
    factories.close_minutes(team["lead"], inspection, representative_name="Trần Văn Bình",
                            representative_title="Chủ tịch UBND xã", device_time=on_site(hour=11))
    db.session.commit()
    body = finding(inspection.id, device_time=on_site(hour=10).isoformat())
    first, again = post(client, findings_url(inspection), body), post(client, findings_url(inspection), body)
    assert first.status_code == again.status_code == 202
    # told apart from an already stored finding by the body: a correction, and no finding
    assert "finding" not in first.get_json() and first.get_json()["correction"]["status"] == "pending"
    assert (first.get_json()["already_stored"], again.get_json()["already_stored"]) == (False, True)
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


def test_a_capture_time_in_the_future_beyond_the_clock_skew_is_refused(app, client, team, monkeypatch):
    monkeypatch.setitem(app.config, "CAPTURE_FUTURE_MINUTES", 120)  # the production allowance
    sign_in(client, team["lead"])
    inspection = db.session.get(Inspection, team["inspection"].id)
    assert inspection.start_on <= datetime.now(TZ).date() <= inspection.end_on  # it runs today
    ahead = datetime.now(TZ) + timedelta(hours=3)
    response = post(client, findings_url(inspection), finding(inspection.id, device_time=ahead.isoformat()))
    assert response.status_code == 422 and response.get_json()["field"] == "device_time"
    assert "ở tương lai" in response.get_json()["error"]
    assert count(Finding) == 0
    within = datetime.now(TZ) + timedelta(minutes=30)  # a tablet clock a little fast is fine
    assert post(client, findings_url(inspection), finding(inspection.id, device_time=within.isoformat())
                ).status_code == 201


def test_a_body_over_the_size_limit_is_refused_in_vietnamese_with_nothing_stored(app, client, team):
    sign_in(client, team["lead"])
    inspection = team["inspection"]
    limit = app.config["MAX_CONTENT_LENGTH"]
    huge = finding(inspection.id, description="x" * (limit + 1))
    response = post(client, findings_url(inspection), huge)
    assert response.status_code == 413 and response.get_json()["code"] == "too_large"
    assert "Yêu cầu quá lớn" in response.get_json()["error"]
    shot = photo(client, inspection.id, str(uuid.uuid4()), b"\xff" * (limit + 1))
    assert shot.status_code == 413 and "không có dữ liệu nào được lưu" in shot.get_json()["error"]
    assert (count(Finding), count(FindingPhoto)) == (0, 0)


def test_a_batch_of_many_items_in_one_request_is_refused_with_nothing_stored(client, team):
    sign_in(client, team["lead"])
    inspection = team["inspection"]
    batch = [finding(inspection.id) for _ in range(5000)]  # the API takes one item per request
    response = post(client, findings_url(inspection), batch)
    assert response.status_code == 422 and "không gửi cả lô" in response.get_json()["error"]
    assert count(Finding) == 0
