from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms import Form as SubForm
from wtforms.validators import AnyOf, DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, DateInput, ListWidget

from models.enums import ROLE_LABELS, UNIT_KIND_LABELS

from ..language.formatting import parse_date
from ..web.base_forms import BAD_CHOICE, DateField, int_or_none
from ..web.base_forms import Form as FlaskForm


def required():
    return DataRequired(message=_l("Vui lòng nhập thông tin này."))


def max_length(n: int):
    return Length(max=n, message=_l("Tối đa %(max)d ký tự."))


def kind_choices():
    return [SelectChoice(k.value, _l(v)) for k, v in UNIT_KIND_LABELS.items()]


def role_choices():
    return [SelectChoice("", _l("— Chọn vai trò —"))] + [SelectChoice(k.value, _l(v)) for k, v in ROLE_LABELS.items()]


class DateInputField(StringField):
    """A date typed as dd/mm/yyyy or picked in the browser's date input (ISO)."""

    widget = DateInput()

    def process_formdata(self, valuelist):
        self.raw_data = valuelist
        self.data = parse_date(valuelist[0]) if valuelist and valuelist[0] else None
        if valuelist and valuelist[0] and self.data is None:
            raise ValueError(_l("Ngày không hợp lệ (định dạng dd/mm/yyyy)."))

    def _value(self):
        if self.data is not None and hasattr(self.data, "isoformat"):
            return self.data.isoformat()
        return self.raw_data[0] if self.raw_data else ""


class UnitForm(FlaskForm):
    name = StringField(_l("Tên đơn vị"), validators=[required(), max_length(200)])
    short_name = StringField(_l("Tên viết tắt"), validators=[Optional(), max_length(80)])
    code = StringField(_l("Mã đơn vị"), validators=[required(), max_length(40)])
    kind = SelectField(_l("Loại đơn vị"), choices=kind_choices())
    place_name = StringField(_l("Địa danh (dòng ngày tháng)"), validators=[Optional(), max_length(80)])
    address = StringField(_l("Địa chỉ"), validators=[Optional(), max_length(300)])
    doc_code = StringField(_l("Ký hiệu đơn vị soạn thảo (dòng “Lưu: VT, …”)"), validators=[Optional(), max_length(20)])
    signing_authorities = StringField(_l("Thẩm quyền ký (TM, KT, TL, TUQ, Q)"),
                                      validators=[Optional(), max_length(40)])
    requires_head_confirmation = BooleanField(_l("Thủ trưởng xác nhận trước khi gửi kết quả"))
    version = HiddenField()


class NewUnitForm(UnitForm):
    parent_id = SelectField(_l("Đơn vị cấp trên"), validators=[required()], validate_choice=False)
    valid_from = DateInputField(_l("Có hiệu lực từ ngày"), validators=[Optional()])


class DeactivateUnitForm(FlaskForm):
    acknowledge = BooleanField(_l("Tôi đã đọc cảnh báo và vẫn muốn ngừng hoạt động đơn vị này"))


class ActionForm(FlaskForm):
    """A button that changes state: only the CSRF token."""


class MembershipForm(SubForm):
    role = SelectField(_l("Vai trò"), choices=role_choices(), validate_choice=False)
    unit_id = SelectField(_l("Đơn vị"), choices=[], validate_choice=False)


class UserForm(FlaskForm):
    username = StringField(_l("Tên đăng nhập"), validators=[required(), max_length(60)])
    full_name = StringField(_l("Họ và tên"), validators=[required(), max_length(120)])
    honorific = SelectField(_l("Danh xưng trong văn bản"), default="",
                            choices=[SelectChoice("", _l("— Chưa chọn —")), SelectChoice("Ông", _l("Ông")),
                                     SelectChoice("Bà", _l("Bà"))])
    title = StringField(_l("Chức vụ"), validators=[Optional(), max_length(120)])
    email = EmailField(_l("Email"), validators=[Optional(), max_length(200),
                                                Email(message=_l("Địa chỉ email không hợp lệ."))])
    memberships = FieldList(FormField(MembershipForm), min_entries=1, max_entries=20)
    version = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.memberships_errors: list[str] = []

    def membership_pairs(self) -> list[tuple[str, str]]:
        """(role, unit id) of each filled membership row; blank rows are skipped."""
        return [(e.form.role.data or "", e.form.unit_id.data or "") for e in self.memberships
                if e.form.role.data or e.form.unit_id.data]


class ImportForm(FlaskForm):
    file = FileField(_l("Tệp Excel (.xlsx)"), validators=[FileRequired(_l("Hãy chọn tệp Excel để tải lên."))])


class ConfirmImportForm(FlaskForm):
    attachment_id = HiddenField(validators=[required()])


class MergeForm(FlaskForm):
    predecessors = SelectMultipleField(_l("Các đơn vị bị sáp nhập (chọn từ hai đơn vị)"), choices=[],
                                       validate_choice=False, widget=ListWidget(prefix_label=False),
                                       option_widget=CheckboxInput())
    mode = RadioField(_l("Đơn vị kế thừa"), default="existing",
                      choices=[SelectChoice("existing", _l("Đơn vị đã có")),
                               SelectChoice("new", _l("Thành lập đơn vị mới"))])
    successor_id = SelectField(_l("Đơn vị kế thừa đã có"), choices=[], validate_choice=False)
    new_code = StringField(_l("Mã đơn vị mới"), validators=[Optional(), max_length(40)])
    new_name = StringField(_l("Tên đơn vị mới"), validators=[Optional(), max_length(200)])
    new_kind = SelectField(_l("Loại đơn vị mới"), choices=kind_choices(), default="commune")
    new_parent_id = SelectField(_l("Đơn vị cấp trên của đơn vị mới"), choices=[], validate_choice=False)
    effective_on = DateInputField(_l("Ngày sáp nhập có hiệu lực"), validators=[required()])

    def validate_successor_id(self, field):
        if self.mode.data == "existing" and not field.data:
            raise ValidationError(_l("Chọn đơn vị kế thừa."))

    def validate_new_name(self, field):
        if self.mode.data == "new" and not (field.data and self.new_code.data and self.new_parent_id.data):
            raise ValidationError(_l("Nhập mã, tên và đơn vị cấp trên của đơn vị mới."))


class AuditFilterForm(FlaskForm):
    """The audit log's filters (GET, no CSRF); a bad value is reported and ignored."""

    class Meta:
        csrf = False

    unit_id = SelectField(_l("Đơn vị"), coerce=int_or_none, choices=[], validate_choice=False,
                          invalid_value_message=BAD_CHOICE)
    actor_id = SelectField(_l("Người thực hiện"), coerce=int_or_none, choices=[], validate_choice=False,
                           invalid_value_message=BAD_CHOICE)
    action = SelectField(_l("Loại thao tác"), default="", choices=[], validate_choice=False)
    date_from = DateField(_l("Từ ngày"))
    date_to = DateField(_l("đến ngày"))
    sort = SelectField(_l("Sắp xếp"), default="newest", choices=[SelectChoice("newest", _l("Mới nhất trước")),
                                                               SelectChoice("oldest", _l("Cũ nhất trước"))],
                       invalid_choice_message=BAD_CHOICE)


class TwoFactorRolesForm(FlaskForm):
    """The roles that must use two-factor sign-in (besides those of CCHC_2FA_ROLES)."""

    roles = SelectMultipleField(_l("Vai trò bắt buộc xác thực hai lớp"),
                                choices=[SelectChoice(k.value, _l(v)) for k, v in ROLE_LABELS.items()],
                                widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
                                invalid_choice_message=BAD_CHOICE, invalid_value_message=BAD_CHOICE)


class UserTwoFactorForm(FlaskForm):
    """Ask one user to use two-factor sign-in ("1"), or stop asking ("0")."""

    required = HiddenField(validators=[AnyOf(["0", "1"], message=BAD_CHOICE)])
