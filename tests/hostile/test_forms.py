"""The hostile-input battery through every form (DESIGN "Proof of trust", issue 10 "Bad input").

Which routes: every POST rule of `app.url_map` (tests/hostile/forms.py SKIPPED lists the few left
out, with the reason), so routes added later are covered without editing this file. For each route:
the first role (ROLE_ORDER) that may use it, on records made inside that role's home unit; a form
drawn only in one state and for one role has a stage (tests/hostile/stages.py STAGES: the roles, how
the records are moved along, where the form is drawn). The form is parsed from the page the app draws
it on and a valid baseline is filled from the form's own defaults. A route whose form is still not
found gets the TEXT cases in GENERIC_FIELDS, and the test fails unless stages.FALLBACK lists it with
the reason, so a new route cannot slip through on generic fields.
Then, from tests/hostile/cases.py: every text field gets each TEXT value (and one EXTRA_TEXT value
in turn); date fields, number fields, hidden fields and choices, and file fields get SAMPLE values
of DATES, NUMBERS, CHOICES and UPLOADS, a different slice for each route in turn (all of them
across the run), and first every file field a 400-megapixel image it must refuse; the valid baseline is
posted twice (a duplicate submission), the form is drawn again and its new baseline saved (the edit
path: a re-saved conclusion draft answered 500) and, when the form carries a version, once more with
an older one (a stale form). A form editing a saved record (ids in
its address, a version or fingerprint field) is drawn anew and saved twice, and both saves must be
taken: a baseline the form refuses would never reach the edit path (stages.py `valid` fills such a
form as a user would).

Each answer must be: never a server error; a refusal (a re-rendered form, or a 4xx) says why (a
field error, a flash or an error page) and leaves every table unchanged; no page shows SCRIPT or
IMG as markup; and afterwards the home page still answers 200."""

import os
import tempfile

import pytest
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from models import db
from tests.factories import csrf_token, sign_in
from tests.hostile import cases, landing
from tests.hostile.filling import baseline, with_files
from tests.hostile.forms import ROLE_ORDER, fill, form_pages, forms_on, make_records, may_use, post_rules
from tests.hostile.stages import FALLBACK, STAGES
from tests.test_route_walk import _changed, fingerprint, guards_of, id_args

ERROR_MARKS = ('class="error"', "flash-error", 'role="alert"', "has-error")
GENERIC_FIELDS = ("note", "reason", "comment")  # for a route whose form the battery could not find
STORING_BLUEPRINTS = {"admin", "inspections", "plans", "remediation"}
SAMPLE = 3  # dates, numbers, choices and files per route (text fields get every TEXT case)
# The battery posts far faster than a person (120 forms a minute): a 429 would hide whether a form
# saves, as fast as the machine runs. tests/auth/test_rate_limits.py tests the limits.
UNLIMITED = {"RATE_LIMIT_WEB_USER": "1000000/minute"}


class Battery:
    """One blueprint's POST routes, each as the first role that may use it."""

    def __init__(self, app, scenario):
        self.app, self.scenario = app, scenario
        self.clients, self.tokens = {}, {}
        self.failures: list[str] = []
        self.known = None
        self.formless: list[str] = []
        self.statuses: list[int] = []
        self.summary: list[str] = []
        self.refused = False  # whether the last send was refused
        self.stored_markup = 0  # accepted submissions carrying SCRIPT or IMG (then shown and checked)

    # -- sessions

    def client_for(self, role):
        if role not in self.clients:
            client = self.app.test_client()
            sign_in(client, self.scenario.user_for(role))
            self.clients[role], self.tokens[role] = client, csrf_token(client, "/")
        return self.clients[role]

    def still_serving(self, role, where: str) -> None:
        client = self.client_for(role)
        response = client.get("/")
        if response.status_code == 302 and "/login" in response.headers.get("Location", ""):
            self.clients.pop(role)  # the route ended the session: sign in again
            response = self.client_for(role).get("/")
        if response.status_code != 200:
            self.failures.append(f"{where}: afterwards the home page answered {response.status_code}")

    # -- choosing a role and finding the form

    def choose(self, rule, stage=None):
        """(role, records, url) for the first role that may use `rule` (the stage's roles, when it has
        one), with the records moved into the stage's state; or None."""
        guards = guards_of(self.app.view_functions[rule.endpoint])
        for role in stage.roles if stage else ROLE_ORDER:
            user = self.scenario.user_for(role)
            records = make_records(guards, self.scenario.home_of(role))
            self.commit()
            url = fill(rule.rule, records)
            if may_use(user, guards, records) if guards else self.probe(role, rule, url):
                if stage and stage.setup:  # after the probe, which may have used the state up
                    stage.setup(records, user)
                    self.commit()
                return role, records, url
        return None

    def probe(self, role, rule, url) -> bool:
        client = self.client_for(role)
        if "GET" in rule.methods:
            response = client.get(url)
            response.close()  # a streamed export is never read here
            return response.status_code == 200
        before = fingerprint()
        status = client.post(url, data={"csrf_token": self.tokens[role]}).status_code
        self.known = None
        return status not in (403, 404) and (status != 400 or fingerprint() == before)

    def find_form(self, role, rule, url, records, stage=None):
        """The largest form posting to `url` (to the same endpoint, for a rule without ids) on the
        pages that may draw it; with a stage, on the stage's page or the answer to its POST."""
        client = self.client_for(role)
        if stage and stage.draw:
            page, data = stage.draw(records, self.scenario.user_for(role))
            response = client.post(page, data={"csrf_token": self.tokens[role], **data})
            self.commit()
            return self.form_in(rule, url, [(page, response)])
        pages = [stage.page(records)] if stage and stage.page else form_pages(self.app, rule, url, records)
        return self.form_in(rule, url, ((page, client.get(page)) for page in pages))

    def redraw(self, role, rule, url, records, stage):
        """How to draw the form again after it was saved (an editable form now shows the saved record
        and its version); None for a form drawn by a POST (drawing it again would act twice)."""
        if stage and stage.draw:
            return None
        return lambda: self.find_form(role, rule, url, records, stage)

    def form_in(self, rule, url, answers):
        """The largest matching form of the first answer that has one."""
        adapter = self.app.url_map.bind("localhost")
        for page, response in answers:
            if response.mimetype != "text/html" or response.status_code >= 500:
                continue
            found = [f for f in forms_on(response.get_data(as_text=True), page)
                     if f.action == url or not id_args(rule.rule) and _endpoint_of(adapter, f.action) == rule.endpoint]
            if found:
                return max(found, key=lambda f: len(f.fields))
        return None

    # -- sending and checking

    def commit(self) -> None:
        db.session.commit()
        self.known = None

    def send(self, role, url, data, where: str, typed: str | None = None):
        """POST `data`; check the answer (see the module docstring). `typed`: a value every text field
        refuses, which the refused form must show again."""
        client = self.client_for(role)
        before = self.known or fingerprint()
        try:
            response = client.post(url, data={"csrf_token": self.tokens[role], **data}, content_type=None)
        except Exception as exc:  # a server error: TESTING propagates it
            db.session.rollback()
            self.failures.append(f"{where}: server error {type(exc).__name__}: {str(exc)[:300]}")
            self.known, self.refused = None, True
            return None
        self.known = fingerprint()
        self.statuses.append(response.status_code)
        redirected = response.status_code in (302, 303)
        kept = landing.kept(client)  # a refused form kept for the page it lives on
        refused = not redirected or "error" in self.flashed(client) or kept  # a redirect may carry the refusal
        self.refused = refused
        self.check(role, response, where, refused=refused, changed=_changed(before, self.known),
                   markup=_has_markup(data))
        shown = response.mimetype == "text/html" and response.status_code == 200 and self.known != before
        if refused and not shown:  # a page answering 200 after storing (a preview, a password) is no refusal
            self.failures += landing.problems(self.app, client, url, response, where, kept=kept, typed=typed)
        landing.kept(client, forget=True)
        return response

    @staticmethod
    def flashed(client) -> list[str]:
        """The categories of the messages waiting for the next page (taken, so none pile up)."""
        with client.session_transaction() as session:
            return [category for category, _message in session.pop("_flashes", [])]

    def check(self, role, response, where, *, refused: bool, changed: list[str], markup: bool) -> None:
        status, body = response.status_code, response.get_data(as_text=True)
        if status >= 500:
            self.failures.append(f"{where}: answered {status}")
        if response.mimetype == "text/html" and any(m in body for m in cases.RAW_MARKERS):
            self.failures.append(f"{where}: the page shows hostile markup unescaped")
        if refused and response.mimetype == "text/html" and status == 200 and changed:
            return  # a page answering 200 after storing (a preview, a file): not a refusal
        if refused and changed:
            self.failures.append(f"{where}: refused ({status}) but changed {', '.join(changed)}")
        if refused and status == 200 and response.mimetype == "text/html" \
                and not any(m in body for m in ERROR_MARKS):
            self.failures.append(f"{where}: re-rendered the form with no message")
        if status in (302, 303) and markup:
            self.stored_markup += 1
            self.follow(role, response.headers["Location"], where)

    def follow(self, role, location: str, where: str) -> None:
        try:
            page = self.client_for(role).get(location)
        except Exception as exc:
            db.session.rollback()
            self.failures.append(f"{where}: the page it led to raised {type(exc).__name__}: {str(exc)[:200]}")
            return
        if page.status_code >= 500:
            self.failures.append(f"{where}: the page it led to answered {page.status_code}")
        if page.mimetype == "text/html" and any(m in page.get_data(as_text=True) for m in cases.RAW_MARKERS):
            self.failures.append(f"{where}: the page it led to ({location}) shows hostile markup unescaped")

    # -- the cases

    def run(self, rule) -> None:
        stage = STAGES.get(rule.endpoint)
        config = {**UNLIMITED, **(stage.config if stage else {})}
        saved = {key: self.app.config[key] for key in config}
        self.app.config.update(config)
        try:
            self.attack(rule, stage)
        finally:
            self.app.config.update(saved)

    def attack(self, rule, stage) -> None:
        chosen = self.choose(rule, stage)
        if chosen is None:
            self.failures.append(f"{rule.rule}: no role may use it (check SKIPPED, STAGES or the scenario)")
            return
        role, records, url = chosen
        form = self.find_form(role, rule, url, records, stage)
        tag = f"POST {rule.rule} as {role}"
        if form is not None:
            url = form.action  # the same route (a rule without ids may draw its form for another value)
        if form is None:
            self.formless.append(rule.endpoint)
            for case in cases.TEXT:
                self.send(role, url, dict.fromkeys(GENERIC_FIELDS, case.value), f"{tag} [{case.name}]")
        else:
            editable = bool(id_args(rule.rule)) and bool({"version", "fingerprint"} & set(form.fields)) \
                and bool(form.of_kind("text", "textarea", "date", "number", "select", "radio", "checkbox"))
            self.fields(role, url, form, tag, again=self.redraw(role, rule, url, records, stage),
                        valid=stage.valid if stage else {}, editable=editable)
        self.summary.append(f"{tag}: fields {sorted(form.fields) if form else None} → {sorted(set(self.statuses))}")
        self.statuses.clear()
        self.still_serving(role, tag)

    def oversized(self, role, url, form, base, tag) -> None:
        """Each file field in turn gets a 400-megapixel image (PNG, then JPEG) on an otherwise valid
        form: refused, saying the file is (not the state or another field), nothing stored."""
        for f, upload in ((f, u) for f in form.of_kind("file") for u in cases.OVERSIZED):
            before, where = fingerprint(), f"{tag} [{upload.name} in {f.name}]"
            data = {"csrf_token": self.tokens[role], **with_files(form, base | {f.name: upload.file()})}
            try:
                page = self.client_for(role).post(url, data=data, content_type=None, follow_redirects=True)
            except Exception as exc:  # a server error: TESTING propagates it
                db.session.rollback()
                self.failures.append(f"{where}: server error {type(exc).__name__}: {str(exc)[:300]}")
                continue
            self.known = None
            if changed := _changed(before, fingerprint()):
                self.failures.append(f"{where}: stored it ({', '.join(changed)})")
            elif not any(reason in page.get_data(as_text=True) for reason in cases.FILE_REFUSED):
                self.failures.append(f"{where}: refused, but not for the file (give the route a stage that "
                                     f"draws a form that saves): {page.status_code} {page.request.path}")

    def fields(self, role, url, form, tag, again=None, valid=None, editable=False) -> None:
        base, turn = baseline(form, valid), len(self.summary)
        self.oversized(role, url, form, base, tag)  # first: no other case has moved the record along yet
        groups = [(form.of_kind("text", "textarea"), cases.TEXT + sample(cases.EXTRA_TEXT, turn, 1)),
                  (form.of_kind("date"), sample(cases.DATES, turn)),
                  (form.of_kind("number"), sample(cases.NUMBERS, turn)),
                  (form.of_kind("hidden", "select", "radio", "checkbox"), sample(cases.CHOICES, turn))]
        for fields, values in groups:
            for case in values if fields else ():
                data = base | {f.name: case.value for f in fields}
                names = ", ".join(f.name for f in fields)
                typed = case.value if case is cases.TEXT[0] else None  # over-long: refused by every field
                self.send(role, url, with_files(form, data), f"{tag} [{case.name} in {names}]", typed)
        for upload in sample(cases.UPLOADS, turn) if form.of_kind("file") else ():
            data = base | {f.name: upload.file() for f in form.of_kind("file")}
            self.send(role, url, data, f"{tag} [{upload.name}]")
        for attempt in ("first", "duplicate"):
            self.send(role, url, with_files(form, base), f"{tag} [valid, {attempt} submission]")
        for save in range((2 if editable else 1) if again is not None else 0):  # the edit path: drawn anew, saved
            if (edit := again()) is None:
                break
            self.send(role, url, with_files(edit, baseline(edit, valid)), f"{tag} [valid, saved again from the form]")
            if editable and self.refused:
                self.failures.append(f"{tag}: saving the form drawn anew was refused (save {save + 1}), so the edit "
                                     "path went untried: give its stage the `valid` fields a user would fill")
        version = form.fields.get("version")
        if version is not None and version.value.isdigit():
            stale = base | {"version": str(int(version.value) - 1)}
            self.send(role, url, with_files(form, stale), f"{tag} [stale version]")


def sample(values: list, turn: int, size: int = 0) -> list:
    """`size` (SAMPLE) values, a different slice for each route in turn: every value is still sent,
    across routes."""
    size = size or SAMPLE
    return [values[(turn * size + n) % len(values)] for n in range(min(size, len(values)))]


def _has_markup(data: dict) -> bool:
    return any(isinstance(v, str) and ("<script>" in v or "<img" in v) for v in data.values())


def _endpoint_of(adapter, path: str) -> str | None:
    try:
        return adapter.match(path, method="POST")[0]
    except HTTPException:
        return None


def _endpoint_blueprint(rule) -> str:
    return rule.endpoint.split(".")[0]


def _post_blueprints() -> list[str]:
    """At collection time, from an app built without touching any database."""
    from app import create_app

    saved = os.environ.get("CCHC_INSTANCE_DIR")
    with tempfile.TemporaryDirectory() as instance:
        os.environ["CCHC_INSTANCE_DIR"] = instance
        try:
            app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg:///never-connected"})
            return sorted({_endpoint_blueprint(r) for r in post_rules(app)})
        finally:
            os.environ.pop("CCHC_INSTANCE_DIR")
            if saved is not None:
                os.environ["CCHC_INSTANCE_DIR"] = saved


BLUEPRINTS = _post_blueprints()


@pytest.mark.parametrize("blueprint", BLUEPRINTS)
def test_every_form_refuses_hostile_input_clearly_and_stores_nothing_partial(app, scenario, blueprint):
    battery = Battery(app, scenario)
    for rule in post_rules(app):
        if _endpoint_blueprint(rule) == blueprint:
            try:
                battery.run(rule)
            except SQLAlchemyError as exc:
                db.session.rollback()
                battery.failures.append(f"{rule.rule}: the battery itself failed: {exc}")
    assert not battery.failures, "\n".join(battery.failures)
    slipped = sorted(set(battery.formless) - set(FALLBACK))
    assert not slipped, ("attacked only through the generic fields; give each a stage in tests/hostile/stages.py "
                         f"(or an entry in FALLBACK with the reason): {slipped}")
    stale = sorted(e for e in FALLBACK if e.split(".")[0] == blueprint and e not in battery.formless)
    assert not stale, f"listed in FALLBACK but their real form was found (remove them): {stale}"
    if blueprint in STORING_BLUEPRINTS:  # the battery really got hostile text stored and displayed
        assert battery.stored_markup, "\n".join(battery.summary)


def test_stages_and_fallback_exceptions_name_real_post_routes_with_a_reason(app):
    """A renamed route must not leave its stage or exception behind (the battery would silently lose it)."""
    endpoints = {r.endpoint for r in post_rules(app)}
    assert set(STAGES) <= endpoints, sorted(set(STAGES) - endpoints)
    assert set(FALLBACK) <= endpoints, sorted(set(FALLBACK) - endpoints)
    assert all(reason.strip() for reason in FALLBACK.values())
