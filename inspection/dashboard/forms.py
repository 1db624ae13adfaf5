"""The dashboard's filters (GET, no CSRF): period, PAR area, unit. Shape only; a bad value is
reported next to its field and the default is used instead."""

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import NumberRange, Optional, ValidationError

from ..web.base_forms import Form
from . import period as periods

BAD_CHOICE = _l("Lựa chọn không hợp lệ, vui lòng chọn lại.")


def int_or_none(value):
    """"" (no choice) is None; anything but digits is refused (ValueError → the field's message)."""
    if value in (None, ""):
        return None
    if not str(value).isdigit():
        raise ValueError(value)
    return int(value)


class MonthField(StringField):
    """A month: yyyy-mm (a month picker) or mm/yyyy."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"placeholder": "mm/yyyy", "type": "month", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        self.raw_data = valuelist
        text = (valuelist[0] if valuelist else "").strip()
        self.data = periods.parse_month(text) if text else None
        if text and self.data is None:
            raise ValueError(_("Tháng “%(text)s” không hợp lệ (nhập theo dạng mm/yyyy, ví dụ 03/2026).",
                               text=text[:20]))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:%Y-%m}" if self.data else ""


def _a_quarter(form, field):
    if field.data is not None and field.data not in periods.ROMAN:
        raise ValidationError(BAD_CHOICE)


class DashboardFilterForm(Form):
    class Meta:
        csrf = False

    period = SelectField(_l("Kỳ báo cáo"), default="year", invalid_choice_message=BAD_CHOICE, choices=[
        SelectChoice("month", _l("Tháng")), SelectChoice("quarter", _l("Quý")),
        SelectChoice("year", _l("Năm")), SelectChoice("custom", _l("Khoảng tháng tùy chọn"))])
    year = IntegerField(_l("Năm"), validators=[Optional(), NumberRange(2000, 2100, _l("Năm từ 2000 đến 2100."))],
                        render_kw={"inputmode": "numeric"})
    quarter = SelectField(_l("Quý"), coerce=int_or_none, validate_choice=False, validators=[_a_quarter],
                          invalid_value_message=BAD_CHOICE,
                          choices=[SelectChoice(str(q), _l("Quý %(q)s", q=r)) for q, r in periods.ROMAN.items()])
    month = MonthField(_l("Tháng"))
    start = MonthField(_l("Từ tháng"))
    end = MonthField(_l("Đến tháng"))
    area_id = SelectField(_l("Lĩnh vực"), coerce=int_or_none, choices=[], invalid_value_message=BAD_CHOICE,
                          invalid_choice_message=BAD_CHOICE)
    unit_id = SelectField(_l("Đơn vị"), coerce=int_or_none, choices=[], validate_choice=False,
                          invalid_value_message=BAD_CHOICE)

    def value(self, name):
        """The field's value, or None when it is invalid (its error is shown)."""
        return None if self[name].errors else self[name].data

    def chosen_period(self, today: date) -> periods.Period:
        """The period the filters describe; the current year when they are incomplete or wrong."""
        year = self.value("year") or today.year
        kind = self.value("period") or "year"
        if kind == "month":
            return periods.month_period(self.value("month") or today.replace(day=1))
        if kind == "quarter":
            return periods.quarter_period(year, self.value("quarter") or periods.quarter_of(today))
        if kind == "custom":
            return self._custom(today)
        return periods.year_period(year)

    def _custom(self, today: date) -> periods.Period:
        start, end = self.value("start"), self.value("end")
        if start is None or end is None:
            if not (self.start.errors or self.end.errors):
                self.end.errors = [*self.end.errors, _("Chọn cả tháng bắt đầu và tháng kết thúc.")]
            return periods.year_period(today.year)
        try:
            return periods.custom_period(start, end)
        except ValueError as exc:
            self.end.errors = [*self.end.errors, str(exc)]
            return periods.year_period(today.year)

    def show(self, chosen: periods.Period, today: date) -> None:
        """Fill the fields left empty with the period shown, so the form reads as the page does."""
        defaults = {"period": chosen.kind, "year": chosen.first.year, "quarter": periods.quarter_of(chosen.first),
                    "month": chosen.first if chosen.kind == "month" else today.replace(day=1),
                    "start": chosen.first, "end": chosen.last.replace(day=1)}
        for name, value in defaults.items():
            field = self[name]
            if not field.raw_data and not field.errors:
                field.data = value
