"""The A4 poster of a desk: the unit, the desk, the QR code of its survey and two lines on what the
survey is for and that it is anonymous. Rendered by the worker like every PDF (reports/pdf.py)."""

import io

import segno
from markupsafe import Markup

from models import Desk, OrgUnit, db

from ..errors import ValidationError
from ..reports.snapshots import committee_name
from .tokens import survey_url


def snapshot(unit: OrgUnit, desk_id: int, base_url: str) -> dict:
    """Plain data of the poster; the token inside the URL changes when the QR is revoked, and with
    it the input hash, so a revoked poster is never served again as the current one."""
    desk = db.session.get(Desk, desk_id)
    if desk is None or desk.unit_id != unit.id:
        raise ValidationError("Bộ phận không thuộc đơn vị này.")
    return {"unit": committee_name(unit), "desk": desk.name, "url": survey_url(desk, base_url),
            "issued_at": desk.token_issued_at.isoformat(), "subject": f"Áp phích đánh giá – {desk.name}"}


def qr_svg(url: str) -> Markup:
    """The QR code as inline SVG, black on white (error correction M survives a worn print)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", xmldecl=False, nl=False, scale=1, omitsize=True, border=4,
                                   dark="#000", light="#fff")
    return Markup(out.getvalue().decode())
