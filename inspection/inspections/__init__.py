from flask import Blueprint, Flask

bp = Blueprint("inspections", __name__)


def register(app: Flask) -> None:
    """Add the inspection pages to app."""
    # the route modules, imported here and not at the top: importing a service or query of this
    # package then loads no page of it, nor the other features those pages use
    from . import (  # noqa: F401
        checklist_views,
        conclusion_views,
        conflict_views,
        field_views,
        finding_views,
        minutes_views,
        offline_views,
        schedule_views,
        views,
    )

    app.register_blueprint(bp)
