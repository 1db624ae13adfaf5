"""The desk token on a poster: the desk's id and its current token id, signed with the app's key.

A forged or damaged token fails the signature (404, as any unknown page); a well-signed token whose
token id is no longer the desk's was revoked: its poster answers "Mã QR này không còn hiệu lực"."""

import secrets
from functools import cache

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

SALT = "cchc.feedback.desk"


def new_token_id() -> str:
    return secrets.token_hex(8)


def _serializer() -> URLSafeSerializer:
    return _serializer_for(current_app.config["SECRET_KEY"])


@cache
def _serializer_for(secret: str) -> URLSafeSerializer:
    """Built once per key: each survey page and answer reads a token."""
    return URLSafeSerializer(secret, salt=SALT)


def survey_url(desk, base_url: str) -> str:
    """The address the desk's QR code carries."""
    return f"{base_url.rstrip('/')}/danh-gia/{sign(desk.id, desk.token_id)}"


def sign(desk_id: int, token_id: str) -> str:
    """The token printed on the desk's poster."""
    return _serializer().dumps([desk_id, token_id])


def read(token: str) -> tuple[int, str] | None:
    """(desk id, token id) of a genuine token, None for a forged or damaged one."""
    if not token or len(token) > 200:
        return None
    try:
        value = _serializer().loads(token)
    except (BadSignature, UnicodeError, ValueError):
        return None
    if (not isinstance(value, list) or len(value) != 2 or not isinstance(value[0], int)
            or not isinstance(value[1], str) or not 0 < value[0] < 2**31):
        return None
    return value[0], value[1]
