from flask import Blueprint, Flask

bp = Blueprint("admin", __name__, url_prefix="/admin")


def register(app: Flask) -> None:
    """Add the administration pages to app."""
    # the route modules, imported here and not at the top: importing a service or query of this
    # package then loads no page of it, nor the other features those pages use
    from . import (  # noqa: F401
        anchor_views,
        audit_views,
        device_views,
        import_views,
        merge_views,
        signing_views,
        two_factor_views,
        user_views,
        views,
    )

    app.register_blueprint(bp)
