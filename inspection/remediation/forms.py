"""Remediation forms: shape only (lengths, dates, choices); the rules live in the services.

Every form that acts on an action carries the version the page was drawn from: a stale form is a
conflict, never an overwrite."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from models.enums import REMEDIATION_STATUS_LABELS, TIMELINESS_LABELS, Timeliness

from ..deadlines.forms import FILTER_CHOICES as EXTENSION_FILTER
from ..deadlines.forms import DecisionFields, ExtensionFields, ForwardFields
from ..web.base_forms import BAD_CHOICE, DateField, Form
from .queries import TODO, UNFINISHED

MAX_FILES = 10
STALE_PAGE = _l("Trang đã cũ: vui lòng tải lại trang rồi thao tác lại.")
DOCUMENTS = "application/pdf,.pdf,.docx,.xlsx,image/jpeg,image/png,image/webp"


def max_length(n: int):
    return Length(max=n, message=_l("Tối đa %(max)d ký tự.", max=n))


def int_or_none(value):
    """Coerce a select's value: "" (no choice) or a non-number is None."""
    return int(value) if str(value or "").isdigit() else None


def _few_files(form, field):
    if len(uploads(field)) > MAX_FILES:
        raise ValidationError(_l("Tối đa %(n)d tệp mỗi lần gửi.", n=MAX_FILES))


def uploads(field) -> list:
    """The files actually chosen (a form with no file sends one empty part)."""
    return [f for f in field.data or [] if f and f.filename]


class VersionedForm(Form):
    """A form acting on an action: the CSRF token and the version the page showed."""

    version = HiddenField(validators=[InputRequired(STALE_PAGE)])


class ActionForm(VersionedForm):
    """A button: start, confirm."""


class SubmitForm(VersionedForm):
    submit_note = TextAreaField(_l("Nội dung đã khắc phục"), validators=[
        DataRequired(_l("Nhập nội dung đã khắc phục.")), max_length(4000)], render_kw={"rows": 3})
    submit_photos = MultipleFileField(_l("Ảnh sau khắc phục"), validators=[_few_files])
    submit_files = MultipleFileField(_l("Tài liệu chứng minh (văn bản, quyết định, báo cáo)"),
                                     validators=[_few_files])


class AcceptForm(VersionedForm):
    accept_note = TextAreaField(_l("Nhận xét (không bắt buộc)"), validators=[Optional(), max_length(4000)],
                                render_kw={"rows": 2})


class ReturnForm(VersionedForm):
    return_reason = TextAreaField(_l("Lý do trả lại"), validators=[
        DataRequired(_l("Nhập lý do trả lại.")), max_length(4000)], render_kw={"rows": 2})


class StepForm(VersionedForm):
    step_description = StringField(_l("Nội dung bước khắc phục"), validators=[
        DataRequired(_l("Nhập nội dung bước khắc phục.")), max_length(1000)])
    step_due_on = DateField(_l("Hoàn thành trước ngày"), validators=[InputRequired(_l("Nhập ngày (dd/mm/yyyy)."))])


class ExtensionForm(ExtensionFields, VersionedForm):
    pass


class ForwardForm(ForwardFields, VersionedForm):
    pass


class DecisionForm(DecisionFields, VersionedForm):
    pass


class NewActionForm(Form):
    """The coordinator's further requirement on a finding after the conclusion."""

    unit_id = SelectField(_l("Đơn vị thực hiện"), coerce=int_or_none, choices=[], invalid_choice_message=BAD_CHOICE,
                          validators=[InputRequired(_l("Chọn đơn vị thực hiện."))])
    description = TextAreaField(_l("Yêu cầu khắc phục"), validators=[
        DataRequired(_l("Nhập yêu cầu khắc phục.")), max_length(4000)], render_kw={"rows": 3})
    deadline = DateField(_l("Thời hạn khắc phục"), validators=[InputRequired(_l("Nhập thời hạn (dd/mm/yyyy)."))])


STATUS_CHOICES = [SelectChoice("", _l("Mọi trạng thái")), SelectChoice(UNFINISHED, _l("Chưa hoàn thành")),
                  SelectChoice(TODO, _l("Cần thực hiện (chưa nộp kết quả)"))] + [
    SelectChoice(k.value, _l(v)) for k, v in REMEDIATION_STATUS_LABELS.items()]
TIMELINESS_CHOICES = [SelectChoice("", _l("Mọi tình trạng"))] + [
    SelectChoice(k.value, _l(v)) for k, v in TIMELINESS_LABELS.items() if k != Timeliness.CANCELLED]


class ActionFilterForm(Form):
    """The action list's filters (GET, no CSRF); a bad value is reported and ignored."""

    class Meta:
        csrf = False

    q = StringField(_l("Tìm kiếm"), validators=[Optional(), max_length(200)],
                    render_kw={"placeholder": _l("Tìm theo tồn tại, đơn vị, cuộc kiểm tra; có hoặc không dấu")})
    status = SelectField(_l("Trạng thái"), default="", choices=STATUS_CHOICES, invalid_choice_message=BAD_CHOICE)
    timeliness = SelectField(_l("Tiến độ so với hạn"), default="", choices=TIMELINESS_CHOICES,
                             invalid_choice_message=BAD_CHOICE)
    inspection_id = SelectField(_l("Cuộc kiểm tra"), coerce=int_or_none, choices=[], validate_choice=False)
    unit_id = SelectField(_l("Đơn vị thực hiện"), coerce=int_or_none, choices=[], validate_choice=False)
    area_id = SelectField(_l("Lĩnh vực"), coerce=int_or_none, choices=[], validate_choice=False)
    returned = SelectField(_l("Bị trả lại"), default="", choices=[
        SelectChoice("", _l("Không phân biệt")), SelectChoice("y", _l("Đã bị trả lại ít nhất một lần"))],
        invalid_choice_message=BAD_CHOICE)
    extension = SelectField(_l("Gia hạn"), default="", choices=EXTENSION_FILTER, invalid_choice_message=BAD_CHOICE)
    escalated = SelectField(_l("Báo cáo lãnh đạo"), default="", choices=[
        SelectChoice("", _l("Không phân biệt")), SelectChoice("y", _l("Quá hạn, đã báo cáo lãnh đạo"))],
        invalid_choice_message=BAD_CHOICE)
    sort = SelectField(_l("Sắp xếp"), default="deadline", choices=[
        SelectChoice("deadline", _l("Theo thời hạn")), SelectChoice("newest", _l("Mới giao"))],
        invalid_choice_message=BAD_CHOICE)
