"""Chỉ số CCHC: the yearly PAR Index assessment, from the index as data to the published ranking."""

from flask import Blueprint, Flask

bp = Blueprint("par", __name__, url_prefix="/chi-so-cchc")


def register(app: Flask) -> None:
    """Add the Chỉ số CCHC pages to app."""
    # the route modules, imported here and not at the top: importing a service or query of this
    # package then loads no page of it, nor the other features those pages use
    from . import amendment_views, assessment_views, import_views, pack_views, views  # noqa: F401

    app.register_blueprint(bp)
