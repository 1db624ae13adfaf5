"""The evidence pack's page: ask the worker for the .zip, download the last one built. Scope as
the self-assessment (the unit, its head's chain, the round's appraisers, the leaders)."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import ParAssessment

from ..files import storage
from ..security import permissions
from . import bp, evidence_pack
from .forms import ActionForm


@bp.route("/tu-danh-gia/<int:assessment_id>/ho-so-kiem-chung")
@login_required
@permissions.scoped_view(ParAssessment, "assessment_id", "par.view", as_name="assessment")
def evidence_pack_page(assessment):
    return render_template("par/pack.html", assessment=assessment, pack=evidence_pack.latest_pack(assessment),
                           action_form=ActionForm())


@bp.route("/tu-danh-gia/<int:assessment_id>/ho-so-kiem-chung", methods=["POST"])
@login_required
@permissions.scoped_view(ParAssessment, "assessment_id", "par.view", as_name="assessment")
def build_evidence_pack(assessment):
    evidence_pack.request_pack(current_user, assessment)
    flash(_("Đang tạo hồ sơ kiểm chứng; tải lại trang sau ít phút."), "success")
    return redirect(url_for("par.evidence_pack_page", assessment_id=assessment.id), 303)


@bp.route("/tu-danh-gia/<int:assessment_id>/ho-so-kiem-chung.zip")
@login_required
@permissions.scoped_view(ParAssessment, "assessment_id", "par.view", as_name="assessment")
def evidence_pack_download(assessment):
    """The last pack built; before the worker has built one, its page, saying so."""
    pack = evidence_pack.latest_pack(assessment)
    if pack is None:
        flash(_("Chưa có hồ sơ kiểm chứng: bấm “Tạo hồ sơ mới” rồi tải lại trang sau ít phút."), "error")
        return redirect(url_for("par.evidence_pack_page", assessment_id=assessment.id), 303)
    return storage.send_attachment(pack, download=True, mimetype="application/zip")
