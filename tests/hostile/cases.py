"""The hostile inputs, kept as data: what the battery sends into every field of every form and API
endpoint. Add a case here and every route gets it; each case says what it probes."""

import io
import struct
import unicodedata
import zlib
from dataclasses import dataclass

from tests.factories import PDF_BYTES, make_photo

SCRIPT = "<script>hostile(1)</script>"
IMG = '"><img src=x onerror=hostile(2)>'
# what must never appear as such in a page: the raw markup of SCRIPT and IMG
RAW_MARKERS = ("<script>hostile", "<img src=x onerror")
FORMULA = "=cmd|' /C calc'!A0"
VIETNAMESE = "Kiểm tra công vụ tại Bộ phận Một cửa Ủy ban nhân dân xã Phước Hưng"


@dataclass(frozen=True)
class Case:
    name: str
    value: object


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# Text: every text field of every route gets each of these (the core set)...
TEXT = [
    Case("over-long", "Ắ" * 10_001),  # beyond every length limit of the forms and the API (≤ 5000)
    Case("control characters", "Báo cáo\x00\x01\x07\x1b[31m\u202e\ufeff\u200b kết quả\r\n\x7f"),
    Case("NFD Vietnamese", nfd(VIETNAMESE)),
    Case("script tag", f"{SCRIPT} Kế hoạch"),
    Case("attribute breakout", f"Tờ trình {IMG}"),
    Case("template syntax", "{{7*7}} {% raw %}{{ config }}{% endraw %} ${7*7} #{7*7} {{ self.__init__ }}"),
    Case("SQL-looking", "'; DROP TABLE org_unit; -- ' OR '1'='1 %_\\"),
]
# ... and one of these in turn (each is still sent to a third of the routes).
EXTRA_TEXT = [
    Case("spreadsheet formula", FORMULA),
    Case("whitespace only", " \t \u3000 "),
    Case("astral characters", "Góp ý 😀 𝕏 \U0010ffff"),
]

# Dates, typed as the user would (dd/mm/yyyy) or as garbage.
DATES = [
    Case("not a real day", "31/02/2024"),
    Case("month 13", "15/13/2024"),
    Case("year 0", "01/01/0000"),
    Case("first representable", "01/01/0001"),
    Case("last representable", "31/12/9999"),
    Case("five-digit year", "01/01/10000"),
    Case("ISO with time", "2024-02-30T25:61"),
    Case("words", "ngày mai"),
]

# Numbers, as form text (forms) or as JSON values (the API).
NUMBERS = [
    Case("negative", "-1"),
    Case("huge", "99999999999999999999999999"),
    Case("NaN", "NaN"),
    Case("Infinity", "Infinity"),
    Case("overflowing float", "1e309"),
    Case("comma decimal", "1,5"),
    Case("hex", "0x10"),
]
JSON_NUMBERS = [
    Case("negative", -1),
    Case("huge", 10**30),
    Case("NaN", float("nan")),
    Case("Infinity", float("inf")),
    Case("negative infinity", float("-inf")),
    Case("float", 1.5),
    Case("bool", True),
    Case("string", "12"),
]

# Values for ids, hidden fields and choices: never a crash, never a match.
CHOICES = [
    Case("not a number", "abc"),
    Case("NaN", "NaN"),
    Case("huge id", "99999999999999999999"),
    Case("negative id", "-5"),
    Case("script", SCRIPT),
]


def bomb_png(side: int = 60_000) -> bytes:
    """A tiny PNG whose header claims side × side pixels (a decompression bomb: 3.6 gigapixels)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (side * 3 + 1) * 4, 9)  # a few rows; the rest would inflate on decode
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


@dataclass(frozen=True)
class Upload:
    name: str
    filename: str
    content: bytes

    def file(self):
        return (io.BytesIO(self.content), self.filename)


def _truncated_jpeg() -> bytes:
    return make_photo(size=(640, 480))[:2000]


UPLOADS = [
    Upload("zero bytes", "bien-ban.pdf", b""),
    Upload("HTML named .pdf", "bao-cao.pdf", b"<html><script>hostile(3)</script></html>"),
    Upload("executable named .jpg", "anh.jpg", b"MZ\x90\x00\x03" + b"\x00" * 200),
    Upload("PDF named .jpg", "anh.jpg", PDF_BYTES),
    Upload("decompression bomb", "anh.png", bomb_png()),
    Upload("truncated photo", "anh.jpg", _truncated_jpeg()),
    Upload("SVG with script", "so-do.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>hostile(4)</script></svg>'),
    Upload("hostile file name", "../../etc/passwd\x00<script>.pdf", PDF_BYTES),
]


def jpeg_claiming(width: int, height: int) -> bytes:
    """A tiny real JPEG whose frame header announces `width`×`height`."""
    data = make_photo(size=(16, 16))
    frame = data.index(b"\xff\xc0")  # SOF0: marker, length, precision, then height and width
    return data[:frame + 5] + struct.pack(">HH", height, width) + data[frame + 9:]


# Issue 18's probe: refused as a photo but kept as a file, a 400-megapixel PNG broke every document
# embedding it. Each upload point must refuse it, and say why: the pixel cap or the file's type.
OVERSIZED = [Upload("400-megapixel PNG", "anh-400-megapixel.png", bomb_png(20_000)),
             Upload("400-megapixel JPEG", "anh-400-megapixel.jpg", jpeg_claiming(20_000, 20_000))]
FILE_REFUSED = ("tối đa 60 megapixel", "Loại tệp không được chấp nhận", "chỉ nhận ảnh JPEG, PNG hoặc WebP",
                "Tệp không phải")  # … bảng tính Excel, chứng thư số, PDF đọc được
