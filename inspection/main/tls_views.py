"""The local CA's certificate of a demo served over HTTPS (`HTTPS=1 make run`), for a tablet to
install before it signs in (README "Trying it on a tablet")."""

from pathlib import Path

from flask import abort, current_app, send_file

from ..server import local_tls
from . import bp


@bp.route("/ca.crt")
def local_ca():
    """The local CA's certificate (DER, as Android's certificate installer takes it); 404 when the
    app is not served with a local CA."""
    path = local_tls.ca_certificate(Path(current_app.config["INSTANCE_DIR"]))
    if path is None:
        abort(404)
    return send_file(local_tls.der_of(path), mimetype="application/x-x509-ca-cert", as_attachment=True,
                     download_name="cchc-ca.crt", max_age=0)
