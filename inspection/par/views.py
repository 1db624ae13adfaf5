"""Chỉ số CCHC pages: the list, an index (opening its round, copying it to next year), a round
(progress, appraisers, phases, results, publication)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from models import Membership, OrgUnit, ParAppraiser, ParAssessment, ParIndex, ParRound, User, db
from models.enums import Role

from ..data import replica
from ..language.i18n import N_
from ..security import permissions, scoping
from ..web.refused_forms import REFUSALS
from . import amendment_views, amendments, bp, catalogue, follow_through, panel_queries, publication, results, rounds
from .forms import ActionForm, AppraiserForm, CopyIndexForm, OpenRoundForm, PublishForm
from .scoring import RULE_LABELS, shown
from .wording import STATUS_LABELS

UNIT_FILTER_LABELS = {"submitted": N_("Đã nộp tự đánh giá"), "draft": N_("Chưa nộp tự đánh giá"),
                      "appraised": N_("Đã thẩm định")}


@bp.context_processor
def _vocabulary() -> dict:
    return {"PHASE_LABELS": rounds.PHASE_LABELS, "STATUS_LABELS": STATUS_LABELS, "LEVELS": catalogue.LEVELS,
            "UNIT_FILTER_LABELS": UNIT_FILTER_LABELS, "RULE_LABELS": RULE_LABELS, "computed_url": computed_url}


def computed_url(link: dict) -> str:
    """The list of the rows behind a computed score."""
    return url_for(link["endpoint"], **{k: v for k, v in link.items() if k != "endpoint"})


def refuse(exc, endpoint: str, **values):
    flash(_(exc.message), "error")
    return redirect(url_for(endpoint, **values), 303)


def _visible(model, stmt):
    return list(db.session.execute(scoping.scope(stmt, current_user, model)).scalars())


@bp.route("/")
@login_required
def home():
    """Indices and rounds the user sees; the unit's own assessments; the rounds they appraise."""
    indices = _visible(ParIndex, select(ParIndex).order_by(ParIndex.year.desc(), ParIndex.id))
    rounds_ = _visible(ParRound, select(ParRound).order_by(ParRound.year.desc(), ParRound.id))
    assessments = _visible(ParAssessment, select(ParAssessment).order_by(ParAssessment.id.desc()).limit(50))
    return render_template("par/home.html", indices=indices, rounds=rounds_, assessments=assessments)


@bp.route("/bo-chi-so/<int:index_id>")
@login_required
@permissions.scoped_view(ParIndex, "index_id", "par.view", as_name="index")
def index_detail(index):
    round_ = db.session.execute(select(ParRound).where(ParRound.index_id == index.id)).scalar_one_or_none()
    manages = index.frozen_at is not None and permissions.can(current_user, "par.manage", index)
    return render_template("par/index.html", index=index, round=round_, open_form=OpenRoundForm(),
                           copy_form=CopyIndexForm(year=index.year + 1), units=rounds.assessable_units(index),
                           amend_form=amendment_views.amend_form(index) if manages else None,
                           amendments=amendments.list_amendments(index) if index.frozen_at else [])


@bp.route("/bo-chi-so/<int:index_id>/mo-dot", methods=["POST"])
@login_required
@permissions.scoped_view(ParIndex, "index_id", "par.manage", as_name="index")
def open_round(index):
    form = OpenRoundForm()
    if not form.validate():
        flash(next(iter(form.errors.values()))[0], "error")
        return redirect(url_for("par.index_detail", index_id=index.id), 303)
    try:
        round_ = rounds.open_round(current_user, index, dates={k: form[k].data for k in (
            "self_due", "appraisal_due", "explanation_due", "publish_due")})
    except REFUSALS as exc:
        return refuse(exc, "par.index_detail", index_id=index.id)
    flash(_("Đã mở đợt đánh giá năm %(y)s; bộ chỉ số đã được khóa.", y=round_.year), "success")
    return redirect(url_for("par.round_detail", round_id=round_.id), 303)


@bp.route("/bo-chi-so/<int:index_id>/sao-chep", methods=["POST"])
@login_required
@permissions.scoped_view(ParIndex, "index_id", "par.manage", as_name="index")
def copy_index(index):
    form = CopyIndexForm()
    if not form.validate():
        flash(_("Năm áp dụng không hợp lệ."), "error")
        return redirect(url_for("par.index_detail", index_id=index.id), 303)
    try:
        copy = catalogue.copy_index(current_user, index, year=form.year.data)
    except REFUSALS as exc:
        return refuse(exc, "par.index_detail", index_id=index.id)
    flash(_("Đã sao chép bộ chỉ số sang năm %(y)s.", y=copy.year), "success")
    return redirect(url_for("par.index_detail", index_id=copy.id), 303)


def _appraiser_choices(round_: ParRound) -> list:
    stmt = (select(User.id, User.full_name, OrgUnit.name).join(Membership, Membership.user_id == User.id)
            .join(OrgUnit, OrgUnit.id == Membership.unit_id)
            .where(Membership.role.in_([Role.COORDINATOR, Role.INSPECTOR, Role.LEADER]), User.is_active,
                   User.id.not_in(select(ParAppraiser.user_id).where(ParAppraiser.round_id == round_.id)))
            .order_by(User.full_name))
    stmt = scoping.scope(stmt, current_user, User)
    return [SelectChoice("", _("— chọn —"))] + [SelectChoice(uid, f"{name} ({unit})")
                                                 for uid, name, unit in db.session.execute(stmt)]


# the round page's filters, as the dashboard's figures link to them: assessments by status
ASSESSMENT_FILTERS = {"submitted": ("submitted", "appraised", "final"), "draft": ("draft",),
                      "appraised": ("appraised", "final")}


@bp.route("/dot/<int:round_id>")
@login_required
@permissions.scoped_view(ParRound, "round_id", "par.view", as_name="round_")
def round_detail(round_):
    """The round; ?status= filters its units (ASSESSMENT_FILTERS), ?band= the ranking, ?criterion=
    shows the units that lost points on that criterion. Results and ranking tolerate seconds of
    lag: the page reads a replica when there is one, and says how old it is (replica.py)."""
    with replica.reads() as source:
        return _round_page(round_, source)


def _round_page(round_: ParRound, source: replica.Source):
    form = AppraiserForm()
    form.user_id.choices = _appraiser_choices(round_)
    members = db.session.execute(select(User).join(ParAppraiser, ParAppraiser.user_id == User.id)
                                 .where(ParAppraiser.round_id == round_.id).order_by(User.full_name)).scalars()
    chosen = {k: request.args.get(k) or None for k in ("status", "band", "criterion")}
    shows_results = round_.status == "published" or permissions.can(current_user, "par.manage", round_) \
        or permissions.can(current_user, "par.publish", round_)
    ranked = results.round_results(round_) if shows_results else None
    return render_template("par/round.html", round=round_, progress=rounds.progress(round_), form=form,
                           members=list(members), assessments=_round_assessments(round_, chosen["status"]),
                           action_form=ActionForm(), publish_form=PublishForm(), chosen=chosen, all_results=ranked,
                           results=[r for r in ranked if r.band == chosen["band"]] if ranked and chosen["band"]
                           else ranked, weakest=follow_through.weakest(round_) if shows_results else [],
                           decision=publication.decision_of(round_),
                           average=panel_queries.average(ranked) if ranked else None,
                           replica_lag=source.shown_lag())


def _round_assessments(round_: ParRound, status: str | None) -> list[ParAssessment]:
    """The round's assessments the user sees, by unit name; only those of ASSESSMENT_FILTERS[status]."""
    stmt = (select(ParAssessment).where(ParAssessment.round_id == round_.id)
            .join(OrgUnit, OrgUnit.id == ParAssessment.unit_id).order_by(OrgUnit.name))
    if status in ASSESSMENT_FILTERS:
        stmt = stmt.where(ParAssessment.status.in_(ASSESSMENT_FILTERS[status]))
    return _visible(ParAssessment, stmt)


@bp.route("/dot/<int:round_id>/tham-dinh-vien", methods=["POST"])
@login_required
@permissions.scoped_view(ParRound, "round_id", "par.manage", as_name="round_")
@permissions.body_ids(user_id=User)
def add_appraiser(round_):
    form = AppraiserForm()
    form.user_id.choices = _appraiser_choices(round_)
    if not form.validate() or form.user_id.data is None:
        flash(_("Chọn một thành viên tổ thẩm định trong danh sách."), "error")
        return redirect(url_for("par.round_detail", round_id=round_.id), 303)
    try:
        rounds.add_appraiser(current_user, round_, db.session.get(User, form.user_id.data))
    except REFUSALS as exc:
        return refuse(exc, "par.round_detail", round_id=round_.id)
    flash(_("Đã thêm thành viên tổ thẩm định."), "success")
    return redirect(url_for("par.round_detail", round_id=round_.id), 303)


def _round_step(round_, step, done):
    try:
        step(current_user, round_)
    except REFUSALS as exc:
        return refuse(exc, "par.round_detail", round_id=round_.id)
    flash(done(), "success")
    return redirect(url_for("par.round_detail", round_id=round_.id), 303)


@bp.route("/dot/<int:round_id>/chuyen-giai-doan", methods=["POST"])
@login_required
@permissions.scoped_view(ParRound, "round_id", "par.manage", as_name="round_")
def advance_round(round_):
    return _round_step(round_, rounds.advance, lambda: _("Đợt đánh giá chuyển sang giai đoạn: %(p)s.",
                                                          p=_(rounds.PHASE_LABELS[round_.status])))


@bp.route("/dot/<int:round_id>/cong-bo", methods=["POST"])
@login_required
@permissions.scoped_view(ParRound, "round_id", "par.publish", as_name="round_")
def publish_round(round_):
    form = PublishForm()
    count = form.validate() and bool(form.count_unsubmitted.data)
    return _round_step(round_, lambda actor, r: publication.publish(actor, r, count_unsubmitted=count),
                       lambda: _("Đã công bố kết quả; quyết định công bố đang được tạo."))


@bp.route("/dot/<int:round_id>/ke-hoach-khac-phuc", methods=["POST"])
@login_required
@permissions.scoped_view(ParRound, "round_id", "par.manage", as_name="round_")
def remediation_plan(round_):
    """Next year's remediation plan from the points lost (a draft in the plans module)."""
    return _made_from(round_, follow_through.create_remediation_plan, "plans.plan_detail", "plan_id",
                      lambda: _("Đã lập dự thảo kế hoạch khắc phục; sửa và ban hành như mọi kế hoạch."))


@bp.route("/dot/<int:round_id>/bo-tieu-chi-kiem-tra", methods=["POST"])
@login_required
@permissions.scoped_view(ParRound, "round_id", "par.manage", as_name="round_")
def inspection_checklist(round_):
    """Next year's inspection focus: a checklist template of the weakest criteria."""
    return _made_from(round_, follow_through.seed_inspection_checklist, "inspections.template_detail", "template_id",
                      lambda: _("Đã lập bộ tiêu chí kiểm tra trọng tâm từ các tiêu chí bị mất điểm; sửa như mọi "
                                "bộ tiêu chí và chọn khi lập cuộc kiểm tra."))


def _made_from(round_, make, endpoint: str, arg: str, done):
    """Something made from the round's lost points, then its page (a refusal: back to the round)."""
    try:
        made = make(current_user, round_)
    except REFUSALS as exc:
        return refuse(exc, "par.round_detail", round_id=round_.id)
    flash(done(), "success")
    return redirect(url_for(endpoint, **{arg: made.id}), 303)


@bp.app_template_filter("points")
def points_filter(value) -> str:
    """Points with a decimal comma ("1,5"); a dash when there are none."""
    return shown(value) if value is not None else "–"
