"""Large .xlsx exports, rendered by the worker: the file is stored for the user who asked, and
a notification carries its download link (only that user may download it)."""

import io

from models import User, db
from models.enums import NotificationKind

from ..admin.audit_log import AUDIT
from ..data import replica
from ..data.transaction import unit_of_work
from ..files import storage
from ..inspections.exports import INSPECTIONS
from ..inspections.findings import FINDINGS
from ..language.i18n import N_
from ..main.notifications import notify
from ..plans.exports import EXPORT_KIND, build_export
from ..remediation.exports import ACTIONS
from ..web import list_exports
from ..web.links import path_for
from ..web.sheets import XLSX_TYPES

LISTS = {export.kind: export for export in (AUDIT, FINDINGS, INSPECTIONS, ACTIONS)}  # every list's export


def export_tasks(user_id: int, spec: dict, after: str | None = None) -> int | None:
    """Render the export `spec` as user `user_id` sees it, store it, notify them; the stored
    Attachment's id (None when the user is gone or deactivated). `after`: the primary's position
    when the user asked; a replica that has replayed it may be read (replica.py)."""
    return _export_for(user_id, after, lambda user: build_export(user, spec))


def export_list(user_id: int, kind: str, args: dict, after: str | None = None) -> int | None:
    """Render list `kind` (one of LISTS) filtered by `args` as user `user_id` sees it, store it,
    notify them; the stored Attachment's id (None when the user is gone or deactivated)."""
    return _export_for(user_id, after, lambda user: list_exports.build(user, LISTS[kind], args))


def _export_for(user_id: int, after: str | None, build) -> int | None:
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    with replica.reads(after=after):
        filename, content = build(user)
    with unit_of_work():
        attachment = storage.store(io.BytesIO(content), filename, kind=EXPORT_KIND, allowed=XLSX_TYPES,
                                   uploaded_by_id=user.id, scan=False)
        db.session.flush()
        notify([user.id], NotificationKind.SYSTEM, N_("Tệp Excel “%(filename)s” đã sẵn sàng, bấm để tải về."),
               path_for("plans.export_download", token=attachment.sha256), params={"filename": filename})
    return attachment.id
