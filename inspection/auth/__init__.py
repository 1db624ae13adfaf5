from flask import Blueprint

bp = Blueprint("auth", __name__)


def pending_step(user, user_session) -> str | None:
    """The endpoint a signed-in user must finish before anything else, if any."""
    if user.must_change_password:
        return "auth.change_password"
    return None


from . import views  # noqa: E402,F401  (registers the routes on bp)
