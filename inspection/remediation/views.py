"""Remediation pages."""

from flask import render_template
from flask_login import login_required

from models import RemediationAction

from .. import permissions
from . import bp


@bp.route("/remediation/<int:action_id>")
@login_required
@permissions.scoped_view(RemediationAction, "action_id", "remediation.view")
def detail(action: RemediationAction):
    """One remediation action: the finding it answers, its rounds, evidence and review."""
    return render_template("remediation/detail.html", action=action)
