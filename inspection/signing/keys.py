"""The issuing agency's signer, from the settings: a PKCS#11 token (the agency's HSM or USB
token; SoftHSM2 in the demo and the tests), whose key never leaves it, or a PKCS#12 file."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session
from pyhanko.sign.signers import Signer, SimpleSigner

from ..errors import DomainError
from . import certificates


class SigningUnavailable(DomainError):
    """The agency's key cannot be used (a wrong PIN, a missing token or file, the demo CA in production)."""


def configured() -> bool:
    config = current_app.config
    return bool(config.get("SIGN_PKCS11_MODULE") or config.get("SIGN_PKCS12"))


def _softhsm_conf(config) -> None:
    """SoftHSM2 reads its configuration from the environment when the module is loaded."""
    if config.get("SIGN_SOFTHSM2_CONF") and "SOFTHSM2_CONF" not in os.environ:
        os.environ["SOFTHSM2_CONF"] = config["SIGN_SOFTHSM2_CONF"]


@contextmanager
def _pkcs11_signer(config) -> Iterator[Signer]:
    _softhsm_conf(config)
    label = config.get("SIGN_PKCS11_TOKEN") or None
    slot = int(config["SIGN_PKCS11_SLOT"]) if str(config.get("SIGN_PKCS11_SLOT") or "").strip() else None
    try:
        session = open_pkcs11_session(config["SIGN_PKCS11_MODULE"], slot_no=slot,
                                      token_criteria=TokenCriteria(label=label) if label else None,
                                      user_pin=config.get("SIGN_PKCS11_PIN") or None)
    except Exception as exc:
        raise SigningUnavailable(f"Không mở được thiết bị ký số của cơ quan ({type(exc).__name__}).") from exc
    try:
        key = config.get("SIGN_PKCS11_KEY") or label
        # every certificate on the token goes into the signature: the signer's and its chain
        yield PKCS11Signer(session, key_label=key, cert_label=key, other_certs_to_pull=None)
    finally:
        session.close()


@contextmanager
def _pkcs12_signer(config) -> Iterator[Signer]:
    password = (config.get("SIGN_PKCS12_PASSWORD") or "").encode() or None
    try:
        signer = SimpleSigner.load_pkcs12(config["SIGN_PKCS12"], passphrase=password)
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
def agency_signer() -> Iterator[Signer]:
    """The agency's signer while the block runs (a PKCS#11 session is closed after it)."""
    config = current_app.config
    opener = _pkcs11_signer if config.get("SIGN_PKCS11_MODULE") else _pkcs12_signer
    with opener(config) as signer:
        refuse_demo_in_production(signer)
        yield signer
