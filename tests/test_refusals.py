"""The HTTP refusals a user meets answer in the app's words, not werkzeug's English: a too-large
upload (413: the limit in MB, and the browser warns first), a session ended under the tablet's API
(401 JSON), each in the user's language through the catalog; and no search box can make an address
longer than the server reads (gunicorn's bare "URI Too Long" is English)."""

import io
import re

from models import db
from models.enums import Role
from tests.factories import csrf_token, make_user, sign_in


def _too_large(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024  # one upload of 1 MB + 1 KB of form over it
    return client.post("/tasks/1/progress", data={"csrf_token": csrf_token(client, "/"),
                                                  "progress_files": (io.BytesIO(b"%PDF-" + b"0" * 1_100_000), "a.pdf")},
                       content_type="multipart/form-data")


def test_the_413_page_is_vietnamese_and_states_the_limit(app, client, tree):
    sign_in(client, make_user(unit=tree["a"]))
    saved = app.config["MAX_CONTENT_LENGTH"]
    try:
        response = _too_large(client, app)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = saved
    page = response.get_data(as_text=True)
    limit = app.config["MAX_UPLOAD_BYTES"] // (1024 * 1024)
    assert response.status_code == 413 and f"mỗi lần gửi tối đa {limit} MB" in page
    assert "exceeds the capacity" not in page and "Request Entity Too Large" not in page


def test_every_page_carries_the_upload_limit_for_the_browser_warning(app, client, tree):
    sign_in(client, make_user(unit=tree["a"]))
    page = client.get("/").get_data(as_text=True)
    assert f'data-max-upload="{app.config["MAX_UPLOAD_BYTES"]}"' in page
    assert "mỗi lần gửi tối đa" in page  # the words the browser shows before sending


def test_the_api_after_sign_out_answers_401_in_the_apps_words(app, tree):
    """After sign-out a shared tablet starts again in Vietnamese (tests/browser/test_language.py);
    English is given to whoever chose it on the sign-in page."""
    user = make_user(unit=tree["a"], locale="en")
    db.session.commit()
    client = app.test_client()
    sign_in(client, user)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    answer = client.get("/api/v1/inspections/today", headers={"Accept-Language": "en"})
    assert answer.status_code == 401 and answer.is_json
    assert "Phiên đăng nhập đã kết thúc" in answer.get_json()["error"], answer.get_json()
    with client.session_transaction() as chosen:
        chosen["lang"] = "en"
    answer = client.get("/api/v1/inspections/today")
    assert answer.status_code == 401 and "Your session has ended" in answer.get_json()["error"]


SEARCH_PAGES = ("/tasks", "/plans", "/admin/units", "/admin/users", "/remediation", "/inspections", "/findings",
                "/inspections/calendar", "/templates")


def test_no_search_box_can_make_an_address_longer_than_the_server_reads(app, client, tree):
    """A search of ~4-8 KB reaches the app (tests/serving/test_local_serving.py); beyond gunicorn's
    longest request line (8190 bytes) only its bare English answer is left. So every search box takes
    at most 200 characters: a Vietnamese letter is at most 9 bytes percent-encoded, 1.8 KB in all."""
    from inspection.server.runner import REQUEST_LINE_LIMIT

    sign_in(client, make_user(role=Role.ADMIN, unit=tree["root"]))
    for path in SEARCH_PAGES:
        boxes = re.findall(r'<input[^>]*type="search"[^>]*>', client.get(path).get_data(as_text=True))
        assert boxes, path
        for box in boxes:
            limit = re.search(r'maxlength="(\d+)"', box)
            assert limit and int(limit.group(1)) * 9 < REQUEST_LINE_LIMIT // 4, (path, box)
