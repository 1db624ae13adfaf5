"""Chỉ số CCHC (PAR Index): the yearly index as data, its rounds, the units' self-assessments,
their scores with evidence, and every change of a score (who, when, why)."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import TimestampMixin, UTCDateTime, VersionedMixin, db, utcnow

POINTS = Numeric(6, 2)


class ParIndex(TimestampMixin, db.Model):
    """ParIndex — bộ chỉ số CCHC of one year and level (sở, ban, ngành; cấp xã), set up by the
    coordinating unit; frozen when a round opens (later corrections are recorded amendments)."""

    __tablename__ = "par_index"
    __table_args__ = (UniqueConstraint("unit_id", "year", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)  # the coordinating unit
    year: Mapped[int]
    level: Mapped[str] = mapped_column(String(20))  # department | commune
    title: Mapped[str] = mapped_column(String(400))
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("par_index.id"))

    areas: Mapped[list["ParIndexArea"]] = relationship(order_by="ParIndexArea.position",
                                                       cascade="all, delete-orphan")


class ParIndexArea(db.Model):
    """An area (lĩnh vực) of an index, e.g. "3. Cải cách thủ tục hành chính"."""

    __tablename__ = "par_index_area"

    id: Mapped[int] = mapped_column(primary_key=True)
    index_id: Mapped[int] = mapped_column(ForeignKey("par_index.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(400))
    position: Mapped[int] = mapped_column(default=0)

    criteria: Mapped[list["ParCriterion"]] = relationship(order_by="ParCriterion.position",
                                                          cascade="all, delete-orphan")


class ParCriterion(db.Model):
    """A criterion (tiêu chí) of an area, e.g. "3.2 Tỷ lệ hồ sơ giải quyết trước và đúng hạn"."""

    __tablename__ = "par_criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("par_index_area.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(1000))
    position: Mapped[int] = mapped_column(default=0)

    subs: Mapped[list["ParSubCriterion"]] = relationship(order_by="ParSubCriterion.position",
                                                         cascade="all, delete-orphan")


class ParSubCriterion(db.Model):
    """A sub-criterion (tiêu chí thành phần): the scored leaf. `rule`: yes_no (0 or the maximum),
    banded (`bands`: [[from %, points], ...], highest first), typed (within the maximum), bonus,
    penalty (0 down to minus the maximum) or survey (set by the appraisers). `source` names a
    figure the product computes (on-time tasks, remediation, sub-units inspected, satisfaction)."""

    __tablename__ = "par_sub_criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("par_criterion.id", ondelete="CASCADE"), index=True)
    index_id: Mapped[int] = mapped_column(ForeignKey("par_index.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(1000))
    max_points: Mapped[Decimal] = mapped_column(POINTS)
    rule: Mapped[str] = mapped_column(String(20), default="typed")
    bands: Mapped[list | None] = mapped_column(JSON)
    evidence: Mapped[str] = mapped_column(String(1000), default="")  # the evidence required, in words
    evidence_required: Mapped[bool] = mapped_column(Boolean, default=True)
    allows_na: Mapped[bool] = mapped_column(Boolean, default=False)
    unit_kinds: Mapped[list | None] = mapped_column(JSON)  # None: every unit assessed
    responsible: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str | None] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)


class ParRound(TimestampMixin, db.Model):
    """ParRound — đợt xác định Chỉ số CCHC năm N: the units assessed, the phase dates and the
    result bands ([[from %, label], ...], highest first)."""

    __tablename__ = "par_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    index_id: Mapped[int] = mapped_column(ForeignKey("par_index.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)  # the coordinating unit
    year: Mapped[int] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(20), default="self_assessment")
    self_due: Mapped[date] = mapped_column(Date)
    appraisal_due: Mapped[date] = mapped_column(Date)
    explanation_due: Mapped[date] = mapped_column(Date)
    publish_due: Mapped[date] = mapped_column(Date)
    bands: Mapped[list] = mapped_column(JSON)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decision_report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"))

    index: Mapped["ParIndex"] = relationship(lazy="joined")
    appraisers: Mapped[list["ParAppraiser"]] = relationship(cascade="all, delete-orphan")


class ParAppraiser(db.Model):
    """A member of the round's appraisal council or team (thành viên tổ thẩm định)."""

    __tablename__ = "par_appraiser"
    __table_args__ = (UniqueConstraint("round_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("par_round.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)


class ParAssessment(TimestampMixin, VersionedMixin, db.Model):
    """A unit's assessment in a round: draft → submitted (locked) → appraised → final."""

    __tablename__ = "par_assessment"
    __table_args__ = (UniqueConstraint("round_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("par_round.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    round: Mapped["ParRound"] = relationship(lazy="joined")
    unit: Mapped["OrgUnit"] = relationship(lazy="joined")  # noqa: F821


class ParScore(VersionedMixin, db.Model):
    """One sub-criterion of one assessment: the self score and explanation, the appraised score
    and reason, the unit's explanation (giải trình) and the final decision."""

    __tablename__ = "par_score"
    __table_args__ = (UniqueConstraint("assessment_id", "sub_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("par_assessment.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)  # the assessment's unit
    sub_id: Mapped[int] = mapped_column(ForeignKey("par_sub_criterion.id"))
    self_points: Mapped[Decimal | None] = mapped_column(POINTS)
    not_applicable: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    computed: Mapped[dict | None] = mapped_column(JSON)  # {"figure", "rule", "link"} of a computed score
    appraised_points: Mapped[Decimal | None] = mapped_column(POINTS)
    appraisal_reason: Mapped[str] = mapped_column(Text, default="")
    reply: Mapped[str] = mapped_column(Text, default="")  # giải trình of the unit
    decided: Mapped[bool] = mapped_column(Boolean, default=False)

    sub: Mapped["ParSubCriterion"] = relationship(lazy="joined")
    assessment: Mapped["ParAssessment"] = relationship()


class ParScoreChange(db.Model):
    """Every change of a score: the stage (self, appraisal, reply, decision), the old and new
    points, who, when and why."""

    __tablename__ = "par_score_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    score_id: Mapped[int] = mapped_column(ForeignKey("par_score.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    old_points: Mapped[Decimal | None] = mapped_column(POINTS)
    new_points: Mapped[Decimal | None] = mapped_column(POINTS)
    reason: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped["User"] = relationship(lazy="joined")  # noqa: F821


class ParEvidence(db.Model):
    """Tài liệu kiểm chứng of a score: an uploaded file, or a link to a record of the product
    (an issued document, a plan, an inspection's conclusion, a remediation report)."""

    __tablename__ = "par_evidence"
    __table_args__ = (Index("ix_par_evidence_score_stage", "score_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    score_id: Mapped[int] = mapped_column(ForeignKey("par_score.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)  # the assessment's unit
    stage: Mapped[str] = mapped_column(String(20), default="self")  # self | reply
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id"))
    link_type: Mapped[str | None] = mapped_column(String(20))  # document | plan | inspection | report
    link_id: Mapped[int | None]
    title: Mapped[str] = mapped_column(String(400), default="")
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attachment: Mapped["Attachment | None"] = relationship(lazy="joined")  # noqa: F821
