"""Remediation: units fix each finding, prove it; the inspector accepts or returns it."""

from flask import Blueprint

bp = Blueprint("remediation", __name__)

from . import views  # noqa: E402,F401
