"""Domain exceptions and their HTTP answers."""

import logging

from flask import Flask, current_app, g, render_template, request
from flask_babel import gettext
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from models import db

from .language.i18n import N_

log = logging.getLogger(__name__)
# A service the request needs is down (the web process itself recovers on its own once it is back:
# the engine pings pooled connections, redis-py reconnects).
DATABASE_DOWN = N_("Cơ sở dữ liệu tạm thời không truy cập được: thao tác vừa rồi chưa được ghi nhận. "
                   "Vui lòng thử lại sau ít phút.")
QUEUE_DOWN = N_("Máy chủ hàng đợi tạm thời không truy cập được. Vui lòng thử lại sau ít phút.")
# A value the database cannot hold (an id or year beyond its integer range, a NUL character):
# the user's input, not the server, is at fault.
UNREPRESENTABLE = N_("Giá trị nhập vào vượt quá giới hạn cho phép hoặc chứa ký tự không hợp lệ. "
                     "Vui lòng kiểm tra lại.")
# The HTTP refusals a user meets, in words (werkzeug's descriptions are English and say no limit).
SIGNED_OUT = N_("Phiên đăng nhập đã kết thúc hoặc bạn chưa đăng nhập. Vui lòng đăng nhập lại; dữ liệu chưa gửi "
                "vẫn được giữ trên máy.")
TOO_LARGE = N_("Dữ liệu gửi lên quá lớn: mỗi lần gửi tối đa %(mb)s MB (cả các tệp đính kèm). Hãy chọn tệp nhỏ "
               "hơn, chụp ảnh với độ phân giải thấp hơn hoặc gửi từng tệp một lần.")
TOO_LONG = N_("Địa chỉ hoặc nội dung tìm kiếm quá dài. Hãy rút ngắn nội dung tìm kiếm rồi thử lại.")


def http_message(code: int) -> str:
    """The user's-language words for a refusal werkzeug describes in English ("" for the others)."""
    if code == 401:
        return gettext(SIGNED_OUT)
    if code == 413:
        return gettext(TOO_LARGE, mb=upload_limit_mb())
    if code == 414:
        return gettext(TOO_LONG)
    return ""


def upload_limit_mb() -> int:
    return current_app.config["MAX_UPLOAD_BYTES"] // (1024 * 1024)


class DomainError(Exception):
    """Base of the errors a service raises for the caller to show."""

    status = 400

    def __init__(self, message: str = "", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class ValidationError(DomainError):
    status = 422


class InvalidTransition(DomainError):
    status = 409


class StorageUnavailable(DomainError):
    """The file store refused a write (disk full, read-only, unreachable): nothing was saved."""

    status = 503


class Conflict(DomainError):
    """Someone else saved the record since this form was opened."""

    status = 409

    def __init__(self, message: str, current: dict | None = None):
        super().__init__(message)
        self.current = current or {}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _answer(status: int, message: str = ""):
    if _wants_json():
        return {"error": message or str(status)}, status
    template = f"errors/{status}.html" if status in (403, 404, 409, 500) else "errors/generic.html"
    return render_template(template, status=status, message=message), status


def json_error(exc: DomainError):
    """The JSON body and status of a domain error (a page of the API, or one item of a batch)."""
    body = {"error": exc.message or str(exc.status)}
    if exc.field:
        body["field"] = exc.field
    if isinstance(exc, Conflict):
        body["current"] = exc.current
    return body, exc.status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        if _wants_json():
            return json_error(exc)
        return _answer(exc.status, exc.message)

    app.register_error_handler(HTTPException, http_error)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_down(exc: Exception):
        return _unavailable(exc, DATABASE_DOWN)

    @app.errorhandler(RedisConnectionError)
    @app.errorhandler(RedisTimeoutError)
    def queue_down(exc: Exception):
        return _unavailable(exc, QUEUE_DOWN)

    @app.errorhandler(DataError)
    def unrepresentable(exc: DataError):
        log.warning("input the database refused: %s", exc.orig)
        db.session.rollback()  # nothing of the request is kept
        return _answer(400, UNREPRESENTABLE)


def http_error(exc: HTTPException):
    """The page (or JSON) of an HTTP refusal, in the user's words where werkzeug's are English."""
    code = exc.code or 500
    return _answer(code, http_message(code) or (exc.description if code not in (404, 403) else ""))


def _unavailable(exc: Exception, message: str):
    """503 with a plain page that needs neither the database nor the signed-in user."""
    log.warning("service unavailable: %s", exc)
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001  the connection is already gone; the pool replaces it
        log.debug("rollback on a lost connection failed", exc_info=True)
    # Answer as to a visitor: loading the signed-in user (for the page or its language) needs the
    # database; the session cookie is untouched, so the user is still signed in afterwards.
    g._login_user = current_app.login_manager.anonymous_user()
    if _wants_json():
        return {"error": message}, 503, {"Retry-After": "30"}
    return render_template("errors/unavailable.html", message=message), 503, {"Retry-After": "30"}
