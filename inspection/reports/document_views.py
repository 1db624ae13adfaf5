"""The register of outgoing documents (sổ văn bản đi) and an issued document's files: its PDF
and the scan of the signed, stamped paper copy."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.file import FileField, FileRequired

from models import Document, db

from ..errors import ValidationError
from ..security import permissions
from ..signing import queries as signing_queries
from ..signing.validation import STATUS_LABELS
from ..web.base_forms import Form
from . import bp, queries, services
from .choices import KINDS
from .views import send_attachment


class ScanForm(Form):
    scan = FileField(_l("Bản chụp văn bản đã ký, đóng dấu (PDF hoặc ảnh)"),
                     validators=[FileRequired(_l("Hãy chọn tệp bản chụp để tải lên."))])


def _subject_url(document: Document) -> str:
    endpoints = {"inspection": ("reports.inspection_documents", "inspection_id"),
                 "plan": ("reports.plan_documents", "plan_id"), "unit": ("reports.unit_documents", "unit_id")}
    endpoint, arg = endpoints[document.subject_type]
    return url_for(endpoint, **{arg: document.subject_id}, **(document.params or {}))


@bp.route("/documents")
@login_required
def register():
    """Sổ văn bản đi: the documents issued by the units the user sees, by number, with their scans."""
    year = request.args.get("year", type=int)
    rows = queries.register(current_user, year=year)
    signatures = signing_queries.current_signatures([document for document, _name in rows])
    return render_template("reports/register.html", rows=rows, year=year, years=queries.register_years(current_user),
                           kinds=KINDS, subject_url=_subject_url,
                           may_attach=lambda d: permissions.can(current_user, "document.issue", d),
                           signed=lambda d: signatures.get(d.id, []), labels=STATUS_LABELS)


@bp.route("/documents/<int:document_id>/pdf")
@login_required
@permissions.scoped_view(Document, "document_id", "document.view")
def document_pdf(document: Document):
    """The issued document's PDF (rendered from its frozen snapshot), digitally signed when it is."""
    if document.pdf_id is None:
        flash(_("Bản PDF chính thức đang được tạo, vui lòng thử lại sau ít phút."), "info")
        return redirect(_subject_url(document))
    return send_attachment(document.signed_pdf_id or document.pdf_id)


@bp.route("/documents/<int:document_id>/scan")
@login_required
@permissions.scoped_view(Document, "document_id", "document.view")
def document_scan(document: Document):
    """The scan of the signed, stamped paper copy, or the page to attach it."""
    if document.signed_scan_id is None:
        return render_template("reports/scan.html", document=document, form=ScanForm(),
                               may_attach=permissions.can(current_user, "document.issue", document),
                               back=_subject_url(document))
    return send_attachment(document.signed_scan_id)


@bp.route("/documents/<int:document_id>/scan", methods=["POST"])
@login_required
@permissions.scoped_view(Document, "document_id", "document.issue")
def attach_scan(document: Document):
    """Attach (or replace) the scan of the signed, stamped paper copy."""
    form = ScanForm()
    if not form.validate_on_submit():
        for message in form.scan.errors:
            flash(message, "error")
        return redirect(_subject_url(document))
    try:
        services.attach_signed_scan(current_user, document, form.scan.data.stream, form.scan.data.filename or "")
    except ValidationError as exc:
        db.session.rollback()
        flash(_(exc.message), "error")
        return redirect(_subject_url(document))
    flash(_("Đã đính kèm bản chụp văn bản số %(n)s.", n=document.number_text), "success")
    return redirect(_subject_url(document))
