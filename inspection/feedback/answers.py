"""Storing a citizen's answer, and telling the coordinator once when one desk gathers several
complaints in a week.

An answer names no one, so it writes no audit event (the audit names actors; the answer is
its own append-only record); everything the staff then do with it is audited (triage.py)."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from models import Desk, Feedback, FeedbackAlert, ancestor_ids, db, utcnow
from models.enums import NotificationKind, Role
from models.feedback import ELEMENTS

from ..data.transaction import unit_of_work
from ..errors import ValidationError
from ..language.formatting import local_today
from ..language.i18n import N_
from ..language.text import nfc
from ..main.notifications import notify
from ..plans.recipients import unit_members
from ..web.links import path_for
from .desks import PublicDesk
from .forms import COMMENT_MAX


def _checked(scores: dict) -> dict[str, int]:
    if set(scores) != set(ELEMENTS) or any(type(v) is not int or not 1 <= v <= 5 for v in scores.values()):
        raise ValidationError("Mỗi tiêu chí được chấm từ 1 đến 5.")
    return dict(scores)


def is_complaint(scores: dict[str, int], comment: str) -> bool:
    """A low score on some element, with a comment saying why: the coordinator's triage list."""
    return bool(comment) and min(scores.values()) <= current_app.config["FEEDBACK_LOW_SCORE"]


def submit_answer(desk: Desk | PublicDesk, scores: dict, *, procedure_name: str = "", comment: str = "") -> Feedback:
    """Store one anonymous answer about `desk` (plain text, capped); alert on a run of complaints."""
    scores = _checked(scores)
    comment = nfc(comment)[:COMMENT_MAX]
    answer = Feedback(desk_id=desk.id, unit_id=desk.unit_id, received_at=utcnow(), received_on=local_today(),
                      procedure_name=nfc(procedure_name)[:200], comment=comment,
                      is_complaint=is_complaint(scores, comment), **scores)
    with unit_of_work():
        _commit_without_waiting_for_disk()
        db.session.add(answer)
        db.session.flush()
        if answer.is_complaint:
            _alert_on_complaints(desk, answer.received_on)
    return answer


def _commit_without_waiting_for_disk() -> None:
    """This transaction's commit returns before its WAL reaches the disk (PostgreSQL's asynchronous
    commit, for this transaction only): at opening hours a burst of answers no longer queues behind
    the disk's flushes. The trade, accepted for anonymous answers only: if the database server
    itself crashes, the answers of its last fraction of a second (at most 3 × wal_writer_delay,
    0.6 s by default) may be gone; the database stays consistent. Every other write waits for the
    disk as before."""
    db.session.execute(text("SET LOCAL synchronous_commit TO off"))


def _alert_on_complaints(desk: Desk | PublicDesk, today) -> None:
    """The coordinators over the desk's unit hear once per desk and week (the unique key decides,
    whichever web process stores the complaint that crosses the threshold)."""
    monday = today - timedelta(days=today.weekday())
    count = db.session.execute(select(func.count()).where(
        Feedback.desk_id == desk.id, Feedback.is_complaint, Feedback.received_on >= monday)).scalar_one()
    if count < current_app.config["FEEDBACK_ALERT_COMPLAINTS"]:
        return
    try:
        with db.session.begin_nested():
            db.session.add(FeedbackAlert(desk_id=desk.id, week_of=monday, complaints=count))
    except IntegrityError:
        return  # told already this week
    coordinators = unit_members(ancestor_ids(desk.unit_id), roles=(Role.COORDINATOR,))
    notify(coordinators, NotificationKind.SYSTEM,
           N_("%(count)d phản ánh của người dân về “%(desk)s” trong tuần này: cần xem xét"),
           path_for("feedback.triage_list"), params={"count": count, "desk": desk.name})
