"""Domain exceptions and their HTTP answers."""

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException


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


def _json_error(exc: DomainError):
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
            return _json_error(exc)
        return _answer(exc.status, exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return _answer(exc.code or 500, exc.description if exc.code not in (404, 403) else "")
