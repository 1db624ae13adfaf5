"""Application factory: `flask --app app …` finds create_app()."""

from pathlib import Path

from flask import Flask, current_app, g, redirect, request, session, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from inspection import (
    admin,
    api,
    auth,
    dashboard,
    errors,
    feedback,
    inspections,
    main,
    par,
    plans,
    remediation,
    reports,
    signing,
)
from inspection.auth import two_factor_policy
from inspection.auth.services import load_session
from inspection.auth.steps import pending_step
from inspection.cli import register_cli
from inspection.config import engine_options, load_config
from inspection.data import catalog
from inspection.data.replica import init_app as init_replica
from inspection.data.transaction import end_reads_with_commit
from inspection.extensions import babel, compress, csrf, login_manager, migrate
from inspection.feedback.limits import PUBLIC_ENDPOINTS, public_guard
from inspection.language import formatting
from inspection.language.i18n import N_, install_template_gettext
from inspection.main.notifications import unread_count
from inspection.security import hardening, permissions, ratelimit, scoping, security_events
from inspection.server import embedded_db
from inspection.web import rows
from models import db
from models.enums import ROLE_LABELS, UNIT_KIND_LABELS, set_severity_scale

_OPEN_ENDPOINTS = {"auth.login", "auth.logout", "auth.set_language",
                   "static", "main.healthz", "main.livez", "feedback.survey", "feedback.answer", "feedback.thanks",
                   "verify.lookup", "verify.document", "verify.check"}


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, CLI, error handlers."""
    app = Flask(__name__, instance_path=None)
    app.config.update(load_config())
    app.config.update(overrides or {})
    set_severity_scale(app.config.get("SEVERITY_SCALE") or [])
    _init_extensions(app)
    for feature in (auth, main, admin, plans, inspections, api, remediation, reports, dashboard, feedback, signing,
                    par):
        feature.register(app)
    errors.register_error_handlers(app)
    hardening.register_security(app)
    app.before_request_funcs.setdefault(None, []).insert(0, public_guard)  # before the CSRF check
    ratelimit.register(app, own_limits=PUBLIC_ENDPOINTS)  # goes in right before the CSRF check
    security_events.register(app)
    formatting.register_filters(app)
    rows.register(app)
    catalog.register(app)
    register_cli(app)
    app.before_request(scoping.forget_visibility)
    app.before_request(_enforce_account_steps)
    app.context_processor(_template_globals)
    if app.config["PROXY_FIX"]:
        # behind the TLS-terminating reverse proxy: trust its X-Forwarded-* headers (one hop)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    return app


def _init_extensions(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"]:  # the embedded default (no DATABASE_URL)
        app.config["SQLALCHEMY_DATABASE_URI"] = embedded_db.start_for_this_process(Path(app.config["EMBEDDED_DB_DIR"]))
        app.config["EMBEDDED_DB"] = True
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config, app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    db.init_app(app)
    init_replica(app)
    end_reads_with_commit(app)
    migrate.init_app(app, db, compare_type=True)
    csrf.init_app(app)
    compress.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    install_template_gettext(app.jinja_env, babel)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Vui lòng đăng nhập để tiếp tục.")
    login_manager.localize_callback = gettext
    login_manager.session_protection = "basic"  # never "strong": tablets on 4G change IP
    login_manager.user_loader(_load_user)


def _load_user(user_id: str):
    found = load_session(session.get("sid"), user_id)
    if found is None:
        return None
    g.user_session = found[1]
    return found[0]


def _select_locale() -> str:
    if current_user and current_user.is_authenticated:
        return current_user.locale
    return session.get("lang") or "vi"  # Vietnamese by default, whatever the browser says


def _enforce_account_steps():
    if request.endpoint in _OPEN_ENDPOINTS or not current_user.is_authenticated:
        return None
    step = pending_step(current_user, g.get("user_session"))
    if step and request.endpoint != step:
        return redirect(url_for(step))
    return None


def _template_globals() -> dict:
    signed_in = current_user.is_authenticated
    return {
        "ROLE_LABELS": ROLE_LABELS,
        "UNIT_KIND_LABELS": UNIT_KIND_LABELS,
        "unread_notifications": unread_count(current_user) if signed_in else 0,
        "profile": current_app.config["PROFILE"],
        "get_locale": get_locale,
        "can": lambda action, obj=None: permissions.can(current_user, action, obj),
        "two_factor_grace_ends": lambda: two_factor_policy.grace_ends_at(current_user),
    }
