"""Abuse resistance of the public survey without outside services, shared by every web process
through Redis: a count per address and window, one use per opened form (replay), and the signed
time the form was drawn (a minimum filling time).

Addresses are never stored: Redis keys carry a keyed hash of the address and the day (HMAC with
the app's secret), which expire with their window (Nghị định 13/2023/NĐ-CP on personal data)."""

import hashlib
import hmac
import secrets
import time
from functools import cache

from flask import current_app, make_response, render_template, request, session
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..data.queue import get_redis
from ..language.formatting import local_today

STARTED_SALT = "cchc.feedback.started"
PUBLIC_ENDPOINTS = ("feedback.survey", "feedback.answer")  # counted per address here alone


def public_guard():
    """Limit the public survey's body size and count its requests per address (before the CSRF
    check reads the form; app.py puts it first of all before-request functions)."""
    if request.endpoint not in PUBLIC_ENDPOINTS:
        return None
    request.max_content_length = current_app.config["FEEDBACK_MAX_BODY"]
    if over_limit(request.remote_addr or ""):
        page = render_template("feedback/too_many.html")
        return make_response(page, 429, {"Retry-After": str(current_app.config["FEEDBACK_WINDOW_SECONDS"])})
    if request.args.get("lang") in current_app.config["LANGUAGES"]:
        session["lang"] = request.args["lang"]
    return None


def address_hash(address: str) -> str:
    """A keyed hash of the address for today only: no one can turn it back into the address, and
    tomorrow's hash of the same address differs."""
    key = current_app.config["SECRET_KEY"].encode()
    message = f"{local_today().isoformat()}|{address or '-'}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


# INCR, and EXPIRE on the window's first request: one round trip, atomic (a crash between the two
# would leave a key that never expires)
_COUNT = """local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count"""


def over_limit(address: str) -> bool:
    """Count one request of the public survey from `address`; whether it is over the limit of its
    window (every web process shares the counter)."""
    config = current_app.config
    window = config["FEEDBACK_WINDOW_SECONDS"]
    key = f"cchc:feedback:addr:{address_hash(address)}:{int(time.time()) // window}"
    return _counter()(keys=[key], args=[window], client=get_redis()) > config["FEEDBACK_MAX_PER_ADDRESS"]


def _counter():
    """The counting script, registered once per app (EVALSHA; loaded again if Redis lost it)."""
    ext = current_app.extensions
    if "cchc_feedback_counter" not in ext:
        ext["cchc_feedback_counter"] = get_redis().register_script(_COUNT)
    return ext["cchc_feedback_counter"]


def _serializer() -> URLSafeTimedSerializer:
    return _serializer_for(current_app.config["SECRET_KEY"])


@cache
def _serializer_for(secret: str) -> URLSafeTimedSerializer:
    """Built once per key: each survey page signs a start time, each answer reads one."""
    return URLSafeTimedSerializer(secret, salt=STARTED_SALT)


def started_token(desk_id: int) -> str:
    """The signed moment the form was drawn, for this desk (with a nonce: two forms drawn in the
    same second are two forms)."""
    return _serializer().dumps([desk_id, secrets.token_hex(8)])


def filling_problem(token: str, desk_id: int) -> str | None:
    """None when the form was drawn for this desk, at least the minimum time ago and not posted
    before; else "forged", "too_fast" or "replay"."""
    try:
        value, signed_at = _serializer().loads(token or "", max_age=86400, return_timestamp=True)
    except (BadSignature, ValueError):
        return "forged"
    if not isinstance(value, list) or not value or value[0] != desk_id:
        return "forged"
    if time.time() - signed_at.timestamp() < current_app.config["FEEDBACK_MIN_SECONDS"]:
        return "too_fast"
    digest = hashlib.sha256(token.encode()).hexdigest()
    if not get_redis().set(f"cchc:feedback:form:{digest}", 1, nx=True, ex=86400):
        return "replay"
    return None
