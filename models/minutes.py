"""Signatures drawn on the tablet on the minutes (biên bản kiểm tra), by both sides."""

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import UTCDateTime, db, utcnow


class MinutesSignature(db.Model):
    """MinutesSignature — chữ ký trên biên bản: the team lead's (role "lead") or the inspected unit's
    representative's (role "unit") signature, drawn on the screen, bound to the content hash of the
    minutes it signed: it signs that content only, never another minutes or a changed one."""

    __tablename__ = "minutes_signature"
    __table_args__ = (UniqueConstraint("inspection_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))  # lead | unit
    signer_name: Mapped[str] = mapped_column(String(120))
    signer_title: Mapped[str] = mapped_column(String(120), default="")
    image: Mapped[bytes] = mapped_column(LargeBinary)  # PNG
    image_sha256: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the device's time
    device: Mapped[str] = mapped_column(String(200), default="")
    client_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
