"""What the task and remediation pages' extension routes share: their messages and the check that
a form still answers the subject's pending request. The routes stay in their blueprints (their
pages, forms and stale-form rules differ)."""

from ..language.i18n import N_

REQUESTED = {True: N_("Đã gửi đề nghị gia hạn; chờ cơ quan tham mưu chuyển lãnh đạo."),
             False: N_("Đã gửi đề nghị gia hạn; chờ lãnh đạo quyết định.")}
FORWARDED = N_("Đã chuyển đề nghị gia hạn đến lãnh đạo.")
DECIDED = N_("Đã quyết định đề nghị gia hạn.")
CHANGED = N_("Đề nghị gia hạn này đã được xử lý hoặc đã thay đổi; vui lòng xem lại.")


def pending(request, form, refusal: type):
    """`request` (the subject's pending one) if the form was drawn for it; else raise `refusal`."""
    if request is None or form.request_id.data != str(request.id):
        raise refusal(CHANGED)
    return request
