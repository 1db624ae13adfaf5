"""Reports: PDF documents rendered by the worker, their issue and the outgoing-document register."""

from flask import Blueprint, Flask

bp = Blueprint("reports", __name__)


def register(app: Flask) -> None:
    """Add the report and document pages to app."""
    # the route modules, imported here and not at the top: importing a service or query of this
    # package then loads no page of it, nor the other features those pages use
    from . import document_views, signature_views, views  # noqa: F401

    app.register_blueprint(bp)
