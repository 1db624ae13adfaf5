"""A refused form answers on the page it lives on (issue 18), never on its POST-only address (whose
reload posts again and whose opening answers 405).

The handler keeps the refused form — its messages, what was typed (never a password or a file) and
anything the page needs to explain the refusal — for one request, and answers 303 to the form's
page; that page draws the form again refilled, open, with its messages. What was typed may be long
(a 5,000-character finding), so it waits in Redis for a few minutes, the session holding only its key."""

import json
import uuid
from dataclasses import dataclass, field

from flask import flash, redirect, request, session, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from wtforms import FileField, PasswordField

from ..data.queue import get_redis
from ..errors import Conflict, InvalidTransition, ValidationError

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


@dataclass(frozen=True)
class FormsPage:
    """A subject's page (a task, a remediation action) and the action forms drawn on it, each posting
    to its own address: `key` names the page for keep_refusal ("task:12"), `forms` maps each form's
    name to its class, `endpoint` and `values` address the page, `anchors` place a refused form on
    it, and `conflict` is flashed before a Conflict's own message."""

    key: str
    forms: dict
    endpoint: str
    values: dict
    anchors: dict = field(default_factory=dict)
    conflict: str = ""

    def answer(self, name: str | None = None):
        """303 to the page, at the place of the form `name` if it has one."""
        return redirect(url_for(self.endpoint, _anchor=self.anchors.get(name), **self.values), 303)

    def refuse(self, name: str, form, forget: tuple = ()):
        keep_refusal(self.key, name, form, forget=forget)
        return self.answer(name)


def act(page: FormsPage, name: str, call, done, *, fields: dict | None = None):
    """Validate the form `name` posted from `page`, run `call(form)` (its one service call), flash
    `done` (text, or a function giving it after the call) and answer 303 to the page. `fields` maps
    the service's field names to the form's. A refused input goes back to the page, the form drawn
    there again with its messages and what was typed (a missing version: the page was stale, said
    at the top); so does a Conflict (the subject moved on: the page as it is now, the stale version
    not kept); a transition no longer possible is flashed."""
    form = page.forms[name]()
    if not form.validate_on_submit():
        version = form._fields.get("version")
        if version is not None and version.errors:  # a hidden field: its message has no place by a field
            flash(str(version.errors[0]), "error")
        return page.refuse(name, form)
    try:
        call(form)
    except Conflict as exc:
        if page.conflict:
            flash(page.conflict, "error")
        flash(_(exc.message), "error")
        return page.refuse(name, form, forget=("version",))
    except ValidationError as exc:
        show_error(form, exc, fields)
        return page.refuse(name, form)
    except InvalidTransition as exc:
        flash(_(exc.message), "error")
    else:
        flash(done() if callable(done) else done, "success")
    return page.answer()


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
