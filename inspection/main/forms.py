"""The notification list's form: opening one notification."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, ValidationError

from ..web.base_forms import Form, record_id


class OpenNotificationForm(Form):
    notification_id = HiddenField()

    def validate_notification_id(self, field) -> None:
        try:
            field.data = record_id(field.data)
        except (TypeError, ValueError) as exc:
            raise ValidationError(_l("Thông báo không hợp lệ.")) from exc
