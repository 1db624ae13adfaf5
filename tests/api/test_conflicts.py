"""Conflicts are shown, never dropped: a write synced from the tablet's queue that clashes with a
change made meanwhile (the minutes closed, another member's edit of the same checklist item) is stored
as a pending correction with its reason and acknowledged (202, so it leaves the device queue); the
inspector sees it in the conflict list and the lead accepts or rejects it there. The inspector's own
later edit of an item, queued offline, applies (the last write by the same author wins)."""

import uuid

from sqlalchemy import select

from inspection.inspections import fieldwork
from models import AuditEvent, CheckResult, CheckResultWrite, Correction, db
from tests import factories
from tests.factories import csrf_token, sign_in
from tests.fieldwork import on_site, post

QUEUED = {"X-On-Conflict": "propose"}  # what the tablet's outbox sends for a verdict taken earlier


def post_queued(client, url, payload):
    return client.post(url, json=payload, headers={"X-CSRFToken": csrf_token(client, "/")} | QUEUED)


def result(item, value="compliant", **over) -> dict:
    return {"item_id": item.id, "value": value, "client_uuid": str(uuid.uuid4()),
            "device_time": on_site(hour=9).isoformat()} | over


def changed_meanwhile(team):
    """Another team member recorded item 1 on their device; the tablet's queued verdict never saw it."""
    item = team["template"].items[0]
    fieldwork.record_result(team["member"], team["inspection"], item_id=item.id, value="compliant",
                            client_uuid=str(uuid.uuid4()), device_time=on_site(hour=8))
    db.session.commit()
    return item


def conflicts_url(team) -> str:
    return f"/field/{team['inspection'].id}/conflicts"


def test_a_queued_verdict_on_an_item_changed_meanwhile_becomes_a_pending_correction(client, team):
    sign_in(client, team["lead"])
    item = changed_meanwhile(team)
    url = f"/api/v1/inspections/{team['inspection'].id}/results"
    body = result(item, "non_compliant", severity="minor", description="Chưa niêm yết thủ tục mới.")
    interactive = post(client, url, body | {"client_uuid": str(uuid.uuid4())})
    assert interactive.status_code == 409  # on screen, the inspector chooses
    queued = post_queued(client, url, body)
    again = post_queued(client, url, body)  # its answer was lost: sent again
    assert queued.status_code == again.status_code == 202
    assert queued.get_json()["correction"]["id"] == again.get_json()["correction"]["id"]
    correction = db.session.execute(select(Correction)).scalar_one()
    assert (correction.status, correction.reason) == ("pending", "changed_meanwhile")
    stored = db.session.execute(select(CheckResult).where(CheckResult.item_id == item.id)).scalar_one()
    assert stored.value == "compliant"  # nothing overwritten silently


def test_the_conflict_list_shows_the_reason_and_the_lead_decides_there(client, team):
    sign_in(client, team["lead"])
    item = changed_meanwhile(team)
    url = f"/api/v1/inspections/{team['inspection'].id}/results"
    post_queued(client, url, result(item, "not_applicable"))
    page = client.get(conflicts_url(team)).get_data(as_text=True)
    assert "Thành viên khác đã sửa kết quả tiêu chí này" in page and "Chờ trưởng đoàn duyệt" in page
    correction = db.session.execute(select(Correction)).scalar_one()
    decided = client.post(f"/corrections/{correction.id}/decide",
                          data={"csrf_token": csrf_token(client, conflicts_url(team)), "decision": "accept",
                                "back": "conflicts"})
    assert decided.status_code == 303 and decided.headers["Location"].endswith(conflicts_url(team))
    db.session.expire_all()
    stored = db.session.execute(select(CheckResult).where(CheckResult.item_id == item.id)).scalar_one()
    assert stored.value == "not_applicable"
    assert "Đã chấp nhận (biên bản bổ sung)" in client.get(conflicts_url(team)).get_data(as_text=True)


def test_after_the_minutes_close_the_reason_says_so(client, team):
    sign_in(client, team["lead"])
    inspection = team["inspection"]
    for item in team["template"].items:
        fieldwork.record_result(team["lead"], inspection, item_id=item.id, value="compliant",
                                client_uuid=str(uuid.uuid4()), device_time=on_site(hour=9))
    factories.close_minutes(team["lead"], inspection, representative_name="Trần Văn Bình",
                            representative_title="Chủ tịch UBND xã", device_time=on_site(hour=11))
    db.session.commit()
    body = {"description": "Thiếu sổ theo dõi.", "severity": "minor", "client_uuid": str(uuid.uuid4()),
            "device_time": on_site(hour=10).isoformat()}
    assert post(client, f"/api/v1/inspections/{inspection.id}/findings", body).status_code == 202
    page = client.get(conflicts_url(team)).get_data(as_text=True)
    assert "Biên bản đã được lập (khóa)" in page and "Thiếu sổ theo dõi." in page


def test_someone_off_the_team_cannot_open_the_conflict_list(client, team):
    sign_in(client, team["stranger"])
    assert client.get(conflicts_url(team)).status_code == 404


def test_the_inspectors_own_second_edit_queued_offline_applies(client, team):
    """Marked an item, then changed their mind, both without signal: both queued with the version seen
    before (none). The second is the inspector's own later edit, not a conflict: it applies."""
    sign_in(client, team["lead"])
    item = team["template"].items[0]
    url = f"/api/v1/inspections/{team['inspection'].id}/results"
    earlier = result(item, "compliant")
    first = post_queued(client, url, earlier)
    second = post_queued(client, url, result(item, "non_compliant", severity="minor", note="Xem lại hồ sơ",
                                             description="Chưa niêm yết thủ tục mới.", device_time=on_site(
                                                 hour=10).isoformat()))
    assert (first.status_code, second.status_code) == (201, 201)
    replayed = post_queued(client, url, earlier)  # the first again, after the second: not applied again
    assert replayed.status_code == 202 and replayed.get_json()["already_stored"]
    assert replayed.get_json()["result"]["value"] == "non_compliant"
    assert "correction" not in second.get_json() and second.get_json()["result"]["value"] == "non_compliant"
    stored = db.session.execute(select(CheckResult).where(CheckResult.item_id == item.id)).scalar_one()
    assert (stored.value, stored.note) == ("non_compliant", "Xem lại hồ sơ")
    assert db.session.execute(select(Correction)).first() is None
    trail = db.session.execute(select(AuditEvent.after).where(AuditEvent.action == "inspection.result")
                               .order_by(AuditEvent.seq)).scalars().all()
    assert [entry["value"] for entry in trail] == ["compliant", "non_compliant"]  # both kept


def test_another_members_edit_between_the_inspectors_two_edits_makes_the_second_a_correction(client, team):
    sign_in(client, team["lead"])
    item = team["template"].items[0]
    url = f"/api/v1/inspections/{team['inspection'].id}/results"
    assert post_queued(client, url, result(item, "compliant")).status_code == 201
    fieldwork.record_result(team["member"], team["inspection"], item_id=item.id, value="not_applicable",
                            client_uuid=str(uuid.uuid4()), device_time=on_site(hour=9), version=1)
    db.session.commit()
    again = post_queued(client, url, result(item, "compliant", note="Đã kiểm tra lại", version=1))
    assert again.status_code == 202 and again.get_json()["correction"]["status"] == "pending"
    correction = db.session.execute(select(Correction)).scalar_one()
    assert correction.reason == "changed_meanwhile"
    stored = db.session.execute(select(CheckResult).where(CheckResult.item_id == item.id)).scalar_one()
    assert stored.value == "not_applicable"  # the member's edit stands until the lead decides
    saves = db.session.execute(select(CheckResultWrite.version, CheckResultWrite.author_id)
                               .where(CheckResultWrite.result_id == stored.id)
                               .order_by(CheckResultWrite.version)).all()
    assert saves == [(1, team["lead"].id), (2, team["member"].id)]  # what the conflict was read from


def test_every_save_of_a_verdict_is_kept_with_its_version_author_and_device_entry(client, team):
    """Conflict detection reads each result's saves (check_result_write), one per version, never the
    audit log: the replay of an earlier entry is recognised by its client UUID."""
    sign_in(client, team["lead"])
    item = team["template"].items[0]
    url = f"/api/v1/inspections/{team['inspection'].id}/results"
    entries = [result(item, value) for value in ("compliant", "not_applicable", "compliant")]
    for n, entry in enumerate(entries):
        assert post_queued(client, url, entry | {"version": n or None}).status_code == 201
    stored = db.session.execute(select(CheckResult).where(CheckResult.item_id == item.id)).scalar_one()
    saves = db.session.execute(select(CheckResultWrite.version, CheckResultWrite.author_id,
                                      CheckResultWrite.client_uuid)
                               .where(CheckResultWrite.result_id == stored.id)
                               .order_by(CheckResultWrite.version)).all()
    assert saves == [(n + 1, team["lead"].id, entry["client_uuid"]) for n, entry in enumerate(entries)]
    assert stored.version == 3
    replayed = post_queued(client, url, entries[1] | {"version": 1})  # the second again, seen version 1
    assert replayed.status_code == 202 and replayed.get_json()["already_stored"]
    assert db.session.execute(select(Correction)).first() is None
