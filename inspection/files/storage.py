"""The one module that stores files: checks type by content, caps size, records sha256.

Two backends behind `Backend`: local disk (the embedded default, STORAGE_DIR) and an S3-compatible
object store (STORAGE_URL=s3://bucket/prefix, inspection/files/storage_s3.py). An upload is spooled to a
temporary file while it is checked, then handed to the backend; nothing is kept in memory whole."""

import hashlib
import io
import os
import tempfile
import unicodedata
import uuid
from pathlib import Path
from typing import BinaryIO, Protocol

import filetype
from flask import Response, current_app, redirect, send_file
from PIL import Image, JpegImagePlugin, PngImagePlugin, WebPImagePlugin
from werkzeug.exceptions import NotFound

from models import Attachment, db

from ..errors import StorageUnavailable, ValidationError
from ..language.i18n import N_
from ..language.text import nfc
from . import malware
from .storage_s3 import ChunkReader, S3Backend

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
UNREADABLE = N_("Không mở được tệp: kho lưu trữ tệp của máy chủ tạm thời không truy cập được. "
                "Vui lòng thử lại sau ít phút hoặc báo quản trị hệ thống.")


class CorruptFile(OSError):
    """A stored file whose bytes no longer hash to the sha256 recorded at upload."""


class Backend(Protocol):
    def put(self, key: str, source_path: str) -> None: ...
    def open(self, key: str) -> BinaryIO: ...
    def delete(self, key: str) -> None: ...
    def ping(self) -> None: ...


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

    def ping(self) -> None:
        """The store can be written to (its directory exists, or can be made, and is writable)."""
        self.root.mkdir(parents=True, exist_ok=True)
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise PermissionError(f"{self.root} is not writable")


def backend() -> Backend:
    config = current_app.config
    if config.get("STORAGE_URL"):
        return S3Backend(config["STORAGE_URL"], endpoint=config.get("STORAGE_ENDPOINT"),
                         region=config.get("STORAGE_REGION"), multipart_bytes=config["STORAGE_MULTIPART_BYTES"])
    return LocalBackend(config["STORAGE_DIR"])


def spool_dir() -> str:
    """Where uploads wait while they are checked: inside the disk store (so the final move is a
    rename), or the system's temporary directory when the files go to an object store."""
    config = current_app.config
    if config.get("STORAGE_URL"):
        return config.get("STORAGE_SPOOL_DIR") or tempfile.gettempdir()
    Path(config["STORAGE_DIR"]).mkdir(parents=True, exist_ok=True)
    return config["STORAGE_DIR"]


def _spool(stream: BinaryIO, limit: int) -> tuple[str, int, str]:
    """Copy `stream` to a temporary file, refusing more than `limit` bytes; (path, size, sha256)."""
    digest, size = hashlib.sha256(), 0
    fd, path = tempfile.mkstemp(dir=spool_dir(), suffix=".part")
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


def open_attachment(attachment: Attachment, *, verify: bool = True) -> BinaryIO:
    """The stored bytes, as a stream; read to its end, it checks them against the sha256 kept at
    upload (CorruptFile otherwise). FileNotFoundError when gone, another OSError when the store
    cannot be reached."""
    stream = backend().open(attachment.storage_key)
    if not verify or not attachment.sha256:
        return stream
    return io.BufferedReader(_Verified(stream, attachment.sha256, attachment.id), buffer_size=_CHUNK)


class _Verified(ChunkReader):
    def __init__(self, stream: BinaryIO, sha256: str, attachment_id: int):
        super().__init__(stream)
        self._expected, self._id, self._digest = sha256, attachment_id, hashlib.sha256()

    def _read(self, size: int) -> bytes:
        data = self._source.read(size)
        if self._digest is None:
            return data
        if data:
            self._digest.update(data)
            return data
        found, self._digest = self._digest.hexdigest(), None
        if found != self._expected:
            raise CorruptFile(f"attachment {self._id}: sha256 {found} != recorded {self._expected}")
        return data


def send_attachment(attachment: Attachment, *, download: bool, mimetype: str | None = None) -> Response:
    """Answer a download the caller has already checked the user's scope for: the stored bytes
    streamed through the app, or (STORAGE_PRESIGN with an object store) a redirect to a URL good
    for this one object for at most 60 s. 404 when the file is gone, 503 when the store is down."""
    mimetype = mimetype or attachment.mime_type
    store = backend()
    try:
        if current_app.config.get("STORAGE_PRESIGN") and isinstance(store, S3Backend):
            store.size(attachment.storage_key)  # a gone object is 404 here, not at the store
            url = store.presigned_url(attachment.storage_key, filename=attachment.filename, mimetype=mimetype,
                                      download=download, seconds=current_app.config["STORAGE_PRESIGN_SECONDS"])
            response = redirect(url, 302)
            response.headers["Cache-Control"] = "no-store"
            return response
        stream = open_attachment(attachment)
    except FileNotFoundError as exc:
        raise NotFound() from exc
    except OSError as exc:
        raise StorageUnavailable(UNREADABLE) from exc
    return send_file(stream, mimetype=mimetype, as_attachment=download, download_name=attachment.filename, max_age=0)
