"""Inspections: the annual inspection plan, each inspection, its team, results and findings."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import TimestampMixin, UTCDateTime, VersionedMixin, db, utcnow


class InspectionPlan(TimestampMixin, db.Model):
    """InspectionPlan — kế hoạch kiểm tra CCHC năm: the year's list of inspections."""

    __tablename__ = "inspection_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    number: Mapped[str] = mapped_column(String(40), default="")
    issued_on: Mapped[date] = mapped_column(Date)
    year: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(400))


class Inspection(TimestampMixin, VersionedMixin, db.Model):
    """Inspection — cuộc kiểm tra: a team checks one unit against a checklist template version.
    A surprise (đột xuất) inspection is invisible to its target until the team starts it."""

    __tablename__ = "inspection"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_plan_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_plan.id"), index=True)
    number: Mapped[str] = mapped_column(String(40), default="")
    decision_ref: Mapped[str] = mapped_column(String(200), default="")
    # căn cứ: the decision forming the team, as a structured reference (số, ngày, cơ quan ban hành, trích yếu)
    decision_number: Mapped[str] = mapped_column(String(60), default="", server_default="")
    decision_date: Mapped[date | None] = mapped_column(Date)
    decision_issuer: Mapped[str] = mapped_column(String(200), default="", server_default="")
    decision_summary: Mapped[str] = mapped_column(String(400), default="", server_default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)  # the target unit
    ordering_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(30), default="planned", index=True)
    start_on: Mapped[date] = mapped_column(Date, index=True)
    end_on: Mapped[date] = mapped_column(Date)
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_template.id"))
    title: Mapped[str] = mapped_column(String(400), default="")
    title_folded: Mapped[str] = mapped_column(String(400), default="", index=True)
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # device time on site
    minutes_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    representative_name: Mapped[str] = mapped_column(String(120), default="")
    representative_title: Mapped[str] = mapped_column(String(120), default="")
    # the minutes as the team lead records them on site (biên bản kiểm tra)
    minutes_began_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    minutes_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    other_representatives: Mapped[str] = mapped_column(Text, default="", server_default="")  # one a line
    strengths: Mapped[str] = mapped_column(Text, default="", server_default="")  # ưu điểm
    team_recommendations: Mapped[str] = mapped_column(Text, default="", server_default="")  # kiến nghị của Đoàn
    unit_comments: Mapped[str] = mapped_column(Text, default="", server_default="")  # ý kiến của đơn vị
    location: Mapped[str] = mapped_column(String(300), default="")
    status_reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    unit: Mapped["OrgUnit"] = relationship(foreign_keys=[unit_id], lazy="joined")  # noqa: F821
    template: Mapped["ChecklistTemplate"] = relationship(lazy="raise")  # noqa: F821
    members: Mapped[list["InspectionMember"]] = relationship(lazy="selectin", cascade="all, delete-orphan")

    @classmethod
    def undisclosed(cls):
        """Not yet disclosed to its target: neither announced nor started (any inspection before it
        is announced; a surprise one, never announced, until the team starts it). The one statement
        of the rule: scoping hides such an inspection and its records from the target, the
        dashboard counts them for the ordering unit only."""
        return and_(cls.announced_at.is_(None), cls.started_at.is_(None))


# the inspections not yet disclosed to their target (a few in a province at a time): the dashboard
# finds the ordering unit of a remediation action's one here, not in the table
Index("ix_inspection_undisclosed", Inspection.id, postgresql_include=["ordering_unit_id"],
      postgresql_where=Inspection.undisclosed())


class InspectionMember(db.Model):
    """A member of the inspection team (đoàn kiểm tra): trưởng đoàn, thành viên or thư ký."""

    __tablename__ = "inspection_member"
    __table_args__ = (UniqueConstraint("inspection_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="member")  # lead | member | secretary

    user: Mapped["User"] = relationship(lazy="joined")  # noqa: F821


class InspectionChange(db.Model):
    """A reschedule or team change, keeping the old values on record."""

    __tablename__ = "inspection_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # rescheduled | team
    before: Mapped[dict] = mapped_column(JSON)
    after: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CheckResult(VersionedMixin, db.Model):
    """CheckResult — kết quả từng tiêu chí: one per inspection and checklist item."""

    __tablename__ = "check_result"
    __table_args__ = (UniqueConstraint("inspection_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id"))
    value: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    client_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    device_time: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))


class CheckResultWrite(db.Model):
    """One save of a check result (each bumps its version by one): who wrote which version, from
    which device entry. Offline conflict detection reads these (fieldwork.py), not the audit log."""

    __tablename__ = "check_result_write"
    __table_args__ = (UniqueConstraint("result_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("check_result.id"))
    version: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    client_uuid: Mapped[str] = mapped_column(String(36))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Finding(VersionedMixin, db.Model):
    """Finding — tồn tại, hạn chế: a non-compliant result or a free observation, with a severity,
    photos and the device time it was captured."""

    __tablename__ = "finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    # none for a finding opened from citizens' feedback (inspection/feedback/triage.py)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)  # the inspected unit
    item_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_item.id"))
    check_result_id: Mapped[int | None] = mapped_column(ForeignKey("check_result.id"), unique=True)
    severity: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    description_folded: Mapped[str] = mapped_column(Text, default="")
    client_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    device_time: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    photos: Mapped[list["FindingPhoto"]] = relationship(lazy="selectin", order_by="FindingPhoto.id")


class FindingPhoto(db.Model):
    """A photo of a finding: the original (kept with its sha256) and a ≈1600 px display copy."""

    __tablename__ = "finding_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), index=True)
    original_id: Mapped[int] = mapped_column(ForeignKey("attachment.id"))
    display_id: Mapped[int] = mapped_column(ForeignKey("attachment.id"))
    client_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    device_time: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(10), default="before")  # before | after (remediation)


class Correction(db.Model):
    """Correction — đề nghị sửa sau khi lập biên bản: pending until the team lead accepts (it joins
    the addendum, biên bản bổ sung) or rejects it."""

    __tablename__ = "correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    target_type: Mapped[str] = mapped_column(String(20))  # check_result | finding
    target_id: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict] = mapped_column(JSON)
    client_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    # why it could not be applied directly: minutes_closed | changed_meanwhile (another member's edit)
    reason: Mapped[str] = mapped_column(String(30), default="minutes_closed", server_default="minutes_closed")
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    device_time: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(Text, default="")


class Conclusion(VersionedMixin, db.Model):
    """Conclusion — thông báo kết luận kiểm tra: drafted by the team lead, issued by a leader."""

    __tablename__ = "conclusion"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), unique=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    strengths: Mapped[str] = mapped_column(Text, default="")
    shortcomings: Mapped[str] = mapped_column(Text, default="")
    recommendations: Mapped[str] = mapped_column(Text, default="")
    causes: Mapped[str] = mapped_column(Text, default="", server_default="")  # nguyên nhân
    drafted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    items: Mapped[list["ConclusionItem"]] = relationship(lazy="selectin", cascade="all, delete-orphan")


class ConclusionItem(db.Model):
    """Per finding: the remediation the unit must do, and by when."""

    __tablename__ = "conclusion_item"
    __table_args__ = (UniqueConstraint("conclusion_id", "finding_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conclusion_id: Mapped[int] = mapped_column(ForeignKey("conclusion.id"), index=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"))
    action: Mapped[str] = mapped_column(Text)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    # A date, or "trong thời hạn N ngày kể từ ngày ký" (deadline_days) that becomes a date at issue.
    deadline: Mapped[date | None] = mapped_column(Date)
    deadline_days: Mapped[int | None] = mapped_column(Integer)
