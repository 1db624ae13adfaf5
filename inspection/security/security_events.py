"""Refused access is a security event (ASVS 16.3.2, 16.3.3): every 403, every 404 on a record that
exists outside the user's scope, every CSRF refusal, every throttled sign-in, every rate-limit hit
(once a minute per key) and every infected upload is appended to `security_event` — who, what,
when, from where; never a request body. A burst from one user (REFUSAL_BURST refusals within
REFUSAL_BURST_MINUTES) notifies the administrators once.

Code that refuses marks the request with `note()`; one after-request hook writes the row, after
the page is made and in its own transaction (the refused request's own work is rolled back first:
nothing of it is kept), so recording never changes the answer."""

import logging
from datetime import timedelta

from flask import current_app, g, has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from models import Membership, SecurityEvent, User, db, utcnow
from models.enums import Role

from ..data.queue import get_redis
from ..data.transaction import unit_of_work
from ..errors import http_error
from ..language.i18n import N_
from ..main.notifications import notify

log = logging.getLogger(__name__)

KIND_LABELS = {
    "forbidden": _l("Không có quyền (403)"),
    "out_of_scope": _l("Hồ sơ ngoài phạm vi (404)"),
    "csrf": _l("Mã bảo vệ biểu mẫu (CSRF) không hợp lệ"),
    "sign_in_throttled": _l("Đăng nhập bị tạm khóa"),
    "rate_limited": _l("Vượt giới hạn số yêu cầu"),
    "malware": _l("Tệp có mã độc"),
}


def note(kind: str, target: str = "", username: str = "") -> None:
    """Mark the current request as refused; the row is written once the answer is made."""
    if has_request_context():
        g.refusal = {"kind": kind, "target": str(target)[:120], "username": str(username)[:100]}


def _refusal(response) -> dict | None:
    refusal = g.pop("refusal", None)
    if refusal is None and response.status_code == 403:
        refusal = {"kind": "forbidden", "target": "", "username": ""}
    return refusal


def record_refusal(response):
    """After every request: append the refusal it was marked with (or its 403), if any."""
    refusal = _refusal(response)
    if refusal is None:
        return response
    event = SecurityEvent(kind=refusal["kind"], username=refusal["username"],
                          address=(request.remote_addr or "")[:64], method=request.method[:10],
                          path=request.path[:300], endpoint=(request.endpoint or "")[:100],
                          target=refusal["target"], status=response.status_code)
    try:
        event.user_id = int(current_user.get_id()) if current_user.is_authenticated else None
        db.session.rollback()  # nothing of a refused request is kept, whatever it had begun
        with unit_of_work():
            db.session.add(event)
            db.session.flush()
            _notify_burst(event)
    except SQLAlchemyError:  # the database is down: the refusal is still answered as it was
        log.warning("security event not recorded: %s %s %s", event.kind, event.method, event.path, exc_info=True)
        db.session.rollback()
    return response


def _burst_count(event: SecurityEvent) -> int:
    since = utcnow() - timedelta(minutes=current_app.config["REFUSAL_BURST_MINUTES"])
    who = (SecurityEvent.user_id == event.user_id if event.user_id is not None
           else (SecurityEvent.user_id.is_(None) & (SecurityEvent.address == event.address)))
    return db.session.execute(select(func.count()).where(who, SecurityEvent.at >= since)).scalar_one()


def _notify_burst(event: SecurityEvent) -> None:
    """Tell the administrators when this refusal makes a burst, once per burst: the Redis key lives
    while refusals keep coming at the burst's pace and one window after they stop."""
    if _burst_count(event) < current_app.config["REFUSAL_BURST"]:
        return
    window = current_app.config["REFUSAL_BURST_MINUTES"] * 60
    key = f"cchc:refusal-burst:{event.user_id or event.address}"
    if not get_redis().set(key, 1, nx=True, ex=window):
        get_redis().expire(key, window)
        return
    who = event.username or (db.session.get(User, event.user_id).username if event.user_id else event.address)
    notify(administrator_ids(), "security.burst",
           N_("Cảnh báo an ninh: %(who)s bị từ chối truy cập %(count)d lần trong %(minutes)d phút (địa chỉ "
              "%(address)s). Xem trang Vận hành hệ thống."), "/admin/ops#h-refusals",
           params={"who": who, "count": current_app.config["REFUSAL_BURST"], "minutes": window // 60,
                   "address": event.address})


def administrator_ids() -> list[int]:
    """The active administrators (they run the server and read the operations page)."""
    stmt = (select(User.id).join(Membership, Membership.user_id == User.id)
            .where(Membership.role == Role.ADMIN, User.is_active).distinct())
    return list(db.session.execute(stmt).scalars())


def csrf_refused(exc: CSRFError):
    """A form without a valid CSRF token: answered as any 400, and recorded."""
    note("csrf", exc.description)
    return http_error(exc)


def register(app) -> None:
    app.after_request(record_refusal)
    app.register_error_handler(CSRFError, csrf_refused)
