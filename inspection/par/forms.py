"""Forms of the Chỉ số CCHC pages: they parse shapes; the services judge the points."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..web.base_forms import DateField, Form, id_select
from .catalogue import LEVELS


class ActionForm(Form):
    """A button that changes state: the CSRF token (and the record's version, when it has one)."""

    version = HiddenField()


class PublishForm(Form):
    count_unsubmitted = BooleanField(_l("Công bố, các đơn vị chưa nộp được tính theo kết quả thẩm định"))


class OpenRoundForm(Form):
    self_due = DateField(_l("Hạn nộp tự đánh giá"), validators=[InputRequired()])
    appraisal_due = DateField(_l("Hạn thẩm định"), validators=[InputRequired()])
    explanation_due = DateField(_l("Hạn giải trình"), validators=[InputRequired()])
    publish_due = DateField(_l("Dự kiến công bố kết quả"), validators=[InputRequired()])


class CopyIndexForm(Form):
    year = IntegerField(_l("Năm áp dụng"), validators=[InputRequired(), NumberRange(2000, 2100)])


class AppraiserForm(Form):
    user_id = id_select(_l("Thành viên tổ thẩm định"), validators=[InputRequired()])


class AppraiseForm(Form):
    version = HiddenField()
    decision = SelectField(_l("Kết quả thẩm định"), choices=[
        SelectChoice("accept", _l("Chấp nhận điểm tự đánh giá")), SelectChoice("change", _l("Chấm điểm khác"))])
    points = StringField(_l("Điểm thẩm định"), validators=[Optional(), Length(max=20)])
    reason = TextAreaField(_l("Lý do"), validators=[Optional(), Length(max=5000)])


class ReplyForm(Form):
    version = HiddenField()
    reply = TextAreaField(_l("Nội dung giải trình"), validators=[InputRequired(), Length(max=5000)])


class EvidenceForm(Form):
    file = FileField(_l("Tệp tài liệu kiểm chứng"))
    link_type = SelectField(_l("Hoặc liên kết với"), validators=[Optional()],
                            choices=[SelectChoice("", _l("— không —")),
                                     SelectChoice("document", _l("Văn bản đã ban hành")),
                                     SelectChoice("plan", _l("Kế hoạch")), SelectChoice("report", _l("Báo cáo"))])
    link_id = StringField(_l("Số hiệu bản ghi liên kết"), validators=[Optional(), Length(max=12)])
    title = StringField(_l("Tên tài liệu"), validators=[Optional(), Length(max=400)])


class ImportForm(Form):
    year = IntegerField(_l("Năm"), validators=[InputRequired(), NumberRange(2000, 2100)])
    level = SelectField(_l("Cấp đánh giá"), choices=[SelectChoice(k, _l(v)) for k, v in LEVELS.items()])
    title = StringField(_l("Tên bộ chỉ số"), validators=[InputRequired(), Length(max=400)])
    file = FileField(_l("Tệp Excel (.xlsx)"))
    token = HiddenField()



class AmendForm(Form):
    """An amendment of a frozen index: an empty maximum or text keeps the current one."""

    sub_id = id_select(_l("Tiêu chí thành phần"), validators=[InputRequired()])
    max_points = StringField(_l("Điểm tối đa mới"), validators=[Optional(), Length(max=20)])
    text = TextAreaField(_l("Nội dung mới"), validators=[Optional(), Length(max=1000)])
    reason = TextAreaField(_l("Lý do điều chỉnh"), validators=[InputRequired(), Length(max=1000)])
