from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from ..forms import Form as FlaskForm


class LoginForm(FlaskForm):
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(), Length(max=60)])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(), Length(max=200)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Mật khẩu hiện tại"), validators=[DataRequired(), Length(max=200)])
    new_password = PasswordField(_l("Mật khẩu mới"), validators=[DataRequired(), Length(min=10, max=200)])
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"),
                            validators=[DataRequired(), EqualTo("new_password", _l("Hai mật khẩu không khớp."))])
