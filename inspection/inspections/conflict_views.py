"""The tablet's conflict list: what the sync could not apply directly and the server kept as pending
corrections (the minutes were closed meanwhile, or another member changed the same item), with the
reason; the team lead accepts or rejects each from here (fieldwork.decide_correction)."""

from flask import render_template
from flask_login import current_user, login_required

from models import Inspection
from models.enums import CORRECTION_REASON_LABELS, CORRECTION_STATUS_LABELS

from ..security import permissions
from ..web.refused_forms import refused_form
from . import bp, queries
from .forms import DecisionForm
from .views import correction_text


@bp.route("/field/<int:inspection_id>/conflicts")
@login_required
@permissions.scoped_view(Inspection, "inspection_id", "inspection.conduct")
def field_conflicts(inspection: Inspection):
    """Synced items kept as pending corrections, why, and (for the lead) the decision."""
    given = refused_form(f"conflicts:{inspection.id}", {"decision_form": DecisionForm})
    page = queries.inspection_page(current_user, inspection)
    corrections = sorted(page["corrections"], key=lambda c: (c.status != "pending", c.proposed_at), reverse=False)
    return render_template("inspections/conflicts.html", inspection=inspection, corrections=corrections,
                           items=page["items"], finding_map=page["finding_map"], names=page["names"],
                           correction_text=correction_text, reasons=CORRECTION_REASON_LABELS,
                           statuses=CORRECTION_STATUS_LABELS, decision=given.get("decision_form"),
                           decided=given.get("extra", {}).get("correction"),
                           may_lead=permissions.can(current_user, "inspection.lead", inspection))
