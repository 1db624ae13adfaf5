"""Messages of the Chỉ số CCHC services: in the reader's language within a request, in Vietnamese
(the source language) for jobs and the command line."""

from flask import has_request_context
from flask_babel import gettext


def say(message: str, **values) -> str:
    if has_request_context():
        return gettext(message, **values)
    return message % values if values else message
