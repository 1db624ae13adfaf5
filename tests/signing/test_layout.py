"""Phụ lục I on the page: the agency's appearance (its seal with "Ký bởi / Thời gian ký") and
the seal over a person's signature lie in the signature block's space, the seal over the left
third of the person's signature, and none of them touches the authority lines above or the
signer's printed name below (the widgets' rectangles against pdftotext's word boxes)."""

import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from inspection.demo.seed import DEMO_PASSWORD
from models import db
from tests.factories import sign_in
from tests.reports.support import pdf_words, stored_bytes

from .desktop_tool import sign_with_p12
from .test_personal import LEADER, p12_of, upload

MM = 72 / 25.4
CLEAR = 1 * MM  # the least white between a signature's rectangle and the printed text


def widgets(pdf: bytes) -> dict[str, tuple[float, float, float, float]]:
    """Each signature's visible rectangle (x1, y1, x2, y2 in points, from the page's bottom)."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    return {s.field_name: tuple(sorted(map(float, s.sig_field["/Rect"]))[i] for i in (0, 2, 1, 3))
            for s in reader.embedded_signatures}


def text_boxes(pdf: bytes, page: int, words: list[str]) -> list[tuple[float, float, float, float]]:
    """The (bottom, top) of the last box of each word of `words` on `page`, in PDF points from the bottom."""
    _width, found = pdf_words(pdf, page + 1)
    height = 841.89
    last = [[w for w in found if w[0] == word][-1] for word in words]
    return [(height - bottom, height - top) for _text, _x, top, bottom in last]


def name_and_authority(pdf: bytes, page: int):
    return text_boxes(pdf, page, LEADER.split()), text_boxes(pdf, page, ["TỊCH"])


def test_the_agency_appearance_keeps_clear_of_the_name_and_the_authority(issued):
    signed = stored_bytes(issued.signed_pdf_id)
    page = issued.sign_box["page"]
    name, authority = name_and_authority(signed, page)
    [rect] = widgets(signed).values()
    assert rect[1] >= max(top for _b, top in name) + CLEAR, (rect, name)  # above the printed name
    assert rect[3] <= min(bottom for bottom, _t in authority) - CLEAR, (rect, authority)  # below PHÓ CHỦ TỊCH
    assert rect[3] - rect[1] >= 20 * MM  # the seal stays the size of a seal, legible


@pytest.mark.parametrize("placed", ["space", "drawn"])
def test_the_seal_over_a_personal_signature_covers_its_left_third_and_never_the_name(demo, issued, client, pki,
                                                                                     placed, tmp_path):
    sign_in(client, demo.user("leader"), DEMO_PASSWORD)
    unsigned = client.get(f"/documents/{issued.id}/unsigned").data
    space = issued.sign_box
    box = ((space["x"], space["y"] - space["height"], space["x"] + space["width"], space["y"]) if placed == "space"
           else (420, 612, 560, 656))  # where a signing plugin puts it, or where a person drew it
    response = upload(client, demo, issued, sign_with_p12(unsigned, p12_of(pki), "pw", box), signed_in=True)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    db.session.refresh(issued)
    final = stored_bytes(issued.signed_pdf_id)
    (tmp_path / f"signed-{placed}.pdf").write_bytes(final)  # to look at
    rects = widgets(final)
    personal, seal = rects["ChuKyCaNhan"], rects["ChuKySoCoQuan"]
    third = personal[0] + (personal[2] - personal[0]) / 3
    assert abs(seal[2] - third) <= 1  # over the left third of the signature, ending where it ends
    assert seal[1] < personal[3] and personal[1] < seal[3]  # level with the person's signature
    name, _authority = name_and_authority(final, space["page"])
    assert seal[1] >= max(top for _b, top in name) + CLEAR, (seal, name)
    assert seal[3] - seal[1] >= 20 * MM  # a seal's size, legible
