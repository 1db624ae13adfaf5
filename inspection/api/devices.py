"""Registering this tablet for the sync (a per-device token, shown once)."""

from flask import g, jsonify
from flask_login import current_user, login_required

from ..admin import devices
from ..errors import Forbidden
from . import bp, payloads


def device_dict(device) -> dict:
    return {"id": device.id, "name": device.name, "created_at": device.created_at.isoformat(),
            "last_used_at": device.last_used_at.isoformat() if device.last_used_at else None}


@bp.route("/devices", methods=["POST"])
@login_required
def register_device():
    """Register the signed-in user's tablet; the answer carries its token, the only time it is shown."""
    if g.get("device") is not None:
        raise Forbidden("Một thiết bị không thể đăng ký thiết bị khác: đăng nhập bằng mật khẩu.")
    data = payloads.body()
    device, token = devices.register_device(current_user, name=payloads.text(data, "name", required=True, limit=80))
    return jsonify({"device": device_dict(device), "token": token}), 201
