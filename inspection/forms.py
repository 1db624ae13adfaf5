"""The base form: every text field arrives NFC-normalised (DESIGN "Text")."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField

from .text import nfc


def _nfc_filter(value):
    return nfc(value) if isinstance(value, str) else value


class Form(FlaskForm):
    """FlaskForm whose string and text fields are normalised to NFC (and stripped)."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            kind = unbound_field.field_class
            if issubclass(kind, StringField | TextAreaField) and not issubclass(kind, PasswordField):
                options["filters"] = (*options.get("filters", ()), _nfc_filter)
            return unbound_field.bind(form=form, **options)
