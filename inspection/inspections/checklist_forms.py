"""Checklist template forms: shape only; the rules (criteria, points, codes, areas) live in
templates.py, which checks every row at once."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import FieldList, FormField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..web.base_forms import Form
from .checklists import MAX_ITEMS

ITEM_TEXT_FIELDS = ("code", "criterion", "guidance", "points")
YEAR_RANGE = NumberRange(2000, 2100, _l("Năm áp dụng phải từ 2000 đến 2100."))


def _max_length(n: int):
    return Length(max=n, message=_l("Tối đa %(max)d ký tự.", max=n))


def _str_or_blank(value) -> str:
    return "" if value is None else str(value)


def points_text(value) -> str:
    """Points as Vietnamese write them: 2, 1,5, 0,25."""
    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal):
        return str(value)
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


class ItemForm(Form):
    """One criterion row (tiêu chí); blank rows are ignored."""

    class Meta:
        csrf = False

    code = StringField(_l("Mã"), render_kw={"placeholder": _l("tự động"), "autocomplete": "off"})
    area_id = SelectField(_l("Lĩnh vực"), choices=[], coerce=_str_or_blank, validate_choice=False)
    criterion = TextAreaField(_l("Tiêu chí"), render_kw={"rows": 3})
    guidance = TextAreaField(_l("Hướng dẫn kiểm tra"), render_kw={"rows": 3})
    points = StringField(_l("Điểm tối đa"), render_kw={"inputmode": "decimal", "autocomplete": "off",
                                                        "placeholder": "—"})

    def is_blank(self) -> bool:
        return not any((self[name].data or "").strip() for name in ITEM_TEXT_FIELDS)

    def item_data(self) -> dict:
        return {"code": self.code.data or "", "area_id": self.area_id.data or None,
                "criterion": self.criterion.data or "", "guidance": self.guidance.data or "",
                "points": self.points.data or ""}


class TemplateForm(Form):
    unit_id = SelectField(_l("Đơn vị quản lý"), choices=[], coerce=_str_or_blank,
                          validators=[DataRequired(_l("Chọn đơn vị quản lý bộ tiêu chí."))],
                          invalid_choice_message=_l("Lựa chọn không hợp lệ, vui lòng chọn lại."))
    name = TextAreaField(_l("Tên bộ tiêu chí"), render_kw={"rows": 2},
                         validators=[DataRequired(_l("Nhập tên bộ tiêu chí.")), _max_length(300)])
    year = IntegerField(_l("Năm áp dụng"), invalid_value_message=_l("Năm áp dụng phải là số, ví dụ 2025."),
                        validators=[InputRequired(_l("Nhập năm áp dụng.")), YEAR_RANGE],
                        render_kw={"inputmode": "numeric"})
    description = TextAreaField(_l("Mô tả, phạm vi áp dụng"), validators=[Optional(), _max_length(4000)],
                                render_kw={"rows": 2})
    items = FieldList(FormField(ItemForm), max_entries=MAX_ITEMS + 1)
    fingerprint = HiddenField()

    def set_area_choices(self, choices: list) -> None:
        for entry in self.items:
            entry.form.area_id.choices = choices

    def rows(self) -> list:
        """The entries that hold a criterion (blank rows dropped), in page order."""
        return [entry for entry in self.items if not entry.form.is_blank()]

    def template_data(self) -> dict:
        return {"name": self.name.data, "year": self.year.data, "description": self.description.data or "",
                "items": [entry.form.item_data() for entry in self.rows()]}

    def add_blank_rows(self, count: int) -> None:
        for _ in range(count):
            self.items.append_entry()


class CopyTemplateForm(Form):
    year = IntegerField(_l("Năm"), invalid_value_message=_l("Năm áp dụng phải là số, ví dụ 2025."),
                        validators=[InputRequired(_l("Nhập năm cần sao chép sang.")), YEAR_RANGE],
                        render_kw={"inputmode": "numeric"})


def prototype_row(area_choices: list) -> ItemForm:
    """The empty row the page script clones ("items-__index__-…")."""
    row = ItemForm(formdata=None, prefix="items-__index__-")
    row.area_id.choices = area_choices
    return row


def initial_data(checklist) -> dict:
    """The form's values from a saved template."""
    items = [{"code": i.code, "area_id": i.area_id, "criterion": i.criterion, "guidance": i.guidance,
              "points": points_text(i.points)} for i in checklist.items]
    return {"name": checklist.name, "year": checklist.year, "description": checklist.description, "items": items}
