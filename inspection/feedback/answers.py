"""Storing a citizen's answer, and telling the coordinator once when one desk gathers several
complaints in a week.

An answer names no one, so it writes no audit event (the audit names actors; the answer is
its own append-only record); everything the staff then do with it is audited (triage.py)."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, func, insert, select, true
from sqlalchemy.exc import IntegrityError

from models import Desk, Feedback, FeedbackAlert, ancestor_ids, db, utcnow
from models.enums import NotificationKind, Role
from models.feedback import ELEMENTS

from ..data.transaction import run_alone, unit_of_work
from ..errors import ValidationError
from ..language.formatting import local_today
from ..language.i18n import N_
from ..language.text import nfc
from ..main.notifications import notify
from ..plans.recipients import unit_members
from ..web.links import path_for
from .forms import COMMENT_MAX


def _checked(scores: dict) -> dict[str, int]:
    if set(scores) != set(ELEMENTS) or any(type(v) is not int or not 1 <= v <= 5 for v in scores.values()):
        raise ValidationError("Mỗi tiêu chí được chấm từ 1 đến 5.")
    return dict(scores)


def is_complaint(scores: dict[str, int], comment: str) -> bool:
    """A low score on some element, with a comment saying why: the coordinator's triage list."""
    return bool(comment) and min(scores.values()) <= current_app.config["FEEDBACK_LOW_SCORE"]


def submit_answer(poster: tuple[int, str], scores: dict, *, procedure_name: str = "", comment: str = "") -> int | None:
    """Store one anonymous answer about the desk a poster names, `poster` = (desk id, token id) as
    its signed token carries them (plain text, capped); then, for a complaint, alert on a run of
    them. The answer's id; None, with nothing stored, when that token is no longer the desk's
    current one (revoked, the desk inactive or gone). One statement, a transaction of its own
    (transaction.run_alone): the INSERT takes the desk's unit from the desk's row as it checks the
    token, and asks that its commit not wait for the disk (_STORE)."""
    scores = _checked(scores)
    comment = nfc(comment)[:COMMENT_MAX]
    complaint, today = is_complaint(scores, comment), local_today()
    stored = run_alone(_STORE, {
        "desk_id": poster[0], "token_id": poster[1], "received_at": utcnow(), "received_on": today,
        "procedure_name": nfc(procedure_name)[:200], "comment": comment, "is_complaint": complaint, **scores})
    if stored is None:
        return None
    if complaint:
        with unit_of_work():
            _alert_on_complaints(poster[0], stored.unit_id, today)
    return stored.id


# The answer's commit returns before its WAL reaches the disk: PostgreSQL's asynchronous commit,
# asked for by set_config(…, true) for the statement's own transaction only (the CTE is evaluated
# as the desk's row is read). At opening hours a burst of answers does not queue behind the disk's
# flushes. The trade, accepted for anonymous answers only: if the database server itself crashes,
# the answers of its last fraction of a second (at most 3 × wal_writer_delay, 0.6 s by default)
# may be gone; the database stays consistent. Every other write waits for the disk as before.
_NO_DISK_WAIT = select(func.set_config("synchronous_commit", "off", True).label("set")).cte("no_disk_wait")
_answer, _desk = Feedback.__table__.c, Desk.__table__.c
_GIVEN = ("received_at", "received_on", "procedure_name", "comment", "is_complaint", *ELEMENTS)
_STORE = (insert(Feedback.__table__)
          .from_select(["desk_id", "unit_id", *_GIVEN],
                       select(_desk.id, _desk.unit_id, *(bindparam(name, type_=_answer[name].type) for name in _GIVEN))
                       .select_from(Desk.__table__.join(_NO_DISK_WAIT, true()))
                       .where(_desk.id == bindparam("desk_id"), _desk.token_id == bindparam("token_id"),
                              _desk.is_active))
          .returning(_answer.id, _answer.unit_id))


def _alert_on_complaints(desk_id: int, unit_id: int, today) -> None:
    """The coordinators over the desk's unit hear once per desk and week (the unique key decides,
    whichever web process stores the complaint that crosses the threshold)."""
    monday = today - timedelta(days=today.weekday())
    count = db.session.execute(select(func.count()).where(
        Feedback.desk_id == desk_id, Feedback.is_complaint, Feedback.received_on >= monday)).scalar_one()
    if count < current_app.config["FEEDBACK_ALERT_COMPLAINTS"]:
        return
    try:
        with db.session.begin_nested():
            db.session.add(FeedbackAlert(desk_id=desk_id, week_of=monday, complaints=count))
    except IntegrityError:
        return  # told already this week
    coordinators = unit_members(ancestor_ids(unit_id), roles=(Role.COORDINATOR,))
    notify(coordinators, NotificationKind.SYSTEM,
           N_("%(count)d phản ánh của người dân về “%(desk)s” trong tuần này: cần xem xét"),
           path_for("feedback.triage_list"), params={"count": count, "desk": db.session.get(Desk, desk_id).name})
