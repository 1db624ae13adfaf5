"""The tablet's JSON API, through the test client with the session and CSRF header."""

import uuid

import pytest
from sqlalchemy import func, select

from inspection.inspections import scheduling
from models import CheckResult, db
from models.enums import InspectionKind, Role
from tests.factories import csrf_token, make_user, sign_in
from tests.fieldwork import make_checklist, on_site


@pytest.fixture
def setup(client, tree):
    leader = make_user(role=Role.LEADER, unit=tree["pc"])
    lead = make_user(role=Role.INSPECTOR, unit=tree["dept"])
    stranger = make_user(role=Role.INSPECTOR, unit=tree["dept"])
    officer = make_user(role=Role.UNIT_OFFICER, unit=tree["a"])
    template = make_checklist(tree["pc"], n_items=2)
    inspection = scheduling.schedule_inspection(
        leader, ordering_unit=tree["pc"], target=tree["a"], kind=InspectionKind.SURPRISE,
        start_on=on_site().date(), template=template, lead_id=lead.id)
    db.session.commit()
    return {"lead": lead, "stranger": stranger, "officer": officer, "inspection": inspection, "template": template}


def _post(client, url, payload):
    return client.post(url, json=payload, headers={"X-CSRFToken": csrf_token(client, "/")})


def test_the_tablet_starts_marks_and_retries_without_duplicates(client, setup):
    sign_in(client, setup["lead"])
    inspection, item = setup["inspection"], setup["template"].items[0]
    today = client.get("/api/v1/inspections/today").get_json()
    assert [i["id"] for i in today["inspections"]] == [inspection.id]
    started = _post(client, f"/api/v1/inspections/{inspection.id}/start", {"device_time": on_site().isoformat()})
    assert started.status_code == 200 and started.get_json()["inspection"]["status"] == "in_progress"
    payload = {"item_id": item.id, "value": "non_compliant", "severity": "major", "client_uuid": str(uuid.uuid4()),
               "description": "Chưa niêm yết 3/45 thủ tục", "device_time": on_site().isoformat()}
    first = _post(client, f"/api/v1/inspections/{inspection.id}/results", payload)
    again = _post(client, f"/api/v1/inspections/{inspection.id}/results", payload)
    assert (first.status_code, again.status_code) == (201, 202) and again.get_json()["already_stored"]
    assert first.get_json()["result"]["id"] == again.get_json()["result"]["id"]
    assert db.session.execute(select(func.count(CheckResult.id))).scalar_one() == 1
    detail = client.get(f"/api/v1/inspections/{inspection.id}").get_json()
    assert detail["findings"][0]["description"] == "Chưa niêm yết 3/45 thủ tục"


def test_a_stale_second_submission_gets_409_with_the_current_value(client, setup):
    sign_in(client, setup["lead"])
    inspection, item = setup["inspection"], setup["template"].items[0]
    _post(client, f"/api/v1/inspections/{inspection.id}/start", {"device_time": on_site().isoformat()})
    base = {"item_id": item.id, "device_time": on_site().isoformat()}
    _post(client, f"/api/v1/inspections/{inspection.id}/results",
          base | {"value": "compliant", "client_uuid": str(uuid.uuid4())})
    stale = _post(client, f"/api/v1/inspections/{inspection.id}/results",
                  base | {"value": "not_applicable", "client_uuid": str(uuid.uuid4())})
    assert stale.status_code == 409
    assert stale.get_json()["current"]["value"] == "compliant"


@pytest.mark.parametrize("payload,field", [
    ({"value": "non_compliant", "severity": "major"}, "description"),
    ({"value": "compliant", "device_time": "31/02/2024"}, "device_time"),
    ({"value": "compliant", "item_id": "1"}, "item_id"),
    ({"value": "compliant", "client_uuid": ""}, "client_uuid"),
])
def test_bad_payloads_get_422_with_the_field(client, setup, payload, field):
    sign_in(client, setup["lead"])
    inspection, item = setup["inspection"], setup["template"].items[0]
    _post(client, f"/api/v1/inspections/{inspection.id}/start", {"device_time": on_site().isoformat()})
    body = {"item_id": item.id, "client_uuid": str(uuid.uuid4()), "device_time": on_site().isoformat()} | payload
    response = _post(client, f"/api/v1/inspections/{inspection.id}/results", body)
    assert response.status_code == 422 and response.get_json()["field"] == field
    assert db.session.execute(select(func.count(CheckResult.id))).scalar_one() == 0


def test_the_unit_gets_404_before_a_surprise_starts_and_a_non_member_403(client, setup):
    inspection = setup["inspection"]
    sign_in(client, setup["officer"])
    assert client.get(f"/api/v1/inspections/{inspection.id}").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    sign_in(client, setup["stranger"])
    # same unit as the team lead, not on the team: the surprise inspection is not theirs to see
    assert client.get(f"/api/v1/inspections/{inspection.id}").status_code == 404
