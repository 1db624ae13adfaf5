"""Whose keys are whose (chữ ký số): each issuing unit's own key (a label in the PKCS#11 token or
a PKCS#12 file), and personal certificates an administrator approves as a user's although they
do not carry the user's name. Only the units and people of the administrator's own subtree."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from models import Membership, OrgUnit, PersonalCertificate, UnitSigningKey, User, db

from ..errors import ValidationError
from ..security import permissions
from ..signing import mappings
from ..web.base_forms import AppForm
from ..web.refused_forms import refuse, refused_form
from . import bp


class UnitKeyForm(AppForm):
    unit = SelectField(_l("Đơn vị ban hành"), validate_choice=False,
                       validators=[DataRequired(_l("Hãy chọn đơn vị ban hành."))])
    token_label = StringField(_l("Nhãn thiết bị (token) PKCS#11"), validators=[Length(max=100)])
    key_label = StringField(_l("Nhãn khóa và chứng thư trên thiết bị"), validators=[Length(max=100)])
    pkcs12_path = StringField(_l("Hoặc: đường dẫn tệp PKCS#12 trên máy chủ"), validators=[Length(max=500)])


class MappingForm(AppForm):
    user = SelectField(_l("Người dùng"), validate_choice=False, validators=[DataRequired(_l("Hãy chọn người dùng."))])
    certificate = FileField(_l("Chứng thư số của người dùng (.cer, .crt, .pem)"),
                            validators=[FileRequired(_l("Hãy chọn tệp chứng thư số."))])


class ActionForm(AppForm):
    """A button's POST: only its CSRF token."""


def _refused(exc: ValidationError, to: str):
    db.session.rollback()
    flash(_(exc.message), "error")
    return redirect(url_for(to), 303)


@bp.route("/signing-keys")
@login_required
def signing_keys():
    """Each unit the administrator manages, with its key (or none: it issues unsigned documents)."""
    permissions.require(current_user, "trust.manage")
    units = db.session.execute(select(OrgUnit).where(OrgUnit.id.in_(mappings.managed_units(current_user)),
                                                     OrgUnit.is_active).order_by(OrgUnit.code)).scalars().all()
    rows = db.session.execute(select(UnitSigningKey).where(UnitSigningKey.unit_id.in_([u.id for u in units])))
    by_unit = {row.unit_id: row for row in rows.scalars()}
    form = refused_form("signing-keys", {"form": UnitKeyForm}).get("form") or UnitKeyForm(formdata=None)
    form.unit.choices = [(str(u.id), u.name) for u in units]
    return render_template("admin/signing_keys.html", units=units, keys=by_unit, form=form, action=ActionForm())


@bp.route("/signing-keys", methods=["POST"])
@login_required
def set_signing_key():
    permissions.require(current_user, "trust.manage")
    form = UnitKeyForm()
    if not form.validate_on_submit():  # the page draws the form again with what was typed and why
        return refuse("signing-keys", "form", form, "admin.signing_keys")
    unit = mappings.managed_unit_or_404(current_user, form.unit.data)
    try:
        row = mappings.set_unit_key(current_user, unit, token_label=form.token_label.data or "",
                                    key_label=form.key_label.data or "", pkcs12_path=form.pkcs12_path.data or "")
    except ValidationError as exc:
        db.session.rollback()
        getattr(form, exc.field or "token_label").errors = [_(exc.message)]
        return refuse("signing-keys", "form", form, "admin.signing_keys")
    flash(_("Đã gán khóa ký số cho %(unit)s: %(cert)s.", unit=unit.name, cert=row.certificate_subject), "success")
    return redirect(url_for("admin.signing_keys"), 303)


@bp.route("/signing-keys/<int:unit_id>/remove", methods=["POST"])
@login_required
@permissions.scoped_view(OrgUnit, "unit_id", "trust.manage")
def remove_signing_key(unit: OrgUnit):
    unit = mappings.managed_unit_or_404(current_user, unit.id)
    if ActionForm().validate_on_submit():
        try:
            mappings.remove_unit_key(current_user, unit)
        except ValidationError as exc:
            return _refused(exc, "admin.signing_keys")
        flash(_("Đã gỡ khóa ký số của %(unit)s.", unit=unit.name), "success")
    return redirect(url_for("admin.signing_keys"), 303)


def _managed_users():
    members = select(Membership.user_id).where(Membership.unit_id.in_(mappings.managed_units(current_user)))
    return db.session.execute(select(User).where(User.id.in_(members)).order_by(User.full_name)).scalars().all()


@bp.route("/personal-certificates")
@login_required
def personal_certificates():
    """The certificates approved as a user's (and revoked ones), and the form to approve one."""
    permissions.require(current_user, "trust.manage")
    users = _managed_users()
    names = {u.id: u for u in users}
    rows = db.session.execute(select(PersonalCertificate).where(PersonalCertificate.user_id.in_(list(names)))
                              .order_by(PersonalCertificate.id.desc())).scalars().all()
    form = MappingForm()
    form.user.choices = [(str(u.id), f"{u.full_name} ({u.username})") for u in users]
    return render_template("admin/personal_certificates.html", rows=rows, users=names, form=form,
                           action=ActionForm())


@bp.route("/personal-certificates", methods=["POST"])
@login_required
def map_personal_certificate():
    permissions.require(current_user, "trust.manage")
    form = MappingForm()
    if not form.validate_on_submit():
        for message in form.user.errors + form.certificate.errors:
            flash(message, "error")
        return redirect(url_for("admin.personal_certificates"), 303)
    user = mappings.managed_user_or_404(current_user, form.user.data)
    try:
        row = mappings.map_certificate(current_user, user, form.certificate.data.read(2 * 1024 * 1024))
    except ValidationError as exc:
        return _refused(exc, "admin.personal_certificates")
    flash(_("Đã gán chứng thư số %(cert)s cho %(user)s.", cert=row.subject, user=user.full_name), "success")
    return redirect(url_for("admin.personal_certificates"), 303)


@bp.route("/users/<int:user_id>/certificates/<fingerprint>/revoke", methods=["POST"])
@login_required
@permissions.scoped_view(User, "user_id", "trust.manage")
def revoke_personal_certificate(user: User, fingerprint: str):
    user = mappings.managed_user_or_404(current_user, user.id)
    if ActionForm().validate_on_submit():
        try:
            row = mappings.revoke_certificate(current_user, user, fingerprint)
        except ValidationError as exc:
            return _refused(exc, "admin.personal_certificates")
        flash(_("Đã thu hồi ánh xạ chứng thư số: %(cert)s.", cert=row.subject), "success")
    return redirect(url_for("admin.personal_certificates"), 303)
