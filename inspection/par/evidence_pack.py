"""The evidence pack of a unit's assessment: a .zip with a folder per sub-criterion holding its
evidence files and a PDF summary (self score, appraised score, reasons: pack_summary), built by
the worker. Each file is copied from the storage stream into the zip in chunks and the zip is
written to a spool file, so memory stays bounded whatever the files weigh; the zip is then stored
as an attachment."""

import os
import re
import shutil
import tempfile
import zipfile

from sqlalchemy import select

from models import Attachment, ParAssessment, ParEvidence, db

from ..data.queue import enqueue_after_commit
from ..data.transaction import unit_of_work
from ..files import storage
from ..security import audit, permissions
from . import pack_summary
from .assessments import scores_of

KIND = "par_pack"
ZIP_TYPES = {"application/zip"}
CHUNK = 1 << 20
SUMMARY = "tong_hop.pdf"  # the PDF summary (pack_summary)


def pack_name(assessment: ParAssessment) -> str:
    return f"ho_so_kiem_chung_{assessment.id}.zip"


def request_pack(actor, assessment: ParAssessment) -> None:
    """Ask the worker for the pack (whoever sees the assessment may)."""
    permissions.require(actor, "par.view", assessment)
    with unit_of_work():
        audit.record(actor, "par_assessment.pack_requested", "par_assessment", assessment.id,
                     unit_id=assessment.unit_id)
        enqueue_after_commit("inspection.par.evidence_pack.build_pack", assessment.id, actor.id)


def latest_pack(assessment: ParAssessment) -> Attachment | None:
    return db.session.execute(select(Attachment).where(
        Attachment.kind == KIND, Attachment.unit_id == assessment.unit_id,
        Attachment.filename == pack_name(assessment)).order_by(Attachment.id.desc()).limit(1)).scalar()


def _folder(code: str) -> str:
    return re.sub(r"[^0-9A-Za-z._-]", "_", code) or "_"


def _write(archive: zipfile.ZipFile, assessment: ParAssessment) -> None:
    archive.writestr(SUMMARY, pack_summary.render(assessment))
    codes = {s.id: _folder(s.sub.code) for s in scores_of(assessment)}
    evidence = db.session.execute(select(ParEvidence).where(ParEvidence.score_id.in_(list(codes)))
                                  .order_by(ParEvidence.id)).scalars()
    for item in evidence:
        folder = codes[item.score_id]
        if item.attachment is None:
            archive.writestr(f"{folder}/lien_ket_{item.id}.txt", f"{item.title}\n{item.link_type} #{item.link_id}\n")
            continue
        with storage.open_attachment(item.attachment) as source, \
                archive.open(f"{folder}/{item.id}_{item.attachment.filename}", "w", force_zip64=True) as target:
            shutil.copyfileobj(source, target, CHUNK)


def build_pack(assessment_id: int, user_id: int | None = None) -> int | None:
    """The worker's job: build and store the pack; the Attachment's id."""
    assessment = db.session.get(ParAssessment, assessment_id)
    if assessment is None:
        return None
    fd, path = tempfile.mkstemp(suffix=".zip", dir=storage.spool_dir())
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
            _write(archive, assessment)
        with unit_of_work(), open(path, "rb") as packed:
            attachment = storage.store(packed, pack_name(assessment), kind=KIND, allowed=ZIP_TYPES,
                                       unit_id=assessment.unit_id, uploaded_by_id=user_id,
                                       limit=os.path.getsize(path) + 1, scan=False)
        return attachment.id
    finally:
        os.unlink(path)
