"""Chỉ số CCHC: the yearly PAR Index assessment, from the index as data to the published ranking."""

from flask import Blueprint

# the administration package first: inspection.sheets (the index import) reads from it, and it
# reaches back to inspection.sheets through the plans package
from .. import admin  # noqa: F401  isort: skip

bp = Blueprint("par", __name__, url_prefix="/chi-so-cchc")

from . import amendment_views, assessment_views, import_views, pack_views, views  # noqa: E402,F401
