"""`HTTPS=1 make run`: HTTPS for a demo on a real tablet (offline work needs a secure context).

A local certification authority is made once under instance/tls/ (ca.pem, ca-key.pem) and a server
certificate signed by it for this machine's names and addresses (server.pem, server-key.pem); the
certificate is issued again, by the same CA, when the machine's address changes, so a tablet that
trusts the CA once keeps trusting the server. The CA certificate is offered at /ca.crt for the
tablet to install (README "Trying it on a tablet"). For demos only: a deployment uses its own
certificate behind its web server."""

import io
import ipaddress
import socket
from datetime import timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from models import utcnow

from ..language.i18n import N_

CA_NAME = N_("CCHC — CA cục bộ cho bản dùng thử")  # shown by the tablet when installing it
SERVER_DAYS = 825  # the longest a server certificate may live for Android and iOS to accept it


def tls_dir(instance: Path) -> Path:
    return instance / "tls"


def local_addresses() -> list[str]:
    """This machine's address on the office network (the route out), its host name's, loopback."""
    found = ["127.0.0.1"]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET: nothing is sent, only the route is chosen
            found.append(probe.getsockname()[0])
        except OSError:
            pass
    try:
        found.append(socket.gethostbyname(socket.gethostname()))
    except OSError:
        pass
    return list(dict.fromkeys(found))


def _write_key(path: Path, key) -> None:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    path.chmod(0o600)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CCHC bản dùng thử"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _ca(folder: Path) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """The local CA, made the first time."""
    cert_path, key_path = folder / "ca.pem", folder / "ca-key.pem"
    if cert_path.exists() and key_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        return key, x509.load_pem_x509_certificate(cert_path.read_bytes())
    key, now = ec.generate_private_key(ec.SECP256R1()), utcnow()
    usage = x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                          encipher_only=False, decipher_only=False)
    cert = (x509.CertificateBuilder().subject_name(_name(CA_NAME)).issuer_name(_name(CA_NAME))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(usage, critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    _write_key(key_path, key)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert


def _covers(cert_path: Path, hosts: list[str]) -> bool:
    """Does the server certificate still name every host, for a while yet?"""
    if not cert_path.exists():
        return False
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    if cert.not_valid_after_utc - utcnow() < timedelta(days=30):
        return False
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    named = {str(ip) for ip in names.get_values_for_type(x509.IPAddress)} | set(names.get_values_for_type(x509.DNSName))
    return set(hosts) <= named


def _alt_names(hosts: list[str]) -> x509.SubjectAlternativeName:
    entries = []
    for host in hosts:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            entries.append(x509.DNSName(host))
    return x509.SubjectAlternativeName(entries)


def _issue_server(folder: Path, hosts: list[str], ca_key, ca_cert: x509.Certificate) -> None:
    key, now = ec.generate_private_key(ec.SECP256R1()), utcnow()
    cert = (x509.CertificateBuilder().subject_name(_name(hosts[0])).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=SERVER_DAYS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(_alt_names(hosts), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    _write_key(folder / "server-key.pem", key)
    (folder / "server.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM)
                                        + ca_cert.public_bytes(serialization.Encoding.PEM))


def ensure(instance: Path, hosts: list[str] | None = None) -> tuple[Path, Path]:
    """(server certificate chain, its key) for `hosts` (this machine's names and addresses by
    default), made or renewed as needed; the CA stays the one made the first time."""
    folder = tls_dir(instance)
    folder.mkdir(parents=True, exist_ok=True)
    hosts = list(dict.fromkeys(hosts or ["localhost", socket.gethostname(), *local_addresses()]))
    ca_key, ca_cert = _ca(folder)
    if not _covers(folder / "server.pem", hosts):
        _issue_server(folder, hosts, ca_key, ca_cert)
    return folder / "server.pem", folder / "server-key.pem"


def ca_certificate(instance: Path) -> Path | None:
    """The local CA's certificate, when `HTTPS=1 make run` made one."""
    path = tls_dir(instance) / "ca.pem"
    return path if path.exists() else None


def der_of(path: Path):
    """The certificate at `path` (PEM) as a DER byte stream."""
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    return io.BytesIO(cert.public_bytes(serialization.Encoding.DER))
