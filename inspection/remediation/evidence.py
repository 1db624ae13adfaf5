"""A submission with its uploads: evidence documents and "after" photos are stored in the same unit
of work as services.submit_action, so a refusal (no evidence, a file lying about its type, a stale
form) keeps no row and no file. Each after photo also joins the finding's photos (kind "after"),
so it shows beside the before photo."""

import uuid

from models import Attachment, FindingPhoto, RemediationAction, RemediationSubmission, db, utcnow

from ..data.transaction import check_version, unit_of_work
from ..errors import ValidationError
from ..files import photos, storage
from ..security import permissions
from . import services


def submit_with_evidence(actor, action: RemediationAction, *, note: str, files=(), pictures=(),
                         version) -> RemediationSubmission:
    """Store the documents and after photos, then submit the round; all or nothing."""
    permissions.require(actor, "remediation.work", action)
    check_version(action, version, {"status": action.status})  # before any upload is stored
    stored: list[Attachment] = []
    try:
        with unit_of_work():
            for upload in files:
                stored.append(_store_file(actor, action, upload))
            for upload in pictures:
                stored.extend(_store_photo(actor, action, upload))
            return services.submit_action(actor, action, note=note, attachments=stored, version=version)
    except BaseException:
        for attachment in stored:
            storage.backend().delete(attachment.storage_key)
        raise


def _store_file(actor, action: RemediationAction, upload) -> Attachment:
    try:
        return storage.store(upload.stream, upload.filename or "tep", kind="remediation_evidence",
                             unit_id=action.unit_id, uploaded_by_id=actor.id)
    except ValidationError as exc:
        exc.field = exc.field or "files"
        raise


def _store_photo(actor, action: RemediationAction, upload) -> list[Attachment]:
    try:
        original, display = photos.store_photo(upload.stream, upload.filename or "anh", unit_id=action.unit_id,
                                               uploaded_by_id=actor.id)
    except ValidationError as exc:
        exc.field = exc.field or "photos"
        raise
    db.session.flush()
    if action.finding_id:
        db.session.add(FindingPhoto(finding_id=action.finding_id, original_id=original.id, display_id=display.id,
                                    client_uuid=str(uuid.uuid4()), device_time=utcnow(), kind="after"))
    return [original, display]
