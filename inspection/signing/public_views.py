"""Tra cứu văn bản: anyone holding a copy of an issued document (paper or file) looks it up by
the code printed on its first page, and may check a file against it. No sign-in, no script; the
pages are cacheable and a check is counted per address (Redis, shared by every web process)."""

import time

from flask import abort, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired

from models import OrgUnit, db

from ..data.queue import get_redis
from ..feedback.limits import address_hash
from ..reports.choices import KINDS
from ..web.base_forms import AppForm
from . import bp, queries, verification
from .validation import STATUS_LABELS

CHECKS_PER_WINDOW, WINDOW = 30, 600  # file checks per address and ten minutes


class CopyForm(AppForm):
    copy = FileField(_l("Tệp văn bản cần kiểm tra (PDF)"), validators=[FileRequired(_l("Hãy chọn tệp PDF."))])


def _too_many() -> bool:
    key = f"cchc:verify:addr:{address_hash(request.remote_addr or '')}:{int(time.time()) // WINDOW}"
    with get_redis().pipeline() as pipe:
        pipe.incr(key)
        pipe.expire(key, WINDOW)
        return pipe.execute()[0] > CHECKS_PER_WINDOW


def _page(document, form, result=None, status=200):
    page = render_template("verify/document.html", document=document, form=form, result=result, kinds=KINDS,
                           unit=db.session.get(OrgUnit, document.unit_id), labels=STATUS_LABELS,
                           signatures=queries.current_signatures([document]).get(document.id, []))
    return make_response(page, status)


@bp.route("/tra-cuu")
def lookup():
    """Enter the code printed on a document."""
    code = (request.args.get("ma") or "").strip().upper()
    if code:
        return redirect(url_for("verify.document", code=code[:20]))
    return render_template("verify/lookup.html")


@bp.route("/tra-cuu/<code>")
def document(code: str):
    """An issued document's public facts: number, date, issuing body, trích yếu, signatures."""
    found = verification.public_document(code[:20])
    if found is None:
        abort(404)
    response = _page(found, CopyForm(formdata=None))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/tra-cuu/<code>", methods=["POST"])
def check(code: str):
    """Check a file someone holds against the issued document; nothing is stored."""
    found = verification.public_document(code[:20])
    if found is None:
        abort(404)
    if _too_many():
        return make_response(render_template("verify/lookup.html", message=_("Quá nhiều lượt kiểm tra, vui lòng thử "
                                                                            "lại sau ít phút.")), 429)
    form = CopyForm()
    if not form.validate_on_submit():
        return _page(found, form, status=422)
    data = form.copy.data.read(current_app.config["MAX_UPLOAD_BYTES"] + 1)
    matches, message = verification.check_copy(found, data)
    return _page(found, CopyForm(formdata=None), result={"ok": matches, "message": _(message)})
