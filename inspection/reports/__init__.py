"""Reports: PDF documents rendered by the worker, their issue and the outgoing-document register."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from . import document_views, signature_views, views  # noqa: E402,F401
