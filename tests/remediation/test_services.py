"""Remediation through its services on PostgreSQL: the state machine, evidence, review rules,
escalation at day boundaries and the automatic closing of the inspection."""

import io
from datetime import date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from inspection.deadlines import services as deadlines
from inspection.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationError
from inspection.files import storage
from inspection.language.formatting import TZ, local_today
from inspection.plans.timeliness import timeliness
from inspection.remediation import escalation, services
from inspection.security import permissions, scoping
from models import Finding, Inspection, RemediationAction, RemediationSubmission, db
from models.enums import REMEDIATION_TRANSITIONS, InspectionStatus, RemediationStatus, Role, Timeliness

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")


def at(day: date, clock: str = "09:00"):
    moment = datetime.fromisoformat(f"{day.isoformat()}T{clock}").replace(tzinfo=TZ)
    return time_machine.travel(moment, tick=False)


def _evidence(people):
    return [storage.store(io.BytesIO(PNG), "sau-khac-phuc.png", kind="evidence", uploaded_by_id=people["officer"].id)]


def _submit(people, action, who="officer"):
    return services.submit_action(people[who], action, note="Đã niêm yết bổ sung", attachments=_evidence(people),
                                  version=action.version)


def test_the_whole_round_trip_closes_the_inspection(people, actions):
    first, second = actions
    assert first.raised_by_id == people["inspector"].id
    _submit(people, first)
    assert first.status == RemediationStatus.AWAITING_HEAD
    services.confirm_action(people["head"], first, version=first.version)
    assert first.status == RemediationStatus.SUBMITTED and first.completed_on == local_today()
    services.return_action(people["inspector"], first, version=first.version, reason="Ảnh chưa rõ bảng niêm yết")
    assert first.status == RemediationStatus.RETURNED and first.completed_on is None
    _submit(people, first)
    services.confirm_action(people["head"], first, version=first.version)
    services.accept_action(people["inspector"], first, version=first.version)
    rounds = db.session.execute(select(RemediationSubmission.outcome).where(
        RemediationSubmission.action_id == first.id).order_by(RemediationSubmission.round)).scalars().all()
    assert rounds == ["returned", "accepted"]
    inspection = db.session.get(Inspection, first.inspection_id)
    assert inspection.status == InspectionStatus.CONCLUDED  # one action still open
    _submit(people, second, who="head")  # the head submits: no separate confirmation step
    services.accept_action(people["coordinator"], second, version=second.version)
    assert inspection.status == InspectionStatus.CLOSED


@pytest.mark.parametrize("name", sorted(REMEDIATION_TRANSITIONS))
def test_every_arrow_refuses_the_states_it_does_not_start_from(people, actions, name):
    sources, _ = REMEDIATION_TRANSITIONS[name]
    for status in set(RemediationStatus) - set(sources):
        actions[0].status = status
        with pytest.raises(InvalidTransition):
            services.transition(people["officer"], actions[0], name)


def test_evidence_is_required_and_other_units_are_refused(people, actions):
    with pytest.raises(ValidationError, match="chứng minh"):
        services.submit_action(people["officer"], actions[0], note="Xong", attachments=[], version=1)
    with pytest.raises(Forbidden):
        services.submit_action(people["other"], actions[0], note="Xong", attachments=_evidence(people), version=1)
    assert actions[0].status == RemediationStatus.OPEN


def test_nobody_accepts_their_own_submission(people, actions, tree):
    tree["a"].requires_head_confirmation = False
    coordinator_officer = people["coordinator"]
    _submit(people, actions[0])
    with pytest.raises(Forbidden):
        services.accept_action(people["officer"], actions[0], version=actions[0].version)
    from models import Membership

    coordinator_officer.memberships.append(Membership(role=Role.UNIT_OFFICER, unit_id=tree["a"].id))
    db.session.flush()
    scoping.forget_visibility()
    services.return_action(people["inspector"], actions[0], version=actions[0].version, reason="Bổ sung ảnh")
    services.submit_action(coordinator_officer, actions[0], note="Tự làm", attachments=_evidence(people),
                           version=actions[0].version)
    with pytest.raises(InvalidTransition, match="chính mình"):
        services.accept_action(coordinator_officer, actions[0], version=actions[0].version)


def test_a_stale_form_is_a_conflict_not_an_overwrite(people, actions):
    stale = actions[0].version
    _submit(people, actions[0])
    services.confirm_action(people["head"], actions[0], version=actions[0].version)
    services.return_action(people["inspector"], actions[0], version=actions[0].version, reason="Thiếu ảnh")
    with pytest.raises(Conflict):
        services.accept_action(people["coordinator"], actions[0], version=stale)
    assert actions[0].status == RemediationStatus.RETURNED


def test_the_unit_sees_the_findings_its_actions_answer_and_nothing_else(people, actions, tree):
    officer, other = people["officer"], people["other"]
    finding = db.session.get(Finding, actions[0].finding_id)
    assert permissions.get_visible_or_404(Finding, finding.id, officer) == finding
    assert permissions.get_visible_or_404(RemediationAction, actions[0].id, officer) == actions[0]
    with pytest.raises(NotFound):
        permissions.get_visible_or_404(Finding, finding.id, other)
    with pytest.raises(NotFound):
        permissions.get_visible_or_404(RemediationAction, actions[0].id, other)


def test_confirmed_on_time_and_waiting_for_review_is_never_overdue_nor_escalated(people, actions, app):
    action = actions[0]
    with at(action.deadline, "23:50"):
        _submit(people, action)
        services.confirm_action(people["head"], action, version=action.version)
    later = action.deadline + timedelta(days=30)
    assert timeliness(action.status, action.deadline, action.completed_on, later) == Timeliness.AWAITING_REVIEW
    assert escalation.escalate_overdue(later) == 1  # only the other action
    assert action.escalation_level == 0


def test_escalation_at_day_boundaries(people, actions, app):
    action = actions[0]
    head_days, leader_days = app.config["ESCALATE_TO_HEAD_DAYS"], app.config["ESCALATE_TO_LEADER_DAYS"]
    deadline = action.deadline
    assert escalation.escalate_overdue(deadline) == 0  # the deadline day itself: not overdue
    escalation.escalate_overdue(deadline + timedelta(days=head_days - 1))
    assert action.escalation_level == 0
    escalation.escalate_overdue(deadline + timedelta(days=head_days))
    assert action.escalation_level == escalation.HEAD
    escalation.escalate_overdue(deadline + timedelta(days=leader_days))
    assert action.escalation_level == escalation.LEADER
    assert action in escalation.leader_list(people["leader"])
    assert escalation.escalate_overdue(deadline + timedelta(days=leader_days + 1)) == 0  # raised once


def test_an_extension_moves_the_deadline_and_keeps_the_original(people, actions):
    action = actions[0]
    request = deadlines.request_extension(people["officer"], action, new_deadline=action.deadline + timedelta(days=10),
                                          reason="Chờ kinh phí sửa máy lấy số")
    deadlines.forward_extension(people["coordinator"], request, opinion="agree")
    with pytest.raises(Forbidden):
        deadlines.decide_extension(people["coordinator"], request, approve=True)
    deadlines.decide_extension(people["leader"], request, approve=True)
    assert action.deadline == action.original_deadline + timedelta(days=10)


def test_steps_must_fall_before_the_deadline(people, actions):
    action = actions[0]
    services.add_step(people["officer"], action, description="Mua bảng niêm yết mới", due_on=local_today())
    with pytest.raises(ValidationError):
        services.add_step(people["officer"], action, description="Quá hạn", due_on=action.deadline + timedelta(days=1))
    assert len(services.steps_of(action)) == 1
