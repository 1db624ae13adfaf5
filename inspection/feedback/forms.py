"""Forms of the desks, the citizen's survey and the coordinator's triage (no brains: the services
decide; the survey's limits live in survey.py)."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from models.enums import SEVERITY_LABELS
from models.feedback import ELEMENTS

from ..web.base_forms import AppForm, DateField, Form

COMMENT_MAX = 1000
SCALE = ("1", "2", "3", "4", "5")
# The five SIPAS elements (domain.md §6) as the citizen reads them.
ELEMENT_LABELS = {
    "access": _l("Tiếp cận dịch vụ (nơi tiếp nhận, thông tin, chờ đợi)"),
    "procedure": _l("Thủ tục hành chính (hồ sơ, phí, thời hạn được công khai, đúng quy định)"),
    "official": _l("Công chức tiếp nhận, giải quyết (thái độ, hướng dẫn đầy đủ, dễ hiểu)"),
    "result": _l("Kết quả giải quyết (đúng hẹn, đúng quy định, chính xác)"),
    "handling": _l("Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị"),
}
ELEMENT_SHORT = {"access": _l("Tiếp cận dịch vụ"), "procedure": _l("Thủ tục hành chính"),
                 "official": _l("Công chức giải quyết"), "result": _l("Kết quả giải quyết"),
                 "handling": _l("Xử lý góp ý, phản ánh")}
POINT_LABELS = {"1": _l("Rất không hài lòng"), "2": _l("Không hài lòng"), "3": _l("Bình thường"),
                "4": _l("Hài lòng"), "5": _l("Rất hài lòng")}
# The words of the survey's other fields: the form's labels, and the blank page's, drawn without a form
FIELD_LABELS = {"procedure_choice": _l("Thủ tục Ông/Bà thực hiện (không bắt buộc)"),
                "procedure_name": _l("Hoặc ghi tên thủ tục"),
                "comment": _l("Góp ý thêm (không bắt buộc, không ghi thông tin cá nhân)"),
                "website": _l("Để trống ô này")}


class ActionForm(AppForm):
    """A button's form: its CSRF token only."""


class DeskForm(Form):
    name = StringField(_l("Tên bộ phận"), validators=[InputRequired(_l("Nhập tên bộ phận.")), Length(max=200)],
                       default="Bộ phận tiếp nhận và trả kết quả")
    procedures = TextAreaField(_l("Thủ tục thường gặp (mỗi dòng một thủ tục, tối đa 12)"),
                               validators=[Optional(), Length(max=3000)])


def _scale_field(element: str) -> RadioField:
    return RadioField(ELEMENT_LABELS[element], choices=[SelectChoice(p, POINT_LABELS[p]) for p in SCALE],
                      validators=[InputRequired(_l("Chọn một mức đánh giá."))], validate_choice=True)


class AnswerForm(Form):
    """The citizen's answer. `website` is the hidden trap field; `started` the page's signed time.
    Its CSRF token is checked once, by the app's CSRFProtect before the view, as every POST's is;
    the page prints it with csrf_token(). Built only for an answer posted: the blank page needs none
    (survey.html draws its inputs itself)."""

    class Meta:
        csrf = False

    access = _scale_field("access")
    procedure = _scale_field("procedure")
    official = _scale_field("official")
    result = _scale_field("result")
    handling = _scale_field("handling")
    procedure_choice = RadioField(FIELD_LABELS["procedure_choice"], choices=[], validators=[Optional()],
                                  validate_choice=False)
    procedure_name = StringField(FIELD_LABELS["procedure_name"], validators=[Optional(), Length(max=200)])
    comment = TextAreaField(FIELD_LABELS["comment"], validators=[Optional(), Length(max=COMMENT_MAX, message=_l(
        "Góp ý tối đa %(max)d ký tự."))])
    website = StringField(FIELD_LABELS["website"], validators=[Optional()])
    started = HiddenField()

    def scores(self) -> dict[str, int]:
        return {e: int(getattr(self, e).data) for e in ELEMENTS}


class TriageForm(Form):
    note = TextAreaField(_l("Lý do / ghi chú"), validators=[Optional(), Length(max=2000)])
    description = TextAreaField(_l("Nội dung tồn tại, hạn chế"), validators=[Optional(), Length(max=2000)])
    severity = RadioField(_l("Mức độ"), default="minor", validate_choice=True,
                          choices=[SelectChoice(key, _l(label)) for key, label in SEVERITY_LABELS.items()])
    action = TextAreaField(_l("Yêu cầu khắc phục"), validators=[Optional(), Length(max=2000)])
    deadline = DateField(_l("Hạn khắc phục"))
    quote = RadioField(_l("Trích ý kiến của người dân"), choices=[SelectChoice("no", _l("Không trích")),
                                                                  SelectChoice("yes", _l("Trích nguyên văn"))],
                       default="no", validate_choice=True)


