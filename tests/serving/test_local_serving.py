"""`make run` as a tablet meets it: gunicorn (runner.gunicorn_command) over HTTPS with the local CA
and server certificate made once under instance/tls/ (local_tls), the CA offered at /ca.crt, and a
search of ~5 KB answered by the app in Vietnamese, not by gunicorn's bare "URI Too Long"."""

import html
import http.client
import os
import re
import ssl
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography import x509

from inspection.server import local_tls, runner
from models import db
from tests.auth.webproc import ROOT, _free_port
from tests.factories import PASSWORD, make_tree, make_user


def test_the_local_ca_is_made_once_and_the_server_certificate_follows_the_address(tmp_path):
    chain, key = local_tls.ensure(tmp_path, ["localhost", "127.0.0.1", "192.168.1.20"])
    ca = (tmp_path / "tls" / "ca.pem").read_bytes()
    server = x509.load_pem_x509_certificates(chain.read_bytes())[0]
    names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {str(ip) for ip in names.get_values_for_type(x509.IPAddress)} == {"127.0.0.1", "192.168.1.20"}
    server.verify_directly_issued_by(x509.load_pem_x509_certificate(ca))
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    first = chain.read_bytes()
    local_tls.ensure(tmp_path, ["localhost", "127.0.0.1", "192.168.1.20"])
    assert chain.read_bytes() == first  # nothing made again
    local_tls.ensure(tmp_path, ["localhost", "127.0.0.1", "10.0.0.7"])  # the tablet's Wi-Fi changed
    assert chain.read_bytes() != first and (tmp_path / "tls" / "ca.pem").read_bytes() == ca  # same CA


@contextmanager
def gunicorn(database_url, redis_url, instance: Path, tls):
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "CCHC_PROFILE": "demo",
           "CCHC_INSTANCE_DIR": str(instance), "SECRET_KEY": "khoa-bi-mat-thu-nghiem"}
    log = open(instance / "web.log", "wb")
    proc = subprocess.Popen(runner.gunicorn_command(port, "127.0.0.1", tls), cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()


def _get(port, path, context, cookie=""):
    deadline = time.monotonic() + 120  # a loaded machine starts gunicorn's workers slowly
    while True:
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
        try:
            conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = conn.getresponse()
            return response.status, response.getheader("Content-Type", ""), response.read(), response
        except (ConnectionRefusedError, TimeoutError, ConnectionResetError):  # still starting
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
        finally:
            conn.close()


@pytest.mark.committed
def test_https_with_the_local_ca_the_ca_download_and_a_long_search(committed, database_url, redis_url, tmp_path):
    user = make_user(unit=make_tree()["a"], username="canbo.maytinhbang")
    db.session.commit()
    tls = local_tls.ensure(tmp_path, ["localhost", "127.0.0.1"])
    context = ssl.create_default_context(cafile=str(tmp_path / "tls" / "ca.pem"))  # as the tablet, once trusting it
    with gunicorn(database_url, redis_url, tmp_path, tls) as port:
        status, kind, body, _ = _get(port, "/ca.crt", context)
        assert status == 200 and kind == "application/x-x509-ca-cert"
        assert x509.load_der_x509_certificate(body).subject.rfc4514_string().startswith("CN=" + local_tls.CA_NAME)
        cookie = _signed_in(port, context, user.username)
        status, kind, body, _ = _get(port, "/inspections?q=" + "tu-khoa-" * 640, context, cookie)  # 5 KB
        page = html.unescape(body.decode())
        assert status == 200 and "text/html" in kind and 'lang="vi"' in page, (status, page[:300])


def _signed_in(port, context, username) -> str:
    status, _, body, response = _get(port, "/login", context)
    jar = "; ".join(c.split(";", 1)[0] for c in response.headers.get_all("Set-Cookie") or [])
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body.decode()).group(1)
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    form = f"username={username}&password={PASSWORD}&csrf_token={token}"
    origin = f"https://127.0.0.1:{port}"  # over HTTPS the CSRF check also wants the page it came from
    conn.request("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": jar,
                                          "Referer": f"{origin}/login", "Origin": origin})
    answer = conn.getresponse()
    answer.read()
    assert answer.status == 302, answer.status
    return "; ".join(c.split(";", 1)[0] for c in answer.headers.get_all("Set-Cookie") or [])
