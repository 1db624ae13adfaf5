"""Citizens' ratings of the one-stop desks (SIPAS-style), and what the coordinator made of them."""

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import TimestampMixin, UTCDateTime, db, utcnow

# The five SIPAS elements, in the order the survey asks them (domain.md §6).
ELEMENTS = ("access", "procedure", "official", "result", "handling")


class Desk(TimestampMixin, db.Model):
    """Desk — Bộ phận tiếp nhận và trả kết quả (bộ phận một cửa) of a unit, where citizens hand in
    and collect their files. Its poster carries a signed token naming the desk and `token_id`;
    revoking draws a new `token_id`, so every poster printed before answers "no longer valid"."""

    __tablename__ = "service_desk"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    procedures: Mapped[str] = mapped_column(Text, default="")  # the desk's usual procedures, one a line
    token_id: Mapped[str] = mapped_column(String(32), unique=True)
    token_issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    listed_for_inspection_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    listed_note: Mapped[str] = mapped_column(Text, default="")

    @property
    def procedure_list(self) -> list[str]:
        return procedure_lines(self.procedures)


def procedure_lines(procedures: str) -> list[str]:
    """A desk's usual procedures, one a line, as the survey lists them."""
    return [line.strip() for line in procedures.splitlines() if line.strip()]


class Feedback(db.Model):
    """Feedback — phiếu đánh giá của người dân: one anonymous answer about a desk, a score of 1–5
    on each SIPAS element, an optional procedure and comment. Nothing names the citizen or the
    device. received → dismissed | finding_opened | listed (DESIGN "One vocabulary")."""

    __tablename__ = "citizen_feedback"
    __table_args__ = tuple(
        CheckConstraint(f"{e} BETWEEN 1 AND 5", name=f"{e}_range") for e in ELEMENTS
    ) + (Index("ix_citizen_feedback_desk_received", "desk_id", "received_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    desk_id: Mapped[int] = mapped_column(ForeignKey("service_desk.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_on: Mapped[date] = mapped_column(Date)  # the day in Asia/Ho_Chi_Minh
    access: Mapped[int] = mapped_column(SmallInteger)
    procedure: Mapped[int] = mapped_column(SmallInteger)
    official: Mapped[int] = mapped_column(SmallInteger)
    result: Mapped[int] = mapped_column(SmallInteger)
    handling: Mapped[int] = mapped_column(SmallInteger)
    procedure_name: Mapped[str] = mapped_column(String(200), default="")
    comment: Mapped[str] = mapped_column(Text, default="")  # plain text, capped
    is_complaint: Mapped[bool] = mapped_column(Boolean, default=False, index=True)  # low score with a comment
    status: Mapped[str] = mapped_column(String(20), default="received", index=True)
    is_shared: Mapped[bool] = mapped_column(Boolean, default=False)  # the coordinator showed it to the unit
    triage_note: Mapped[str] = mapped_column(Text, default="")
    triaged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("finding.id"))

    def scores(self) -> dict[str, int]:
        return {e: getattr(self, e) for e in ELEMENTS}


class FeedbackAlert(db.Model):
    """Several complaints about one desk in one week: the coordinator is told once (the unique
    key is the promise)."""

    __tablename__ = "feedback_alert"
    __table_args__ = (UniqueConstraint("desk_id", "week_of", name="uq_feedback_alert_desk_week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    desk_id: Mapped[int] = mapped_column(ForeignKey("service_desk.id"))
    week_of: Mapped[date] = mapped_column(Date)  # the Monday of the week
    complaints: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
