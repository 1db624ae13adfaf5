"""An issued document's digital signatures: what it carries, the unsigned final file for a
person to sign with their own token, and the upload of the file they signed."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.file import FileField, FileRequired

from models import Document, db

from ..errors import ValidationError
from ..security import permissions
from ..signing import queries as signing_queries
from ..signing import services as signing
from ..signing.validation import STATUS_LABELS
from ..web.base_forms import Form
from . import bp
from .views import send_attachment


class ActionForm(Form):
    """A button: only the CSRF token."""


class SignedFileForm(Form):
    signed = FileField(_l("Tệp PDF đã ký số"), validators=[FileRequired(_l("Hãy chọn tệp PDF đã ký số để tải lên."))])


def _page(document: Document):
    return render_template("reports/signature.html", document=document, form=SignedFileForm(), action=ActionForm(),
                           signatures=signing_queries.signatures_of(document), labels=STATUS_LABELS,
                           may_upload=permissions.can(current_user, "document.issue", document))


@bp.route("/documents/<int:document_id>/signature")
@login_required
@permissions.scoped_view(Document, "document_id", "document.view")
def signature(document: Document):
    """Chữ ký số of an issued document, and the upload of a personally signed copy."""
    return _page(document)


@bp.route("/documents/<int:document_id>/unsigned")
@login_required
@permissions.scoped_view(Document, "document_id", "document.view")
def unsigned_pdf(document: Document):
    """The final file as issued, before any digital signature (to sign with one's own token)."""
    if document.pdf_id is None:
        flash(_("Bản PDF chính thức đang được tạo, vui lòng thử lại sau ít phút."), "info")
        return redirect(url_for("reports.signature", document_id=document.id))
    return send_attachment(document.pdf_id)


@bp.route("/documents/<int:document_id>/signature", methods=["POST"])
@login_required
@permissions.scoped_view(Document, "document_id", "document.issue")
def upload_signed(document: Document):
    """Accept a copy signed by the person in the signature block (checked), then the agency signs on top."""
    form = SignedFileForm()
    back = redirect(url_for("reports.signature", document_id=document.id))
    if not form.validate_on_submit():
        for message in form.signed.errors:
            flash(message, "error")
        return back
    try:
        signing.accept_personal_signature(current_user, document, form.signed.data.stream)
    except ValidationError as exc:
        db.session.rollback()
        flash(_(exc.message), "error")
        return back
    flash(_("Đã nhận văn bản số %(n)s có chữ ký số của người ký.", n=document.number_text), "success")
    return back


@bp.route("/documents/<int:document_id>/signature/recheck", methods=["POST"])
@login_required
@permissions.scoped_view(Document, "document_id", "document.view")
def recheck_signatures(document: Document):
    """Check the document's signatures again (certificate validity, today's trust anchors)."""
    if ActionForm().validate_on_submit():
        signing.recheck_signatures(current_user, document)
        flash(_("Đã kiểm tra lại chữ ký số của văn bản số %(n)s.", n=document.number_text), "success")
    return redirect(url_for("reports.signature", document_id=document.id), 303)
