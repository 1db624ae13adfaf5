"""On site: start, one result per checklist item, findings, photos, closing the minutes.

Every submission carries a client-generated UUID, so a double tap, a retry or an offline sync
stores it once. After the minutes are closed, every edit becomes a pending correction."""

from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import literal, select, union_all
from sqlalchemy.exc import IntegrityError

from models import (
    Attachment,
    ChecklistItem,
    CheckResult,
    CheckResultWrite,
    Correction,
    Finding,
    FindingPhoto,
    Inspection,
    OrgUnit,
    db,
    utcnow,
)
from models.enums import CheckValue, InspectionStatus, NotificationKind, Severity

from ..data.transaction import unit_of_work
from ..errors import Conflict, InvalidTransition, ValidationError
from ..files.photos import store_photo
from ..language.formatting import TZ
from ..language.i18n import N_
from ..language.text import fold, nfc
from ..main.notifications import notify
from ..security import audit, permissions
from .common import link, target_members, transition
from .team_rule import check_team

_STALE_RESULT = N_("Tiêu chí này vừa được người khác cập nhật. Tải lại để xem kết quả hiện tại.")
CLOSED_STATES = (InspectionStatus.MINUTES_CLOSED, InspectionStatus.CONCLUSION_DRAFTED)


def check_capture_time(inspection: Inspection, device_time: datetime) -> None:
    """Capture time must fall within the inspection's dates (local) and not lie in the future (the
    server's clock), allowing device clock skew either way."""
    if not isinstance(device_time, datetime) or device_time.tzinfo is None:
        raise ValidationError("Thiếu thời điểm ghi nhận trên thiết bị.", field="device_time")
    skew = timedelta(minutes=current_app.config.get("CAPTURE_SKEW_MINUTES", 120))
    ahead = timedelta(minutes=current_app.config.get("CAPTURE_FUTURE_MINUTES", skew.total_seconds() // 60))
    if device_time > utcnow() + ahead:
        message = (f"Thời điểm ghi nhận ({device_time.astimezone(TZ):%H:%M %d/%m/%Y}) ở tương lai, vượt quá độ "
                   "lệch đồng hồ cho phép. Kiểm tra lại đồng hồ thiết bị.")  # like the message below: untranslated
        raise ValidationError(message, field="device_time")
    opens = datetime.combine(inspection.start_on, time.min, TZ) - skew
    closes = datetime.combine(inspection.end_on + timedelta(days=1), time.min, TZ) + skew
    if not opens <= device_time <= closes:
        raise ValidationError(
            f"Thời điểm ghi nhận ({device_time.astimezone(TZ):%H:%M %d/%m/%Y}) nằm ngoài thời gian kiểm tra "
            f"({inspection.start_on:%d/%m/%Y}–{inspection.end_on:%d/%m/%Y}). Kiểm tra lại đồng hồ thiết bị.",
            field="device_time")


def start_inspection(actor, inspection: Inspection, *, device_time: datetime, location: str = "") -> Inspection:
    """The team starts the inspection on site; a surprise one becomes visible to its unit now."""
    permissions.require(actor, "inspection.conduct", inspection)
    check_capture_time(inspection, device_time)
    check_team(inspection.kind, db.session.get(OrgUnit, inspection.unit_id), [m.user_id for m in inspection.members])
    with unit_of_work():
        transition(actor, inspection, "start_inspection", started_at=device_time)
        inspection.started_at, inspection.location = device_time, nfc(location)
        notify(target_members(inspection), NotificationKind.ANNOUNCED,
               N_("Đoàn kiểm tra bắt đầu làm việc: %(title)s"), link(inspection),
               params={"title": inspection.title[:200]})
    return inspection


def _open_for_edit(inspection: Inspection) -> bool:
    """True while edits apply directly; False once the minutes are closed (edits become corrections)."""
    if inspection.status == InspectionStatus.IN_PROGRESS:
        return True
    if inspection.status in CLOSED_STATES:
        return False
    raise InvalidTransition("Cuộc kiểm tra chưa bắt đầu hoặc đã kết thúc: không ghi nhận kết quả.")


def _item(inspection: Inspection, item_id) -> ChecklistItem:
    item = db.session.get(ChecklistItem, int(item_id or 0))
    if item is None or item.template_id != inspection.template_id:
        raise ValidationError("Tiêu chí không thuộc bộ tiêu chí của cuộc kiểm tra này.", field="item_id")
    return item


def _validate_result(value: str, severity: str | None, description: str) -> None:
    if value not in set(CheckValue):
        raise ValidationError("Kết quả phải là Đạt, Không đạt hoặc Không áp dụng.", field="value")
    if value == CheckValue.NON_COMPLIANT:
        if not description:
            raise ValidationError("Tiêu chí không đạt: nhập mô tả tồn tại, hạn chế.", field="description")
        if severity not in set(Severity):
            raise ValidationError("Chọn mức độ của tồn tại.", field="severity")


def record_result(actor, inspection: Inspection, *, item_id, value: str, client_uuid: str, device_time: datetime,
                  note: str = "", severity: str | None = None, description: str = "", version=None,
                  propose_on_conflict: bool = False):
    """Record one result per item; a non_compliant result is a finding. Idempotent by client UUID.
    Returns the CheckResult, or a pending Correction once the minutes are closed — or, for a write
    synced from the tablet's queue (`propose_on_conflict`), when another member changed the item since
    the version it carries. The inspector's own later edits of the item apply (the last one wins; the
    audit trail keeps every one)."""
    permissions.require(actor, "inspection.conduct", inspection)
    description = nfc(description)
    content = {"item_id": item_id, "value": value, "note": nfc(note)}
    if (done := _already(CheckResult, client_uuid, inspection, content)) is not None:
        return done
    item = _item(inspection, item_id)
    _validate_result(value, severity, description)
    check_capture_time(inspection, device_time)
    payload = {"op": "result", "item_id": item.id, "value": value, "note": nfc(note), "severity": severity,
               "description": description}
    if not _open_for_edit(inspection):
        return _propose(actor, inspection, payload, client_uuid, device_time)
    if propose_on_conflict and (current := _current_version(inspection, item.id)) != version:
        writes = _writes_since(inspection, item.id, version, current)
        if any(uuid == client_uuid for _, uuid in writes or ()):
            return _result_of(inspection, item.id)  # this very write, stored and since superseded: a replay
        if writes is None or any(author != actor.id for author, _ in writes):
            return _propose(actor, inspection, payload, client_uuid, device_time, reason="changed_meanwhile")
        version = current  # only this inspector wrote it since: their later edit applies
    return _guarded(lambda: _apply_result(actor, inspection, payload, client_uuid, device_time, version),
                    CheckResult, client_uuid, inspection)


def _result_of(inspection: Inspection, item_id: int) -> CheckResult | None:
    return db.session.execute(select(CheckResult).where(
        CheckResult.inspection_id == inspection.id, CheckResult.item_id == item_id)).scalar_one_or_none()


def _current_version(inspection: Inspection, item_id: int) -> int | None:
    result = _result_of(inspection, item_id)
    return result.version if result else None


def _writes_since(inspection: Inspection, item_id: int, seen, current: int | None) -> list[tuple] | None:
    """(author id, client UUID) of each save of the item after the version `seen` (None: never
    seen), newest first; None when `seen` is no version of it (check_result_write keeps every save)."""
    if current is None:
        return []
    if seen is not None and not (isinstance(seen, int) and 0 <= seen <= current):
        return None
    return [tuple(row) for row in db.session.execute(
        select(CheckResultWrite.author_id, CheckResultWrite.client_uuid)
        .join(CheckResult, CheckResult.id == CheckResultWrite.result_id)
        .where(CheckResult.inspection_id == inspection.id, CheckResult.item_id == item_id,
               CheckResultWrite.version > (seen or 0))
        .order_by(CheckResultWrite.version.desc()))]


def already_stored(model, client_uuid: str) -> bool:
    """Whether a record (or a pending correction) with this client UUID is stored: a resubmission."""
    if not isinstance(client_uuid, str) or len(client_uuid) != 36:
        return False
    return _taken(model, client_uuid)


def stored_uuids(uuids) -> set[tuple[str, str]]:
    """(kind, client UUID) of those of `uuids` already stored as a result, a finding or a pending
    correction: one query for a whole batch."""
    uuids = [u for u in uuids if isinstance(u, str) and len(u) == 36]
    if not uuids:
        return set()
    parts = [select(literal(kind), model.client_uuid).where(model.client_uuid.in_(uuids))
             for kind, model in (("result", CheckResult), ("finding", Finding), ("correction", Correction))]
    return {tuple(row) for row in db.session.execute(union_all(*parts))}


def _taken(model, client_uuid: str) -> bool:
    """One query (the usual answer is no: a new UUID) over the model and the pending corrections."""
    taken = select(model.id).where(model.client_uuid == client_uuid).union_all(
        select(Correction.id).where(Correction.client_uuid == client_uuid))
    return db.session.execute(taken.limit(1)).first() is not None


def _already(model, client_uuid: str, inspection: Inspection, content: dict | None = None):
    """The record this client UUID already created (a retry), or None. Another inspection's → refused;
    the same UUID with different `content` → 409, never an overwrite."""
    if not client_uuid or len(client_uuid) != 36:
        raise ValidationError("Thiếu mã định danh của bản ghi (UUID).", field="client_uuid")
    if not _taken(model, client_uuid):
        return None
    found = db.session.execute(select(model).where(model.client_uuid == client_uuid)).scalar_one_or_none()
    if found is None:
        found = db.session.execute(select(Correction).where(Correction.client_uuid == client_uuid)).scalar_one_or_none()
    if found is not None and _inspection_of(found) != inspection.id:
        raise ValidationError("Mã định danh bản ghi đã được dùng cho cuộc kiểm tra khác.", field="client_uuid")
    if found is not None and content and _differs(found, content):
        raise Conflict("Mã định danh này đã được dùng cho một nội dung khác: bản ghi đã lưu được giữ nguyên.",
                       current=stored_content(found))
    return found


def _inspection_of(found) -> int:
    if isinstance(found, FindingPhoto):
        return db.session.get(Finding, found.finding_id).inspection_id
    return found.inspection_id


def stored_content(found) -> dict:
    """What a stored record says, in the terms of a resubmission (for the same-UUID check)."""
    if isinstance(found, Correction):
        return {k: v for k, v in found.payload.items() if k not in ("op", "original_id", "display_id")}
    if isinstance(found, CheckResult):
        return {"item_id": found.item_id, "value": found.value, "note": found.note}
    if isinstance(found, FindingPhoto):
        original = db.session.get(Attachment, found.original_id)
        return {"finding_id": found.finding_id, "sha256": original.sha256}
    return {"severity": found.severity, "description": found.description}


def _differs(found, content: dict) -> bool:
    stored = stored_content(found)
    return any(key in stored and stored[key] != value for key, value in content.items())


def _guarded(work, model, client_uuid: str, inspection: Inspection):
    """Run `work`; when a concurrent retry won the race, return what it stored."""
    try:
        return work()
    except IntegrityError as exc:
        if (done := _already(model, client_uuid, inspection)) is not None:
            return done
        raise Conflict(_STALE_RESULT) from exc


def _apply_result(actor, inspection, payload: dict, client_uuid: str, device_time, version) -> CheckResult:
    existing = db.session.execute(select(CheckResult).where(
        CheckResult.inspection_id == inspection.id, CheckResult.item_id == payload["item_id"])).scalar_one_or_none()
    if existing is not None and str(existing.version) != str(version):
        raise Conflict(_STALE_RESULT, current={"value": existing.value, "note": existing.note,
                                               "version": existing.version})
    with unit_of_work():
        result = existing or CheckResult(inspection_id=inspection.id, item_id=payload["item_id"])
        before = {"value": result.value, "note": result.note} if existing else None
        result.value, result.note, result.client_uuid = payload["value"], payload["note"], client_uuid
        result.device_time, result.received_at, result.recorded_by_id = device_time, utcnow(), actor.id
        db.session.add(result)
        db.session.flush()
        db.session.add(CheckResultWrite(result_id=result.id, version=result.version, author_id=actor.id,
                                        client_uuid=client_uuid))
        _sync_finding(actor, inspection, result, payload, device_time)
        audit.record(actor, "inspection.result", "check_result", result.id, unit_id=inspection.unit_id,
                     before=before, after={"item_id": result.item_id, "value": result.value, "note": result.note,
                                           "client_uuid": client_uuid})
    return result


def _sync_finding(actor, inspection, result: CheckResult, payload: dict, device_time) -> None:
    finding = db.session.execute(select(Finding).where(Finding.check_result_id == result.id)).scalar_one_or_none()
    if payload["value"] != CheckValue.NON_COMPLIANT:
        if finding is not None and not finding.photos:
            db.session.delete(finding)
        return
    if finding is None:
        finding = Finding(inspection_id=inspection.id, unit_id=inspection.unit_id, item_id=result.item_id,
                          check_result_id=result.id, client_uuid=result.client_uuid, recorded_by_id=actor.id,
                          photos=[])  # none yet: known without a query
        db.session.add(finding)
    finding.severity, finding.description = payload["severity"], payload["description"]
    finding.description_folded, finding.device_time = fold(payload["description"]), device_time


def record_finding(actor, inspection: Inspection, *, description: str, severity: str, client_uuid: str,
                   device_time: datetime, latitude=None, longitude=None):
    """A free observation not tied to an item. Idempotent by client UUID."""
    permissions.require(actor, "inspection.conduct", inspection)
    description = nfc(description)
    if (done := _already(Finding, client_uuid, inspection, {"severity": severity, "description": description})):
        return done
    _validate_result(CheckValue.NON_COMPLIANT, severity, description)
    check_capture_time(inspection, device_time)
    payload = {"op": "finding", "description": description, "severity": severity,
               "latitude": _coordinate(latitude, 90), "longitude": _coordinate(longitude, 180)}
    if not _open_for_edit(inspection):
        return _propose(actor, inspection, payload, client_uuid, device_time)
    return _guarded(lambda: _apply_finding(actor, inspection, payload, client_uuid, device_time),
                    Finding, client_uuid, inspection)


def _coordinate(value, limit: int):
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError("Tọa độ không hợp lệ.", field="latitude") from exc
    if not -limit <= number <= limit:
        raise ValidationError("Tọa độ không hợp lệ.", field="latitude")
    return round(number, 6)


def _apply_finding(actor, inspection, payload: dict, client_uuid: str, device_time) -> Finding:
    with unit_of_work():
        finding = Finding(inspection_id=inspection.id, unit_id=inspection.unit_id, severity=payload["severity"],
                          description=payload["description"], description_folded=fold(payload["description"]),
                          client_uuid=client_uuid, device_time=device_time, recorded_by_id=actor.id,
                          latitude=payload.get("latitude"), longitude=payload.get("longitude"),
                          photos=[])  # none yet: answering with the finding needs no query for them
        db.session.add(finding)
        db.session.flush()
        audit.record(actor, "inspection.finding", "finding", finding.id, unit_id=inspection.unit_id,
                     after={"severity": finding.severity, "description": finding.description})
    return finding


def add_photo(actor, finding: Finding, *, stream, filename: str, client_uuid: str, device_time: datetime,
              kind: str = "before", sha256: str | None = None):
    """Attach a photo to a finding (original kept with its sha256; a ≈1600 px copy for pages and PDFs)."""
    inspection = db.session.get(Inspection, finding.inspection_id)
    permissions.require(actor, "inspection.conduct", inspection)
    content = {"finding_id": finding.id} | ({"sha256": sha256} if sha256 else {})
    if (done := _already(FindingPhoto, client_uuid, inspection, content)) is not None:
        return done
    check_capture_time(inspection, device_time)
    direct = _open_for_edit(inspection)
    with unit_of_work():
        original, display = store_photo(stream, filename, unit_id=inspection.unit_id, uploaded_by_id=actor.id)
        db.session.flush()
        payload = {"op": "photo", "finding_id": finding.id, "original_id": original.id, "display_id": display.id}
        if not direct:
            return _propose(actor, inspection, payload, client_uuid, device_time)
        photo = _apply_photo(actor, inspection, payload, client_uuid, device_time)
    return photo


def _apply_photo(actor, inspection, payload: dict, client_uuid: str, device_time) -> FindingPhoto:
    photo = FindingPhoto(finding_id=payload["finding_id"], original_id=payload["original_id"],
                         display_id=payload["display_id"], client_uuid=client_uuid, device_time=device_time)
    db.session.add(photo)
    db.session.flush()
    audit.record(actor, "inspection.photo", "finding", payload["finding_id"], unit_id=inspection.unit_id,
                 after={"photo": photo.id})
    return photo


def unmarked_items(inspection: Inspection) -> int:
    items = select(ChecklistItem.id).where(ChecklistItem.template_id == inspection.template_id)
    marked = select(CheckResult.item_id).where(CheckResult.inspection_id == inspection.id)
    stmt = select(db.func.count()).select_from(items.where(ChecklistItem.id.not_in(marked)).subquery())
    return db.session.execute(stmt).scalar_one()


def _propose(actor, inspection, payload: dict, client_uuid: str, device_time,
             reason: str = "minutes_closed") -> Correction:
    with unit_of_work():
        correction = Correction(inspection_id=inspection.id, target_type=payload["op"], reason=reason,
                                target_id=payload.get("item_id") or payload.get("finding_id"), payload=payload,
                                client_uuid=client_uuid, proposed_by_id=actor.id, device_time=device_time)
        db.session.add(correction)
        db.session.flush()
        audit.record(actor, "inspection.correction_proposed", "correction", correction.id,
                     unit_id=inspection.unit_id, after=payload | {"reason": reason})
        lead = [m.user_id for m in inspection.members if m.role == "lead" and m.user_id != actor.id]
        notify(lead, NotificationKind.SYSTEM, N_("Đề nghị sửa biên bản: %(title)s"), link(inspection),
               params={"title": inspection.title[:200]})
    return correction


def decide_correction(actor, correction: Correction, *, accept: bool, note: str = "") -> Correction:
    """The team lead accepts (it joins the addendum, biên bản bổ sung) or rejects a correction."""
    inspection = db.session.get(Inspection, correction.inspection_id)
    permissions.require(actor, "inspection.lead", inspection)
    if correction.status != "pending":
        raise InvalidTransition("Đề nghị sửa này đã được quyết định.")
    with unit_of_work():
        correction.status = "accepted" if accept else "rejected"
        correction.decided_by_id, correction.decided_at, correction.decision_note = actor.id, utcnow(), nfc(note)
        if accept:
            _apply_correction(actor, inspection, correction)
        audit.record(actor, f"inspection.correction_{correction.status}", "correction", correction.id,
                     unit_id=inspection.unit_id, after={"note": correction.decision_note})
    return correction


def _apply_correction(actor, inspection, correction: Correction) -> None:
    payload, uuid, when = correction.payload, correction.client_uuid, correction.device_time
    if payload["op"] == "result":
        existing = db.session.execute(select(CheckResult).where(
            CheckResult.inspection_id == inspection.id, CheckResult.item_id == payload["item_id"])).scalar_one_or_none()
        _apply_result(actor, inspection, payload, uuid, when, existing.version if existing else None)
    elif payload["op"] == "finding":
        _apply_finding(actor, inspection, payload, uuid, when)
    elif payload["op"] == "photo":
        _apply_photo(actor, inspection, payload, uuid, when)
