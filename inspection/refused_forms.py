"""A refused form answers on the page it lives on (issue 18), never on its POST-only address (whose
reload posts again and whose opening answers 405).

The handler keeps the refused form — its messages, what was typed (never a password or a file) and
anything the page needs to explain the refusal — for one request, and answers 303 to the form's
page; that page draws the form again refilled, open, with its messages. What was typed may be long
(a 5,000-character finding), so it waits in Redis for a few minutes, the session holding only its key."""

import json
import uuid

from flask import flash, redirect, request, session, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from wtforms import FileField, PasswordField

from .errors import Conflict, InvalidTransition, ValidationError
from .queue import get_redis

REFUSALS = (ValidationError, InvalidTransition, Conflict)  # a service's refusals: shown to the user, never a 500
REFUSED_KEY = "refused_form"  # the session key of a refused form kept for its page
KEPT_SECONDS = 600


def show_error(form, exc, fields: dict | None = None) -> None:
    """Put a service's refusal next to its field (`fields` maps the service's field names to the
    form's; a group of rows keeps its own list, e.g. memberships_errors), or at the top of the page."""
    name = (fields or {}).get(exc.field, exc.field)
    group = getattr(form, f"{name}_errors", None) if name else None
    if isinstance(group, list):
        group.append(_(exc.message))
    elif name and name in form._fields:
        form[name].errors = [*form[name].errors, _(exc.message)]
    else:
        flash(_(exc.message), "error")


def form_status() -> int:
    """200 for a fresh form, 422 for a submitted one shown again with errors."""
    return 422 if request.method == "POST" else 200


def back_to(endpoint: str, **values):
    """303 to `endpoint`: the answer to a POST that worked."""
    return redirect(url_for(endpoint, **values), 303)


def _store_key(key: str) -> str:
    return f"cchc:refused-form:{key}"


def keep_refusal(page: str, name: str, form, *, forget: tuple = (), **extra) -> None:
    """Keep the refused `form` (drawn as `name` on `page`, e.g. "task:12") for the next request:
    its messages, the values typed into it (not the fields in `forget`: a stale version is drawn
    anew) and `extra` (plain data the page shows with it). `form` None: a page's own fields (no
    WTForms form), every one but the CSRF token and those in `forget`."""
    fields = form._fields.items() if form is not None else ()
    messages = {key: [str(m) for m in field.errors] for key, field in fields if field.errors}
    typed = {field.name for key, field in fields if key != "csrf_token" and key not in forget
             and not isinstance(field, PasswordField | FileField)}
    values = [[key, value] for key, value in request.form.items(multi=True)
              if key in typed or form is None and key not in ("csrf_token", *forget)]
    key = uuid.uuid4().hex
    get_redis().set(_store_key(key), json.dumps({"page": page, "name": name, "messages": messages,
                                                 "values": values, "extra": extra}), ex=KEPT_SECONDS)
    session[REFUSED_KEY] = key


def refuse(page: str, name: str, form, endpoint: str, _anchor: str | None = None, **values):
    """keep_refusal, then 303 to the form's page (`endpoint` with `values`, at `_anchor`)."""
    keep_refusal(page, name, form)
    return redirect(url_for(endpoint, _anchor=_anchor, **values), 303)


def _take() -> dict | None:
    key = session.pop(REFUSED_KEY, None) if REFUSED_KEY in session else None
    if not isinstance(key, str):
        return None
    with get_redis().pipeline() as pipe:
        raw, _deleted = pipe.get(_store_key(key)).delete(_store_key(key)).execute()
    return json.loads(raw) if raw else None


def refused_values(page: str) -> dict:
    """What was typed into a page's own fields (keep_refusal with no form) refused just before on
    `page`, by field name; {} otherwise. Read once."""
    kept = _take()
    return dict(kept["values"]) if kept and kept["page"] == page else {}


def refused_form(page: str, forms: dict, **defaults) -> dict:
    """{name: form} for the form refused just before on `page` (keep_refusal), drawn from `forms`
    with `defaults` under what was typed, showing its messages; {} otherwise. Read once: a reload
    draws the page as it is. The kept `extra` is under the key "extra"."""
    kept = _take()
    if not kept or kept["page"] != page or kept["name"] not in forms:
        return {}
    form = forms[kept["name"]](formdata=MultiDict(kept["values"]) if kept["values"] else None, **defaults)
    for key, messages in kept["messages"].items():
        if key in form._fields:
            form[key].errors = messages
    return {kept["name"]: form, "extra": kept["extra"]}
