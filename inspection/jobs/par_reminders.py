"""Reminders of the Chỉ số CCHC round's deadlines, with the daily reminders (REMINDER_DAYS before):
the self-assessment due, to the officers and head of each unit that has not submitted; the
appraisal due, to the round's appraisers; the explanation window's end, to the units appraised.
Once per (subject, kind, day), as every reminder (reminders.send_once)."""

from datetime import date

from sqlalchemy import select

from models import ParAppraiser, ParAssessment, ParRound, db
from models.enums import NotificationKind

from ..language.formatting import local_today
from ..language.i18n import N_
from ..main.notifications import notify
from ..plans.recipients import unit_members
from ..web.links import path_for
from .daily import run_once_today
from .reminders import reminder_kinds, send_once

# phase → (the round's deadline column, the assessments reminded (None: the appraisers))
PHASES = {"self_assessment": ("self_due", ("draft",)),
          "appraisal": ("appraisal_due", None),
          "explanation": ("explanation_due", ("appraised",))}


def send_par_reminders() -> bool:
    """Once a day (scheduled): today's reminders of the rounds' deadlines."""
    return run_once_today("par_reminders", remind_par)


def remind_par(today: date | None = None) -> str:
    today = today or local_today()
    kinds, sent = reminder_kinds(today), 0
    for phase, (column, statuses) in PHASES.items():
        due = getattr(ParRound, column)
        for round_ in db.session.execute(select(ParRound).where(ParRound.status == phase,
                                                                 due.in_(list(kinds)))).scalars():
            deadline = getattr(round_, column)
            values = {"year": round_.year, "days": (deadline - today).days, "deadline": f"{deadline:%d/%m/%Y}"}
            sent += _remind(round_, statuses, values, kinds[deadline], today)
    return f"{sent} PAR reminders sent"


def _remind(round_: ParRound, statuses, values: dict, kind: str, today: date) -> int:
    """The appraisers (statuses None) or the units whose assessment is in `statuses`, once a day each."""
    if statuses is None:
        appraisers = list(db.session.execute(select(ParAppraiser.user_id).where(ParAppraiser.round_id == round_.id))
                          .scalars())
        targets = [("par_round", round_.id, appraisers, path_for("par.round_detail", round_id=round_.id))]
    else:
        targets = [(f"par_{round_.status}", a.id, unit_members([a.unit_id]),
                    path_for("par.assessment_page", assessment_id=a.id))
                   for a in db.session.execute(select(ParAssessment).where(
                       ParAssessment.round_id == round_.id, ParAssessment.status.in_(statuses))).scalars()]
    sent = 0
    for subject, subject_id, members, link in targets:
        sent += send_once(subject, subject_id, kind, today, members, lambda m=members, lk=link: notify(
            m, NotificationKind.DEADLINE_NEAR, {
                "self_assessment": N_("Chỉ số CCHC năm %(year)s: còn %(days)d ngày đến hạn nộp tự đánh giá "
                                      "(%(deadline)s)"),
                "appraisal": N_("Chỉ số CCHC năm %(year)s: còn %(days)d ngày đến hạn thẩm định (%(deadline)s)"),
                "explanation": N_("Chỉ số CCHC năm %(year)s: còn %(days)d ngày đến hạn giải trình (%(deadline)s)"),
            }[round_.status], lk, params=values))
    return sent
