from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from models.enums import UNIT_KIND_LABELS

from ..forms import Form as FlaskForm


class UnitForm(FlaskForm):
    name = StringField(_l("Tên đơn vị"), validators=[DataRequired(), Length(max=200)])
    short_name = StringField(_l("Tên viết tắt"), validators=[Optional(), Length(max=80)])
    code = StringField(_l("Mã đơn vị"), validators=[DataRequired(), Length(max=40)])
    kind = SelectField(_l("Loại đơn vị"), choices=[SelectChoice(k.value, v) for k, v in UNIT_KIND_LABELS.items()])
    place_name = StringField(_l("Địa danh (dòng ngày tháng)"), validators=[Optional(), Length(max=80)])
    address = StringField(_l("Địa chỉ"), validators=[Optional(), Length(max=300)])
    requires_head_confirmation = BooleanField(_l("Thủ trưởng xác nhận trước khi gửi kết quả"))
    version = HiddenField()
