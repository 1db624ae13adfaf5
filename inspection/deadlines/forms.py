"""The extension flow's form fields, mixed into each blueprint's forms (the remediation page's
forms also carry the version the page was drawn from)."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from models.enums import FORWARD_OPINIONS

from ..web.base_forms import BAD_CHOICE, DateField

# the list filter "extension": any pending request, waiting for the coordinator, waiting for the leader
STAGES = ("y", "forward", "decide")
FILTER_CHOICES = [SelectChoice("", _l("Không phân biệt")), SelectChoice("y", _l("Có đề nghị gia hạn đang chờ")),
                  SelectChoice("forward", _l("Đề nghị gia hạn chờ chuyển lãnh đạo")),
                  SelectChoice("decide", _l("Đề nghị gia hạn chờ quyết định"))]
NOTE = Length(max=4000, message=_l("Tối đa %(max)d ký tự.", max=4000))


class ExtensionFields:
    new_deadline = DateField(_l("Đề nghị gia hạn đến ngày"),
                             validators=[InputRequired(_l("Nhập thời hạn đề nghị (dd/mm/yyyy)."))])
    extension_reason = TextAreaField(_l("Lý do đề nghị gia hạn"),
                                     validators=[DataRequired(_l("Nhập lý do đề nghị gia hạn.")), NOTE],
                                     render_kw={"rows": 2})


class ForwardFields:
    request_id = HiddenField()
    opinion = SelectField(_l("Ý kiến của cơ quan tham mưu"),  # the form's two buttons
                          choices=[SelectChoice(k, _l(v)) for k, v in FORWARD_OPINIONS.items()],
                          validators=[InputRequired(_l("Chọn đề xuất đồng ý hoặc không đồng ý."))],
                          invalid_choice_message=BAD_CHOICE)
    forward_note = TextAreaField(_l("Nhận xét gửi lãnh đạo"), validators=[Optional(), NOTE],
                                 render_kw={"rows": 2})


class DecisionFields:
    request_id = HiddenField()
    decision = SelectField(choices=[SelectChoice("approve", _l("Đồng ý gia hạn")),
                                    SelectChoice("refuse", _l("Không đồng ý"))], invalid_choice_message=BAD_CHOICE)
    decision_note = TextAreaField(_l("Ý kiến của lãnh đạo"), validators=[Optional(), NOTE],
                                  render_kw={"rows": 2})
