"""Time-based one-time codes (RFC 6238, 30-second steps, 6 digits), their QR code and the
one-time recovery codes. Pure helpers: no database, no request."""

import io
import re
import secrets
import time

import pyotp
import segno
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# ±1 step: a phone clock a little off, or a code typed just as it changed
VALID_WINDOW = 1
RECOVERY_CODE_COUNT = 10
# No 0/O, 1/I/L: recovery codes are copied from paper by hand
_RECOVERY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_TOTP_CODE = re.compile(r"^\d{6}$")
_RECOVERY_CODE = re.compile(f"^[{_RECOVERY_ALPHABET}]{{10}}$")
# Recovery codes are random (50 bits), not chosen by people: a lighter Argon2id profile than for
# passwords keeps checking all ten quick while an offline search stays out of reach.
_hasher = PasswordHasher(time_cost=2, memory_cost=8 * 1024, parallelism=1)


def new_secret() -> str:
    """A fresh base32 secret (160 bits, as RFC 4226 recommends)."""
    return pyotp.random_base32(32)


def grouped(secret: str) -> str:
    """The secret in blocks of four, for typing into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg(uri: str) -> bytes:
    """The provisioning URI as a standalone SVG QR code."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", border=3, xmldecl=False, omitsize=True,
                                    dark="#1d1f23", light="#ffffff", title="QR")
    return out.getvalue()


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // 30)


def normalise_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").upper()


def looks_like_totp(code: str) -> bool:
    return bool(_TOTP_CODE.match(normalise_code(code)))


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code `code` is (within the window), or None."""
    code = normalise_code(code)
    if not _TOTP_CODE.match(code):
        return None
    totp, step = pyotp.TOTP(secret), current_step(now)
    for candidate in range(step - VALID_WINDOW, step + VALID_WINDOW + 1):
        if secrets.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def new_recovery_codes() -> list[str]:
    """Ten fresh codes like "K7QPM-3XW9D" (50 bits each)."""
    return [_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]


def _recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def looks_like_recovery_code(code: str) -> bool:
    return bool(_RECOVERY_CODE.match(normalise_code(code)))


def hash_recovery_code(code: str) -> str:
    return _hasher.hash(normalise_code(code))


def recovery_code_matches(code_hash: str, code: str) -> bool:
    try:
        return _hasher.verify(code_hash, normalise_code(code))
    except (VerificationError, InvalidHashError):
        return False
