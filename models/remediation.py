"""Remediation actions (their workflow belongs to the remediation feature)."""

from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Integer, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import TimestampMixin, UTCDateTime, VersionedMixin, db


def _finding_area(context) -> int | None:
    """area_id's default: the area of the checklist item of the finding the action is on (a
    finding's item, and an item's area, never change)."""
    finding_id = context.get_current_parameters().get("finding_id")
    if finding_id is None:
        return None
    return context.connection.execute(text(
        "SELECT ci.area_id FROM finding f JOIN checklist_item ci ON ci.id = f.item_id WHERE f.id = :id"),
        {"id": finding_id}).scalar()


class RemediationAction(TimestampMixin, VersionedMixin, db.Model):
    """RemediationAction — biện pháp khắc phục: what a unit must fix for a finding, by when.
    Created when a leader issues an inspection's conclusion."""

    __tablename__ = "remediation_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    # none for the action on a finding opened from citizens' feedback
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"), index=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("finding.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    # the PAR area of its finding's checklist item (none without one), filled in when the action is
    # added: counting actions by area (the dashboard, the list's filter) then reads no finding
    area_id: Mapped[int | None] = mapped_column(ForeignKey("par_area.id"), default=_finding_area)
    description: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date] = mapped_column(Date, index=True)
    original_deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    completed_on: Mapped[date | None] = mapped_column(Date)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # the inspector
    requires_evidence: Mapped[bool] = mapped_column(default=True)
    # 0 none, 1 unit head, 2 leader; indexed: the leader's "escalated" count and tab read the few
    # escalated actions, not every action of the country (bench/national.py: 15 -> 194 ms without)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0, index=True)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    times_returned: Mapped[int] = mapped_column(Integer, default=0)


class RemediationStep(db.Model):
    """A milestone of a remediation plan (bước khắc phục), with its own date."""

    __tablename__ = "remediation_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("remediation_action.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)


class RemediationSubmission(db.Model):
    """One round of a remediation action: what the unit did, its evidence, the head's
    confirmation and the review (accepted or returned with a reason). Every round stays."""

    __tablename__ = "remediation_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("remediation_action.id"), index=True)
    round: Mapped[int] = mapped_column(default=1)
    note: Mapped[str] = mapped_column(Text, default="")
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(20), default="pending")  # pending | accepted | returned
    review_note: Mapped[str] = mapped_column(Text, default="")

    attachments: Mapped[list["Attachment"]] = relationship(  # noqa: F821
        secondary="remediation_evidence", lazy="selectin")


remediation_evidence = Table(
    "remediation_evidence", db.metadata,
    Column("submission_id", ForeignKey("remediation_submission.id", ondelete="CASCADE"), primary_key=True),
    Column("attachment_id", ForeignKey("attachment.id"), primary_key=True),
)
