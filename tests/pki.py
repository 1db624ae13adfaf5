"""A PKI of the tests' own, one per test process (a pytest plugin of tests/conftest.py, so the
signing tests and the browser's signing test share it: the PKCS#11 library reads SOFTHSM2_CONF
once per process, so a second token made here would land in the first one's directory): a CA, a
SoftHSM2 token initialised here (never a shared one) with the agency's key generated inside it,
and an NSS database trusting the CA for poppler's pdfsig."""

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from inspection.signing import demo as pki_demo
from inspection.signing.mappings import set_unit_key
from inspection.signing.services import install_anchor
from tests.reports.support import Demo

AGENCY = "Ủy ban nhân dân tỉnh Đồng Tháp"  # the demo's units TH and TH-NV, each with its key in the token
DEPARTMENT = "Sở Nội vụ"
CONTACT, DEPARTMENT_CONTACT = "vanthu@tanhong.gov.vn", "noivu@tanhong.gov.vn"
TOKEN, PIN, DEPARTMENT_KEY = "test-agency", "4321", "test-noi-vu"


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
    pki_demo.token_key(pki_demo.SOFTHSM_MODULE, TOKEN, PIN, ca, DEPARTMENT, org=DEPARTMENT,
                       email=DEPARTMENT_CONTACT, key_label=DEPARTMENT_KEY)
    (directory / "ca.pem").write_bytes(ca.pem())
    nss = directory / "nss"
    nss.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True, capture_output=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "test-ca", "-t", "CT,C,C", "-i",
                    str(directory / "ca.pem")], check=True, capture_output=True)
    return Pki(ca, conf, nss, directory)


def use_test_token(app, pki: Pki, monkeypatch) -> None:
    """The settings of the test token, the test CA installed as a trust anchor, and the demo's
    UBND (TH) given its key in the token; Phòng Nội vụ has its own key there, not yet mapped."""
    for key, value in {"SIGN_PKCS11_MODULE": pki_demo.SOFTHSM_MODULE, "SIGN_PKCS11_PIN": PIN,
                       "SIGN_PKCS11_SLOT": "", "SIGN_CONTACT": "", "SIGN_TSA_URL": ""}.items():
        monkeypatch.setitem(app.config, key, value)
    install_anchor(None, pki.ca.pem())
    set_unit_key(None, Demo().units["TH"], token_label=TOKEN, key_label=TOKEN)


def pdfsig(pki: Pki, pdf: bytes, tmp_path: Path) -> str:
    """poppler's own verdict, trusting the test CA."""
    path = tmp_path / "checked.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdfsig", "-nssdir", f"sql:{pki.nss_dir}", str(path)], capture_output=True, text=True)
    return done.stdout + done.stderr
