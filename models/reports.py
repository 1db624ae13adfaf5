"""Rendered PDF documents and the outgoing-document register."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import TimestampMixin, UTCDateTime, db

LIVE_REPORT = "status IN ('queued', 'rendering', 'ready')"


class Report(TimestampMixin, db.Model):
    """Report — bản PDF: one rendering of a document from a plain-data snapshot of its subject,
    taken when it was asked for and keyed by the snapshot's hash. The row, not Redis, is the record of the request
    (queued → rendering → ready | failed); `rq_job_id` names the one attempt allowed to write it."""

    __tablename__ = "report"
    __table_args__ = (
        # Two requests with the same inputs make one live row (dedup in the database, not Redis).
        Index("uq_report_live_input", "kind", "subject_type", "subject_id", "input_hash", unique=True,
              postgresql_where=text(LIVE_REPORT)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))  # minutes | conclusion | remediation_report | progress_report
    subject_type: Mapped[str] = mapped_column(String(20))  # inspection | plan | unit
    subject_id: Mapped[int] = mapped_column(Integer, index=True)
    params: Mapped[dict] = mapped_column(JSON, default=dict)  # e.g. the period of a unit's report
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    rq_job_id: Mapped[str] = mapped_column(String(36))
    input_hash: Mapped[str] = mapped_column(String(64))
    snapshot: Mapped[dict | None] = mapped_column(JSON)  # the plain data rendered (and hashed)
    template_version: Mapped[str] = mapped_column(String(20))
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Document(TimestampMixin, db.Model):
    """Document — văn bản đi: a minutes, conclusion or report the office issues. Issuing gives
    it its number ("Số: 05/TB-UBND") from the per-unit, per-year, per-type counter and its date,
    and freezes its snapshot: it never re-renders from changed data. The signed, stamped paper
    copy comes back as a scan."""

    __tablename__ = "document"
    __table_args__ = (UniqueConstraint("unit_id", "year", "type_code", "number", name="uq_document_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer, index=True)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)  # the issuing unit
    type_code: Mapped[str] = mapped_column(String(10))  # BB | TB | BC | KH
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    number: Mapped[int | None] = mapped_column(Integer)
    number_text: Mapped[str] = mapped_column(String(60), default="")  # "05/TB-UBND"
    issued_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)  # draft | issued
    title: Mapped[str] = mapped_column(String(500), default="")  # trích yếu, for the register
    snapshot: Mapped[dict | None] = mapped_column(JSON)  # frozen at issue
    input_hash: Mapped[str] = mapped_column(String(64), default="")
    pdf_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id"))
    signed_scan_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id"))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scan_attached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # chữ ký số: the latest digitally signed file, where the signature block lies (for the agency's
    # appearance, in PDF points: page, x, y, width, height) and the public verification code
    signed_pdf_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id"))
    sign_box: Mapped[dict | None] = mapped_column(JSON)
    verify_code: Mapped[str | None] = mapped_column(String(20), unique=True)
    sign_note: Mapped[str] = mapped_column(String(300), default="")  # why the agency's signature is missing


class DocumentCounter(db.Model):
    """The last number given, per issuing unit, year and document type (sổ đăng ký văn bản đi)."""

    __tablename__ = "document_counter"
    __table_args__ = (UniqueConstraint("unit_id", "year", "type_code", name="uq_document_counter_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    year: Mapped[int] = mapped_column(Integer)
    type_code: Mapped[str] = mapped_column(String(10))
    last_number: Mapped[int] = mapped_column(Integer, default=0)
