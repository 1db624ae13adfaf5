"""Finding the forms of the app's own routes: every POST rule, the role that may use it, the page
that draws its form and the form's fields (parsed from the HTML the app serves)."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from inspection.security import permissions, scoping
from models.enums import Role
from tests.scenario import RECORD_FACTORIES
from tests.test_route_walk import PATH_ARG, id_args

# Routes the battery does not post to, and why.
SKIPPED = {
    "auth.logout": "signs the battery's own session out (no input)",
    "auth.logout_all": "signs the battery's own session out (no input)",
    "auth.end_session": "takes an opaque session handle, no form fields",
    "auth.login": "anonymous: covered by test_sign_in_refuses_hostile_credentials",
    "feedback.answer": "anonymous, public: tests/hostile/test_feedback.py attacks the citizen's survey",
    "verify.check": "anonymous, public, one file field: tests/signing/test_verification.py sends it a non-PDF, "
                    "a tampered and a foreign file, none stored",
    "auth.two_factor": "anonymous, mid sign-in: takes one code field",
    "auth.disable_totp": "needs a user with two-factor on (tests/auth cover its code field)",
    "auth.recovery_codes": "needs a user with two-factor on (tests/auth cover it)",
}
# Who tries each route first: the roles that hold most rights come first.
ROLE_ORDER = [Role.ADMIN, Role.LEADER, Role.COORDINATOR, Role.INSPECTOR, Role.UNIT_HEAD, Role.UNIT_OFFICER,
              Role.VIEWER]
TEXT_TYPES = {"text", "search", "email", "tel", "url", ""}


@dataclass
class Field:
    name: str
    kind: str  # text | textarea | date | number | hidden | select | radio | checkbox | file | password | submit
    value: str = ""
    options: list[str] = field(default_factory=list)
    accept: str = ""


@dataclass
class Form:
    action: str
    fields: dict[str, Field] = field(default_factory=dict)

    def of_kind(self, *kinds) -> list[Field]:
        return [f for f in self.fields.values() if f.kind in kinds and f.name != "csrf_token"]


class _FormParser(HTMLParser):
    def __init__(self, page_url: str, method: str):
        super().__init__(convert_charrefs=True)
        self.page_url, self.method = page_url, method
        self.forms, self.form, self.select, self.textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == self.method:
            self.form = Form(action=urlsplit(a.get("action") or self.page_url).path)
            self.forms.append(self.form)
        elif tag == "option" and self.select is not None:
            self.select.options.append(a.get("value", ""))
            if "selected" in a:
                self.select.value = a.get("value", "")
        elif self.form is None or not a.get("name"):
            return
        elif tag == "input":
            self._input(a)
        elif tag == "button" and a.get("type", "submit") == "submit":
            self.form.fields.setdefault(a["name"], Field(a["name"], "submit", a.get("value", "")))
        elif tag == "select":
            self.select = self.form.fields.setdefault(a["name"], Field(a["name"], "select"))
        elif tag == "textarea":
            self.textarea = self.form.fields.setdefault(a["name"], Field(a["name"], "textarea"))

    def _input(self, a):
        kind = a.get("type", "text").lower()
        if kind in TEXT_TYPES:
            kind = "date" if "dd/mm/yyyy" in a.get("placeholder", "") else "text"
        elif kind == "date":
            kind = "date"
        if kind in ("radio", "checkbox") and a["name"] in self.form.fields:
            self.form.fields[a["name"]].options.append(a.get("value", "on"))
            if "checked" in a:
                self.form.fields[a["name"]].value = a.get("value", "on")
            return
        value = a.get("value", "")
        if kind in ("radio", "checkbox"):
            found = Field(a["name"], kind, value if "checked" in a else "", [value or "on"])
        else:
            found = Field(a["name"], kind, value, accept=a.get("accept", ""))
        self.form.fields.setdefault(a["name"], found)

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.textarea.value = self.textarea.value.strip()
            self.textarea = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data


def forms_on(html: str, page_url: str, method: str = "post") -> list[Form]:
    """The forms of a page that submit with `method`, with their fields."""
    parser = _FormParser(page_url, method)
    parser.feed(html)
    return parser.forms


def post_rules(app) -> list:
    """Every rule that takes a POST, except the SKIPPED ones and the JSON API (fuzzed elsewhere)."""
    return sorted((r for r in app.url_map.iter_rules() if "POST" in r.methods and r.endpoint not in SKIPPED
                   and not r.rule.startswith("/api/")), key=lambda r: r.rule)


def make_records(guards, anchor) -> dict:
    """One record per path id guard, made inside `anchor`'s subtree."""
    return {g["arg"]: RECORD_FACTORIES[g["model"]](anchor) for g in guards}


def may_use(user, guards, records) -> bool:
    """True when `user` passes every guard on `records` (as the route walk decides)."""
    scoping.forget_visibility()
    return all(permissions.can(user, g["action"], records[g["arg"]]) for g in guards)


def fill(rule_text: str, records: dict) -> str:
    def value(match):
        arg = match["arg"]
        if arg in records:
            return str(records[arg].id)
        return {"kind": "units", "code": "en", "fingerprint": "0" * 64}.get(arg, "1")

    return PATH_ARG.sub(value, rule_text)


def form_pages(app, rule, url: str, records: dict) -> list[str]:
    """The pages that may draw the form posting to `url`: the rule's own GET, then GET rules about
    the same records (same first path segment first), then the home page."""
    if "GET" in rule.methods:
        return [url]
    mine = set(id_args(rule.rule))
    first = rule.rule.split("/")[1]
    pages = [r for r in app.url_map.iter_rules() if "GET" in r.methods and set(id_args(r.rule)) <= mine
             and not re.search(r"<(?!(?:int:)?\w+_id>)", r.rule) and not r.rule.startswith(("/api/", "/static"))
             and (r.rule.split("/")[1] == first or set(id_args(r.rule)) and set(id_args(r.rule)) == mine)]
    pages.sort(key=lambda r: (r.rule.split("/")[1] != first, -len(id_args(r.rule)), len(r.rule)))
    return [fill(r.rule, records) for r in pages[:6]] + ["/"]

