"""Translations: N_() marks a message for the catalog where it is defined (it is translated where
it is shown); the message domain and the templates' gettext look the catalog up once per request."""

from functools import cached_property

import flask_babel
from flask import g, has_app_context
from flask_babel import Domain
from jinja2 import pass_eval_context
from markupsafe import Markup

from models.enums import N_  # one definition: models may not import from inspection

__all__ = ["N_", "Babel", "install_template_gettext"]


class _RequestCatalogDomain(Domain):
    """Flask-Babel's message domain, with the catalog looked up once per app context (a request)
    instead of on every string: the lookup resolves the context, the locale and its cache key each
    time, and a 50-row task list translates ~150 strings. Flask-Babel keeps the locale for as long
    (in g); nothing here calls flask_babel.refresh(). Under force_locale the locale's own catalog is
    looked up instead."""

    def get_translations(self):
        if not has_app_context() or _forced():  # force_locale (an e-mail in its reader's language)
            return super().get_translations()
        catalog = g.get("_cchc_catalog")  # beside Flask-Babel's own cache of the locale (g._flask_babel)
        if catalog is None:
            catalog = g._cchc_catalog = super().get_translations()
        return catalog


def _forced() -> bool:
    return getattr(g.get("_flask_babel"), "forced_babel_locale", None) is not None


class Babel(flask_babel.Babel):
    @cached_property
    def domain_instance(self):
        return _RequestCatalogDomain(domain=self.domain)


def install_template_gettext(env, babel: Babel) -> None:
    """The templates' _(), gettext() and ngettext(), with Jinja's "newstyle" meaning (variables
    given as keywords, escaped when autoescaping) but one call deep: Jinja's own wrap `_` around
    `gettext` around Flask-Babel's lambda, ~50 calls per string."""

    @pass_eval_context
    def gettext(eval_ctx, string, **variables):
        text = babel.domain_instance.get_translations().ugettext(string)
        return (Markup(text) if eval_ctx.autoescape else text) % variables

    @pass_eval_context
    def ngettext(eval_ctx, singular, plural, num, **variables):
        variables.setdefault("num", num)
        text = babel.domain_instance.get_translations().ungettext(singular, plural, num)
        return (Markup(text) if eval_ctx.autoescape else text) % variables

    env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)
