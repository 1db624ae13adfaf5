"""Stands in for a CA's desktop signing tool (or a USB token's): signs a PDF with a person's
PKCS#12 file, as an incremental update with a visible signature, and writes the signed copy.

    python -m tests.signing.desktop_tool in.pdf out.pdf --p12 leader.p12 --password demo1234
"""

import argparse
import io
import warnings

from cryptography.utils import CryptographyDeprecationWarning

warnings.filterwarnings("ignore", message="DSA is deprecated", category=CryptographyDeprecationWarning)

from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory  # noqa: E402
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: E402
from pyhanko.pdf_utils.text import TextBoxStyle  # noqa: E402
from pyhanko.sign import fields, signers  # noqa: E402
from pyhanko.stamp import TextStampStyle  # noqa: E402

from inspection.signing.appearance import _text_font  # noqa: E402
from inspection.signing.pades import without_event_loop  # noqa: E402


def sign_with_p12(pdf: bytes, p12: bytes, password: str, box: tuple = (420, 612, 560, 656)) -> bytes:
    """`pdf` signed by the PKCS#12's key, a visible box (x1, y1, x2, y2 in points) on the last
    page: where the person drew it, or the signature block's space as a signing plugin puts it."""
    signer = signers.SimpleSigner.load_pkcs12_data(p12, other_certs=[], passphrase=password.encode())
    last = PdfFileReader(io.BytesIO(pdf), strict=False).root["/Pages"]["/Count"] - 1
    style = TextStampStyle(stamp_text="Ký bởi: %(signer)s\nNgày ký: %(ts)s", border_width=0,
                           text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(_text_font(), font_size=8),
                                                       font_size=8, text_color=(0.05, 0.2, 0.6)))
    meta = signers.PdfSignatureMetadata(field_name="ChuKyCaNhan", md_algorithm="sha256",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    spec = fields.SigFieldSpec("ChuKyCaNhan", on_page=last, box=box)
    pdf_signer = signers.PdfSigner(meta, signer, stamp_style=style, new_field_spec=spec)
    # in a test process whose Playwright holds an event loop, as the product signs (pades.py)
    out = without_event_loop(pdf_signer.sign_pdf, IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False))
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("target")
    parser.add_argument("--p12", required=True)
    parser.add_argument("--password", required=True)
    args = parser.parse_args()
    with open(args.source, "rb") as source, open(args.p12, "rb") as p12:
        signed = sign_with_p12(source.read(), p12.read(), args.password)
    with open(args.target, "wb") as target:
        target.write(signed)


if __name__ == "__main__":
    main()
