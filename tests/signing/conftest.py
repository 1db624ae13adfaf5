"""A PKI of the tests' own: a CA, a SoftHSM2 token initialised here (never a shared one) with the
agency's key generated inside it, and an NSS database trusting the CA for poppler's pdfsig."""

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from inspection.signing import demo as pki_demo
from inspection.signing.services import install_anchor

AGENCY = "Ủy ban nhân dân huyện Tân Hồng"
CONTACT = "vanthu@tanhong.gov.vn"
TOKEN, PIN = "test-agency", "4321"


@dataclass
class Pki:
    ca: pki_demo.Authority
    softhsm_conf: Path
    nss_dir: Path
    directory: Path


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> Pki:
    directory = tmp_path_factory.mktemp("pki")
    conf = pki_demo.softhsm_conf(directory / "softhsm")
    os.environ["SOFTHSM2_CONF"] = str(conf)  # read when this process first loads the module
    pki_demo.init_token(conf, TOKEN, PIN)
    ca = pki_demo.make_ca()
    pki_demo.token_key(pki_demo.SOFTHSM_MODULE, TOKEN, PIN, ca, AGENCY, org=AGENCY, email=CONTACT)
    (directory / "ca.pem").write_bytes(ca.pem())
    nss = directory / "nss"
    nss.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True, capture_output=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "test-ca", "-t", "CT,C,C", "-i",
                    str(directory / "ca.pem")], check=True, capture_output=True)
    return Pki(ca, conf, nss, directory)


@pytest.fixture
def agency_token(app, ctx, pki, monkeypatch) -> Pki:
    """The agency's key in the test token, the test CA installed as a trust anchor."""
    for key, value in {"SIGN_PKCS11_MODULE": pki_demo.SOFTHSM_MODULE, "SIGN_PKCS11_TOKEN": TOKEN,
                       "SIGN_PKCS11_PIN": PIN, "SIGN_PKCS11_KEY": "", "SIGN_PKCS12": "",
                       "SIGN_CONTACT": CONTACT, "SIGN_TSA_URL": ""}.items():
        monkeypatch.setitem(app.config, key, value)
    install_anchor(None, pki.ca.pem())
    return pki


def pdfsig(pki: Pki, pdf: bytes, tmp_path: Path) -> str:
    """poppler's own verdict, trusting the test CA."""
    path = tmp_path / "checked.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdfsig", "-nssdir", f"sql:{pki.nss_dir}", str(path)], capture_output=True, text=True)
    return done.stdout + done.stderr
