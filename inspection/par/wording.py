"""Messages of the Chỉ số CCHC services: in the reader's language within a request, in Vietnamese
(the source language) for jobs and the command line."""

from flask import has_request_context
from flask_babel import gettext

from ..language.i18n import N_

# an assessment's status, as every page names it
STATUS_LABELS = {"draft": N_("Đang tự đánh giá"), "submitted": N_("Đã nộp tự đánh giá"),
                 "appraised": N_("Đã thẩm định"), "final": N_("Đã có kết quả")}


def say(message: str, **values) -> str:
    if has_request_context():
        return gettext(message, **values)
    return message % values if values else message
