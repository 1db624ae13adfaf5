"""Inspection pages."""

from flask import render_template
from flask_login import login_required

from models import Inspection

from .. import permissions
from . import bp


@bp.route("/inspections/<int:inspection_id>")
@login_required
@permissions.scoped_view(Inspection, "inspection_id", "inspection.view")
def detail(inspection: Inspection):
    """One inspection: target, dates, team, status, results, findings and documents."""
    return render_template("inspections/detail.html", inspection=inspection)
