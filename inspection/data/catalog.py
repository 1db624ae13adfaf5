"""What follows from the catalog alone (models/catalog.py: plans, units and the tree, PAR areas,
who leads or supports which task), remembered per process for the catalog version read with the
user's session: the choices of the forms and list filters, the filter panels drawn from them, and
the subtrees of the units (permissions). A commit that changes the catalog bumps the version, so
the next page asks the database again. Each value declares the tables its loader reads
(caches.catalog_value, next to the loader); the triggers that bump the version are derived from
those declarations (inspection/data/caches.py).

Saves a commune's task page four of its six statements, and drawing its filters (bench/web.py)."""

from flask import Flask, current_app, g, has_request_context, request
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.orm import Session

from . import caches
from .transaction import pending_changes

# templates/base.html's menu: drawn from the endpoint, the roles and the language alone
NAV = caches.catalog_value("nav")
LIMIT = 2_000  # remembered lists per process; past it the memory starts over
_remembered: dict[tuple, list] = {}


def remember_version(version: int | None) -> None:
    """Keep the catalog version read along with the session, for this request."""
    if has_request_context():
        g.catalog_version = version


def remembered(name: str, key, load) -> list:
    """load(), or the list it gave for the same `name` and `key` at this catalog version. Only a
    GET or HEAD that has changed nothing remembers (what it reads is committed); without a version
    read in this request (no session, a job, the CLI, after a flush or commit) load() every time."""
    return list(remembered_value(name, key, load))


def remembered_html(name: str, key, draw) -> Markup:
    """draw() (a fragment drawn from the choices and `key` alone), remembered as remembered()
    does; a key of None draws it every time."""
    return draw() if key is None else remembered_value(name, key, draw)


def remembered_value(name: str, key, load, store: dict | None = None):
    """load(), remembered as remembered() does; the value is shared, so callers never change it.
    `store`: a dict of the caller's own (its own LIMIT), for values kept per user. `name` must be
    declared (caches.catalog_value) with the tables load() reads."""
    with caches.loading(name):
        return _remembered_value(name, key, load, store)


def _remembered_value(name: str, key, load, store: dict | None):
    version = g.get("catalog_version") if has_request_context() else None
    if version is None or request.method not in ("GET", "HEAD") or pending_changes() \
            or not current_app.config["CACHE_CATALOG"]:
        return load()
    entry, store = (name, version, key), _remembered if store is None else store
    found = store.get(entry)
    if found is None:
        if len(store) >= LIMIT:
            store.clear()
        found = store[entry] = load()
    return found


def _forget_version(*_args) -> None:
    """A flush or commit in this request may change what is offered: the rest of it asks the database."""
    if has_request_context():
        g.pop("catalog_version", None)


def register(app: Flask) -> None:
    """The templates' remembered_html(); the session hooks (once per process)."""
    app.jinja_env.globals["remembered_html"] = remembered_html
    for name in ("after_flush", "after_commit"):
        if not event.contains(Session, name, _forget_version):
            event.listen(Session, name, _forget_version)
