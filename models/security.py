"""The log of refused access (security events), apart from the audit trail of changes."""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import UTCDateTime, db, utcnow


class SecurityEvent(db.Model):
    """SecurityEvent — sự kiện an ninh: a refused request (403, a 404 on a record that exists
    outside the user's scope, a CSRF refusal, a throttled sign-in, a rate limit, an infected
    upload): who, what, when and from where, never a request body. Append-only (a trigger refuses
    UPDATE and DELETE)."""

    __tablename__ = "security_event"
    __table_args__ = (Index("ix_security_event_user_id_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(30))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    username: Mapped[str] = mapped_column(String(100), default="")  # as typed (a throttled sign-in)
    address: Mapped[str] = mapped_column(String(64), default="")
    method: Mapped[str] = mapped_column(String(10), default="")
    path: Mapped[str] = mapped_column(String(300), default="")  # without the query string
    endpoint: Mapped[str] = mapped_column(String(100), default="")
    target: Mapped[str] = mapped_column(String(120), default="")  # e.g. "inspection 12"
    status: Mapped[int] = mapped_column(SmallInteger, default=0)
