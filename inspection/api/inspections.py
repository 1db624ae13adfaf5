"""The tablet's JSON API: the same services as the HTML forms, with client-generated UUIDs."""

import hashlib

from flask import jsonify, request
from flask_login import current_user, login_required
from sqlalchemy import select

from models import ChecklistItem, CheckResult, Correction, Finding, FindingPhoto, Inspection, db
from models.enums import InspectionStatus

from ..errors import NotFound, ValidationError
from ..inspections import fieldwork, minutes
from ..language.formatting import local_today
from ..security import permissions, scoping
from . import bp, payloads, serializers

ACTIVE = (InspectionStatus.PLANNED, InspectionStatus.ANNOUNCED, InspectionStatus.IN_PROGRESS,
          InspectionStatus.MINUTES_CLOSED)


def _body(record) -> dict:
    if isinstance(record, Correction):
        return {"correction": {"id": record.id, "status": record.status, "client_uuid": record.client_uuid}}
    if isinstance(record, CheckResult):
        return {"result": serializers.result_dict(record)}
    if isinstance(record, Finding):
        return {"finding": serializers.finding_dict(record)}
    return {"inspection": serializers.inspection_summary(record)}


def _answer(record) -> tuple[dict, int]:
    return _body(record), 202 if isinstance(record, Correction) else 200


def _stored(record, replayed: bool, body: dict | None = None) -> tuple[dict, int]:
    """A first storage is 201; an identical resubmission 202 with `already_stored: true` and the stored
    record. A pending correction is 202 too: its body holds `correction` instead of the record."""
    status = 202 if replayed or isinstance(record, Correction) else 201
    return (body or _body(record)) | {"already_stored": replayed}, status


@bp.route("/inspections/today")
@login_required
def today():
    """The signed-in inspector's inspections from today on (the tablet's start screen)."""
    team = select(Inspection).where(
        Inspection.members.any(user_id=current_user.id), Inspection.status.in_(ACTIVE),
        Inspection.end_on >= local_today())
    rows = db.session.execute(team.order_by(Inspection.start_on).limit(50)).scalars()
    return jsonify({"inspections": [serializers.inspection_summary(i) for i in rows]})


@bp.route("/inspections/<int:inspection_id>")
@login_required
@permissions.scoped_view(Inspection, "inspection_id", "inspection.view")
def inspection_detail(inspection: Inspection):
    """Everything the tablet needs to work this inspection offline."""
    items = db.session.execute(select(ChecklistItem).where(ChecklistItem.template_id == inspection.template_id)
                               .order_by(ChecklistItem.position)).scalars().all()
    results = db.session.execute(select(CheckResult).where(CheckResult.inspection_id == inspection.id)).scalars()
    findings = scoping.scope(select(Finding).where(Finding.inspection_id == inspection.id), current_user, Finding)
    closed = inspection.minutes_closed_at is not None
    record = serializers.minutes_dict(inspection, minutes.content_hash(inspection) if closed else None,
                                      minutes.signatures(inspection) if closed else [])
    return jsonify(serializers.inspection_detail(inspection, items, results.all(),
                                                 db.session.execute(findings).scalars().all(), record))


@bp.route("/inspections/<int:inspection_id>/start", methods=["POST"])
@login_required
@permissions.scoped_view(Inspection, "inspection_id", "inspection.conduct")
def start(inspection: Inspection):
    """Start the inspection on site (device time)."""
    return _json(start_item(inspection, payloads.body()))


@bp.route("/inspections/<int:inspection_id>/results", methods=["POST"])
@login_required
@permissions.scoped_view(Inspection, "inspection_id", "inspection.conduct")
def record_result(inspection: Inspection):
    """Record (or, with the current version, edit) the result of one checklist item."""
    return _json(result_item(inspection, payloads.body(), request.headers.get("X-On-Conflict") == "propose"))


@bp.route("/inspections/<int:inspection_id>/findings", methods=["POST"])
@login_required
@permissions.scoped_view(Inspection, "inspection_id", "inspection.conduct")
def record_finding(inspection: Inspection):
    """Record a free finding (not tied to a checklist item)."""
    return _json(finding_item(inspection, payloads.body()))


def _json(answer: tuple[dict, int]):
    return jsonify(answer[0]), answer[1]


# The items of a write, shared by the routes above and the batch (inspection/api/batch.py): each
# takes the inspection (already scoped and checked) and the item's JSON body, and returns (body, status).

def start_item(inspection: Inspection, data: dict) -> tuple[dict, int]:
    fieldwork.start_inspection(current_user, inspection, device_time=payloads.moment(data),
                               location=payloads.text(data, "location", limit=300))
    return _answer(inspection)


def result_item(inspection: Inspection, data: dict, propose: bool = False, replayed: bool | None = None):
    if replayed is None:  # (the batch knows it for all its items at once)
        replayed = fieldwork.already_stored(CheckResult, data.get("client_uuid"))
    record = fieldwork.record_result(
        current_user, inspection, item_id=payloads.integer(data, "item_id"),
        value=payloads.text(data, "value", required=True, limit=20),
        client_uuid=payloads.text(data, "client_uuid", required=True, limit=36),
        device_time=payloads.moment(data), note=payloads.text(data, "note"),
        severity=payloads.text(data, "severity", limit=20) or None,
        description=payloads.text(data, "description"), version=payloads.integer(data, "version", required=False),
        propose_on_conflict=propose)
    # an earlier write of the item, replayed after a later one: answered with the current result
    superseded = isinstance(record, CheckResult) and record.client_uuid != data.get("client_uuid")
    return _stored(record, bool(replayed or superseded))


def finding_item(inspection: Inspection, data: dict, replayed: bool | None = None) -> tuple[dict, int]:
    if replayed is None:
        replayed = fieldwork.already_stored(Finding, data.get("client_uuid"))
    record = fieldwork.record_finding(
        current_user, inspection, description=payloads.text(data, "description", required=True),
        severity=payloads.text(data, "severity", required=True, limit=20),
        client_uuid=payloads.text(data, "client_uuid", required=True, limit=36),
        device_time=payloads.moment(data), latitude=data.get("latitude"), longitude=data.get("longitude"))
    return _stored(record, replayed)


def close_item(inspection: Inspection, data: dict) -> tuple[dict, int]:
    minutes.close_minutes(current_user, inspection,
                          representative_name=payloads.text(data, "representative_name", required=True, limit=120),
                          representative_title=payloads.text(data, "representative_title", limit=120),
                          device_time=payloads.moment(data), parts=payloads.minutes_parts(data))
    return _answer(inspection)


def sign_item(inspection: Inspection, data: dict) -> tuple[dict, int]:
    """One side's signature drawn on the tablet (a PNG as base64), bound to the minutes' content hash."""
    uuid = payloads.text(data, "client_uuid", required=True, limit=36)
    replayed = minutes.already_signed(uuid)
    signature = minutes.sign_minutes(
        current_user, inspection, role=payloads.text(data, "role", required=True, limit=10),
        image=payloads.png(data, "image"),
        content_hash_signed=payloads.text(data, "content_hash", required=True, limit=64),
        client_uuid=uuid, device_time=payloads.moment(data), device=payloads.text(data, "device", limit=200))
    return _stored(signature, replayed, {"signature": serializers.signature_dict(signature)})


@bp.route("/findings/<int:finding_id>/photos", methods=["POST"])
@login_required
@permissions.scoped_view(Finding, "finding_id", "finding.view")
def add_photo(finding: Finding):
    """Upload one photo of a finding (multipart: file, client_uuid, device_time, optional sha256)."""
    return _store_photo(finding)


@bp.route("/inspections/<int:inspection_id>/photos", methods=["POST"])
@login_required
@permissions.scoped_view(Inspection, "inspection_id", "inspection.conduct")
def add_photo_by_uuid(inspection: Inspection):
    """Upload a photo addressed by its finding's client UUID (form field finding_uuid): a photo taken
    offline, before its finding had a server id."""
    if request.files.get("file") is None:
        raise ValidationError("Thiếu tệp ảnh.", field="file")
    finding_uuid = payloads.text(request.form.to_dict(), "finding_uuid", required=True, limit=36)
    finding = db.session.execute(select(Finding).where(
        Finding.client_uuid == finding_uuid, Finding.inspection_id == inspection.id)).scalar_one_or_none()
    if finding is None:
        raise NotFound("Chưa có tồn tại với mã định danh này: gửi tồn tại trước, rồi gửi ảnh.")
    return _store_photo(finding)


def _store_photo(finding: Finding):
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError("Thiếu tệp ảnh.", field="file")
    form = request.form.to_dict()
    digest = _checked_digest(upload.stream, form.get("sha256", ""))
    replayed = fieldwork.already_stored(FindingPhoto, form.get("client_uuid"))
    photo = fieldwork.add_photo(current_user, finding, stream=upload.stream, filename=upload.filename or "anh.jpg",
                                client_uuid=payloads.text(form, "client_uuid", required=True, limit=36),
                                device_time=payloads.moment(form), kind=form.get("kind", "before"), sha256=digest)
    if isinstance(photo, Correction):
        return _json(_stored(photo, replayed))
    return _json(_stored(photo, replayed, {"photo": {"id": photo.id, "client_uuid": photo.client_uuid,
                                                     "finding_id": finding.id, "sha256": digest}}))


def _checked_digest(stream, claimed: str) -> str:
    """The sha256 of the uploaded bytes; a claimed digest that does not match them → 422."""
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1 << 16), b""):
        digest.update(chunk)
    stream.seek(0)
    if claimed and claimed.lower() != digest.hexdigest():
        raise ValidationError("Ảnh tải lên không khớp mã kiểm tra (sha256): ảnh bị hỏng khi truyền, gửi lại.",
                              field="sha256")
    return digest.hexdigest()


@bp.route("/inspections/<int:inspection_id>/close-minutes", methods=["POST"])
@login_required
@permissions.scoped_view(Inspection, "inspection_id", "inspection.lead")
def close_minutes(inspection: Inspection):
    """The team lead closes the minutes, naming the unit's representative."""
    return _json(close_item(inspection, payloads.body()))


@bp.route("/inspections/<int:inspection_id>/minutes-signatures", methods=["POST"])
@login_required
@permissions.scoped_view(Inspection, "inspection_id", "inspection.lead")
def sign_minutes(inspection: Inspection):
    """A signature drawn on the tablet by the team lead or the unit's representative."""
    return _json(sign_item(inspection, payloads.body()))
