"""The province's index as an .xlsx: one row per sub-criterion (tiêu chí thành phần), checked row
by row for the preview; the file is kept only when every row is right, and the confirm step
reads it again and builds the index in one transaction, or not at all."""

from models import Attachment

from ..errors import NotFound, ValidationError
from ..files import storage
from ..language.text import fold
from ..security import permissions
from ..web.sheets import Preview, SheetRow, preview_upload, read_capped, read_table
from . import catalogue
from .scoring import RULE_LABELS
from .wording import say as gettext

MAX_ROWS = 500
COLUMNS = [("area_code", "Mã lĩnh vực"), ("area_name", "Lĩnh vực"), ("criterion_code", "Mã tiêu chí"),
           ("criterion_text", "Tiêu chí"), ("code", "Mã tiêu chí thành phần"), ("text", "Tiêu chí thành phần"),
           ("max_points", "Điểm tối đa"), ("rule", "Cách chấm"), ("bands", "Các mức"),
           ("evidence", "Tài liệu kiểm chứng"), ("allows_na", "Được không áp dụng"),
           ("responsible", "Đơn vị phụ trách")]
_RULES = {fold(label): rule for rule, label in RULE_LABELS.items()} | {rule: rule for rule in RULE_LABELS}
_YES = {"x", "co", "yes", "1", "true"}


def _bands(text) -> list | None:
    """ "≥ 98: 4; ≥ 95: 2" → [[98, 4], [95, 2]]."""
    if not text:
        return None
    bands = []
    for part in str(text).split(";"):
        start, _, points = part.replace("≥", "").replace(">=", "").replace("%", "").partition(":")
        bands.append([float(start.strip().replace(",", ".")), float(points.strip().replace(",", "."))])
    return bands


def as_index_row(row: SheetRow) -> dict:
    values = {k: (v if not isinstance(v, str) else v.strip()) for k, v in row.values.items()}
    values["rule"] = _RULES.get(fold(str(values.get("rule") or "")), values.get("rule"))
    try:
        values["bands"] = _bands(values.get("bands"))
    except ValueError:
        values["bands"] = "?"
    values["allows_na"] = fold(str(values.get("allows_na") or "")) in _YES
    values["evidence_required"] = values["rule"] not in ("survey", "penalty")
    return values


def _checked(data: bytes) -> list[SheetRow]:
    rows = read_table(data, COLUMNS, max_rows=MAX_ROWS)
    seen = set()
    for row in rows:
        row.errors.extend(catalogue.row_problems(as_index_row(row)))
        code = str(row.values.get("code") or "")
        if code in seen:
            row.errors.append(gettext("Mã tiêu chí thành phần %(c)s bị lặp.", c=code))
        seen.add(code)
    if not rows:
        raise ValidationError(gettext("Tệp không có dòng tiêu chí nào."), field="file")
    return rows


def preview(actor, unit, stream, filename: str) -> Preview:
    """Every row checked; the file stored (for the confirm step) only when no row has an error."""
    permissions.require(actor, "par.manage", unit)
    data = read_capped(stream)
    return preview_upload(_checked(data), data, filename, kind="import_par", unit_id=unit.id,
                          uploaded_by_id=actor.id)


def confirm(actor, unit, attachment_id, *, year: int, level: str, title: str):
    permissions.require(actor, "par.manage", unit)
    attachment = permissions.get_visible_or_404(Attachment, attachment_id, actor)
    if attachment.kind != "import_par" or attachment.uploaded_by_id != actor.id:
        raise NotFound()
    with storage.open_attachment(attachment) as stream:
        rows = _checked(read_capped(stream))
    if any(row.errors for row in rows):
        raise ValidationError(gettext("Tệp còn dòng có lỗi nên chưa nhập dòng nào."))
    return catalogue.create_index(actor, unit=unit, year=year, level=level, title=title,
                                  rows=[as_index_row(row) for row in rows])
