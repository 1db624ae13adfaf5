"""The citizen's public survey, opened from a desk's QR code: no sign-in, Vietnamese first with
English offered, no JavaScript, light enough for a cheap phone on a slow connection.

Before anything else a request counts against its address's limit (Redis, shared by every web
process; limits.public_guard): a flood is answered 429 in Vietnamese and reaches neither the database
nor the form."""

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..language.formatting import local_today
from . import answers, bp, limits, tokens
from .desks import PublicDesk, desk_by_token
from .forms import ELEMENT_LABELS, FIELD_LABELS, POINT_LABELS, SCALE, AnswerForm

COOKIE_PREFIX = "fb"  # one first-party cookie per desk: the day this device last answered
THANKS = "feedback.thanks"


def _answered_today(desk_id: int) -> bool:
    return request.cookies.get(f"{COOKIE_PREFIX}{desk_id}") == local_today().isoformat()


def _desk_or_page(token: str) -> tuple[PublicDesk | None, object]:
    desk, current = desk_by_token(token)
    if desk is None:
        return None, (render_template("feedback/unknown.html"), 404)
    if not current:
        return None, (render_template("feedback/revoked.html", desk=desk), 410)
    return desk, None


def _not_stored(token: str, respond):
    """The page of an answer not stored: the poster's own refusal when its token is no longer good
    (as the blank page would say), else respond(desk)."""
    desk, refusal = _desk_or_page(token)
    return refusal if desk is None else respond(desk)


def _page(desk: PublicDesk, form: AnswerForm | None = None, status: int = 200, message: str = ""):
    """The survey of `desk`: blank (no form built), or with the answer `form` holds and its errors."""
    # the labels translated once for the page, not once for each of the 25 radio buttons
    return render_template("feedback/survey.html", desk=desk, form=form, started=limits.started_token(desk.id),
                           elements={k: str(v) for k, v in ELEMENT_LABELS.items()},
                           points={k: str(v) for k, v in POINT_LABELS.items()}, labels=FIELD_LABELS, scale=SCALE,
                           message=message, answered=_answered_today(desk.id)), status


@bp.route("/danh-gia/<token>")
def survey(token: str):
    """The survey of the desk a poster names (public)."""
    desk, refusal = _desk_or_page(token)
    return refusal if desk is None else _page(desk)


@bp.route("/danh-gia/<token>", methods=["POST"])
def answer(token: str):
    """Store the citizen's answer: one per device and desk a day (public). An answer that is kept
    reads nothing first (answers.submit_answer checks the poster as it stores); the desk is read
    only to draw the page again."""
    poster = tokens.read(token)
    if poster is None:
        return render_template("feedback/unknown.html"), 404
    if _answered_today(poster[0]):
        return _not_stored(token, lambda desk: _page(desk, None, 409))
    form = AnswerForm()
    if not form.validate():
        return _not_stored(token, lambda desk: _page(
            desk, form, 422, _("Vui lòng chọn mức đánh giá cho cả năm tiêu chí.")))
    if form.website.data:  # the hidden trap field: a robot filled it; told thanks, nothing kept
        return _not_stored(token, lambda desk: redirect(url_for(THANKS), 303))
    problem = limits.filling_problem(form.started.data, poster[0])
    if problem == "too_fast":
        return _not_stored(token, lambda desk: _page(
            desk, form, 422, _("Phiếu được gửi quá nhanh. Vui lòng xem lại các câu trả lời rồi gửi lại.")))
    if problem:  # forged or replayed: nothing stored
        return _not_stored(token, lambda desk: _page(
            desk, None, 409, _("Phiếu này đã được gửi. Cảm ơn Ông/Bà.")))
    procedure = form.procedure_name.data or (form.procedure_choice.data or "")
    stored = answers.submit_answer(poster, form.scores(), procedure_name=procedure, comment=form.comment.data or "")
    if stored is None:  # revoked (or the desk closed) since the page was drawn
        return _not_stored(token, lambda desk: _page(desk, None, 409))
    response = redirect(url_for(THANKS), 303)
    response.set_cookie(f"{COOKIE_PREFIX}{poster[0]}", local_today().isoformat(), max_age=36 * 3600,
                        path="/danh-gia", httponly=True, samesite="Lax", secure=request.is_secure)
    return response


@bp.route("/danh-gia/cam-on")
def thanks():
    """What happens with the answer (public)."""
    return render_template("feedback/thanks.html")
