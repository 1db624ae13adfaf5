"""Plans and their tasks, progress updates and deadline extensions."""

from datetime import date, datetime

from sqlalchemy import JSON, Column, Date, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import TimestampMixin, UTCDateTime, VersionedMixin, db, utcnow
from .enums import EXTENSION_STATUS_LABELS, FORWARD_OPINIONS

plan_area = Table(
    "plan_area", db.metadata,
    Column("plan_id", ForeignKey("plan.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("par_area.id"), primary_key=True),
)

task_support_unit = Table(
    "task_support_unit", db.metadata,
    Column("task_id", ForeignKey("task.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("org_unit.id"), primary_key=True),
    # the task's deadline, kept by triggers (migration e8b3f5a1c7d2): a commune's supported tasks
    # by deadline come from the index alone (inspection/plans/queries.py _led_or_supported)
    Column("deadline", Date),
    Index("ix_task_support_unit_unit_deadline", "unit_id", "deadline", "task_id"),
)

task_update_attachment = Table(
    "task_update_attachment", db.metadata,
    Column("update_id", ForeignKey("task_update.id", ondelete="CASCADE"), primary_key=True),
    Column("attachment_id", ForeignKey("attachment.id"), primary_key=True),
)


class Plan(TimestampMixin, VersionedMixin, db.Model):
    """Plan — kế hoạch: an issued document ("Kế hoạch số 143/KH-UBND ngày 16/4/2024") whose
    numbered tasks are assigned to units with deadlines."""

    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)  # issuing unit
    number: Mapped[str] = mapped_column(String(40), default="")  # "143/KH-UBND"
    issued_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(400))
    title_folded: Mapped[str] = mapped_column(String(400), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    unit: Mapped["OrgUnit"] = relationship(lazy="joined")  # noqa: F821
    areas: Mapped[list["ParArea"]] = relationship(secondary=plan_area, lazy="selectin")  # noqa: F821


class Task(TimestampMixin, VersionedMixin, db.Model):
    """Task — nhiệm vụ: a numbered item of a plan, or a leader's ad-hoc directive, led by one unit
    (chủ trì) with optional supporting units (phối hợp), due on a date in Asia/Ho_Chi_Minh."""

    __tablename__ = "task"
    # a unit's tasks in deadline order, and the plans they belong to, from the index alone: the
    # task list of a commune (inspection/plans/queries.py list_tasks) and its plan filter
    __table_args__ = (UniqueConstraint("plan_id", "number", name="uq_task_plan_number"),
                      Index("ix_task_unit_deadline", "unit_id", "deadline", "id", postgresql_include=["plan_id"]))

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id"), index=True)
    number: Mapped[str] = mapped_column(String(20), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("par_area.id"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    title_folded: Mapped[str] = mapped_column(String(500), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    expected_output: Mapped[str] = mapped_column(String(500), default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))  # lead unit (indexed above)
    deadline: Mapped[date] = mapped_column(Date, index=True)
    original_deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    completed_on: Mapped[date | None] = mapped_column(Date)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status_reason: Mapped[str] = mapped_column(Text, default="")

    plan: Mapped[Plan | None] = relationship(lazy="raise")
    unit: Mapped["OrgUnit"] = relationship(lazy="joined")  # noqa: F821
    area: Mapped["ParArea | None"] = relationship(lazy="joined")  # noqa: F821
    support_units: Mapped[list["OrgUnit"]] = relationship(  # noqa: F821
        secondary=task_support_unit, lazy="selectin")


class TaskUpdate(db.Model):
    """TaskUpdate — báo cáo tiến độ / ý kiến: a progress report, a comment, or the note that went
    with a submission, return or decision."""

    __tablename__ = "task_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(20))  # progress | comment | submitted | returned | …
    progress: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped["User"] = relationship(lazy="joined")  # noqa: F821
    attachments: Mapped[list["Attachment"]] = relationship(  # noqa: F821
        secondary=task_update_attachment, lazy="selectin")


PENDING_SQL = "status IN ('requested', 'forwarded')"


class ExtensionRequest(db.Model):
    """ExtensionRequest — đề nghị gia hạn of a task or a remediation action (the subject): a unit
    asks for a later deadline, the coordinator forwards it with an opinion, a leader decides. The
    subject keeps its original deadline on record; at most one request per subject is pending."""

    __tablename__ = "extension_request"
    __table_args__ = (
        Index("uq_extension_request_pending_task", "task_id", unique=True, postgresql_where=text(PENDING_SQL)),
        Index("uq_extension_request_pending_action", "action_id", unique=True, postgresql_where=text(PENDING_SQL)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("remediation_action.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    current_deadline: Mapped[date] = mapped_column(Date)
    requested_deadline: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="requested", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    forwarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    forwarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    forward_opinion: Mapped[str | None] = mapped_column(String(20))  # agree | disagree (FORWARD_OPINIONS)
    forward_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    requested_by: Mapped["User"] = relationship(foreign_keys=[requested_by_id], lazy="joined")  # noqa: F821
    forwarded_by: Mapped["User | None"] = relationship(foreign_keys=[forwarded_by_id], lazy="joined")  # noqa: F821
    decided_by: Mapped["User | None"] = relationship(foreign_keys=[decided_by_id], lazy="joined")  # noqa: F821

    @property
    def status_label(self) -> str:
        """The status's catalog msgid (the page translates it)."""
        return EXTENSION_STATUS_LABELS[self.status]

    @property
    def opinion_label(self) -> str:
        return FORWARD_OPINIONS.get(self.forward_opinion or "", "")


class ReminderSent(db.Model):
    """One row per (task, kind, day): a reminder goes out once a day however many jobs run."""

    __tablename__ = "reminder_sent"
    __table_args__ = (UniqueConstraint("subject_type", "subject_id", "kind", "sent_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # due_7 | due_3 | due_1 | overdue | escalated
    sent_on: Mapped[date] = mapped_column(Date)
    detail: Mapped[dict | None] = mapped_column(JSON)
