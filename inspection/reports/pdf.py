"""WeasyPrint rendering with a URL fetcher that serves only the app's own fonts, stylesheets
and images, and the stored photos a snapshot names (checked against their sha256).

Templates and CSS name them as "app://static/fonts/…", "app://pdf/document.css" and
"app://photo/<attachment id>"; every other URL (file:, http:, data:, relative paths built from
user text) is refused. Nothing is fetched over a network."""

import io
import logging
import posixpath
from pathlib import Path

from flask import current_app
from markupsafe import Markup
from PIL import Image
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from models import Attachment, MinutesSignature, db

from ..errors import ValidationError
from ..feedback import poster
from ..files import storage
from ..signing import verification
from .choices import KINDS
from .print_chart import print_chart
from .snapshots import photos_in

ROOT = Path(__file__).resolve().parent.parent.parent
# prefix of an app URL → (directory, allowed file suffixes)
ALLOWED_TREES = {
    "app://static/fonts/": (ROOT / "static" / "fonts", {".ttf"}),
    "app://static/img/": (ROOT / "static" / "img", {".svg", ".png"}),
    "app://pdf/": (ROOT / "templates" / "pdf", {".css"}),
}
TYPES = {".ttf": "font/ttf", ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}
PHOTO_PREFIX = "app://photo/"
SIGNATURE_PREFIX = "app://signature/"  # a signature drawn on the tablet (MinutesSignature)
PRINT_SIDE = 1600  # photos larger than a print copy are reduced before embedding
log = logging.getLogger(__name__)
UNUSABLE = (ValidationError, OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError)
PLACEHOLDER = ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="120" viewBox="0 0 400 120">'
               '<rect x="1" y="1" width="398" height="118" fill="#f4f4f4" stroke="#888" stroke-dasharray="6 4"/>'
               '<text x="200" y="66" text-anchor="middle" font-family="CCHC Liberation Serif" font-size="18" '
               'fill="#333">Ảnh không hiển thị được</text></svg>')


class RefusedURL(ValueError):
    """A URL outside the app's own files."""


class AppURLFetcher(URLFetcher):
    """Serves the bundled files and the allowed photos; refuses everything else. A failure to
    read an allowed file stops the rendering (the job then sees the storage error)."""

    def __init__(self, photos: dict[int | str, str] | None = None):
        super().__init__(allowed_protocols={"app"}, allow_redirects=False, timeout=1)
        self.photos = dict(photos or {})
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        try:
            if url.startswith(PHOTO_PREFIX):
                return self._photo(url)
            if url.startswith(SIGNATURE_PREFIX):
                return self._signature(url)
            return self._bundled(url)
        except RefusedURL:
            self.refused.append(url)
            log.warning("PDF: refused URL %s", url[:200])
            raise
        except Exception as exc:  # an app file that cannot be read: stop, so the job sees why
            raise FatalURLFetchingError(f"{type(exc).__name__}: {exc}") from exc

    def _bundled(self, url: str) -> URLFetcherResponse:
        for prefix, (directory, suffixes) in ALLOWED_TREES.items():
            if url.startswith(prefix):
                name = posixpath.normpath(url.removeprefix(prefix).split("?")[0].split("#")[0])
                path = directory / name
                if name.startswith(("/", "..")) or path.suffix not in suffixes or not path.is_file():
                    break
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": TYPES[path.suffix]})
        raise RefusedURL(f"URL không được phép trong văn bản PDF: {url[:200]}")

    def _photo(self, url: str) -> URLFetcherResponse:
        tail = url.removeprefix(PHOTO_PREFIX)
        if not tail.isdigit() or int(tail) not in self.photos:
            raise RefusedURL(f"Ảnh không thuộc văn bản: {url[:200]}")
        attachment = db.session.get(Attachment, int(tail))
        if attachment is None or attachment.sha256 != self.photos[int(tail)]:
            raise OSError(f"Ảnh {tail} đã thay đổi hoặc không còn trong kho lưu trữ.")
        with storage.open_attachment(attachment) as stream:
            data = stream.read()
        if attachment.kind != "photo_display":
            data = usable_copy(data, attachment)
            if data is None:
                return URLFetcherResponse(url, PLACEHOLDER.encode(), {"Content-Type": "image/svg+xml"})
        return URLFetcherResponse(url, data, {"Content-Type": "image/jpeg" if data[:2] == b"\xff\xd8"
                                              else attachment.mime_type})


    def _signature(self, url: str) -> URLFetcherResponse:
        tail = url.removeprefix(SIGNATURE_PREFIX)
        if not tail.isdigit() or f"s{int(tail)}" not in self.photos:
            raise RefusedURL(f"Chữ ký không thuộc văn bản: {url[:200]}")
        signature = db.session.get(MinutesSignature, int(tail))
        if signature is None or signature.image_sha256 != self.photos[f"s{int(tail)}"]:
            raise OSError(f"Chữ ký {tail} đã thay đổi hoặc không còn.")
        return URLFetcherResponse(url, signature.image, {"Content-Type": "image/png"})


def usable_copy(data: bytes, attachment: Attachment) -> bytes | None:
    """The print copy of a stored image, or None when it cannot be drawn (over the pixel cap —
    stored before every upload point had it — or damaged): the document then shows PLACEHOLDER."""
    try:
        if reader := storage.HEADER_READERS.get(attachment.mime_type):
            storage.check_pixels(*reader(io.BytesIO(data)).size)
        return print_copy(data)
    except UNUSABLE as exc:
        log.warning("PDF: image %s not drawn (%s)", attachment.id, exc)
        return None


def print_copy(data: bytes) -> bytes:
    """A JPEG of at most PRINT_SIDE px for an image stored at full size (evidence uploads)."""
    with Image.open(io.BytesIO(data)) as image:
        if max(image.size) <= PRINT_SIDE and image.format == "JPEG":
            return data
        image.draft("RGB", (PRINT_SIDE, PRINT_SIDE))
        image.thumbnail((PRINT_SIDE, PRINT_SIDE))
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=85)
        return out.getvalue()


def progress_chart(snapshot: dict) -> Markup:
    """The per-area bars of a progress report (per unit when there are no areas), for print."""
    groups = snapshot.get("areas") or snapshot.get("units") or []
    title = "Tiến độ thực hiện theo lĩnh vực" if snapshot.get("areas") else "Tiến độ thực hiện theo đơn vị chủ trì"
    return print_chart(title, groups)


def render_html(kind: str, snapshot: dict) -> str:
    """The document's HTML (escaped by Jinja: user text never becomes markup or a URL)."""
    extras = {"chart": progress_chart(snapshot)} if kind == "progress_report" else {}
    if snapshot.get("verification"):
        extras["qr"] = verification.qr_svg(snapshot["verification"]["url"])
    if kind == "desk_poster":
        extras = {"qr": poster.qr_svg(snapshot["url"])}
    # straight from the Jinja environment: no request, user or context processors in a PDF
    template = current_app.jinja_env.get_template(KINDS[kind].template)
    return template.render(doc=snapshot, kind=KINDS[kind], **extras)


_ASSETS: dict = {}


def assets() -> tuple[FontConfiguration, CSS]:
    """The bundled fonts and the document stylesheet, loaded once per process (the worker does
    it before forking, so each job starts with them parsed)."""
    if not _ASSETS:
        fonts = FontConfiguration()
        css = CSS(url="app://pdf/document.css", url_fetcher=AppURLFetcher(), font_config=fonts)
        _ASSETS.update(fonts=fonts, css=css)
    return _ASSETS["fonts"], _ASSETS["css"]


WARM_UP = ("<html lang='vi'><body><p>Độc lập - <b>Tự do</b> - <i>Hạnh phúc</i> <b><i>CỘNG HÒA</i></b></p>"
           "<table class='grid'><tr><td>1</td><td>Số: 01/BC-UBND</td></tr></table>"
           "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 10 10'><text x='0' y='8'>Ấ</text></svg></body></html>")


def warm_up() -> None:
    """Load the fonts, stylesheet and text shaping once (the worker calls it before forking, so
    each work-horse starts warm: ≈0.1 s instead of ≈0.8 s for its first document)."""
    write_pdf(WARM_UP, {})


def _layout(html: str, photos: dict[int, str]):
    """WeasyPrint's laid-out pages of `html`, with the restricted fetcher."""
    fonts, css = assets()
    document = HTML(string=html, base_url="app://pdf/", url_fetcher=AppURLFetcher(photos))
    try:
        return document.render(stylesheets=[css], font_config=fonts)
    except FatalURLFetchingError as exc:
        raise (exc.__cause__ or OSError(str(exc))) from exc


def write_pdf(html: str, photos: dict[int, str], *, archival: bool = False) -> bytes:
    """WeasyPrint alone: HTML → PDF bytes with the restricted fetcher (PDF/A-3b when archival)."""
    return _layout(html, photos).write_pdf(**({"pdf_variant": "pdf/a-3b"} if archival else {}))


PX = 0.75  # a CSS px in PDF points
SIGN_ANCHOR = "ky-so"  # the id of the signature block's space (ô 7c/8 of Phụ lục I)


def _sign_box(pages) -> dict | None:
    """Where the signature block's space lies, in PDF points (top-left corner, size, from the
    bottom of the page as PDF counts), for the digital signature's appearance."""
    for number, page in enumerate(pages):
        if SIGN_ANCHOR in page.anchors:
            left, top, right, bottom = page.anchors[SIGN_ANCHOR]  # CSS px from the page's top-left
            return {"page": number, "x": left * PX, "y": (page.height - top) * PX, "width": (right - left) * PX,
                    "height": (bottom - top) * PX}
    return None


def render_document(kind: str, snapshot: dict, *, archival: bool = False) -> tuple[bytes, dict | None]:
    """An issued document's PDF and where its signature block lies (see _sign_box)."""
    document = _layout(render_html(kind, snapshot), photos_in(snapshot))
    return document.write_pdf(**({"pdf_variant": "pdf/a-3b"} if archival else {})), _sign_box(document.pages)


def render_pdf(kind: str, snapshot: dict, *, archival: bool = False) -> bytes:
    """The PDF of one snapshot of `kind`."""
    return write_pdf(render_html(kind, snapshot), photos_in(snapshot), archival=archival)
