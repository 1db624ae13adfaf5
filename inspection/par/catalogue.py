"""The index as data: built from checked rows (an .xlsx import or the demo template), copied from
last year, frozen when a round opens; a later correction is an amendment with a reason."""

from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from models import OrgUnit, ParCriterion, ParIndex, ParIndexArea, ParSubCriterion, db, utcnow
from models.enums import UnitKind

from ..data.transaction import unit_of_work
from ..errors import InvalidTransition, ValidationError
from ..language.i18n import N_
from ..language.text import nfc
from ..security import audit, permissions
from .scoring import RULES
from .wording import say as gettext

LEVELS = {"department": N_("Sở, ban, ngành"), "commune": N_("Cấp xã")}
SOURCES = ("tasks_on_time", "remediation", "subunits_inspected", "satisfaction", "feedback_handled")
MAX_TEXT = 1000
FROZEN = N_("Bộ chỉ số đã được khóa khi mở đợt đánh giá: chỉ có thể sửa bằng điều chỉnh có lý do.")


def row_problems(row: dict) -> list[str]:
    """What is wrong with one row of an index (empty when it can be imported)."""
    problems = []
    for key, label in (("area_code", N_("mã lĩnh vực")), ("area_name", N_("tên lĩnh vực")),
                       ("criterion_code", N_("mã tiêu chí")), ("code", N_("mã tiêu chí thành phần")),
                       ("text", N_("nội dung tiêu chí thành phần"))):
        value = nfc(str(row.get(key) or ""))
        if not value:
            problems.append(gettext("Thiếu %(what)s.", what=gettext(label)))
        elif len(value) > MAX_TEXT:
            problems.append(gettext("%(what)s quá dài.", what=gettext(label)))
    problems += _points_problems(row)
    if row.get("source") and row["source"] not in SOURCES:
        problems.append(gettext("Nguồn số liệu không hợp lệ."))
    if any(kind not in set(UnitKind) for kind in row.get("unit_kinds") or []):
        problems.append(gettext("Loại đơn vị áp dụng không hợp lệ."))
    return problems


def _points_problems(row: dict) -> list[str]:
    try:
        maximum = Decimal(str(row.get("max_points")).replace(",", "."))
    except InvalidOperation:
        return [gettext("Điểm tối đa phải là một số.")]
    if not maximum.is_finite() or not 0 < maximum <= 100 or maximum != maximum.quantize(Decimal("0.01")):
        return [gettext("Điểm tối đa phải lớn hơn 0, không quá 100, tối đa 2 chữ số thập phân.")]
    if row.get("rule") not in RULES:
        return [gettext("Cách chấm điểm không hợp lệ.")]
    if row["rule"] == "banded" and not _bands_fit(row.get("bands"), maximum):
        return [gettext("Các mức điểm phải có dạng '≥ 98: 4; ≥ 95: 2', không vượt điểm tối đa.")]
    return []


def _bands_fit(bands, maximum: Decimal) -> bool:
    try:
        return bool(bands) and all(0 <= Decimal(str(p)) <= maximum and 0 <= Decimal(str(s)) <= 100
                                   for s, p in bands)
    except (InvalidOperation, TypeError, ValueError):
        return False


def create_index(actor, *, unit, year: int, level: str, title: str, rows: list[dict],
                 copied_from: ParIndex | None = None) -> ParIndex:
    """A new index of `unit` for `year` and `level` from checked rows (all or nothing)."""
    permissions.require(actor, "par.manage", unit)
    _check_header(unit, year, level, title)
    problems = [(n, p) for n, row in enumerate(rows, 1) for p in row_problems(row)]
    if problems or not rows:
        raise ValidationError(gettext("Bộ chỉ số có lỗi ở dòng %(n)s.", n=problems[0][0]) if problems
                              else gettext("Bộ chỉ số chưa có tiêu chí thành phần nào."))
    with unit_of_work():
        index = ParIndex(unit_id=unit.id, year=year, level=level, title=nfc(title),
                         copied_from_id=copied_from.id if copied_from else None)
        db.session.add(index)
        db.session.flush()
        _add_rows(index, rows)
        audit.record(actor, "par_index.created", "par_index", index.id, unit_id=unit.id,
                     after={"year": year, "level": level, "subs": len(rows)})
    return index


def _check_header(unit, year: int, level: str, title: str) -> None:
    if level not in LEVELS:
        raise ValidationError(gettext("Chọn cấp đánh giá."), field="level")
    if not 2000 <= int(year) <= 2100:
        raise ValidationError(gettext("Năm đánh giá không hợp lệ."), field="year")
    if not nfc(title) or len(title) > 400:
        raise ValidationError(gettext("Nhập tên bộ chỉ số (tối đa 400 ký tự)."), field="title")
    taken = select(ParIndex.id).where(ParIndex.unit_id == unit.id, ParIndex.year == year, ParIndex.level == level)
    if db.session.execute(taken).first():
        raise ValidationError(gettext("Đơn vị đã có bộ chỉ số năm %(y)s cho cấp này.", y=year), field="year")


def _add_rows(index: ParIndex, rows: list[dict]) -> None:
    areas, criteria = {}, {}
    for position, row in enumerate(rows):
        area_code, criterion_code = nfc(str(row["area_code"])), nfc(str(row["criterion_code"]))
        if area_code not in areas:
            areas[area_code] = ParIndexArea(code=area_code, name=nfc(row["area_name"]), position=len(areas))
            index.areas.append(areas[area_code])
        if criterion_code not in criteria:
            criteria[criterion_code] = ParCriterion(code=criterion_code, position=position,
                                                    text=nfc(row.get("criterion_text") or row["text"]))
            areas[area_code].criteria.append(criteria[criterion_code])
        criteria[criterion_code].subs.append(_sub(index, row, position))


def _sub(index: ParIndex, row: dict, position: int) -> ParSubCriterion:
    return ParSubCriterion(
        index_id=index.id, code=nfc(str(row["code"])), text=nfc(row["text"]), position=position,
        max_points=Decimal(str(row["max_points"]).replace(",", ".")), rule=row["rule"], bands=row.get("bands"),
        evidence=nfc(row.get("evidence") or "")[:MAX_TEXT], source=row.get("source") or None,
        evidence_required=bool(row.get("evidence_required", True)), allows_na=bool(row.get("allows_na")),
        unit_kinds=row.get("unit_kinds") or None, responsible=nfc(row.get("responsible") or "")[:200])


def index_rows(index: ParIndex) -> list[dict]:
    """The index back as rows (to copy it to another year)."""
    return [{"area_code": a.code, "area_name": a.name, "criterion_code": c.code, "criterion_text": c.text,
             "code": s.code, "text": s.text, "max_points": s.max_points, "rule": s.rule, "bands": s.bands,
             "evidence": s.evidence, "evidence_required": s.evidence_required, "allows_na": s.allows_na,
             "unit_kinds": s.unit_kinds, "responsible": s.responsible, "source": s.source}
            for a in index.areas for c in a.criteria for s in c.subs]


def copy_index(actor, index: ParIndex, *, year: int) -> ParIndex:
    """Next year's index from this one, to edit before its round opens."""
    title = index.title.replace(str(index.year), str(year))
    return create_index(actor, unit=db.session.get(OrgUnit, index.unit_id), year=year, level=index.level, title=title,
                        rows=index_rows(index), copied_from=index)


def freeze(index: ParIndex) -> None:
    if index.frozen_at is None:
        index.frozen_at = utcnow()


def require_editable(index: ParIndex) -> None:
    if index.frozen_at is not None:
        raise InvalidTransition(gettext(FROZEN))
