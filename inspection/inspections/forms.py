"""Inspection forms: shape only (lengths, dates, choices); the rules live in the services."""

import uuid
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms import Form as SubForm
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from models.enums import (
    CHECK_VALUE_LABELS,
    INSPECTION_KIND_LABELS,
    INSPECTION_STATUS_LABELS,
    SEVERITY_LABELS,
    InspectionKind,
)

from ..language.formatting import parse_date
from ..web.base_forms import BAD_CHOICE, CheckboxListField, DateField, Form, id_select, int_or_none

MAX_TEXT = 4000


def _max(n: int):
    return Length(max=n, message=_l("Tối đa %(max)d ký tự.", max=n))


def _required(message):
    return DataRequired(message=message)



def new_uuid() -> str:
    return str(uuid.uuid4())



def parse_month(text: str) -> date | None:
    """"2026-03" (a month picker) or "03/2026" → the first day of that month; None otherwise."""
    text = (text or "").strip()
    for sep, year_first in (("-", True), ("/", False)):
        parts = text.split(sep)
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            year, month = (parts if year_first else parts[::-1])
            if 2000 <= int(year) <= 2100 and 1 <= int(month) <= 12:
                return date(int(year), int(month), 1)
    return None


class MonthField(StringField):
    """A month: yyyy-mm (month picker) or mm/yyyy."""

    def process_formdata(self, valuelist):
        self.raw_data = valuelist
        text = (valuelist[0] if valuelist else "").strip()
        self.data = parse_month(text) if text else None
        if text and self.data is None:
            raise ValueError(_("Tháng “%(text)s” không hợp lệ (nhập theo dạng mm/yyyy, ví dụ 03/2026).",
                               text=text[:20]))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:%Y-%m}" if self.data else ""




def _labelled(labels: dict, first: str | None = None) -> list[SelectChoice]:
    head = [SelectChoice("", first)] if first else []
    return head + [SelectChoice(k.value, _l(v)) for k, v in labels.items()]


class FilterForm(Form):
    """The list's and the calendar's filters (GET, no CSRF); a bad value is reported and ignored."""

    class Meta:
        csrf = False

    q = StringField(_l("Tìm kiếm"), validators=[Optional(), _max(200)],
                    render_kw={"placeholder": _l("Tìm theo tên cuộc kiểm tra, có hoặc không dấu")})
    status = SelectField(_l("Trạng thái"), choices=_labelled(INSPECTION_STATUS_LABELS, _l("Mọi trạng thái")),
                         default="", invalid_choice_message=BAD_CHOICE)
    kind = SelectField(_l("Hình thức"), choices=_labelled(INSPECTION_KIND_LABELS, _l("Mọi hình thức")),
                       default="", invalid_choice_message=BAD_CHOICE)
    unit_id = SelectField(_l("Đơn vị được kiểm tra"), coerce=int_or_none, choices=[], validate_choice=False,
                          invalid_value_message=BAD_CHOICE)
    inspector_id = SelectField(_l("Thành viên đoàn"), coerce=int_or_none, choices=[], validate_choice=False,
                               invalid_value_message=BAD_CHOICE)
    month = MonthField(_l("Tháng"), render_kw={"placeholder": "mm/yyyy", "type": "month"})
    start_from = DateField(_l("Bắt đầu từ ngày"))
    start_to = DateField(_l("đến ngày"))
    progress = SelectField(_l("Tiến độ"), default="", invalid_choice_message=BAD_CHOICE, choices=[
        SelectChoice("", _l("Mọi tiến độ")), SelectChoice("planned", _l("Có kế hoạch (trừ cuộc đã hủy)")),
        SelectChoice("inspected", _l("Đã tiến hành kiểm tra"))])
    period = SelectField(_l("Thời gian kiểm tra"), default="", invalid_choice_message=BAD_CHOICE, choices=[
        SelectChoice("", _l("Mọi thời gian")), SelectChoice("today", _l("Hôm nay (chưa kết thúc)")),
        SelectChoice("week", _l("Tuần này (chưa kết thúc)"))])
    unit_level = SelectField(_l("Cấp đơn vị"), default="", invalid_choice_message=BAD_CHOICE, choices=[
        SelectChoice("", _l("Mọi cấp")), SelectChoice("commune", _l("Cấp xã"))])
    sort = SelectField(_l("Sắp xếp"), choices=[SelectChoice("newest", _l("Mới nhất trước")),
                                               SelectChoice("upcoming", _l("Theo ngày kiểm tra"))],
                       default="newest", invalid_choice_message=BAD_CHOICE)


class TeamFields:
    """Team lead and members: the users the scheduler sees."""

    lead_id = id_select(_l("Trưởng đoàn kiểm tra"), validators=[_required(_l("Chọn trưởng đoàn kiểm tra."))])
    member_ids = CheckboxListField(_l("Thành viên đoàn kiểm tra"))


class InspectionForm(TeamFields, Form):
    """Schedule one inspection."""

    ordering_unit_id = id_select(_l("Cơ quan ra quyết định kiểm tra"),
                                 validators=[_required(_l("Chọn cơ quan ra quyết định kiểm tra."))])
    number = StringField(_l("Số hiệu cuộc kiểm tra"), validators=[Optional(), _max(40)],
                         render_kw={"placeholder": "05/ĐKT"})
    decision_ref = StringField(_l("Quyết định thành lập Đoàn kiểm tra"), validators=[Optional(), _max(200)],
                               render_kw={"placeholder": _l("Quyết định số 120/QĐ-UBND ngày 01/3/2026")})
    title = StringField(_l("Tên cuộc kiểm tra (để trống: tự đặt theo đơn vị)"), validators=[Optional(), _max(400)])
    unit_id = id_select(_l("Đơn vị được kiểm tra"), validators=[_required(_l("Chọn đơn vị được kiểm tra."))])
    kind = RadioField(_l("Hình thức kiểm tra"), choices=_labelled(INSPECTION_KIND_LABELS),
                      default=InspectionKind.SCHEDULED.value, invalid_choice_message=BAD_CHOICE,
                      validators=[InputRequired(_l("Chọn hình thức kiểm tra."))])
    start_on = DateField(_l("Ngày bắt đầu"), validators=[InputRequired(_l("Nhập ngày bắt đầu (dd/mm/yyyy)."))])
    end_on = DateField(_l("Ngày kết thúc (nếu kiểm tra nhiều ngày)"))
    template_id = id_select(_l("Bộ tiêu chí kiểm tra"), validators=[_required(_l("Chọn bộ tiêu chí kiểm tra."))])


class PlanForm(TeamFields, Form):
    """An annual inspection plan: many targets at once, one template and one team."""

    ordering_unit_id = InspectionForm.ordering_unit_id
    number = StringField(_l("Số, ký hiệu kế hoạch"), validators=[Optional(), _max(40)],
                         render_kw={"placeholder": "15/KH-UBND"})
    issued_on = DateField(_l("Ngày ban hành"), validators=[InputRequired(_l("Nhập ngày ban hành (dd/mm/yyyy)."))])
    year = IntegerField(_l("Năm kế hoạch"), invalid_value_message=_l("Năm phải là số, ví dụ 2026."),
                        validators=[InputRequired(_l("Nhập năm kế hoạch.")),
                                    NumberRange(2000, 2100, _l("Năm kế hoạch phải từ 2000 đến 2100."))])
    title = TextAreaField(_l("Tên kế hoạch"), validators=[_required(_l("Nhập tên kế hoạch.")), _max(400)],
                          render_kw={"rows": 2})
    kind = RadioField(_l("Hình thức kiểm tra"), default=InspectionKind.SCHEDULED.value,
                      choices=[SelectChoice(k.value, _l(INSPECTION_KIND_LABELS[k]))
                               for k in (InspectionKind.SCHEDULED, InspectionKind.THEMATIC)],
                      invalid_choice_message=BAD_CHOICE)
    template_id = InspectionForm.template_id
    unit_ids = CheckboxListField(_l("Đơn vị được kiểm tra"),
                                 validators=[_required(_l("Chọn ít nhất một đơn vị được kiểm tra."))])
    first_day = DateField(_l("Ngày kiểm tra đơn vị đầu tiên"))
    interval = IntegerField(_l("Cách nhau (ngày làm việc)"), default=1,
                            invalid_value_message=_l("Khoảng cách phải là số ngày, ví dụ 2."),
                            validators=[Optional(), NumberRange(0, 60, _l("Khoảng cách từ 0 đến 60 ngày."))])
    days = IntegerField(_l("Số ngày mỗi cuộc kiểm tra"), default=1,
                        invalid_value_message=_l("Số ngày phải là số, ví dụ 1."),
                        validators=[Optional(), NumberRange(1, 10, _l("Mỗi cuộc kiểm tra từ 1 đến 10 ngày."))])

    def schedule(self, formdata) -> list[tuple[int, date]] | None:
        """The ticked units with their start dates: the date typed on the unit's row, otherwise
        the first day plus the interval in working days; None (with the errors set) when wrong."""
        chosen, day, rows = [], self.first_day.data, []
        for unit_id in self.unit_ids.data or []:
            text = (formdata.get(f"day_{unit_id}") or "").strip()
            typed = parse_date(text) if text else None
            if text and typed is None:
                rows.append(_("Ngày “%(text)s” không có thật hoặc sai định dạng (dd/mm/yyyy).", text=text[:20]))
                continue
            if typed is None and day is None:
                rows.append(_("Nhập ngày kiểm tra cho từng đơn vị, hoặc ngày kiểm tra đơn vị đầu tiên."))
                break
            chosen.append((unit_id, typed or day))
            if typed is None:
                day = working_day(day + timedelta(days=self.interval.data if self.interval.data is not None else 1))
        self.unit_ids.errors = [*self.unit_ids.errors, *dict.fromkeys(rows)]
        return None if rows else chosen


def working_day(day: date) -> date:
    """`day`, or the Monday after when it falls on a weekend."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


class RescheduleForm(Form):
    start_on = DateField(_l("Ngày bắt đầu mới"), validators=[InputRequired(_l("Nhập ngày bắt đầu (dd/mm/yyyy)."))])
    end_on = DateField(_l("Ngày kết thúc mới (nếu kiểm tra nhiều ngày)"))
    reason = TextAreaField(_l("Lý do dời lịch"), validators=[_required(_l("Nhập lý do dời lịch.")), _max(MAX_TEXT)],
                           render_kw={"rows": 2})


class TeamForm(TeamFields, Form):
    reason = TextAreaField(_l("Lý do thay đổi"), validators=[Optional(), _max(MAX_TEXT)], render_kw={"rows": 2})


class CancelForm(Form):
    reason = TextAreaField(_l("Lý do hủy cuộc kiểm tra"),
                           validators=[_required(_l("Nhập lý do hủy cuộc kiểm tra.")), _max(MAX_TEXT)],
                           render_kw={"rows": 2})


class StartForm(Form):
    location = StringField(_l("Địa điểm làm việc"), validators=[Optional(), _max(300)],
                           render_kw={"placeholder": _l("Trụ sở UBND xã, Bộ phận Một cửa")})


SEVERITY_CHOICES = _labelled(SEVERITY_LABELS, _l("— Mức độ (nếu không đạt) —"))


class ResultForm(Form):
    """One criterion's result; a non-compliant one needs a description and a severity."""

    item_id = HiddenField()
    value = RadioField(_l("Kết quả"), choices=_labelled(CHECK_VALUE_LABELS), invalid_choice_message=BAD_CHOICE,
                       validators=[InputRequired(_l("Chọn Đạt, Không đạt hoặc Không áp dụng."))])
    note = TextAreaField(_l("Ghi chú"), validators=[Optional(), _max(MAX_TEXT)], render_kw={"rows": 1})
    severity = SelectField(_l("Mức độ"), choices=SEVERITY_CHOICES, default="", invalid_choice_message=BAD_CHOICE)
    description = TextAreaField(_l("Mô tả tồn tại, hạn chế (nếu không đạt)"), validators=[Optional(), _max(MAX_TEXT)],
                                render_kw={"rows": 2})
    version = HiddenField()
    client_uuid = HiddenField(default=new_uuid)


class FindingForm(Form):
    """A free finding, not tied to a criterion."""

    description = TextAreaField(_l("Tồn tại, hạn chế phát hiện thêm"),
                                validators=[_required(_l("Nhập mô tả tồn tại, hạn chế.")), _max(MAX_TEXT)],
                                render_kw={"rows": 2})
    severity = SelectField(_l("Mức độ"), choices=_labelled(SEVERITY_LABELS), invalid_choice_message=BAD_CHOICE)
    client_uuid = HiddenField(default=new_uuid)


class PhotoForm(Form):
    photo = FileField(_l("Ảnh minh chứng"), validators=[FileRequired(_l("Chọn hoặc chụp một ảnh."))],
                      render_kw={"accept": "image/*", "capture": "environment"})
    client_uuid = HiddenField(default=new_uuid)


class MinutesForm(Form):
    representative_name = StringField(_l("Đại diện đơn vị được kiểm tra (họ và tên)"),
                                      validators=[_required(_l("Nhập họ tên đại diện đơn vị được kiểm tra.")),
                                                  _max(120)])
    representative_title = StringField(_l("Chức vụ"), validators=[Optional(), _max(120)],
                                       render_kw={"placeholder": _l("Chủ tịch UBND xã")})
    decision_number = StringField(_l("Số quyết định thành lập Đoàn"), validators=[Optional(), _max(60)])
    decision_date = DateField(_l("Ngày quyết định"), validators=[Optional()])
    decision_issuer = StringField(_l("Cơ quan ban hành"), validators=[Optional(), _max(200)])
    decision_summary = StringField(_l("Trích yếu"), validators=[Optional(), _max(400)])
    began = StringField(_l("Giờ bắt đầu (HH:MM)"), validators=[Optional(), _max(5)])
    ended = StringField(_l("Giờ kết thúc (HH:MM)"), validators=[Optional(), _max(5)])
    other_representatives = TextAreaField(_l("Đại diện khác của đơn vị (mỗi dòng: họ tên, chức vụ)"),
                                          validators=[Optional(), _max(2000)])
    strengths = TextAreaField(_l("Ưu điểm"), validators=[Optional(), _max(5000)])
    team_recommendations = TextAreaField(_l("Kiến nghị của Đoàn"), validators=[Optional(), _max(5000)])
    unit_comments = TextAreaField(_l("Ý kiến của đơn vị được kiểm tra"), validators=[Optional(), _max(5000)])

    def parts(self) -> dict:
        names = ("decision_number", "decision_date", "decision_issuer", "decision_summary", "began", "ended",
                 "other_representatives", "strengths", "team_recommendations", "unit_comments")
        return {name: getattr(self, name).data for name in names}


class MinutesScanForm(Form):
    """The scan of the minutes' paper copy both sides signed."""

    scan = FileField(_l("Bản chụp biên bản đã ký (PDF hoặc ảnh JPEG)"),
                     validators=[FileRequired(_l("Chọn tệp bản chụp biên bản đã ký."))],
                     render_kw={"accept": "application/pdf,image/jpeg"})


class ConclusionItemForm(SubForm):
    """Per finding: what the unit must do, which unit, by when."""

    finding_id = HiddenField()
    action = TextAreaField(_l("Yêu cầu khắc phục"),
                           validators=[_required(_l("Nhập nội dung yêu cầu khắc phục.")), _max(MAX_TEXT)],
                           render_kw={"rows": 2})
    unit_id = id_select(_l("Đơn vị thực hiện"))
    deadline = DateField(_l("Thời hạn khắc phục (ngày)"), validators=[Optional()])
    deadline_days = IntegerField(_l("hoặc trong thời hạn (số ngày kể từ ngày ký)"),
                                 validators=[Optional(), NumberRange(1, 365, _l("Từ 1 đến 365 ngày."))])


class ConclusionForm(Form):
    summary = TextAreaField(_l("Tình hình chung, quá trình kiểm tra"), validators=[Optional(), _max(MAX_TEXT)],
                            render_kw={"rows": 3})
    strengths = TextAreaField(_l("Ưu điểm"), validators=[Optional(), _max(MAX_TEXT)], render_kw={"rows": 3})
    shortcomings = TextAreaField(_l("Tồn tại, hạn chế"), validators=[Optional(), _max(MAX_TEXT)],
                                 render_kw={"rows": 3})
    causes = TextAreaField(_l("Nguyên nhân"), validators=[Optional(), _max(MAX_TEXT)], render_kw={"rows": 3})
    recommendations = TextAreaField(_l("Kiến nghị chung"), validators=[Optional(), _max(MAX_TEXT)],
                                    render_kw={"rows": 3})
    items = FieldList(FormField(ConclusionItemForm))
    version = HiddenField()

    def texts(self) -> dict:
        return {name: getattr(self, name).data or "" for name in ("summary", "strengths", "shortcomings", "causes",
                                                                   "recommendations")}

    def item_data(self) -> list[dict]:
        return [{"finding_id": int(e.finding_id.data), "action": e.action.data, "unit_id": e.unit_id.data,
                 "deadline": e.deadline.data, "deadline_days": e.deadline_days.data}
                for e in self.items if (e.finding_id.data or "").isdigit()]


class DecisionForm(Form):
    decision = RadioField(choices=[SelectChoice("accept", _l("Chấp nhận")),
                                   SelectChoice("reject", _l("Không chấp nhận"))],
                          invalid_choice_message=BAD_CHOICE,
                          validators=[InputRequired(_l("Chọn chấp nhận hoặc không."))])
    note = StringField(_l("Ý kiến của trưởng đoàn"), validators=[Optional(), _max(MAX_TEXT)])


class ActionForm(Form):
    """A button that changes state: only the CSRF token."""


class FindingFilterForm(Form):
    """The findings list's filters (GET, no CSRF); a bad value is reported and ignored."""

    class Meta:
        csrf = False

    q = StringField(_l("Tìm kiếm"), validators=[Optional(), _max(200)],
                    render_kw={"placeholder": _l("Tìm theo nội dung tồn tại, có hoặc không dấu")})
    severity = SelectField(_l("Mức độ"), choices=_labelled(SEVERITY_LABELS, _l("Mọi mức độ")), default="",
                           invalid_choice_message=BAD_CHOICE)
    unit_id = SelectField(_l("Đơn vị được kiểm tra"), coerce=int_or_none, choices=[], validate_choice=False,
                          invalid_value_message=BAD_CHOICE)
    inspection_id = SelectField(_l("Cuộc kiểm tra"), coerce=int_or_none, choices=[], validate_choice=False,
                                invalid_value_message=BAD_CHOICE)
    area_id = SelectField(_l("Lĩnh vực"), coerce=int_or_none, choices=[], validate_choice=False,
                          invalid_value_message=BAD_CHOICE)
    start_from = DateField(_l("Kiểm tra từ ngày"))
    start_to = DateField(_l("đến ngày"))
    sort = SelectField(_l("Sắp xếp"), choices=[SelectChoice("newest", _l("Mới ghi nhận trước")),
                                               SelectChoice("oldest", _l("Cũ nhất trước"))],
                       default="newest", invalid_choice_message=BAD_CHOICE)
