"""The minutes (biên bản kiểm tra) on site: closed by the team lead with their căn cứ, times and parts,
then signed on the tablet by both sides. Each signature is bound to the content hash of the minutes
it signed (content_hash below, computed the same way by the tablet, static/js/field-minutes.js): it
is refused on other minutes or on changed content. With both signatures the minutes are issued:
numbered, no DỰ THẢO, rendered with the two signatures in their blocks."""

import hashlib
import io
import json
from datetime import datetime, time

from PIL import Image
from sqlalchemy import select

from models import CheckResult, Finding, Inspection, MinutesSignature, db
from models.enums import InspectionStatus

from ..data.transaction import unit_of_work
from ..errors import InvalidTransition, ValidationError
from ..language.formatting import TZ
from ..language.i18n import N_
from ..language.text import nfc
from ..reports.queries import issued_document
from ..reports.services import issue_signed
from ..security import audit, permissions
from .common import transition
from .fieldwork import check_capture_time, unmarked_items

SIGNER_ROLES = ("lead", "unit")
PARTS = ("other_representatives", "strengths", "team_recommendations", "unit_comments")
SIGNABLE = (InspectionStatus.MINUTES_CLOSED, InspectionStatus.CONCLUSION_DRAFTED)
MAX_PNG = 400_000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_REPLAYED = N_("Chữ ký không khớp nội dung biên bản này (chữ ký của biên bản khác, hoặc biên bản đã thay đổi "
              "sau khi ký): chữ ký bị từ chối. Tải lại biên bản và ký lại.")


def basis_missing(inspection: Inspection) -> list[str]:
    """The parts of the decision forming the team (căn cứ) still empty."""
    names = {"decision_number": "số", "decision_date": "ngày", "decision_issuer": "cơ quan ban hành",
             "decision_summary": "trích yếu"}
    return [label for name, label in names.items() if not getattr(inspection, name)]


def close_minutes(actor, inspection: Inspection, *, representative_name: str, representative_title: str,
                  device_time: datetime, parts: dict | None = None) -> Inspection:
    """The team lead closes the minutes on site: the unit's representatives, the times the team
    records, the strengths, the team's recommendations and the unit's comments. The căn cứ (the
    decision forming the team) must be complete: it may be completed here."""
    permissions.require(actor, "inspection.lead", inspection)
    parts = parts or {}
    if not nfc(representative_name):
        raise ValidationError("Nhập họ tên đại diện đơn vị được kiểm tra.", field="representative_name")
    check_capture_time(inspection, device_time)
    if missing := unmarked_items(inspection):
        raise ValidationError(f"Còn {missing} tiêu chí chưa đánh giá.")
    began, ended = _times(inspection, parts, device_time)
    with unit_of_work():
        _apply_basis(inspection, parts)
        if missing := basis_missing(inspection):
            parts_missing = ", ".join(missing)
            raise ValidationError(f"Căn cứ chưa đủ: nhập {parts_missing} của quyết định thành lập Đoàn kiểm tra trước khi lập biên bản.",  # noqa: E501
                                  field="decision_number")
        transition(actor, inspection, "close_minutes", representative=nfc(representative_name))
        inspection.representative_name = nfc(representative_name)
        inspection.representative_title = nfc(representative_title)
        inspection.minutes_began_at, inspection.minutes_ended_at = began, ended
        for name in PARTS:
            setattr(inspection, name, nfc(parts.get(name) or ""))
        inspection.minutes_closed_at = device_time
    return inspection


def _apply_basis(inspection: Inspection, parts: dict) -> None:
    for name in ("decision_number", "decision_issuer", "decision_summary"):
        if nfc(parts.get(name) or ""):
            setattr(inspection, name, nfc(parts[name]))
    if parts.get("decision_date"):
        inspection.decision_date = parts["decision_date"]


def _clock_of(value, day, field: str) -> datetime | None:
    if not value:
        return None
    try:
        hours, minutes = (int(x) for x in str(value).split(":"))
        return datetime.combine(day, time(hours, minutes), TZ)
    except (ValueError, OverflowError) as exc:
        raise ValidationError("Giờ phải có dạng HH:MM (ví dụ 08:30).", field=field) from exc


def _times(inspection: Inspection, parts: dict, device_time: datetime) -> tuple[datetime, datetime]:
    """The start and end of the session as the team lead records them (HH:MM on the start's day and
    the closing day), by default the start and the closing moments of the tablet."""
    started = inspection.started_at or device_time
    began = _clock_of(parts.get("began"), started.astimezone(TZ).date(), "began") or started
    ended = _clock_of(parts.get("ended"), device_time.astimezone(TZ).date(), "ended") or device_time
    if ended < began:
        raise ValidationError("Giờ kết thúc phải sau giờ bắt đầu buổi kiểm tra.", field="ended")
    return began, ended


def hhmm(moment: datetime | None) -> str:
    return moment.astimezone(TZ).strftime("%H:%M") if moment else ""


def content(inspection: Inspection) -> list:
    """What the signatures sign: every result and finding and the parts of the minutes, in a fixed
    order the tablet reproduces from its own copy."""
    results = db.session.execute(select(CheckResult.item_id, CheckResult.value, CheckResult.note)
                                 .where(CheckResult.inspection_id == inspection.id)).all()
    findings = db.session.execute(select(Finding.client_uuid, Finding.item_id, Finding.severity, Finding.description)
                                  .where(Finding.inspection_id == inspection.id)).all()
    return ["cchc-minutes/1", inspection.id, sorted([list(r) for r in results]),
            sorted([list(f) for f in findings], key=lambda f: f[0]),
            inspection.representative_name, inspection.representative_title, hhmm(inspection.minutes_began_at),
            hhmm(inspection.minutes_ended_at), *(getattr(inspection, name) for name in PARTS)]


def content_hash(inspection: Inspection) -> str:
    text = json.dumps(content(inspection), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def signatures(inspection: Inspection) -> list[MinutesSignature]:
    return list(db.session.execute(select(MinutesSignature).where(MinutesSignature.inspection_id == inspection.id)
                                   .order_by(MinutesSignature.role)).scalars())


def _checked_png(image: bytes) -> bytes:
    if not isinstance(image, bytes) or not image.startswith(PNG_MAGIC) or len(image) > MAX_PNG:
        raise ValidationError("Chữ ký phải là ảnh PNG (tối đa 400 KB).", field="image")
    try:
        with Image.open(io.BytesIO(image)) as png:
            png.verify()
            width, height = png.size
    except Exception as exc:  # noqa: BLE001 — any decoder error means a damaged image
        raise ValidationError("Ảnh chữ ký bị hỏng: ký lại.", field="image") from exc
    if not (40 <= width <= 2400 and 20 <= height <= 1600):
        raise ValidationError("Kích thước ảnh chữ ký không hợp lệ.", field="image")
    return image


def _signer(inspection: Inspection, role: str) -> tuple[str, str]:
    if role == "unit":
        return inspection.representative_name, inspection.representative_title
    lead = next(m.user for m in inspection.members if m.role == "lead")
    return lead.full_name, lead.title


def already_signed(client_uuid: str) -> bool:
    return db.session.execute(select(MinutesSignature.id).where(MinutesSignature.client_uuid == client_uuid)).first() \
        is not None


def _already(inspection: Inspection, client_uuid: str, digest: str) -> MinutesSignature | None:
    found = db.session.execute(select(MinutesSignature).where(MinutesSignature.client_uuid == client_uuid)).scalar()
    if found is not None and (found.inspection_id != inspection.id or found.content_hash != digest):
        raise ValidationError(_REPLAYED, field="content_hash")
    return found


def sign_minutes(actor, inspection: Inspection, *, role: str, image: bytes, content_hash_signed: str,
                 client_uuid: str, device_time: datetime, device: str = "") -> MinutesSignature:
    """One side's signature drawn on the team lead's tablet. Idempotent by client UUID; refused on
    other minutes or on content that changed since it was drawn; the second one issues the minutes."""
    permissions.require(actor, "inspection.lead", inspection)
    if (done := _already(inspection, client_uuid, content_hash_signed)) is not None:
        return done
    if role not in SIGNER_ROLES:
        raise ValidationError("Người ký phải là trưởng đoàn hoặc đại diện đơn vị được kiểm tra.", field="role")
    if inspection.status not in SIGNABLE or _issued(inspection):
        raise InvalidTransition("Biên bản chưa được lập hoặc đã hoàn tất: không ký thêm.")
    if content_hash_signed != content_hash(inspection):
        raise ValidationError(_REPLAYED, field="content_hash")
    check_capture_time(inspection, device_time)
    image = _checked_png(image)
    name, title = _signer(inspection, role)
    with unit_of_work():
        _drop_stale(inspection, role, content_hash_signed)
        signature = MinutesSignature(
            inspection_id=inspection.id, role=role, signer_name=name, signer_title=title, image=image,
            image_sha256=hashlib.sha256(image).hexdigest(), content_hash=content_hash_signed, signed_at=device_time,
            device=nfc(device)[:200], client_uuid=client_uuid, recorded_by_id=actor.id)
        db.session.add(signature)
        db.session.flush()
        audit.record(actor, "inspection.minutes_signed", "inspection", inspection.id, unit_id=inspection.unit_id,
                     after={"role": role, "signer": name, "content_hash": content_hash_signed,
                            "image_sha256": signature.image_sha256, "device": signature.device})
        if {s.role for s in signatures(inspection) if s.content_hash == content_hash_signed} == set(SIGNER_ROLES):
            _issue(actor, inspection)
    return signature


def _drop_stale(inspection: Inspection, role: str, digest: str) -> None:
    """A signature of this role on content since changed (a correction accepted) is void: it gives
    way to the new one. One on the same content stands: the side has signed."""
    for old in signatures(inspection):
        if old.role != role:
            continue
        if old.content_hash == digest:
            raise InvalidTransition("Bên này đã ký biên bản này.")
        db.session.delete(old)
        db.session.flush()


def _issued(inspection: Inspection):
    return issued_document("minutes", inspection)


def _issue(actor, inspection: Inspection) -> None:
    issue_signed(actor, "minutes", inspection)
