"""Inspection photos: the original kept byte for byte, and an upright JPEG copy of at most 1600 px
for pages and PDFs, with no EXIF (no GPS). Needs an app context (storage settings), never a
request, so the web process and the worker can both call it.

Every check runs before anything is stored: a refused photo leaves no row and no file."""

import io
import math
import struct
import tempfile
from pathlib import Path
from typing import BinaryIO

import filetype
from flask import current_app
from PIL import Image, ImageFile, ImageOps, JpegImagePlugin, PngImagePlugin, WebPImagePlugin
from pillow_heif.as_plugin import HeifImageFile

from models import Attachment, db

from ..errors import ValidationError
from ..language.i18n import N_
from ..language.text import nfc
from . import storage

# Each accepted type is read by its own Pillow reader, never by `Image.open`: the pixel count is
# checked from the header before anything is decoded, so Pillow's own decompression-bomb
# warning is never reached.
READERS = {
    "image/jpeg": JpegImagePlugin.JpegImageFile,
    "image/png": PngImagePlugin.PngImageFile,
    "image/webp": WebPImagePlugin.WebPImageFile,
    "image/heic": HeifImageFile,  # iPhone/iPad camera default; converted for display
    "image/heif": HeifImageFile,
}
HEIF_TYPES = {"image/heic", "image/heif"}
DISPLAY_SIDE = 1600
DISPLAY_QUALITY = 85
_MB = 1024 * 1024
_IN_MEMORY = 4 * _MB  # larger uploads spool to an anonymous temporary file while checked
# What Pillow and libheif raise on malformed data (their exceptions are not one family).
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error,
                  Image.DecompressionBombError)

EMPTY = N_("Tệp ảnh rỗng (0 byte): vui lòng chụp hoặc chọn lại ảnh.")
NOT_A_PHOTO = N_("Tệp không phải là ảnh được hỗ trợ: chỉ nhận ảnh JPEG, PNG hoặc WebP "
                 "(kiểm tra theo nội dung tệp, không theo đuôi tên tệp).")
DAMAGED = N_("Ảnh bị hỏng hoặc chưa tải lên hết (tệp bị cắt cụt): vui lòng chụp hoặc tải lại ảnh.")
HEIC_UNREADABLE = N_("Không đọc được ảnh định dạng HEIC (iPhone/iPad) này: vào Cài đặt → Camera → "
                     "Định dạng → chọn Tương thích nhất, hoặc chụp lại bằng ứng dụng.")


def store_photo(stream: BinaryIO, filename: str, *, unit_id: int | None,
                uploaded_by_id: int | None) -> tuple[Attachment, Attachment]:
    """Check an uploaded photo and add (original, display copy) to the session, or store nothing."""
    filename = nfc(filename) or "anh"
    owner = {"unit_id": unit_id, "uploaded_by_id": uploaded_by_id}
    with tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY) as upload:
        _copy_capped(stream, upload)
        display = _render_display(upload, _sniff(upload))
        upload.seek(0)
        original = storage.store(upload, filename, kind="photo_original", allowed=set(READERS), **owner)
    try:
        copy = storage.store(io.BytesIO(display), f"{Path(filename).stem or 'anh'}.jpg",
                             kind="photo_display", allowed={"image/jpeg"}, scan=False, **owner)
    except Exception:
        _discard(original)
        raise
    return original, copy


def _render_display(upload: BinaryIO, mime: str) -> bytes:
    """The display copy as JPEG bytes: upright, longest side ≤ DISPLAY_SIDE, RGB, no metadata."""
    image = _decode(upload, mime)
    try:
        image.thumbnail((DISPLAY_SIDE, DISPLAY_SIDE), Image.Resampling.LANCZOS)  # never enlarges
        upright = ImageOps.exif_transpose(image)
        flat = _flatten(upright)
    except _DECODE_ERRORS as exc:
        raise ValidationError(_unreadable(mime)) from exc
    out = io.BytesIO()
    flat.save(out, "JPEG", quality=DISPLAY_QUALITY, optimize=True, progressive=True, **_icc(image))
    return out.getvalue()


def _copy_capped(stream: BinaryIO, upload: BinaryIO) -> None:
    limit = current_app.config.get("PHOTO_MAX_BYTES") or current_app.config["MAX_UPLOAD_BYTES"]
    size = 0
    while chunk := stream.read(_MB):
        size += len(chunk)
        if size > limit:
            raise ValidationError(f"Ảnh quá lớn: dung lượng tối đa là {limit / _MB:g} MB. "
                                  "Hãy chụp lại ảnh thường (không chụp toàn cảnh) hoặc chọn ảnh khác.")
        upload.write(chunk)
    if size == 0:
        raise ValidationError(EMPTY)


def _sniff(upload: BinaryIO) -> str:
    """The type from the content (filetype's magic numbers), never from the name."""
    upload.seek(0)
    kind = filetype.guess(upload.read(8192))
    if kind is None or kind.mime not in READERS:
        raise ValidationError(NOT_A_PHOTO)
    return kind.mime


def _decode(upload: BinaryIO, mime: str) -> Image.Image:
    """Header and pixel cap, then `verify()`, then a full (JPEG: reduced-scale) `load()`.

    Importing WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES; evidence photos must
    never be accepted truncated, so it is off while we decode (and restored after)."""
    lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        return _decode_strict(upload, mime)
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient


def _decode_strict(upload: BinaryIO, mime: str) -> Image.Image:
    try:
        image = _open(upload, mime)
        image.verify()
        image = _open(upload, mime)
        image.draft("RGB", _draft_size(image.size))  # JPEG: let libjpeg scale down by 1/2…1/8
        image.load()
    except _DECODE_ERRORS as exc:
        raise ValidationError(_unreadable(mime)) from exc
    return image


def _open(upload: BinaryIO, mime: str) -> Image.Image:
    upload.seek(0)
    image = READERS[mime](upload)
    storage.check_pixels(*image.size)
    return image


def _draft_size(size: tuple[int, int]) -> tuple[int, int]:
    """The smallest decode that still covers the display size (draft only scales down to it)."""
    scale = min(1.0, DISPLAY_SIDE / max(size))
    return max(1, math.ceil(size[0] * scale)), max(1, math.ceil(size[1] * scale))


def _flatten(image: Image.Image) -> Image.Image:
    """RGB, transparency on white, on a fresh image: none of the source's EXIF (GPS), XMP or
    comments reaches the JPEG writer."""
    canvas = Image.new("RGB", image.size, "white")
    if image.has_transparency_data:
        rgba = image.convert("RGBA")
        canvas.paste(rgba, mask=rgba.getchannel("A"))
    else:
        canvas.paste(image.convert("RGB"))
    return canvas


def _icc(image: Image.Image) -> dict:
    """Keep an RGB colour profile (iPhone Display P3 looks washed out without it); a CMYK or grey
    profile would not match the converted pixels."""
    profile = image.info.get("icc_profile")
    return {"icc_profile": profile} if profile and image.mode in ("RGB", "RGBA") else {}


def _unreadable(mime: str) -> str:
    return HEIC_UNREADABLE if mime in HEIF_TYPES else DAMAGED


def _discard(attachment: Attachment) -> None:
    """Undo a `storage.store` of this call: the row leaves the session, the file the disk."""
    db.session.expunge(attachment)
    storage.backend().delete(attachment.storage_key)
