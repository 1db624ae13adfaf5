"""Helpers for the sign-in security tests: devices, enrolment through the pages, page text."""

import html as html_lib
import re

from tests.factories import csrf_token, totp_code

ENROL = "/account/two-factor"


def device(app, name: str):
    """A separate browser (its own cookies) announcing itself with a User-Agent."""
    agents = {
        "phone": "Mozilla/5.0 (Linux; Android 14; SM-X210) AppleWebKit/537.36 (KHTML, like Gecko) "
                 "Chrome/126.0 Mobile Safari/537.36",
        "laptop": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/126.0 Safari/537.36 Edg/126.0",
        "tablet": "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                  "Version/17.5 Mobile/15E148 Safari/604.1",
    }
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = agents[name]
    return client


def is_signed_in(client) -> bool:
    """Does the home page open (rather than sending the browser to sign in)?"""
    return client.get("/").status_code == 200


def text(response) -> str:
    """The page's text with entities decoded, for matching Vietnamese messages."""
    return html_lib.unescape(response.get_data(as_text=True))


def post(client, path: str, data: dict | None = None, token_from: str | None = None):
    """POST a form with the CSRF token read from `token_from` (default: the same path)."""
    token = csrf_token(client, token_from or path)
    return client.post(path, data={**(data or {}), "csrf_token": token})


def enrol(client, user) -> list[str]:
    """Turn two-factor on through the pages; the ten recovery codes shown once."""
    post(client, f"{ENROL}/start", token_from=ENROL)
    response = post(client, ENROL, {"code": totp_code(user)})
    assert response.status_code == 200, text(response)[:500]
    codes = re.findall(r"<li><code>([A-Z0-9]{5}-[A-Z0-9]{5})</code></li>", text(response))
    assert len(codes) == 10
    return codes


def password_step(client, user, password: str):
    """The first sign-in step only: the response to the password form."""
    return post(client, "/login", {"username": user.username, "password": password})


def second_step(client, **data):
    """Submit the second-factor form (code=… or recovery_code=…)."""
    return post(client, "/login/two-factor", data)
