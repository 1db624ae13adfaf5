"""A batch that waited on the tablet: its CSRF token and its session expired meanwhile.

Time is moved forward on the server side with time-machine (the test client runs the app in this
process, so Flask-WTF's token timestamps, the session's idle check and every `utcnow()` see the
moved clock). The app keeps CSRF tokens for the session's life (WTF_CSRF_TIME_LIMIT = None); these
tests pin Flask-WTF's default of 3600 s, so the token really is expired and the client's refresh
path is exercised. Nothing is stored by a refused attempt; the same batch, sent again after a fresh
token or a new sign-in, is stored exactly once."""

import uuid
from datetime import datetime, timedelta

import pytest
import time_machine

from models import Finding, FindingPhoto
from tests.factories import csrf_token, sign_in
from tests.fieldwork import count, finding, findings_url, jpeg, on_site, photo

HOUR = 3600


@pytest.fixture
def short_tokens(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_TIME_LIMIT", HOUR)


def send(client, inspection, body, token: str):
    return client.post(findings_url(inspection), json=body, headers={"X-CSRFToken": token})


def test_an_expired_csrf_token_is_a_400_the_tablet_recognises_and_a_fresh_token_syncs(client, team, short_tokens):
    sign_in(client, team["lead"])
    inspection, body = team["inspection"], finding(team["inspection"].id)
    old = csrf_token(client, "/")
    with time_machine.travel(datetime.now().astimezone() + timedelta(hours=2)):
        refused = send(client, inspection, body, old)
        assert refused.status_code == 400 and refused.get_json()["code"] == "csrf"
        assert count(Finding) == 0
        stored = send(client, inspection, body, csrf_token(client, "/"))  # what field-outbox.js does
        assert stored.status_code == 201
    assert count(Finding) == 1


def test_a_batch_queued_for_three_days_syncs_after_a_new_sign_in_with_nothing_lost(client, team, short_tokens):
    sign_in(client, team["lead"])
    inspection = team["inspection"]
    batch = [finding(inspection.id, description=f"Tồn tại {n}: hồ sơ thiếu phiếu kiểm soát.") for n in range(3)]
    taken = on_site(hour=10).isoformat()  # on the day of the inspection, three days before the sync
    shots = [(body["client_uuid"], str(uuid.uuid4()), jpeg(100 + 20 * n)) for n, body in enumerate(batch)]
    old = csrf_token(client, "/")
    with time_machine.travel(datetime.now().astimezone() + timedelta(days=3)):
        first = send(client, inspection, batch[0], old)
        assert first.status_code == 400 and first.get_json()["code"] == "csrf"
        page = client.get("/")  # the tablet looks for a fresh token: the session is gone too
        assert page.status_code == 302 and "/login" in page.headers["Location"]
        anonymous = send(client, inspection, batch[0], csrf_token(client, "/login"))
        assert anonymous.status_code == 401 and anonymous.is_json  # never a redirect the tablet could misread
        assert count(Finding) == 0
        sign_in(client, team["lead"])
        token = csrf_token(client, "/")
        for body in batch:
            assert send(client, inspection, body, token).status_code == 201
        again = send(client, inspection, batch[0], token)  # the first one again: its earlier answer was lost
        assert again.status_code == 202 and again.get_json()["already_stored"]
        for finding_uuid, photo_uuid, data in shots:
            sent = photo(client, inspection.id, finding_uuid, data, client_uuid=photo_uuid, device_time=taken)
            assert sent.status_code == 201
    assert (count(Finding), count(FindingPhoto)) == (3, 3)
