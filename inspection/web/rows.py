"""The rows of the long lists, drawn once and remembered on everything they are drawn from: the
row's values, the language, the day in Asia/Ho_Chi_Minh (timeliness changes at midnight) and
where the app is mounted. A row whose values changed has another key, so nothing shown is ever
stale; only a macro that reads nothing but its row, those globals and url_for may be remembered.

Remembered in this process first, then in Redis (shared by every web process, for SHARED_SECONDS,
under the release's build.fingerprint(): a deploy never serves the last release's rows);
Redis out of reach only means drawing again. In a template:
`{% for html in remembered(task_row, page.items) %}{{ html }}{% else %}…{% endfor %}`.
Drawing a 50-row task list took ~3.5 ms of the page's ~15 ms of CPU (bench/web.py); a remembered
row costs a hash and a dict lookup."""

import hashlib
import logging

import redis
from flask import Flask, current_app, request
from flask_babel import get_locale
from markupsafe import Markup

from .. import build
from ..data.queue import get_redis
from ..language.formatting import local_today

LIMIT = 10_000  # rows per process (~1 KB each); past it the memory starts over
SHARED_SECONDS = 2 * 3600
_drawn: dict[tuple, Markup] = {}
log = logging.getLogger(__name__)


def remembered(macro, rows) -> list[Markup]:
    """`macro(row)` for each row, looked up first among the rows drawn for this page's language,
    day and mount point."""
    if not current_app.config["CACHE_ROWS"]:
        return [macro(row) for row in rows]
    page = (macro.name, str(get_locale()), local_today(), request.script_root)
    keys = [_key(page, row) for row in rows]
    found = [_drawn.get(key) if key else None for key in keys]
    missing = [n for n, html in enumerate(found) if html is None and keys[n]]
    shared = _shared_get([keys[n] for n in missing])
    drawn = {}
    for n, html in zip(missing, shared, strict=True):
        found[n] = Markup(html.decode()) if html is not None else None
    for n, row in enumerate(rows):
        if found[n] is None:
            found[n] = macro(row)
            if keys[n]:
                drawn[keys[n]] = found[n]
    _remember({keys[n]: found[n] for n in missing}, drawn)
    return found


def _key(page: tuple, row) -> tuple | None:
    try:
        key = (page, tuple(row))
        hash(key)
    except TypeError:  # a value that cannot be hashed: drawn every time
        return None
    return key


def _redis_key(key: tuple) -> str:
    digest = hashlib.blake2b(repr(key).encode(), digest_size=16).hexdigest()
    return f"{current_app.config['RQ_QUEUE_PREFIX']}row:{build.fingerprint()}:{digest}"


def _shared_get(keys: list[tuple]) -> list:
    if not keys:
        return []
    try:
        return get_redis().mget([_redis_key(key) for key in keys])
    except redis.RedisError as exc:
        log.warning("remembered rows: Redis out of reach (%s); drawing them", exc)
        return [None] * len(keys)


def _remember(found: dict, drawn: dict) -> None:
    """Keep in this process what was found or drawn; share what was drawn."""
    if len(_drawn) + len(found) >= LIMIT:
        _drawn.clear()
    _drawn.update(found)
    if not drawn:
        return
    try:
        with get_redis().pipeline(transaction=False) as pipe:
            for key, html in drawn.items():
                pipe.set(_redis_key(key), str(html).encode(), ex=SHARED_SECONDS)
            pipe.execute()
    except redis.RedisError as exc:
        log.warning("remembered rows: Redis out of reach (%s); not shared", exc)


def register(app: Flask) -> None:
    app.jinja_env.globals["remembered"] = remembered
    build.fingerprint()  # read the files once, at start rather than in the first request
