"""E-mail delivery of notifications (only when SMTP_HOST is configured)."""

import smtplib
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale, gettext

from models import Notification, User, db, utcnow

from ..main import notifications


def send_notification_email(notification_id: int) -> bool:
    """Send one notification by e-mail; a re-run after success sends nothing."""
    row = db.session.get(Notification, notification_id)
    if row is None or row.emailed_at is not None:
        return False
    user = db.session.get(User, row.user_id)
    if user is None or not user.email or not user.is_active:
        return False
    with force_locale(user.locale or "vi"):  # in the reader's language, as the bell shows it
        send_mail(user.email, notifications.text(row)[:300], _body(row))
    row.emailed_at = utcnow()
    db.session.commit()
    return True


def _body(row: Notification) -> str:
    lines = [notifications.text(row), ""]
    if row.link:
        lines.append(gettext("Xem chi tiết: %(url)s", url=f"{current_app.config.get('PUBLIC_URL', '')}{row.link}"))
    lines.append(gettext("Thư tự động từ hệ thống quản lý kiểm tra và nhiệm vụ CCHC; vui lòng không trả lời."))
    return "\n".join(lines)


def send_mail(to: str, subject: str, body: str) -> None:
    """One plain-text e-mail through the configured SMTP server."""
    cfg = current_app.config
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = cfg["MAIL_FROM"], to, subject
    message.set_content(body)
    with smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=30) as smtp:
        smtp.send_message(message)
