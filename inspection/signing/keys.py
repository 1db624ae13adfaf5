"""Each issuing unit's signer (chữ ký số của cơ quan): its key in the PKCS#11 token of the
settings (the agency's HSM or USB token; SoftHSM2 in the demo and the tests), which never leaves
it, or its PKCS#12 file. Which key is a unit's is an administrator's mapping (UnitSigningKey);
the module path, slot and PIN, and the PKCS#12 password, are the install's settings."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session
from pyhanko.sign.signers import Signer, SimpleSigner
from sqlalchemy import select

from models import UnitSigningKey, db

from ..errors import DomainError
from ..language.i18n import N_
from . import certificates

NO_UNIT_KEY = N_("Đơn vị ban hành chưa được gán khóa ký số (Quản trị → Khóa ký số của đơn vị).")
NO_MODULE = N_("Chưa cấu hình thiết bị ký số PKCS#11 (CCHC_SIGN_PKCS11_MODULE).")


class SigningUnavailable(DomainError):
    """The unit's key cannot be used (a wrong PIN, a missing token or file, the demo CA in production)."""


def key_of(unit_id: int | None) -> UnitSigningKey | None:
    if unit_id is None:
        return None
    return db.session.execute(select(UnitSigningKey).where(UnitSigningKey.unit_id == unit_id)).scalar()


def _softhsm_conf(config) -> None:
    """SoftHSM2 reads its configuration from the environment when the module is loaded."""
    if config.get("SIGN_SOFTHSM2_CONF") and "SOFTHSM2_CONF" not in os.environ:
        os.environ["SOFTHSM2_CONF"] = config["SIGN_SOFTHSM2_CONF"]


@contextmanager
def _pkcs11_signer(config, token_label: str, key_label: str) -> Iterator[Signer]:
    if not config.get("SIGN_PKCS11_MODULE"):
        raise SigningUnavailable(NO_MODULE)
    _softhsm_conf(config)
    slot = int(config["SIGN_PKCS11_SLOT"]) if str(config.get("SIGN_PKCS11_SLOT") or "").strip() else None
    try:
        session = open_pkcs11_session(config["SIGN_PKCS11_MODULE"], slot_no=slot,
                                      token_criteria=TokenCriteria(label=token_label) if token_label else None,
                                      user_pin=config.get("SIGN_PKCS11_PIN") or None)
    except Exception as exc:
        raise SigningUnavailable(f"Không mở được thiết bị ký số của cơ quan ({type(exc).__name__}).") from exc
    try:
        key = key_label or token_label
        # every certificate on the token goes into the signature: the signer's and its chain
        signer = PKCS11Signer(session, key_label=key, cert_label=key, other_certs_to_pull=None)
        try:
            signer.signing_cert  # noqa: B018 — a missing key or certificate shows now, with its label
        except Exception as exc:
            raise SigningUnavailable(f"Không tìm thấy khóa hoặc chứng thư số “{key}” trên thiết bị "
                                     f"({type(exc).__name__}).") from exc
        yield signer
    finally:
        session.close()


@contextmanager
def _pkcs12_signer(config, path: str) -> Iterator[Signer]:
    password = (config.get("SIGN_PKCS12_PASSWORD") or "").encode() or None
    try:
        signer = SimpleSigner.load_pkcs12(path, passphrase=password)
    except Exception as exc:
        raise SigningUnavailable(f"Không đọc được tệp khóa ký số PKCS#12 ({type(exc).__name__}).") from exc
    if signer is None:
        raise SigningUnavailable("Không đọc được tệp khóa ký số PKCS#12 (sai mật khẩu hoặc tệp hỏng).")
    yield signer


def refuse_demo_in_production(signer: Signer) -> None:
    """The production profile never signs with a key the demo CA certified."""
    if current_app.config["PROFILE"] != "production":
        return
    chain = [signer.signing_cert, *signer.cert_registry]
    if any(certificates.is_demo(cert) for cert in chain if cert is not None):
        raise SigningUnavailable("Khóa ký số do CA thử nghiệm cấp: không dùng trong môi trường chính thức.")


@contextmanager
def signer_for(token_label: str = "", key_label: str = "", pkcs12_path: str = "") -> Iterator[Signer]:
    """The signer a mapping names while the block runs (a PKCS#11 session is closed after it)."""
    config = current_app.config
    opener = _pkcs12_signer(config, pkcs12_path) if pkcs12_path else _pkcs11_signer(config, token_label, key_label)
    with opener as signer:
        refuse_demo_in_production(signer)
        yield signer


@contextmanager
def unit_signer(row: UnitSigningKey) -> Iterator[Signer]:
    with signer_for(row.token_label, row.key_label, row.pkcs12_path) as signer:
        yield signer
