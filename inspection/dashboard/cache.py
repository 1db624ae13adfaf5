"""The rendered dashboard, kept in Redis for the summary version it was drawn from.

The figures only change when the summary is refreshed, and the names around them (units, PAR
areas) with the catalog (catalog.py), so the content rendered for one summary version, one catalog
version, one scope (the user's dashboard memberships), one set of filters and one release
(build.fingerprint()) is the same for every user with that scope: it is served from Redis until
either changes. Live figures (no usable summary) and a request without a catalog version are never
cached. Without Redis nothing is cached."""

import hashlib
import json
import logging

from flask import current_app, g, has_app_context, request
from flask_babel import get_locale
from markupsafe import Markup

from .. import build
from ..data.queue import get_redis
from ..security import scoping
from .board import dashboard_roles
from .summary import Freshness

log = logging.getLogger(__name__)
TTL = 900  # seconds: older versions are never asked for again once the summary is refreshed


def _redis():
    if not has_app_context() or not current_app.config.get("REDIS_URL"):
        return None  # the embedded default: nothing is cached
    return get_redis()


def key_for(actor, fresh: Freshness) -> str | None:
    """The cache key of the page `actor` asked for, or None when its figures are live."""
    catalog = g.get("catalog_version")
    if fresh.live or fresh.refreshed_at is None or catalog is None or not current_app.config["CACHE_DASHBOARD_PAGE"]:
        return None
    scope = "admin" if scoping.is_admin(actor) else sorted(
        (m.unit_id, m.role) for m in actor.memberships if m.role in dashboard_roles())
    raw = json.dumps([fresh.refreshed_at.isoformat(), catalog, scope, sorted(request.args.items(multi=True)),
                      str(get_locale())])
    prefix = f"{current_app.config['RQ_QUEUE_PREFIX']}dashboard:page:{build.fingerprint()}:"
    return prefix + hashlib.sha256(raw.encode()).hexdigest()


def get(key: str | None) -> Markup | None:
    try:
        client = _redis() if key else None
        cached = client.get(key) if client is not None else None
    except Exception:  # noqa: BLE001 — a cache outage only costs the rendering
        log.warning("dashboard cache unavailable", exc_info=True)
        return None
    return Markup(cached.decode()) if cached is not None else None


def put(key: str | None, content: str) -> None:
    try:
        client = _redis() if key else None
        if client is not None:
            client.set(key, content.encode(), ex=TTL)
    except Exception:  # noqa: BLE001
        log.warning("dashboard cache unavailable", exc_info=True)
