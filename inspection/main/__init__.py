from flask import Blueprint, Flask

bp = Blueprint("main", __name__)


def register(app: Flask) -> None:
    """Add the home, health and TLS pages to app."""
    # the route modules, imported here and not at the top: importing a service or query of this
    # package then loads no page of it, nor the other features those pages use
    from . import tls_views, views  # noqa: F401

    app.register_blueprint(bp)
