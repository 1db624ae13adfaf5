"""Signing a PDF (PAdES baseline, pyHanko): an incremental update that leaves every earlier
revision, and every earlier signature, intact. The signature embeds the signer's certificate
chain; an RFC 3161 timestamp is added when a timestamp server is set."""

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import HTTPTimeStamper

from models import utcnow

from . import appearance, certificates

AGENCY_FIELD = "ChuKySoCoQuan"
MM = 72 / 25.4
GAP = 2 * MM  # clear of the lines above and below the signature block's space
SEAL = 22 * MM  # the seal's side at most


def _field_name(pdf: bytes) -> str:
    """The agency's field name, numbered when the file already has one (a second agency signature)."""
    taken = {name for name, _, _ in fields.enumerate_sig_fields(PdfFileReader(io.BytesIO(pdf)), filled_status=None)}
    name, n = AGENCY_FIELD, 1
    while name in taken:
        n += 1
        name = f"{AGENCY_FIELD}{n}"
    return name


def _rect(box: dict) -> tuple[int, int, int, int]:
    """(x1, y1, x2, y2) in PDF points from the stored box (its top-left corner, size, in points)."""
    x, top, width, height = box["x"], box["y"], box["width"], box["height"]
    return round(x), round(top - height), round(x + width), round(top)


def sign_pdf(pdf: bytes, signer: signers.Signer, box: dict, *, contact: str = "", tsa_url: str = "",
             reason: str = "Ban hành văn bản", moment: datetime | None = None, seal_only: bool = False) -> bytes:
    """`pdf` signed by `signer` with the agency's appearance in `box` (page, x, y, width, height):
    the seal and its text, or the seal alone (over a person's signature)."""
    cert = signer.signing_cert
    org = certificates.organisation(cert)
    contact = contact or certificates.email(cert)
    name = _field_name(pdf)
    meta = signers.PdfSignatureMetadata(field_name=name, md_algorithm="sha256", reason=reason,
                                        subfilter=fields.SigSeedSubFilter.PADES, name=certificates.common_name(cert))
    drawn = box if seal_only else inset(box)
    spec = fields.SigFieldSpec(name, on_page=box.get("page", 0), box=_rect(drawn))
    style = appearance.seal_style(org) if seal_only else appearance.stamp_style(org, drawn["height"])
    pdf_signer = signers.PdfSigner(meta, signer, stamp_style=style,
                                   new_field_spec=spec,
                                   timestamper=HTTPTimeStamper(tsa_url, timeout=10) if tsa_url else None)
    params = appearance.text_params(org, contact, moment or utcnow())
    out = without_event_loop(pdf_signer.sign_pdf, IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False),
                             appearance_text_params=params)
    return out.getvalue()


def without_event_loop(call, *args, **kwargs):
    """pyHanko's synchronous calls run asyncio.run() inside, which a thread with a running event loop
    refuses (a coroutine never awaited, nothing signed): there, make the call in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call, *args, **kwargs).result()


def default_box(page_width: float = 595.28, page_height: float = 841.89) -> dict:
    """Where the signature block sits when the rendering did not say (bottom right of page 1)."""
    return {"page": 0, "x": page_width - 15 * MM - 90 * MM, "y": 60 * MM + 26 * MM, "width": 90 * MM,
            "height": 26 * MM}


def inset(box: dict) -> dict:
    """`box` less GAP at its top and bottom: what is drawn in the signature block's space keeps
    clear of the authority lines above it and the signer's printed name below it."""
    return {**box, "y": box["y"] - GAP, "height": max(box["height"] - 2 * GAP, 1.0)}


def _band(widget: dict, space: dict | None) -> tuple[float, float]:
    """The (bottom, top) band the seal may use: the signature block's space less GAP when the
    person's visible signature lies in it (a seal of its full size then), the signature's own height else."""
    bottom, top = widget["y"] - widget["height"], widget["y"]
    if space is not None and space.get("page") == widget["page"]:
        room = inset(space)
        low, high = room["y"] - room["height"], room["y"]
        if min(top, high) - max(bottom, low) > 0:
            return low, high
    return bottom, top


def seal_box(widget: dict, space: dict | None = None) -> dict:
    """Where the agency's seal goes over a person's signature (Phụ lục I: it covers about a third
    of the signature, on the left): a seal up to SEAL across ending where that third ends, level
    with the signature within the band of _band, so it never reaches the signer's printed name."""
    bottom, top = _band(widget, space)
    side = min(SEAL, top - bottom)
    middle = min(max(widget["y"] - widget["height"] / 2, bottom + side / 2), top - side / 2)
    right = widget["x"] + widget["width"] / 3
    return {"page": widget["page"], "x": right - side, "y": middle + side / 2, "width": side, "height": side}
