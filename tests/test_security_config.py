"""Transport and configuration rules shown by what the server answers: HSTS on HTTPS (ASVS 3.4.1),
never in debug mode in production (13.4.2), downloads named from the stored name, safely encoded
(5.4.1, 5.4.2)."""

import io
from pathlib import Path

import pytest
from werkzeug.http import parse_options_header

from inspection.server import runner
from models import db
from models.enums import Role
from tests.conftest import make_test_app
from tests.factories import PDF_BYTES, make_task, make_task_file, make_user, sign_in

YEAR = 365 * 24 * 3600


def _hsts(response) -> dict:
    value = response.headers.get("Strict-Transport-Security")
    assert value, f"no HSTS on {response.request.path} ({response.status_code})"
    parts = [p.strip() for p in value.split(";")]
    return {p.split("=")[0].lower(): (p.split("=") + [""])[1] for p in parts}


def test_every_https_answer_carries_hsts_for_a_year_and_the_subdomains(app, client, tree):
    paths = ["/login", "/", "/khong-co-trang-nay", "/static/css/app.css", "/api/v1/inspections/today"]
    answers = [client.get(path, base_url="https://localhost") for path in paths]
    assert [r.status_code for r in answers] == [200, 302, 404, 200, 401]
    sign_in(client, make_user(unit=tree["a"]))
    answers.append(client.get("/account/security", base_url="https://localhost"))
    assert answers[-1].status_code == 200
    for response in answers:
        hsts = _hsts(response)
        assert int(hsts["max-age"]) >= YEAR and "includesubdomains" in hsts


def test_plain_http_answers_carry_no_hsts(client):
    # a browser ignores HSTS over plain HTTP; sending it there would only mislead a reader of the headers
    assert "Strict-Transport-Security" not in client.get("/login").headers


@pytest.fixture
def production_app(database_url, redis_url, tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("CCHC_PROFILE", "production")
    app = make_test_app(database_url, redis_url, tmp_path, TESTING=False, PROFILE="production")

    @app.route("/_boom")
    def boom():
        raise RuntimeError("secret detail: password=hunter2")

    return app


def test_production_never_runs_in_debug_mode_even_when_flask_debug_is_set(production_app):
    assert production_app.debug is False and production_app.config["DEBUG"] is False
    response = production_app.test_client().get("/_boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Traceback" not in page and "secret detail" not in page and "hunter2" not in page
    assert "Werkzeug" not in page and "debugger" not in page.lower()
    debugger = production_app.test_client().get("/_boom?__debugger__=yes&cmd=resource&f=debugger.js")
    assert debugger.status_code == 500 and "Werkzeug" not in debugger.get_data(as_text=True)


def test_the_demo_profile_lets_a_developer_debug(database_url, redis_url, tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = make_test_app(database_url, redis_url, tmp_path, PROFILE="demo")
    assert app.debug is True  # so the production test above shows the rule, not a default


def test_flask_serve_runs_gunicorn_without_a_reloader_or_debugger():
    for host, tls in (("127.0.0.1", None), ("0.0.0.0", (Path("cert.pem"), Path("key.pem")))):
        web = runner._commands(8000, host, tls)[0]
        assert web[0].endswith("gunicorn") and web[-1] == "app:create_app()"
        assert not {"--reload", "--debug", "--spew"} & set(web)


HOSTILE_NAME = 'Báo cáo "quý 1"; filename=evil.html\r\nSet-Cookie: a=b.pdf'
STORED = 'Báo cáo "quý 1"; filename=evil.html Set-Cookie: a=b.pdf'  # the line break kept as a space


def test_a_download_is_named_from_the_stored_name_encoded_never_from_the_request(app, client, tree):
    officer = make_user(role=Role.UNIT_OFFICER, unit=tree["a"])
    task = make_task(unit=tree["a"])
    attachment = make_task_file(task=task, author=officer, filename=HOSTILE_NAME)
    db.session.commit()
    sign_in(client, officer)
    for url in (f"/tasks/files/{attachment.id}", f"/tasks/files/{attachment.id}?filename=evil.html"):
        response = client.get(url)
        assert response.status_code == 200 and response.data == PDF_BYTES
        assert "Set-Cookie" not in response.headers or "a=b" not in response.headers["Set-Cookie"]
        disposition = response.headers["Content-Disposition"]
        assert "\r" not in disposition and "\n" not in disposition
        kind, params = parse_options_header(disposition)  # as a browser reads it (RFC 6266)
        assert kind == "attachment" and params == {"filename": STORED}
        assert "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20%22qu%C3%BD%201%22%3B%20filename%3Devil.html" in disposition
        for name, value in response.headers.items():
            assert "\n" not in value and "\r" not in value, name


def test_a_stored_name_keeps_no_directory(app, ctx):
    from inspection.files import storage

    for sent in ("../../etc/cron.d/bao-cao.pdf", "C:\\Users\\an\\bao-cao.pdf", "bao-cao\x00.pdf\x85"):
        attachment = storage.store(io.BytesIO(PDF_BYTES), sent, kind="task_evidence")
        assert attachment.filename in ("bao-cao.pdf", "bao-cao .pdf"), sent
