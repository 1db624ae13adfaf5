"""The base forms every feature's forms extend (every text field arrives NFC-normalised, DESIGN "Text";
WTForms' own messages in the user's language), and the fields they share."""

from pathlib import Path

from babel.support import Translations
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from ..language.formatting import format_date, parse_date
from ..language.text import nfc
from ..security.permissions import MAX_ID


def _nfc_filter(value):
    return nfc(value) if isinstance(value, str) else value


# WTForms ships no Vietnamese catalog: its own messages (a validator or field declared without one,
# "Field cannot be longer than 12 characters.") are translated in translations/vi/LC_MESSAGES/wtforms.po.
_CATALOGS = Path(__file__).resolve().parents[2] / "translations"
_loaded: dict[str, Translations] = {}


class _WTFormsMessages:
    """WTForms' gettext for the request's locale (English: WTForms' own text, the msgid)."""

    def _catalog(self) -> Translations:
        locale = str(get_locale())
        if locale not in _loaded:
            _loaded[locale] = Translations.load(str(_CATALOGS), [locale], domain="wtforms")
        return _loaded[locale]

    def gettext(self, string: str) -> str:
        return self._catalog().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalog().ungettext(singular, plural, n)


_MESSAGES = _WTFormsMessages()


class AppForm(FlaskForm):
    """Every form of the app: WTForms' own messages speak the user's language."""

    class Meta:
        def get_translations(self, form):
            return _MESSAGES


class Form(AppForm):
    """AppForm whose string and text fields are normalised to NFC (and stripped)."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            kind = unbound_field.field_class
            if issubclass(kind, StringField | TextAreaField) and not issubclass(kind, PasswordField):
                options["filters"] = (*options.get("filters", ()), _nfc_filter)
            return unbound_field.bind(form=form, **options)


BAD_CHOICE = _l("Lựa chọn không hợp lệ, vui lòng chọn lại.")


def record_id(value) -> int:
    """Coerce a submitted record id; one the database could not hold is invalid (a ValueError)."""
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError(value)
    return number


def int_or_none(value):
    """Coerce a select's value: "" (no choice) is None."""
    return record_id(value) if value not in (None, "") else None


class DateField(StringField):
    """A date typed dd/mm/yyyy (the ISO value of a date picker is accepted too)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"placeholder": "dd/mm/yyyy", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        self.raw_data = valuelist
        text = (valuelist[0] if valuelist else "").strip()
        self.data = parse_date(text) if text else None
        if text and self.data is None:
            raise ValueError(_("Ngày “%(text)s” không có thật hoặc sai định dạng (nhập theo dạng dd/mm/yyyy, "
                               "ví dụ 15/08/2024).", text=text[:20]))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return format_date(self.data) if self.data else ""


class CheckboxListField(SelectMultipleField):
    """Several ids ticked in a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("coerce", record_id)
        kwargs.setdefault("invalid_choice_message", BAD_CHOICE)
        kwargs.setdefault("invalid_value_message", BAD_CHOICE)
        super().__init__(label, validators, choices=[], **kwargs)

    def __iter__(self):
        """The checkboxes, each with its choice's own attributes (WTForms gives them to options only)."""
        for box in super().__iter__():
            extra = getattr(box.choice, "render_kw", None)
            if extra:
                box.render_kw = {**(box.render_kw or {}), **extra}
            yield box


def id_select(label, **kwargs):
    """A select of record ids (choices filled by the view from what the user sees)."""
    return SelectField(label, coerce=int_or_none, choices=[], invalid_choice_message=BAD_CHOICE,
                       invalid_value_message=BAD_CHOICE, **kwargs)
