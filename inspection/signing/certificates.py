"""Reading X.509 certificates (asn1crypto, as pyHanko uses them): names, e-mail, validity, the
demo CA's mark."""

import hashlib
from datetime import datetime

from asn1crypto import pem, x509

from ..language.i18n import N_
from .demo import DEMO_CA_NAME, DEMO_MARK  # noqa: F401 — the demo CA's name and its mark

NOT_A_CERTIFICATE = N_("Tệp không phải chứng thư số (X.509, PEM hoặc DER).")


class BadCertificate(ValueError):
    """Not a readable X.509 certificate."""


def load(data: bytes) -> x509.Certificate:
    """A certificate from PEM or DER bytes."""
    try:
        if pem.detect(data):
            _, _, data = pem.unarmor(data)
        cert = x509.Certificate.load(data)
        cert.native  # noqa: B018 — parses every field now, so a broken file fails here
    except Exception as exc:
        raise BadCertificate(NOT_A_CERTIFICATE) from exc
    return cert


def common_name(cert: x509.Certificate) -> str:
    native = cert.subject.native
    return native.get("common_name") or native.get("organization_name") or cert.subject.human_friendly


def organisation(cert: x509.Certificate) -> str:
    return cert.subject.native.get("organization_name") or common_name(cert)


def email(cert: x509.Certificate) -> str:
    for name in cert.subject_alt_name_value.native if cert.subject_alt_name_value else ():
        if "@" in str(name):
            return str(name)
    return cert.subject.native.get("email_address", "")


def fingerprint(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.dump()).hexdigest()


def not_before(cert: x509.Certificate) -> datetime:
    return cert["tbs_certificate"]["validity"]["not_before"].native


def not_after(cert: x509.Certificate) -> datetime:
    return cert["tbs_certificate"]["validity"]["not_after"].native


def is_demo(cert: x509.Certificate) -> bool:
    return DEMO_MARK in cert.subject.human_friendly or DEMO_MARK in cert.issuer.human_friendly
