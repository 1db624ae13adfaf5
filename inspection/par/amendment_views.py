"""Amendments of a frozen index from its page: the coordinator chooses a sub-criterion, gives its
new maximum and/or text and the reason; a refusal answers on the index page with what was typed."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from models import ParIndex, ParSubCriterion, db

from ..errors import InvalidTransition, ValidationError
from ..security import permissions
from ..web.refused_forms import refuse, refused_form
from . import amendments, bp
from .forms import AmendForm
from .scoring import shown


def amend_form(index: ParIndex) -> AmendForm:
    """The index page's amendment form: refused just before (refilled, with its messages) or new."""
    form = refused_form(f"index:{index.id}", {"amend_form": AmendForm}).get("amend_form") or AmendForm(formdata=None)
    return _with_choices(form, index)


def _with_choices(form: AmendForm, index: ParIndex) -> AmendForm:
    subs = db.session.execute(select(ParSubCriterion).where(ParSubCriterion.index_id == index.id)
                              .order_by(ParSubCriterion.position)).scalars()
    form.sub_id.choices = [("", _("— chọn —"))] + [(s.id, _label(s)) for s in subs]
    return form


def _label(sub: ParSubCriterion) -> str:
    text = sub.text if len(sub.text) <= 90 else sub.text[:89] + "…"
    return f"{sub.code} · {text} ({_('tối đa %(p)s điểm', p=shown(sub.max_points))})"


@bp.route("/bo-chi-so/<int:index_id>/dieu-chinh", methods=["POST"])
@login_required
@permissions.scoped_view(ParIndex, "index_id", "par.manage", as_name="index")
def amend_index(index):
    form = _with_choices(AmendForm(), index)
    if not form.validate() or form.sub_id.data is None:
        return refuse(f"index:{index.id}", "amend_form", form, "par.index_detail", "amend-form", index_id=index.id)
    try:
        sub = amendments.amend_sub(current_user, db.session.get(ParSubCriterion, form.sub_id.data),
                                   max_points=form.max_points.data, text=form.text.data, reason=form.reason.data)
    except ValidationError as exc:
        db.session.rollback()
        getattr(form, exc.field or "reason").errors = [exc.message]
        return refuse(f"index:{index.id}", "amend_form", form, "par.index_detail", "amend-form", index_id=index.id)
    except InvalidTransition as exc:
        flash(exc.message, "error")
        return redirect(url_for("par.index_detail", index_id=index.id), 303)
    flash(_("Đã điều chỉnh tiêu chí %(code)s; điểm và kết quả của các đơn vị đã được tính lại.", code=sub.code),
          "success")
    return redirect(url_for("par.index_detail", index_id=index.id, _anchor="amendments"), 303)
