"""The one module that stores files: checks type by content, caps size, records sha256.

Local disk now; an S3-compatible backend only has to implement `Backend`."""

import hashlib
import os
import tempfile
import unicodedata
import uuid
from pathlib import Path
from typing import BinaryIO, Protocol

import filetype
from flask import current_app
from PIL import Image, JpegImagePlugin, PngImagePlugin, WebPImagePlugin

from models import Attachment, db

from . import malware
from .errors import StorageUnavailable, ValidationError
from .i18n import N_
from .text import nfc

IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp"}
DOCUMENT_TYPES = IMAGE_TYPES | {
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
_CHUNK = 1024 * 1024
MAX_PIXELS = 60_000_000  # every stored image, whatever it is uploaded as (a photo, evidence, a scan)
# The header readers: the size is read before anything is decoded, never through `Image.open`
# (whose decompression-bomb check raises before ours could answer in words).
HEADER_READERS = {"image/jpeg": JpegImagePlugin.JpegImageFile, "image/png": PngImagePlugin.PngImageFile,
                  "image/webp": WebPImagePlugin.WebPImageFile}
UNAVAILABLE = N_("Không lưu được tệp: kho lưu trữ tệp của máy chủ đang lỗi (đầy hoặc không ghi được). "
                 "Chưa có gì được lưu; vui lòng thử lại sau ít phút hoặc báo quản trị hệ thống.")


class Backend(Protocol):
    def put(self, key: str, source_path: str) -> None: ...
    def open(self, key: str) -> BinaryIO: ...
    def delete(self, key: str) -> None: ...


class LocalBackend:
    """Files under a directory; the key is a relative path made only by this module."""

    def __init__(self, root: str):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / key

    def put(self, key: str, source_path: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source_path, path)

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def backend() -> Backend:
    return LocalBackend(current_app.config["STORAGE_DIR"])


def _spool(stream: BinaryIO, limit: int) -> tuple[str, int, str]:
    """Copy `stream` to a temporary file, refusing more than `limit` bytes; (path, size, sha256)."""
    digest, size = hashlib.sha256(), 0
    Path(current_app.config["STORAGE_DIR"]).mkdir(parents=True, exist_ok=True)
    fd, path = tempfile.mkstemp(dir=current_app.config["STORAGE_DIR"], suffix=".part")
    with os.fdopen(fd, "wb") as out:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                out.close()
                os.unlink(path)
                raise ValidationError(f"Tệp vượt quá dung lượng cho phép ({limit // (1024 * 1024)} MB).")
            digest.update(chunk)
            out.write(chunk)
    return path, size, digest.hexdigest()


def _detect(path: str, allowed: set[str]) -> str:
    kind = filetype.guess(path)
    mime = kind.mime if kind else None
    if mime not in allowed:
        os.unlink(path)
        raise ValidationError("Loại tệp không được chấp nhận (kiểm tra theo nội dung tệp).")
    return mime


def check_pixels(width: int, height: int) -> None:
    """Refuse an image larger than the pixel cap (PHOTO_MAX_PIXELS, 60 megapixel by default)."""
    limit = current_app.config.get("PHOTO_MAX_PIXELS") or MAX_PIXELS
    if Image.MAX_IMAGE_PIXELS:  # stay below Pillow's own threshold, so it never warns
        limit = min(limit, Image.MAX_IMAGE_PIXELS)
    if width * height > limit:
        raise ValidationError(f"Ảnh quá lớn về kích thước ({width}×{height} điểm ảnh, khoảng "
                              f"{width * height / 1e6:.0f} megapixel): tối đa {limit / 1e6:g} megapixel.")


def _check_image(path: str, mime: str) -> None:
    """An image stored as a file (evidence, a progress file, a signed scan) gets the photos' pixel
    cap: a document that embeds it must be able to draw it."""
    if mime not in HEADER_READERS:
        return
    try:
        with open(path, "rb") as f:
            check_pixels(*HEADER_READERS[mime](f).size)
    except ValidationError:
        os.unlink(path)
        raise
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        os.unlink(path)
        raise ValidationError("Ảnh bị hỏng hoặc chưa tải lên hết: vui lòng tải lại ảnh.") from exc


def _scan(path: str, filename: str) -> None:
    try:
        malware.check_file(path, filename)
    except BaseException:
        os.unlink(path)
        raise


def store(stream: BinaryIO, filename: str, *, kind: str, allowed: set[str] = DOCUMENT_TYPES,
          unit_id: int | None = None, uploaded_by_id: int | None = None, limit: int | None = None,
          scan: bool = True) -> Attachment:
    """Store one upload and add its Attachment row to the current transaction (`limit`: a cap
    other than the upload limit, for files the app makes itself, e.g. rendered PDFs; `scan=False`
    for those too: only what users upload goes to the malware scanner)."""
    limit = limit or current_app.config["MAX_UPLOAD_BYTES"]
    try:
        path, size, sha256 = _spool(stream, limit)
    except OSError as exc:
        raise StorageUnavailable(UNAVAILABLE) from exc
    if size == 0:
        os.unlink(path)
        raise ValidationError("Tệp rỗng (0 byte).")
    mime = _detect(path, allowed)
    _check_image(path, mime)
    if scan:  # last, the costliest check: clamd reads the whole file
        _scan(path, filename)
    key = f"{kind}/{sha256[:2]}/{uuid.uuid4().hex}"
    try:
        backend().put(key, path)
    except OSError as exc:  # no row is added: nothing points to a file that is not there
        Path(path).unlink(missing_ok=True)
        raise StorageUnavailable(UNAVAILABLE) from exc
    attachment = Attachment(kind=kind, filename=stored_name(filename),
                            mime_type=mime, size=size, sha256=sha256, storage_key=key,
                            unit_id=unit_id, uploaded_by_id=uploaded_by_id)
    db.session.add(attachment)
    return attachment


def stored_name(filename: str) -> str:
    """The name a file is kept and served under: no directory (either slash), no control
    characters (a newline would break the Content-Disposition header), NFC."""
    name = "".join(" " if unicodedata.category(c).startswith("C") else c for c in nfc(filename))
    return os.path.basename(name.replace("\\", "/")).strip()[:255] or "tep"


def open_attachment(attachment: Attachment) -> BinaryIO:
    return backend().open(attachment.storage_key)
