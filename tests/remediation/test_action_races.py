"""A leader and a unit officer acting on the same remediation action at once, through the real
pages, each request on its own connection: the leader approves the pending extension while the
officer submits the result with an evidence file, both from the page drawn at the same version.
Exactly one goes through; the other gets the conflict page with the action as it is now, and
leaves nothing behind (no submission, no attachment row, no file on disk, no audit event)."""

import io
import os
from datetime import timedelta
from functools import partial

import pytest
from sqlalchemy import func, select

from inspection.deadlines import services as deadlines
from inspection.language.formatting import local_today
from inspection.remediation import services
from models import Attachment, AuditEvent, ExtensionRequest, RemediationAction, RemediationSubmission, User, db
from models.enums import ExtensionStatus, InspectionStatus, RemediationStatus, Role
from tests.factories import PDF_BYTES, csrf_token, make_unit, make_user, sign_in
from tests.s3 import stored_files
from tests.scenario import new_inspection_of
from tests.threads import at_once

pytestmark = pytest.mark.committed
ROUNDS = int(os.environ.get("RACE_ROUNDS", "30"))  # RACE_ROUNDS=1000 for a long run


@pytest.fixture
def seeded(committed):
    root = make_unit(name="Tỉnh Thử Nghiệm", kind="province")
    pc = make_unit(name="Ủy ban nhân dân tỉnh Thử Nghiệm", kind="peoples_committee", parent=root)
    commune = make_unit(name="Ủy ban nhân dân xã An Phước", parent=pc)
    people = {"leader": make_user(role=Role.LEADER, unit=pc), "head": make_user(role=Role.UNIT_HEAD, unit=commune),
              "officer": make_user(role=Role.UNIT_OFFICER, unit=commune),
              "coordinator": make_user(role=Role.COORDINATOR, unit=pc)}
    inspection = new_inspection_of(commune, InspectionStatus.CONCLUDED)
    deadline = local_today() + timedelta(days=20)
    action = RemediationAction(inspection_id=inspection.id, unit_id=commune.id, status=RemediationStatus.IN_PROGRESS,
                               description="Niêm yết đầy đủ thủ tục hành chính tại Bộ phận Một cửa",
                               deadline=deadline, original_deadline=deadline, version=1)
    db.session.add(action)
    db.session.commit()
    return action.id, {role: user.id for role, user in people.items()}


def _browser(app, user_id: int):
    client = app.test_client()
    sign_in(client, db.session.get(User, user_id))
    return client, csrf_token(client, "/remediation")


def _action(action_id: int) -> RemediationAction:
    db.session.expire_all()
    return db.session.get(RemediationAction, action_id)


def _count(model, *where) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _files(app) -> int:
    return len(stored_files(app))


def _ready(action_id: int, ids: dict) -> ExtensionRequest:
    """Back to work with an extension waiting for the leader: the head returns a result waiting for
    them, the officer asks for one more day when nothing is pending, the coordinator forwards it."""
    action = _action(action_id)
    if action.status == RemediationStatus.AWAITING_HEAD:
        services.return_action(db.session.get(User, ids["head"]), action, version=action.version,
                               reason="Bổ sung biên bản niêm yết")
    pending = deadlines.pending_of(action) or deadlines.request_extension(
        db.session.get(User, ids["officer"]), action, new_deadline=action.deadline + timedelta(days=1),
        reason="Chờ in bảng niêm yết mới")
    if pending.status == ExtensionStatus.REQUESTED:
        deadlines.forward_extension(db.session.get(User, ids["coordinator"]), pending, opinion="agree")
    return pending


def _saved(response, client, action: RemediationAction) -> bool:
    """Both answers are a 303 to the action's page (a refused form answers on its page, issue 18):
    the loser's page says "Xung đột dữ liệu" and shows the action as it is now."""
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    if "Xung đột dữ liệu" not in html:
        return True
    assert action.deadline.strftime("%d/%m/%Y") in html
    return False


def test_leader_decision_and_officer_submission_at_once_exactly_one_goes_through(committed, seeded):
    action_id, ids = seeded
    (leader, leader_token), (officer, officer_token) = (_browser(committed, ids[r]) for r in ("leader", "officer"))
    files_before, wins = _files(committed), {"leader": 0, "officer": 0}
    for n in range(ROUNDS):
        request = _ready(action_id, ids)
        action = _action(action_id)
        version, deadline, asked = action.version, action.deadline, request.requested_deadline
        decide = partial(leader.post, f"/remediation/{action_id}/extension/decide", data={
            "csrf_token": leader_token, "version": str(version), "request_id": str(request.id),
            "decision": "approve", "decision_note": ""})
        submit = partial(officer.post, f"/remediation/{action_id}/submit", content_type="multipart/form-data", data={
            "csrf_token": officer_token, "version": str(version), "submit_note": f"Đã niêm yết, lần {n}",
            "submit_files": [(io.BytesIO(PDF_BYTES), "bien-ban-niem-yet.pdf")]})
        decided, submitted = at_once(decide, submit)

        action = _action(action_id)
        leader_saved, officer_saved = _saved(decided, leader, action), _saved(submitted, officer, action)
        assert leader_saved != officer_saved, (decided.status_code, submitted.status_code)
        assert action.version == version + 1
        assert action.deadline == (asked if leader_saved else deadline)
        assert (action.status == RemediationStatus.AWAITING_HEAD) == officer_saved
        wins["leader"] += leader_saved
        wins["officer"] += officer_saved
        # the refused submission kept no row and no file
        assert _count(RemediationSubmission) == _count(Attachment) == wins["officer"]
        assert _files(committed) - files_before == wins["officer"]

    assert _count(AuditEvent, AuditEvent.action == "extension.approved") == wins["leader"]
    assert _count(AuditEvent, AuditEvent.action == "remediation.submit") == wins["officer"]
    print(f"\n{ROUNDS} rounds: leader {wins['leader']}, officer {wins['officer']}")
