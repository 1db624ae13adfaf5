"""Rate limits beyond sign-in (ASVS 2.4.1): every POST and every /api/ request, per user and per
client address, kept in Redis so every web process shares them.

pyrate-limiter's GCRA keeps a few numbers per key in one Redis hash (updated atomically by a Lua
script, expiring by itself). Limits are generous: a person submits a few forms a minute, and a
tablet syncing a whole day of findings (bench/offline.py: about 35 requests a second for 90 s)
stays far below the API's; what they stop is a script hammering the server."""

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from pyrate_limiter import GCRA, Duration, Rate, RateItem, RedisStateStore, StateBucket

from . import refusals
from .queue import get_redis

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_UNITS = {"second": Duration.SECOND, "minute": Duration.MINUTE, "hour": Duration.HOUR, "day": Duration.DAY}
_GCRA = GCRA()


def parse_rates(text: str) -> list[Rate]:
    """ "120/minute,2000/hour" → the rates (ValueError on anything else)."""
    rates = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        count, _sep, unit = part.partition("/")
        if unit.strip() not in _UNITS or int(count) < 1:
            raise ValueError(f"rate limit {part!r}: write N/second, N/minute, N/hour or N/day")
        rates.append(Rate(int(count), _UNITS[unit.strip()]))
    return rates


def _rates(setting: str) -> list[Rate]:
    cache, text = current_app.extensions.setdefault("cchc_rates", {}), current_app.config[setting]
    if text not in cache:
        cache[text] = parse_rates(text)
    return cache[text]


def _wait_ms(key: str, setting: str) -> int | None:
    """Count one request on `key`; None when it is within the limit, else the wait in ms."""
    rates = _rates(setting)
    if not rates:
        return None
    bucket = StateBucket(rates, _GCRA, RedisStateStore(get_redis(), f"cchc:rate:{key}"))
    item = RateItem(key, bucket.now())
    return None if bucket.put(item) else max(int(bucket.waiting(item)), 1000)


def limit_request(kind: str):
    """Count this request for its user (if signed in) and its address; a 429 answer when either
    is over its limit, None otherwise. `kind`: "api" or "web"."""
    keys = [(f"addr:{request.remote_addr}", "RATE_LIMIT_ADDRESS")]
    if current_user.is_authenticated:
        keys.insert(0, (f"{kind}:user:{current_user.id}", f"RATE_LIMIT_{kind.upper()}_USER"))
    for key, setting in keys:
        wait = _wait_ms(key, setting)
        if wait is not None:
            return _too_many(key, -(-wait // 1000))
    return None


def _too_many(key: str, seconds: int):
    if get_redis().set(f"cchc:rate-logged:{key}", 1, nx=True, ex=60):  # logged once a minute per key
        refusals.note("rate_limited", target=key)
    message = _("Bạn gửi quá nhiều yêu cầu trong thời gian ngắn. Vui lòng chờ %(s)s giây rồi thử lại.", s=seconds)
    headers = {"Retry-After": str(seconds)}
    if request.blueprint == "api" or request.accept_mimetypes.best == "application/json":
        return {"error": message, "code": "rate_limited", "retry_after": seconds}, 429, headers
    return render_template("errors/429.html", status=429, message=message), 429, headers


def limit_web_writes():
    """Before every request outside the API: count POSTs (and other unsafe methods), but for the
    endpoints that count their own address limit (the citizens' survey: a stricter limit, on a keyed
    hash of the address, which must not be kept here under the address itself)."""
    if (request.method in SAFE_METHODS or request.blueprint == "api"
            or request.endpoint in current_app.extensions["cchc_own_limits"]):
        return None
    return limit_request("web")


def register(app, own_limits: tuple[str, ...] = ()) -> None:
    """`own_limits`: endpoints whose requests are counted per address by their own limit."""
    app.extensions["cchc_own_limits"] = frozenset(own_limits)
    for setting in ("RATE_LIMIT_WEB_USER", "RATE_LIMIT_API_USER", "RATE_LIMIT_ADDRESS"):
        parse_rates(app.config[setting])  # a mistyped setting stops the start, not a request
    # right before the CSRF check: a flood is stopped before any work
    funcs = app.before_request_funcs.setdefault(None, [])
    funcs.insert(next((i for i, f in enumerate(funcs) if f.__name__ == "csrf_protect"), len(funcs)),
                 limit_web_writes)
