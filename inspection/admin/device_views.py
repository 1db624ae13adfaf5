"""Administration of registered tablets: the devices of the users in the administrator's scope,
and revoking one (its token stops working at once; the tablet keeps its unsynced items)."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import Device, db

from ..errors import InvalidTransition
from ..security import permissions
from . import bp, devices
from .forms import ActionForm


@bp.route("/devices")
@login_required
def user_devices():
    """Registered tablets of the users the administrator manages."""
    permissions.require(current_user, "user.manage")
    rows = db.session.execute(devices.visible_devices(current_user).limit(500)).scalars().all()
    return render_template("admin/devices.html", devices=rows, form=ActionForm())


@bp.route("/devices/<int:device_id>/revoke", methods=["POST"])
@login_required
@permissions.scoped_view(Device, "device_id", "user.manage")
def revoke_user_device(device: Device):
    """Revoke one tablet's token."""
    if ActionForm().validate_on_submit():
        try:
            devices.revoke_device(current_user, device)
        except InvalidTransition as exc:
            flash(_(exc.message), "error")
        else:
            flash(_("Đã thu hồi thiết bị “%(name)s”: máy này không đồng bộ được bằng mã thiết bị nữa.",
                    name=device.name), "success")
    return redirect(url_for("admin.user_devices"), 303)
