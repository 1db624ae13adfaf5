"""Per-device tokens: an inspector registers the tablet (the token is shown once and stored hashed),
the sync API accepts `Authorization: Bearer <token>` instead of the session (no CSRF: same services),
an administrator of the user's units sees and revokes it (audit event), and a revoked token gets a
401 with a clear JSON error and nothing stored. Resetting a user's password or deactivating them
revokes their devices too; a token whose user must change their password gets a 401 until they do."""

import hashlib
import io
import uuid
from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from models import AuditEvent, Device, Finding, db
from models.enums import Role
from tests.factories import PASSWORD, csrf_token, make_user, sign_in
from tests.fieldwork import count, finding, findings_url, jpeg


def register(client, name="Máy tính bảng đoàn 1"):
    return client.post("/api/v1/devices", json={"name": name}, headers={"X-CSRFToken": csrf_token(client, "/")})


@pytest.fixture
def device(client, team) -> dict:
    sign_in(client, team["lead"])
    answer = register(client)
    assert answer.status_code == 201
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    return answer.get_json()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def events(action: str) -> list:
    return db.session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars().all()


def test_the_token_is_shown_once_and_stored_only_as_its_hash(team, device):
    stored = db.session.execute(select(Device)).scalar_one()
    assert device["token"] not in (stored.token_hash, stored.name)
    assert stored.token_hash == hashlib.sha256(device["token"].encode()).hexdigest()
    assert stored.user_id == team["lead"].id and stored.name == "Máy tính bảng đoàn 1"
    assert [e.target_id for e in events("device.registered")] == [str(stored.id)]


def test_a_bearer_token_syncs_without_session_or_csrf_even_days_later(app, team, device):
    inspection, body = team["inspection"], finding(team["inspection"].id)
    tablet = app.test_client()  # no cookie at all
    with time_machine.travel(datetime.now().astimezone() + timedelta(days=3)):
        first = tablet.post(findings_url(inspection), json=body, headers=bearer(device["token"]))
        again = tablet.post(findings_url(inspection), json=body, headers=bearer(device["token"]))
    assert (first.status_code, again.status_code) == (201, 202) and again.get_json()["already_stored"]
    assert first.get_json()["finding"]["id"] == again.get_json()["finding"]["id"]
    stored = db.session.execute(select(Finding)).scalar_one()
    assert stored.recorded_by_id == team["lead"].id
    db.session.expire_all()
    assert db.session.execute(select(Device)).scalar_one().last_used_at is not None


def test_a_bearer_token_cannot_reach_an_inspection_its_user_is_not_on(app, client, team):
    sign_in(client, team["stranger"])
    token = register(client).get_json()["token"]
    answer = app.test_client().post(findings_url(team["inspection"]), json=finding(team["inspection"].id),
                                    headers=bearer(token))
    assert answer.status_code in (403, 404) and count(Finding) == 0


def test_an_unknown_token_and_a_device_registering_another_are_refused(app, team, device):
    tablet = app.test_client()
    unknown = tablet.post(findings_url(team["inspection"]), json=finding(team["inspection"].id),
                          headers=bearer("cchc_not-a-real-token"))
    assert unknown.status_code == 401 and unknown.get_json()["code"] == "device_revoked"
    chained = tablet.post("/api/v1/devices", json={"name": "Máy thứ hai"}, headers=bearer(device["token"]))
    assert chained.status_code == 403 and count(Device) == 1


def test_an_administrator_in_scope_revokes_and_the_token_then_gets_a_clear_401(app, client, tree, team, device):
    admin = make_user(role=Role.ADMIN, unit=tree["pc"])
    sign_in(client, admin)
    listing = client.get("/admin/devices").get_data(as_text=True)
    assert "Máy tính bảng đoàn 1" in listing and team["lead"].full_name in listing
    stored = db.session.execute(select(Device)).scalar_one()
    token = csrf_token(client, "/admin/devices")
    revoked = client.post(f"/admin/devices/{stored.id}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 303
    assert [e.actor_id for e in events("device.revoked")] == [admin.id]
    inspection, body = team["inspection"], finding(team["inspection"].id)
    tablet = app.test_client()
    answer = tablet.post(findings_url(inspection), json=body, headers=bearer(device["token"]))
    assert answer.status_code == 401 and answer.get_json()["code"] == "device_revoked"
    assert "thu hồi" in answer.get_json()["error"]
    shot = tablet.post(f"/api/v1/inspections/{inspection.id}/photos", headers=bearer(device["token"]),
                       data={"file": (io.BytesIO(jpeg()), "anh.jpg"), "finding_uuid": body["client_uuid"],
                             "client_uuid": str(uuid.uuid4()), "device_time": body["device_time"]},
                       content_type="multipart/form-data")
    assert shot.status_code == 401 and shot.get_json()["code"] == "device_revoked"
    assert count(Finding) == 0
    assert "Đã thu hồi" in client.get("/admin/devices").get_data(as_text=True)


def test_only_an_administrator_sees_devices_and_revokes_them(client, tree, team, device):
    leader = make_user(role=Role.LEADER, unit=tree["pc"])  # sees the users, but does not manage them
    sign_in(client, leader)
    assert client.get("/admin/devices").status_code == 403
    stored = db.session.execute(select(Device)).scalar_one()
    answer = client.post(f"/admin/devices/{stored.id}/revoke", data={"csrf_token": csrf_token(client, "/")})
    assert answer.status_code == 403
    db.session.refresh(stored)
    assert stored.revoked_at is None and events("device.revoked") == []


@pytest.mark.parametrize("action", ["reset-password", "deactivate"])
def test_a_password_reset_or_a_deactivation_revokes_the_users_devices(app, client, tree, team, device, action):
    admin = make_user(role=Role.ADMIN, unit=tree["pc"])
    sign_in(client, admin)
    user_id = team["lead"].id
    done = client.post(f"/admin/users/{user_id}/{action}",
                       data={"csrf_token": csrf_token(client, f"/admin/users/{user_id}/edit")})
    assert done.status_code in (200, 302)  # the temporary password page, or back to the user
    stored = db.session.execute(select(Device)).scalar_one()
    assert stored.revoked_at is not None and stored.revoked_by_id == admin.id
    [revoked] = events("device.revoked")
    assert (revoked.actor_id, revoked.target_id) == (admin.id, str(stored.id))
    assert revoked.after["reason"] == {"reset-password": "password_reset", "deactivate": "deactivated"}[action]
    answer = app.test_client().post(findings_url(team["inspection"]), json=finding(team["inspection"].id),
                                    headers=bearer(device["token"]))
    assert answer.status_code == 401 and answer.get_json()["code"] == "device_revoked"
    assert count(Finding) == 0


def test_a_token_whose_user_must_change_the_password_is_refused_until_it_is_changed(app, client, team, device):
    lead = team["lead"]
    lead.must_change_password = True  # e.g. an account whose password an administrator marked as to be changed
    db.session.commit()
    tablet, body = app.test_client(), finding(team["inspection"].id)
    refused = tablet.post(findings_url(team["inspection"]), json=body, headers=bearer(device["token"]))
    assert refused.status_code == 401 and refused.get_json()["code"] == "password_change_required"
    assert "đổi mật khẩu" in refused.get_json()["error"] and count(Finding) == 0
    sign_in(client, lead)  # the session is sent to the password change first
    changed = client.post("/account/password", data={
        "csrf_token": csrf_token(client, "/account/password"), "current_password": PASSWORD,
        "new_password": "mat-khau-moi-2026", "confirm": "mat-khau-moi-2026"})
    assert changed.status_code == 302
    accepted = tablet.post(findings_url(team["inspection"]), json=body, headers=bearer(device["token"]))
    assert accepted.status_code == 201 and count(Finding) == 1


@pytest.mark.parametrize("role", [Role.UNIT_OFFICER, Role.UNIT_HEAD, Role.COORDINATOR])
def test_only_who_captures_in_the_field_registers_a_device(app, tree, team, role):
    """An officer, a head or a coordinator has nothing to capture on a tablet: no standing token for
    them (403, nothing stored); the same officer seconded to an open inspection's team may."""
    person = make_user(role=role, unit=tree["b"] if role != Role.COORDINATOR else tree["pc"])
    db.session.commit()
    client = app.test_client()
    sign_in(client, person)
    refused = register(client)
    assert refused.status_code == 403 and "thành viên đoàn kiểm tra" in refused.get_json()["error"]
    assert db.session.execute(select(Device).where(Device.user_id == person.id)).first() is None
    from models import InspectionMember

    db.session.add(InspectionMember(inspection_id=team["inspection"].id, user_id=person.id, role="member"))
    db.session.commit()
    assert register(client).status_code == 201
