"""Trust anchors (gốc tin cậy): the CA certificates digital signatures are checked against —
the VGCA root and intermediates, licensed commercial CAs' roots, the demo CA in the demo."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import HiddenField

from models import TrustAnchor, db

from ..errors import ValidationError
from ..security import permissions
from ..signing import services as signing
from ..web.base_forms import AppForm
from . import bp


class AnchorForm(AppForm):
    certificate = FileField(_l("Chứng thư số của CA (.cer, .crt, .pem)"),
                            validators=[FileRequired(_l("Hãy chọn tệp chứng thư số."))])


class RemoveAnchorForm(AppForm):
    fingerprint = HiddenField()


def _back():
    return redirect(url_for("admin.trust_anchors"), 303)


@bp.route("/trust-anchors")
@login_required
def trust_anchors():
    """The installed anchors, a form to install one, a button to remove each."""
    permissions.require(current_user, "trust.manage")
    anchors = db.session.execute(select(TrustAnchor).order_by(TrustAnchor.name)).scalars().all()
    return render_template("admin/trust_anchors.html", anchors=anchors, form=AnchorForm(),
                           remove=RemoveAnchorForm())


@bp.route("/trust-anchors", methods=["POST"])
@login_required
def install_trust_anchor():
    permissions.require(current_user, "trust.manage")
    form = AnchorForm()
    if not form.validate_on_submit():
        for message in form.certificate.errors:
            flash(message, "error")
        return _back()
    try:
        anchor = signing.install_anchor(current_user, form.certificate.data.read(2 * 1024 * 1024))
    except ValidationError as exc:
        db.session.rollback()
        flash(_(exc.message), "error")
        return _back()
    flash(_("Đã cài gốc tin cậy: %(name)s.", name=anchor.name), "success")
    return _back()


@bp.route("/trust-anchors/remove", methods=["POST"])
@login_required
def remove_trust_anchor():
    permissions.require(current_user, "trust.manage")
    form = RemoveAnchorForm()
    if form.validate_on_submit():
        try:
            anchor = signing.remove_anchor(current_user, form.fingerprint.data or "")
        except ValidationError as exc:
            db.session.rollback()
            flash(_(exc.message), "error")
        else:
            flash(_("Đã gỡ gốc tin cậy: %(name)s.", name=anchor.name), "success")
    return _back()
