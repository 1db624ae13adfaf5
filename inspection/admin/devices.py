"""Registered tablets: an inspector registers one (its token is shown once, kept hashed), the sync
API accepts the token as that user, an administrator of the user's units revokes it."""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from models import Device, Inspection, InspectionMember, User, db, utcnow
from models.enums import InspectionStatus, Role

from ..data.transaction import unit_of_work
from ..errors import Forbidden, InvalidTransition, NotFound, ValidationError
from ..language.text import nfc
from ..security import audit, permissions, scoping

TOKEN_PREFIX = "cchc_"
FIELD_STATES = (InspectionStatus.PLANNED, InspectionStatus.ANNOUNCED, InspectionStatus.IN_PROGRESS)
_TOUCH_EVERY = timedelta(minutes=5)  # last_used_at is a hint for the administrator, not a log


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def captures_in_the_field(actor: User) -> bool:
    """Inspectors, and whoever is on the team of an inspection not yet finished on site (a leader or
    an officer of another unit seconded to a team): the people who capture on a tablet."""
    if Role.INSPECTOR in actor.roles:
        return True
    stmt = (select(InspectionMember.id).join(Inspection, Inspection.id == InspectionMember.inspection_id)
            .where(InspectionMember.user_id == actor.id, Inspection.status.in_(FIELD_STATES)).limit(1))
    return db.session.execute(stmt).first() is not None


def register_device(actor: User, *, name: str) -> tuple[Device, str]:
    """Register the actor's tablet; returns the device and its token (shown once, never stored).
    Only for who captures in the field: an officer's or head's token would be a standing
    credential with nothing to sync."""
    if not captures_in_the_field(actor):
        raise Forbidden("Chỉ thành viên đoàn kiểm tra (người ghi nhận kết quả tại hiện trường) mới đăng ký "
                        "thiết bị đồng bộ.")
    name = nfc(name).strip()
    if not name or len(name) > 80:
        raise ValidationError("Đặt tên thiết bị (tối đa 80 ký tự), ví dụ: Máy tính bảng đoàn 1.", field="name")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with unit_of_work():
        device = Device(user_id=actor.id, name=name, token_hash=token_hash(token))
        db.session.add(device)
        db.session.flush()
        audit.record(actor, "device.registered", "device", device.id, unit_id=_unit_of(actor),
                     after={"name": name, "user": actor.id})
    return device, token


def authenticate_device(token: str) -> Device:
    """The active device behind a bearer token, its user active; NotFound (→ 401) otherwise."""
    device = db.session.execute(select(Device).where(Device.token_hash == token_hash(token))).scalar_one_or_none()
    if device is None or device.revoked_at is not None or not device.user.is_active:
        raise NotFound("Thiết bị đã bị thu hồi hoặc không còn hiệu lực: đăng nhập lại để đồng bộ; "
                       "dữ liệu vẫn được giữ trên máy.")
    now = utcnow()
    if device.last_used_at is None or now - device.last_used_at > _TOUCH_EVERY:
        device.last_used_at = now
        db.session.commit()
    return device


def visible_devices(actor: User):
    """The devices of the users the actor administers, newest first."""
    users = scoping.scope(select(User.id), actor, User)
    return select(Device).where(Device.user_id.in_(users)).order_by(Device.revoked_at.is_not(None),
                                                                     Device.created_at.desc())


def get_device_or_404(actor: User, device_id) -> Device:
    device = db.session.execute(visible_devices(actor).where(Device.id == device_id)).scalar_one_or_none()
    if device is None:
        raise NotFound()
    return device


def revoke_device(actor: User, device: Device) -> Device:
    """An administrator revokes a device: its token stops working at once (the tablet keeps its queue)."""
    permissions.require(actor, "user.manage", device.user)
    if device.revoked_at is not None:
        raise InvalidTransition("Thiết bị này đã bị thu hồi.")
    with unit_of_work():
        device.revoked_at, device.revoked_by_id = utcnow(), actor.id
        audit.record(actor, "device.revoked", "device", device.id, unit_id=_unit_of(device.user),
                     after={"name": device.name, "user": device.user_id})
    return device


def revoke_user_devices(actor: User, user: User, reason: str) -> int:
    """Within the caller's unit of work (a password reset, a deactivation): revoke every active device
    of `user`, one audit event each; returns how many."""
    active = db.session.execute(select(Device).where(Device.user_id == user.id,
                                                     Device.revoked_at.is_(None))).scalars().all()
    for device in active:
        device.revoked_at, device.revoked_by_id = utcnow(), actor.id
        audit.record(actor, "device.revoked", "device", device.id, unit_id=_unit_of(user),
                     after={"name": device.name, "user": user.id, "reason": reason})
    return len(active)


def _unit_of(user: User) -> int | None:
    return user.memberships[0].unit_id if user.memberships else None
