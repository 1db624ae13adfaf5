"""The demo's signing keys, and the tests': a CA ("CA thử nghiệm — không có giá trị pháp lý"),
each issuing unit's key generated inside a SoftHSM2 token (it never leaves it), certificates and
PKCS#12 files for people. Nothing here is for production (the production profile refuses this CA)."""

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pkcs11
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pkcs11 import Attribute, CertificateType, KeyType, ObjectClass
from pkcs11.util.rsa import encode_rsa_public_key

from models import utcnow

# the demo CA's name says it has no legal value; the production profile refuses it (certificates.is_demo)
DEMO_MARK = "không có giá trị pháp lý"
DEMO_CA_NAME = f"CA thử nghiệm — {DEMO_MARK}"
SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
DEMO_P12_PASSWORD = "demo1234"
SIGNING_USAGE = x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                              data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                              encipher_only=False, decipher_only=False)
CA_USAGE = x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                         encipher_only=False, decipher_only=False)


@dataclass
class Authority:
    """A certification authority of the demo or a test: its key and certificate."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def _name(common: str, org: str = "", email: str = "") -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    parts += [x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)] if org else []
    parts += [x509.NameAttribute(NameOID.EMAIL_ADDRESS, email)] if email else []
    return x509.Name([*parts, x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_ca(name: str = DEMO_CA_NAME, *, days: int = 3650) -> Authority:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject, now = _name(name, org=name), utcnow()
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(CA_USAGE, critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return Authority(key, cert)


def issue(ca: Authority, public_key, common: str, *, org: str = "", email: str = "",
          valid_from: datetime | None = None, valid_to: datetime | None = None) -> x509.Certificate:
    """A signing certificate (digital signature, non-repudiation) for `public_key`."""
    now = utcnow()
    builder = (x509.CertificateBuilder().subject_name(_name(common, org, email)).issuer_name(ca.cert.subject)
               .public_key(public_key).serial_number(x509.random_serial_number())
               .not_valid_before(valid_from or now - timedelta(days=1))
               .not_valid_after(valid_to or now + timedelta(days=730))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(SIGNING_USAGE, critical=True)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False))
    if email:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False)
    return builder.sign(ca.key, hashes.SHA256())


def personal_pkcs12(ca: Authority, common: str, password: str, **kwargs) -> bytes:
    """A person's key and certificate (with the CA's) as a PKCS#12 file, as a CA hands out."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = issue(ca, key.public_key(), common, **kwargs)
    encryption = serialization.BestAvailableEncryption(password.encode())
    return pkcs12.serialize_key_and_certificates(common.encode(), key, cert, [ca.cert], encryption)


def softhsm_conf(directory: Path) -> Path:
    """A SoftHSM2 configuration whose tokens live in `directory`/tokens (nobody else's)."""
    (directory / "tokens").mkdir(parents=True, exist_ok=True)
    conf = directory / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {directory / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    return conf


def init_token(conf: Path, label: str, pin: str) -> None:
    """A new token `label` in the configuration's directory (softhsm2-util, as an operator would)."""
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", pin + "so",
                    "--pin", pin], check=True, capture_output=True, env=env)


def token_key(module: str, label: str, pin: str, ca: Authority, common: str, *, org: str = "",
              email: str = "", key_label: str = "") -> x509.Certificate:
    """Generate a key pair inside token `label`, certify its public key and store the certificate
    and the CA's beside it, under `key_label` (by default the token's label). The private key is
    created non-extractable and never read."""
    key_label = key_label or label
    token = pkcs11.lib(module).get_token(token_label=label)
    key_id = hashlib.sha256(key_label.encode()).digest()[:8]
    with token.open(rw=True, user_pin=pin) as session:
        public, _ = session.generate_keypair(KeyType.RSA, 2048, label=key_label, id=key_id, store=True,
                                             private_template={Attribute.EXTRACTABLE: False,
                                                               Attribute.SENSITIVE: True})
        cert = issue(ca, serialization.load_der_public_key(encode_rsa_public_key(public)), common,
                     org=org, email=email)
        _store_cert(session, key_label, key_id, cert)
        if not any(True for _ in session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE,
                                                      Attribute.LABEL: f"{label}-ca"})):
            _store_cert(session, f"{label}-ca", b"ca", ca.cert)  # the chain, once per token
    return cert


def _store_cert(session, label: str, key_id: bytes, cert: x509.Certificate) -> None:
    session.create_object({Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.TOKEN: True,
                           Attribute.CERTIFICATE_TYPE: CertificateType.X_509, Attribute.LABEL: label,
                           Attribute.ID: key_id, Attribute.SUBJECT: cert.subject.public_bytes(),
                           Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER)})


def has_key(module: str, label: str, pin: str, key_label: str) -> bool:
    token = pkcs11.lib(module).get_token(token_label=label)
    with token.open(user_pin=pin) as session:
        return any(True for _ in session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY,
                                                      Attribute.LABEL: key_label}))


DEMO_TOKEN, DEMO_PIN = "cchc-agency", "1234"
DEMO_LEADER = "Nguyễn Văn Hòa"  # the demo's leader (inspection/demo/seed.py), who gets a PKCS#12
DEMO_SIGNING_UNITS = ("TH", "TH-NV")  # the demo's People's Committee and its Phòng Nội vụ get a key each


def setup_demo(directory: Path, leader: str) -> dict:
    """The demo CA (its key kept beside it, to certify the units' keys later), an empty SoftHSM2
    token and the demo leader's PKCS#12 under `directory` (instance/signing); the settings it
    writes to demo.json. A token left by an earlier set-up is replaced."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(directory / "softhsm", ignore_errors=True)
    ca = make_ca()
    (directory / "demo-ca.pem").write_bytes(ca.pem())
    _write_private(directory / "demo-ca-key.pem", ca.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    conf = softhsm_conf(directory / "softhsm")
    init_token(conf, DEMO_TOKEN, DEMO_PIN)
    os.environ["SOFTHSM2_CONF"] = str(conf)  # this process (the CLI) loads the module next
    _write_private(directory / "leader.p12", personal_pkcs12(ca, leader, DEMO_P12_PASSWORD, email=""))
    settings = {"PKCS11_MODULE": SOFTHSM_MODULE, "PKCS11_PIN": DEMO_PIN, "SOFTHSM2_CONF": str(conf)}
    _write_private(directory / "demo.json", json.dumps(settings, ensure_ascii=False, indent=1).encode())
    return settings


def _write_private(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    path.chmod(0o600)


def demo_unit_key(directory: Path, key_label: str, name: str, email: str) -> None:
    """A key for one issuing unit in the demo token, its certificate naming the unit (once)."""
    os.environ.setdefault("SOFTHSM2_CONF", str(directory / "softhsm" / "softhsm2.conf"))
    if has_key(SOFTHSM_MODULE, DEMO_TOKEN, DEMO_PIN, key_label):
        return
    key = serialization.load_pem_private_key((directory / "demo-ca-key.pem").read_bytes(), password=None)
    ca = Authority(key, x509.load_pem_x509_certificate((directory / "demo-ca.pem").read_bytes()))
    token_key(SOFTHSM_MODULE, DEMO_TOKEN, DEMO_PIN, ca, name, org=name, email=email, key_label=key_label)
