"""Reading a desk poster's QR code the way a phone does: the PDF rasterised by poppler, the code
decoded by zxing-cpp."""

import io
import subprocess
import tempfile
from pathlib import Path

import zxingcpp
from PIL import Image


def poster_png(pdf: bytes, resolution: int = 100) -> bytes:
    """The poster's first page as PNG (pdftoppm)."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "poster.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(resolution), "-png", "-f", "1", "-l", "1", "-singlefile",
                        str(source), str(Path(folder) / "page")], check=True)
        return (Path(folder) / "page.png").read_bytes()


def decoded_qr(pdf: bytes) -> list[str]:
    """The text of every QR code on the poster's first page."""
    image = Image.open(io.BytesIO(poster_png(pdf))).convert("L")
    return [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]
