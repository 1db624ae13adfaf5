"""Chữ ký số: issued documents carry PAdES signatures (the agency's key at issue, a person's
uploaded and checked), validated against the trust anchors administrators install.

File roles: certificates.py (reading X.509 certificates), keys.py (the agency's signer from the
settings: PKCS#11 token or PKCS#12 file), appearance.py (the visible signature of Nghị định
30/2020 Phụ lục I), pades.py (signing a PDF), validation.py (checking a signed PDF), demo.py
(the demo CA, token and personal certificate), services.py (the state changes), uploads.py
(checking a personally signed file), verification.py and public_views.py (Tra cứu văn bản, the
public blueprint "verify": no sign-in)."""

import warnings

from cryptography.utils import CryptographyDeprecationWarning

# pyHanko 0.38 imports cryptography's DSA key class at import time (it signs nothing with DSA)
warnings.filterwarnings("ignore", message="DSA is deprecated", category=CryptographyDeprecationWarning)

from flask import Blueprint, Flask  # noqa: E402

bp = Blueprint("verify", __name__)


def register(app: Flask) -> None:
    """Add the public document lookup (Tra cứu văn bản) to app."""
    # the route modules, imported here and not at the top: importing a service or query of this
    # package then loads no page of it, nor the other features those pages use
    from . import public_views  # noqa: F401

    app.register_blueprint(bp)
