"""Inspection photos: originals kept byte for byte, an upright ≤1600 px JPEG copy without EXIF,
and every bad upload refused with a clear message and nothing stored (no row, no file).
Every picture is made here with Pillow (HEIC with pillow-heif)."""

import hashlib
import io
import re
import struct
import zlib
from pathlib import Path

import pillow_heif
import pytest
from PIL import ExifTags, Image
from sqlalchemy import func, select

from inspection.errors import ValidationError
from inspection.files import storage
from inspection.files.photos import store_photo
from models import Attachment, db
from tests.factories import make_photo, make_user
from tests.s3 import stored_files

RED, BLUE = (220, 20, 20), (20, 20, 220)


@pytest.fixture
def owner(tree):
    return {"unit_id": tree["a"].id, "uploaded_by_id": make_user(unit=tree["dept"]).id}


@pytest.fixture
def nothing_stored(app, ctx):
    """Asserts, after the test body, that no Attachment row and no file (not even a partial one)
    was left behind, in whichever store the app uses."""
    before = stored_files(app)
    yield
    assert db.session.execute(select(func.count()).select_from(Attachment)).scalar_one() == 0
    assert stored_files(app) == before


def stored_bytes(attachment) -> bytes:
    with storage.open_attachment(attachment) as fh:
        return fh.read()


def opened(attachment) -> Image.Image:
    image = Image.open(io.BytesIO(stored_bytes(attachment)))
    image.load()
    return image


def two_colour(size, left=RED, right=BLUE) -> Image.Image:
    """Left half `left`, right half `right`: shows where the stored left side ends up."""
    image = Image.new("RGB", size, right)
    image.paste(left, (0, 0, size[0] // 2, size[1]))
    return image


def close_to(pixel, colour, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


# --- accepted photos ---------------------------------------------------------------------------


def test_camera_photo_keeps_original_bytes_and_gets_a_1600px_copy(ctx, owner):
    data = make_photo(size=(4000, 3000), quality=92)
    original, display = store_photo(io.BytesIO(data), "IMG_0001.jpg", **owner)
    db.session.flush()
    assert (original.kind, original.mime_type, original.filename) == ("photo_original", "image/jpeg", "IMG_0001.jpg")
    assert stored_bytes(original) == data
    assert (original.size, original.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    copy = opened(display)
    assert (display.kind, display.mime_type, copy.format, copy.mode) == ("photo_display", "image/jpeg", "JPEG", "RGB")
    assert copy.size == (1600, 1200)
    assert display.sha256 == hashlib.sha256(stored_bytes(display)).hexdigest()
    assert display.size < original.size
    assert {a.unit_id for a in (original, display)} == {owner["unit_id"]}
    assert {a.uploaded_by_id for a in (original, display)} == {owner["uploaded_by_id"]}
    assert db.session.execute(select(func.count()).select_from(Attachment)).scalar_one() == 2


def test_photo_taken_sideways_displays_upright_without_exif_or_gps(ctx, owner):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # the camera was turned: rotate 90° clockwise to view
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (10.0, 45.0, 12.5)}
    out = io.BytesIO()
    two_colour((2000, 1500)).save(out, "JPEG", exif=exif, comment="Nguyễn Văn A".encode())
    original, display = store_photo(io.BytesIO(out.getvalue()), "xoay.jpg", **owner)
    copy = opened(display)
    assert copy.size == (1200, 1600)  # portrait: width and height swapped
    assert close_to(copy.getpixel((600, 50)), RED)  # the stored left side is now on top
    assert close_to(copy.getpixel((600, 1550)), BLUE)
    assert not copy.getexif()  # no orientation left to apply twice, no GPS position
    assert "comment" not in copy.info and "exif" not in copy.info
    assert stored_bytes(original) == out.getvalue()  # the evidence keeps its metadata


def test_small_photo_is_not_enlarged(ctx, owner):
    _original, display = store_photo(io.BytesIO(make_photo(size=(800, 600))), "nho.jpg", **owner)
    assert opened(display).size == (800, 600)


def test_transparent_png_gets_a_white_background(ctx, owner):
    image = Image.new("RGBA", (1000, 500), (0, 0, 0, 0))
    image.paste((20, 20, 220, 255), (0, 0, 500, 500))
    out = io.BytesIO()
    image.save(out, "PNG")
    original, display = store_photo(io.BytesIO(out.getvalue()), "so-do.png", **owner)
    copy = opened(display)
    assert (original.mime_type, copy.format, copy.mode, copy.size) == ("image/png", "JPEG", "RGB", (1000, 500))
    assert close_to(copy.getpixel((250, 250)), BLUE)
    assert close_to(copy.getpixel((750, 250)), (255, 255, 255), tolerance=8)
    assert display.filename == "so-do.jpg"


def test_webp_photo_is_accepted(ctx, owner):
    out = io.BytesIO()
    two_colour((2400, 1200)).save(out, "WEBP", quality=80)
    original, display = store_photo(io.BytesIO(out.getvalue()), "anh.webp", **owner)
    copy = opened(display)
    assert original.mime_type == "image/webp" and stored_bytes(original) == out.getvalue()
    assert (copy.format, copy.size) == ("JPEG", (1600, 800))
    assert close_to(copy.getpixel((200, 400)), RED)


def test_heic_from_an_ipad_is_converted_upright(ctx, owner):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # iPad held upright: stored sideways
    out = io.BytesIO()
    pillow_heif.from_pillow(two_colour((2000, 1500))).save(out, quality=80, exif=exif.tobytes())
    original, display = store_photo(io.BytesIO(out.getvalue()), "IMG_0042.HEIC", **owner)
    copy = opened(display)
    assert original.mime_type == "image/heic" and stored_bytes(original) == out.getvalue()
    assert (copy.format, copy.mode, copy.size) == ("JPEG", "RGB", (1200, 1600))
    assert close_to(copy.getpixel((600, 50)), RED) and close_to(copy.getpixel((600, 1550)), BLUE)
    assert display.filename == "IMG_0042.jpg"


def test_failure_while_storing_the_copy_leaves_no_original_behind(app, ctx, nothing_stored, owner, monkeypatch):
    store = type(storage.backend())  # the disk's or the object store's (tests/s3.py)
    real_put = store.put

    def disk_full_for_copies(self, key, source_path):
        if key.startswith("photo_display/"):
            Path(source_path).unlink()
            raise OSError("No space left on device")
        real_put(self, key, source_path)

    monkeypatch.setattr(store, "put", disk_full_for_copies)
    with pytest.raises(storage.StorageUnavailable, match="kho lưu trữ tệp") as refused:  # the user's message
        store_photo(io.BytesIO(make_photo()), "anh.jpg", **owner)
    assert "No space" in str(refused.value.__cause__)


# --- refused uploads: a clear message, nothing stored ----------------------------------------


NOT_A_PHOTO = "chỉ nhận ảnh JPEG, PNG hoặc WebP"
DAMAGED = "Ảnh bị hỏng hoặc chưa tải lên hết"
TOO_MANY_PIXELS = "tối đa 60 megapixel"


def pdf_named_jpg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(out, "PDF")
    return out.getvalue()


def truncated_jpeg() -> bytes:
    data = make_photo(size=(2000, 1500))  # large enough for the reduced-scale decode
    return data[: len(data) // 2]


def png_claiming(width: int, height: int) -> bytes:
    """A tiny real PNG whose header announces `width`×`height` (CRC fixed): a bomb's shape."""
    data = make_photo(size=(8, 8), fmt="PNG")
    ihdr = b"IHDR" + struct.pack(">II", width, height) + data[24:29]
    return data[:8] + struct.pack(">I", 13) + ihdr + struct.pack(">I", zlib.crc32(ihdr)) + data[33:]


def real_bomb() -> bytes:
    """64 megapixels of one colour: a few kB on disk, 192 MB once decoded to RGB."""
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, "PNG")
    return out.getvalue()


SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
SVG_SCRIPT = ('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
              "<script>fetch('/api/me')</script></svg>")


@pytest.mark.parametrize(("make_payload", "filename", "message"), [
    (pdf_named_jpg, "bien-ban.jpg", NOT_A_PHOTO),
    (lambda: SVG.encode(), "so-do.svg", NOT_A_PHOTO),
    (lambda: SVG_SCRIPT.encode(), "anh.jpg", NOT_A_PHOTO),
    (lambda: make_photo(size=(40, 30), fmt="GIF", mode="P"), "dong.gif", NOT_A_PHOTO),
    (lambda: b"", "IMG_0003.jpg", "rỗng (0 byte)"),
    (truncated_jpeg, "IMG_0004.jpg", DAMAGED),
    (real_bomb, "bom.png", TOO_MANY_PIXELS),
    (lambda: png_claiming(8000, 10000), "bom.png", "8000×10000 điểm ảnh"),  # under Pillow's own warning
    (lambda: png_claiming(10000, 10000), "bom.png", TOO_MANY_PIXELS),  # Pillow would warn here
    (lambda: png_claiming(30000, 30000), "bom.png", TOO_MANY_PIXELS),  # Pillow would raise here
], ids=["pdf-renamed-jpg", "svg", "svg-with-script", "gif", "zero-bytes", "truncated-jpeg", "bomb-64mp",
        "header-80mp", "header-100mp", "header-900mp"])
def test_bad_upload_is_refused_and_nothing_is_stored(ctx, nothing_stored, owner, make_payload, filename, message):
    with pytest.raises(ValidationError, match=re.escape(message)):
        store_photo(io.BytesIO(make_payload()), filename, **owner)


def test_40mb_panorama_is_refused_with_the_limit(ctx, nothing_stored, owner):
    panorama = make_photo(size=(8000, 1500), quality=95)
    payload = panorama + b"\0" * (40 * 1024 * 1024 - len(panorama))  # 40 MB, as a camera's panorama
    with pytest.raises(ValidationError, match="dung lượng tối đa là 25 MB"):
        store_photo(io.BytesIO(payload), "toan-canh.jpg", **owner)


def test_damaged_heic_says_how_to_set_the_ipad_camera(ctx, nothing_stored, owner):
    out = io.BytesIO()
    pillow_heif.from_pillow(two_colour((1200, 900))).save(out, quality=80)
    cut = out.getvalue()[: len(out.getvalue()) // 2]  # the header reads, the picture data is missing
    with pytest.raises(ValidationError, match="Cài đặt → Camera → Định dạng → chọn Tương thích nhất"):
        store_photo(io.BytesIO(cut), "IMG_0042.HEIC", **owner)


def test_a_truncated_photo_is_refused_even_after_weasyprint_is_imported(ctx):
    """WeasyPrint switches Pillow to accept truncated images process-wide; evidence must not follow."""
    import io as _io

    import pytest as _pytest
    import weasyprint  # noqa: F401
    from PIL import Image as _Image
    from PIL import ImageFile as _ImageFile

    from inspection.errors import ValidationError as _ValidationError
    from inspection.files.photos import store_photo as _store

    buffer = _io.BytesIO()
    _Image.new("RGB", (640, 480), "red").save(buffer, "JPEG")
    assert _ImageFile.LOAD_TRUNCATED_IMAGES is True
    with _pytest.raises(_ValidationError):
        _store(_io.BytesIO(buffer.getvalue()[:2000]), "cut.jpg", unit_id=None, uploaded_by_id=None)
    assert _ImageFile.LOAD_TRUNCATED_IMAGES is True  # restored for the PDF renderer
