"""Plan and task forms: shape only (lengths, numbers, dates, choices); the rules live in the services."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from models.enums import TASK_STATUS_LABELS, TIMELINESS_LABELS

from ..deadlines.forms import FILTER_CHOICES as EXTENSION_FILTER
from ..deadlines.forms import DecisionFields, ExtensionFields, ForwardFields
from ..web.base_forms import BAD_CHOICE, CheckboxListField, DateField, Form, id_select, int_or_none

MAX_FILES = 10


def required(message):
    return DataRequired(message=message)


def max_length(n: int):
    return Length(max=n, message=_l("Tối đa %(max)d ký tự.", max=n))






class PlanForm(Form):
    number = StringField(_l("Số, ký hiệu"), validators=[Optional(), max_length(40)],
                         render_kw={"placeholder": "35/KH-UBND"})
    issued_on = DateField(_l("Ngày kế hoạch"), validators=[InputRequired(_l("Nhập ngày kế hoạch (dd/mm/yyyy)."))])
    title = TextAreaField(_l("Tên kế hoạch"), validators=[required(_l("Nhập tên kế hoạch.")), max_length(400)],
                          render_kw={"rows": 2})
    year = IntegerField(_l("Năm kế hoạch"), invalid_value_message=_l("Năm phải là số, ví dụ 2024."),
                        validators=[InputRequired(_l("Nhập năm kế hoạch.")),
                                    NumberRange(2000, 2100, _l("Năm kế hoạch phải từ 2000 đến 2100."))])
    unit_id = id_select(_l("Đơn vị ban hành"), validators=[required(_l("Chọn đơn vị ban hành."))])
    area_ids = CheckboxListField(_l("Lĩnh vực cải cách hành chính"))
    version = HiddenField()

    def plan_data(self) -> dict:
        return {"number": self.number.data or "", "issued_on": self.issued_on.data, "title": self.title.data,
                "year": self.year.data, "area_ids": self.area_ids.data or []}


class TaskForm(Form):
    number = StringField(_l("Số thứ tự"), validators=[Optional(), max_length(20)], render_kw={"placeholder": "1"})
    area_id = id_select(_l("Lĩnh vực"))
    title = TextAreaField(_l("Nội dung nhiệm vụ"), validators=[max_length(500)], render_kw={"rows": 3})
    description = TextAreaField(_l("Yêu cầu cụ thể"), validators=[Optional(), max_length(4000)],
                                render_kw={"rows": 3})
    expected_output = StringField(_l("Sản phẩm đầu ra"), validators=[Optional(), max_length(500)],
                                  render_kw={"placeholder": _l("Ví dụ: Báo cáo kết quả, Quyết định công bố")})
    unit_id = id_select(_l("Đơn vị chủ trì"))
    support_unit_ids = CheckboxListField(_l("Đơn vị phối hợp"))
    deadline = DateField(_l("Thời hạn hoàn thành"))
    version = HiddenField()

    def task_data(self) -> dict:
        return {"number": self.number.data or "", "area_id": self.area_id.data, "title": self.title.data or "",
                "description": self.description.data or "", "expected_output": self.expected_output.data or "",
                "unit_id": self.unit_id.data, "support_unit_ids": self.support_unit_ids.data or [],
                "deadline": self.deadline.data}


def _few_files(form, field):
    files = [f for f in field.data or [] if f and f.filename]
    if len(files) > MAX_FILES:
        raise ValidationError(_l("Tối đa %(n)d tệp mỗi lần gửi.", n=MAX_FILES))


def files_field(label=None):
    return MultipleFileField(label or _l("Tệp đính kèm"), validators=[_few_files])


def uploads(field) -> list:
    """The files actually chosen (a form with no file sends one empty part)."""
    return [f for f in field.data or [] if f and f.filename]


class ProgressForm(Form):
    progress = IntegerField(_l("Tiến độ (%)"), invalid_value_message=_l("Tiến độ phải là số từ 0 đến 100."),
                            validators=[InputRequired(_l("Nhập tiến độ (0–100%).")),
                                        NumberRange(0, 100, _l("Tiến độ phải từ 0 đến 100%%."))],
                            render_kw={"min": 0, "max": 100, "step": 1, "inputmode": "numeric"})
    progress_note = TextAreaField(_l("Nội dung đã thực hiện"), validators=[Optional(), max_length(4000)],
                                  render_kw={"rows": 3})
    progress_files = files_field()


class CommentForm(Form):
    comment = TextAreaField(_l("Ý kiến"), validators=[required(_l("Nhập nội dung ý kiến.")), max_length(4000)],
                            render_kw={"rows": 3})
    comment_files = files_field()


class SubmitForm(Form):
    result_note = TextAreaField(_l("Kết quả thực hiện"), validators=[Optional(), max_length(4000)],
                                render_kw={"rows": 3})
    result_files = files_field(_l("Sản phẩm, tài liệu kèm theo"))


class ReturnForm(Form):
    return_reason = TextAreaField(_l("Lý do trả lại"), validators=[required(_l("Nhập lý do trả lại.")),
                                                                    max_length(4000)],
                                  render_kw={"rows": 2, "data-required": True})  # app.js: no confirm while empty


class ReopenForm(Form):
    reopen_reason = TextAreaField(_l("Lý do mở lại"), validators=[required(_l("Nhập lý do mở lại nhiệm vụ.")),
                                                                   max_length(4000)], render_kw={"rows": 2})


class CancelForm(Form):
    cancel_reason = TextAreaField(_l("Lý do hủy"), validators=[required(_l("Nhập lý do hủy nhiệm vụ.")),
                                                                max_length(4000)], render_kw={"rows": 2})


class ExtensionForm(ExtensionFields, Form):
    pass


class ForwardForm(ForwardFields, Form):
    pass


class DecisionForm(DecisionFields, Form):
    pass


class CopyPlanForm(Form):
    year = IntegerField(_l("Sao chép sang năm"), invalid_value_message=_l("Năm phải là số, ví dụ 2025."),
                        validators=[InputRequired(_l("Nhập năm.")),
                                    NumberRange(2000, 2100, _l("Năm phải từ 2000 đến 2100."))])


class ActionForm(Form):
    """A button that changes state: only the CSRF token."""


class TaskFilterForm(Form):
    """The task list's filters (GET, no CSRF); a bad value is reported and ignored."""

    class Meta:
        csrf = False

    plan_id = SelectField(_l("Kế hoạch"), coerce=int_or_none, choices=[], validate_choice=False,
                          invalid_value_message=BAD_CHOICE)
    adhoc = BooleanField(_l("Chỉ nhiệm vụ giao đột xuất (không thuộc kế hoạch)"))
    extension = SelectField(_l("Gia hạn"), default="", choices=EXTENSION_FILTER, invalid_choice_message=BAD_CHOICE)
    area_id = id_select(_l("Lĩnh vực"))
    unit_id = SelectField(_l("Đơn vị"), coerce=int_or_none, choices=[], validate_choice=False,
                          invalid_value_message=BAD_CHOICE)
    status = SelectField(_l("Trạng thái"), default="", choices=[
        SelectChoice("", _l("Mọi trạng thái")), SelectChoice("todo", _l("Cần thực hiện (chưa nộp kết quả)"))] + [
        SelectChoice(k.value, _l(v)) for k, v in TASK_STATUS_LABELS.items()], invalid_choice_message=BAD_CHOICE)
    timeliness = SelectField(_l("Tiến độ so với hạn"), default="", choices=[SelectChoice("", _l("Mọi tình trạng"))] + [
        SelectChoice(k.value, _l(v)) for k, v in TIMELINESS_LABELS.items()], invalid_choice_message=BAD_CHOICE)
    due_from = DateField(_l("Hạn từ ngày"))
    due_to = DateField(_l("đến ngày"))
    q = StringField(_l("Tìm kiếm"), validators=[Optional(), max_length(200)],
                    render_kw={"placeholder": _l("Tìm theo nội dung, có hoặc không dấu")})
    sort = SelectField(_l("Sắp xếp"), default="deadline", choices=[SelectChoice("deadline", _l("Theo thời hạn")),
                                               SelectChoice("number", _l("Theo số thứ tự")),
                                               SelectChoice("newest", _l("Mới giao"))],
                       invalid_choice_message=BAD_CHOICE)
