"""Rate limits beyond sign-in (ASVS 2.4.1): every POST and every /api/ request, per user and per
client address, kept in Redis so every web process shares them.

GCRA (the generic cell rate algorithm): per key and rate Redis keeps one number, the moment the
key's bucket would next be empty, in one small hash that expires by itself. A request's keys (its
user's, then its address's) are counted by one Lua script in one round trip, atomically. Limits are
generous: a person submits a few forms a minute, and a tablet syncing a whole day of findings
(bench/offline.py: about 35 requests a second for 90 s) stays far below the API's; what they stop
is a script hammering the server."""

import time
from math import ceil
from typing import NamedTuple

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ..data.queue import get_redis
from . import security_events

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_UNITS = {"second": 1000, "minute": 60_000, "hour": 3_600_000, "day": 86_400_000}  # in ms
# KEYS: the request's keys in order. ARGV: now (µs), then for each key its TTL (ms), its number of
# rates n and n pairs (µs between two requests at the rate's pace, requests allowed at once).
# Each rate's field holds its theoretical arrival time (µs). A key over any of its rates is not
# written and ends the count: {its position from 1, the wait in ms}; {0, 0} when all are within.
_GCRA_LUA = b"""
local now, at = tonumber(ARGV[1]), 2
for k = 1, #KEYS do
  local ttl, n, fields = ARGV[at], tonumber(ARGV[at + 1]), {}
  at = at + 2
  for i = 1, n do
    local emission, burst = tonumber(ARGV[at]), tonumber(ARGV[at + 1])
    at = at + 2
    local tat = math.max(tonumber(redis.call('HGET', KEYS[k], 'tat' .. i)) or 0, now) + emission
    if tat - burst * emission > now then
      return {k, math.ceil((tat - burst * emission - now) / 1000)}
    end
    fields[#fields + 1] = 'tat' .. i
    fields[#fields + 1] = string.format('%.0f', tat)
  end
  if n > 0 then
    redis.call('HSET', KEYS[k], unpack(fields))
    redis.call('PEXPIRE', KEYS[k], ttl)
  end
end
return {0, 0}
"""


class Rate(NamedTuple):
    """`limit` requests per `interval` (ms), as many as `limit` of them at once."""

    limit: int
    interval: int

    @property
    def emission_us(self) -> int:
        """Microseconds between two requests at this pace (rounded up: never faster than set)."""
        return max(1, ceil(self.interval * 1000 / self.limit))


def parse_rates(text: str) -> list[Rate]:
    """ "120/minute,2000/hour" → the rates (ValueError on anything else)."""
    rates = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        count, _sep, unit = part.partition("/")
        if unit.strip() not in _UNITS or int(count) < 1:
            raise ValueError(f"rate limit {part!r}: write N/second, N/minute, N/hour or N/day")
        rates.append(Rate(int(count), _UNITS[unit.strip()]))
    return rates


def _args(setting: str) -> list[int]:
    """The script's arguments for a key counted by `setting`'s rates (read once per text)."""
    cache, text = current_app.extensions.setdefault("cchc_rates", {}), current_app.config[setting]
    if text not in cache:
        rates = parse_rates(text)
        ttl = 2 * max((rate.interval for rate in rates), default=0)  # a bucket drains within one interval
        cache[text] = [ttl, len(rates), *(n for rate in rates for n in (rate.emission_us, rate.limit))]
    return cache[text]


def _over(keys: list[tuple[str, str]]) -> tuple[str, int] | None:
    """Count one request on each key in order; the first key over its limit and its wait in ms, or None."""
    script = current_app.extensions.get("cchc_rate_script")
    if script is None:
        script = current_app.extensions["cchc_rate_script"] = get_redis().register_script(_GCRA_LUA)
    args = [time.time_ns() // 1000]
    for _key, setting in keys:
        args.extend(_args(setting))
    position, wait = script(keys=[f"cchc:rate:{key}" for key, _s in keys], args=args, client=get_redis())
    return (keys[position - 1][0], max(int(wait), 1000)) if position else None


def limit_request(kind: str):
    """Count this request for its user (if signed in) and its address; a 429 answer when either
    is over its limit, None otherwise. `kind`: "api" or "web"."""
    keys = [(f"addr:{request.remote_addr}", "RATE_LIMIT_ADDRESS")]
    if current_user.is_authenticated:
        keys.insert(0, (f"{kind}:user:{current_user.id}", f"RATE_LIMIT_{kind.upper()}_USER"))
    over = _over(keys)
    return _too_many(over[0], -(-over[1] // 1000)) if over else None


def _too_many(key: str, seconds: int):
    if get_redis().set(f"cchc:rate-logged:{key}", 1, nx=True, ex=60):  # logged once a minute per key
        security_events.note("rate_limited", target=key)
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
