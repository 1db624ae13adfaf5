"""The inspector's tablet screen: page shells that field.js fills from the JSON API (/api/v1).

Every write goes through the API (the same services as the desktop forms), so the offline
outbox can later replay the same requests."""

from flask import render_template, url_for
from flask_login import login_required

from models import Inspection
from models.enums import CHECK_VALUE_LABELS, INSPECTION_KIND_LABELS, INSPECTION_STATUS_LABELS, SEVERITY_LABELS

from ..language.i18n import N_
from ..security import permissions
from . import bp

TEAM_ROLES = {"lead": N_("Trưởng đoàn"), "member": N_("Thành viên"), "secretary": N_("Thư ký")}


def _vocabulary() -> dict:
    """The labels field.js shows, by key (rendered translated into the page, never into the JS)."""
    return {"api_root": url_for("api.today").rsplit("/inspections/", 1)[0],
            "field_root": url_for("inspections.field_today"),
            "labels": {"status": INSPECTION_STATUS_LABELS, "kind": INSPECTION_KIND_LABELS,
                       "value": CHECK_VALUE_LABELS, "severity": SEVERITY_LABELS, "team": TEAM_ROLES}}


@bp.route("/field")
@login_required
def field_today():
    """The tablet's start screen: the signed-in inspector's inspections of today and the days ahead."""
    return render_template("inspections/field_today.html", **_vocabulary())


@bp.route("/field/<int:inspection_id>")
@login_required
@permissions.scoped_view(Inspection, "inspection_id", "inspection.conduct")
def field_inspection(inspection: Inspection):
    """One inspection on the tablet: start, checklist, findings with photos, closing the minutes."""
    return render_template("inspections/field.html", inspection=inspection, severities=SEVERITY_LABELS,
                           **_vocabulary())
