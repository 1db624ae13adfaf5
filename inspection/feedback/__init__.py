"""Citizens rate the one-stop desks (SIPAS-style) by a QR poster; their answers feed the figures,
the coordinator's triage and, through findings, the remediation loop."""

from flask import Blueprint

bp = Blueprint("feedback", __name__)

from . import desk_views, survey_views, triage_views  # noqa: E402,F401
