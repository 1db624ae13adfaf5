"""In-app notifications (the bell)."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import UTCDateTime, db, utcnow


class Notification(db.Model):
    """Notification — thông báo: tells one user about an assignment, a deadline, a return."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300))  # in Vietnamese, as sent (e-mail; rows from before `message`)
    message: Mapped[str] = mapped_column(String(300), default="", server_default="")  # the catalog's msgid
    params: Mapped[dict | None] = mapped_column(JSON)  # its %(name)s values as typed; "_group": the folded line's link
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
