from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from ..web.base_forms import AppForm

_REQUIRED = _l("Vui lòng nhập thông tin này.")


class LoginForm(AppForm):
    username = StringField(_l("Tên đăng nhập"), validators=[
        DataRequired(_l("Vui lòng nhập tên đăng nhập.")),
        Length(max=60, message=_l("Tên đăng nhập dài tối đa 60 ký tự."))])
    password = PasswordField(_l("Mật khẩu"), validators=[
        DataRequired(_l("Vui lòng nhập mật khẩu.")),
        Length(max=200, message=_l("Mật khẩu dài tối đa 200 ký tự."))])


class ChangePasswordForm(AppForm):
    current_password = PasswordField(_l("Mật khẩu hiện tại"), validators=[DataRequired(), Length(max=200)])
    # the length and the rest of the policy: auth/password_policy.py, with the reason in the message
    new_password = PasswordField(_l("Mật khẩu mới"), validators=[DataRequired(_REQUIRED)])
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"),
                            validators=[DataRequired(), EqualTo("new_password", _l("Hai mật khẩu không khớp."))])


class TotpCodeForm(AppForm):
    """A six-digit code from the authenticator app."""

    code = StringField(_l("Mã xác thực (6 chữ số)"), validators=[
        DataRequired(_l("Vui lòng nhập mã 6 chữ số đang hiển thị trên ứng dụng xác thực.")),
        Length(max=20, message=_l("Mã xác thực gồm 6 chữ số."))])


class RecoveryCodeForm(AppForm):
    """One of the printed one-time recovery codes."""

    recovery_code = StringField(_l("Mã khôi phục"), validators=[
        DataRequired(_l("Vui lòng nhập một mã khôi phục.")),
        Length(max=40, message=_l("Mã khôi phục gồm 10 ký tự, dạng XXXXX-XXXXX."))])


class ProofForm(AppForm):
    """The password or a current code, to confirm a change to two-factor sign-in."""

    proof = PasswordField(_l("Mật khẩu hoặc mã xác thực hiện tại"), validators=[
        DataRequired(_REQUIRED), Length(max=200, message=_l("Nội dung quá dài."))])
