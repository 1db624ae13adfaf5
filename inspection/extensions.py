"""Unbound extension singletons (the `db` object lives in models.base)."""

from flask_compress import Compress
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

from .language.i18n import Babel

compress = Compress()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
migrate = Migrate()
