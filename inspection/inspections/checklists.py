"""Checklist templates (bộ tiêu chí kiểm tra): creating, revising (a new version once an inspection
used it), copying to another year; the pages' queries.

Every change takes an explicit actor, checks the permission module, writes the audit event and
commits in one unit of work."""

import hashlib
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select

from models import ChecklistItem, ChecklistTemplate, Inspection, OrgUnit, ParArea, db

from ..data.transaction import unit_of_work
from ..errors import Conflict, ValidationError
from ..language.text import fold, nfc
from ..security import audit, permissions, scoping

MAX_ITEMS = 300
MAX_CRITERION, MAX_GUIDANCE, MAX_CODE = 500, 4000, 20
MAX_NAME, MAX_DESCRIPTION = 300, 4000
POINTS_LIMIT = Decimal("1000")
CENT = Decimal("0.01")
ITEM_FIELDS = ("code", "area_id", "criterion", "guidance", "points")


class ItemErrors(ValidationError):
    """The criteria list has problems: `problems` maps (row index, field) to a message."""

    def __init__(self, problems: dict[tuple[int, str], str]):
        listed = "; ".join(f"dòng {i + 1}: {message}" for (i, _f), message in list(problems.items())[:3])
        super().__init__(f"Danh sách tiêu chí còn lỗi — {listed}.", field="items")
        self.problems = problems


@dataclass(frozen=True)
class CleanItem:
    code: str
    area_id: int | None
    criterion: str
    guidance: str
    points: Decimal | None


# ---- values, for the audit trail and the stale-save check

def _item_values(item) -> dict:
    return {"code": item.code, "area_id": item.area_id, "criterion": item.criterion,
            "guidance": item.guidance, "points": str(item.points) if item.points is not None else None}


def template_values(template: ChecklistTemplate) -> dict:
    """The template's content as plain data (audit before/after)."""
    return {"name": template.name, "year": template.year, "description": template.description,
            "family": template.family, "version": template.version,
            "items": [_item_values(i) for i in template.items]}


def fingerprint(template: ChecklistTemplate) -> str:
    """A digest of the template's content: the edit form carries it to detect a stale save."""
    raw = json.dumps(template_values(template), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


# ---- validation

def parse_points(value) -> Decimal | None:
    """"2", "1,5", 1.5 → Decimal; blank → None; ValueError with a Vietnamese message otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip().replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        points = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValueError("Điểm tối đa phải là số, ví dụ 2 hoặc 1,5.") from None
    return _checked_points(points)


def _checked_points(points: Decimal) -> Decimal:
    if not points.is_finite():
        raise ValueError("Điểm tối đa phải là một số cụ thể (không nhận NaN, vô cực).")
    if points < 0:
        raise ValueError("Điểm tối đa không được âm.")
    if points >= POINTS_LIMIT:
        raise ValueError("Điểm tối đa phải nhỏ hơn 1.000.")
    if points != points.quantize(CENT):
        raise ValueError("Điểm tối đa chỉ lấy đến 2 chữ số thập phân.")
    return points.quantize(CENT) + 0  # + 0 turns -0 into 0


def _area_ids() -> set[int]:
    return set(db.session.execute(select(ParArea.id)).scalars())


def _clean_area(value, known: set[int]) -> int | None:
    if value in (None, ""):
        return None
    try:
        area_id = int(value)
    except (TypeError, ValueError):
        raise ValueError("Lĩnh vực không hợp lệ, vui lòng chọn lại.") from None
    if area_id not in known:
        raise ValueError("Lĩnh vực không tồn tại, vui lòng chọn lại.")
    return area_id


def _clean_text(row: dict, index: int, problems: dict) -> tuple[str, str, str]:
    code, criterion, guidance = (nfc(row.get(k) or "") for k in ("code", "criterion", "guidance"))
    if not criterion:
        problems[(index, "criterion")] = "Nhập nội dung tiêu chí."
    elif len(criterion) > MAX_CRITERION:
        problems[(index, "criterion")] = f"Nội dung tiêu chí tối đa {MAX_CRITERION} ký tự."
    if len(guidance) > MAX_GUIDANCE:
        problems[(index, "guidance")] = f"Hướng dẫn kiểm tra tối đa {MAX_GUIDANCE} ký tự."
    if len(code) > MAX_CODE:
        problems[(index, "code")] = f"Mã tiêu chí tối đa {MAX_CODE} ký tự."
    return code, criterion, guidance


def _clean_row(row: dict, index: int, known: set[int], problems: dict) -> CleanItem:
    code, criterion, guidance = _clean_text(row, index, problems)
    values = {}
    for field, parse in (("points", parse_points), ("area_id", lambda v: _clean_area(v, known))):
        try:
            values[field] = parse(row.get(field))
        except ValueError as exc:
            problems[(index, field)] = str(exc)
    return CleanItem(code, values.get("area_id"), criterion, guidance, values.get("points"))


def _number_codes(items: list[CleanItem], problems: dict) -> list[CleanItem]:
    """Blank codes get the row number (or the next free one); typed codes must be unique."""
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        if item.code and fold(item.code) in seen:
            problems[(index, "code")] = (f"Mã “{item.code}” trùng với dòng {seen[fold(item.code)] + 1}; "
                                         "mỗi tiêu chí cần một mã riêng.")
        seen.setdefault(fold(item.code), index)
    numbered, n = [], 0
    for index, item in enumerate(items):
        if not item.code:
            n = max(n, index)
            while str(n + 1) in seen:
                n += 1
            seen[str(n + 1)] = index
            item = CleanItem(str(n + 1), item.area_id, item.criterion, item.guidance, item.points)
        numbered.append(item)
    return numbered


def clean_items(rows: list[dict]) -> list[CleanItem]:
    """Validate the criteria rows (dicts with code, area_id, criterion, guidance, points), all at
    once: ItemErrors lists every problem by row."""
    if not rows:
        raise ValidationError("Bộ tiêu chí cần ít nhất một tiêu chí.", field="items")
    if len(rows) > MAX_ITEMS:
        raise ValidationError(f"Một bộ tiêu chí có tối đa {MAX_ITEMS} tiêu chí.", field="items")
    problems: dict[tuple[int, str], str] = {}
    known = _area_ids()
    items = _number_codes([_clean_row(row, i, known, problems) for i, row in enumerate(rows)], problems)
    if problems:
        raise ItemErrors(dict(sorted(problems.items())))
    return items


def _clean_header(name: str, year, description: str) -> tuple[str, int, str]:
    name, description = nfc(name), nfc(description)
    if not name:
        raise ValidationError("Nhập tên bộ tiêu chí.", field="name")
    if len(name) > MAX_NAME:
        raise ValidationError(f"Tên bộ tiêu chí tối đa {MAX_NAME} ký tự.", field="name")
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError(f"Mô tả tối đa {MAX_DESCRIPTION} ký tự.", field="description")
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError("Năm áp dụng phải là số, ví dụ 2025.", field="year") from None
    if not 2000 <= year <= 2100:
        raise ValidationError("Năm áp dụng phải từ 2000 đến 2100.", field="year")
    return name, year, description


def _refuse_duplicate_name(unit_id: int, name: str, year: int, family: str | None = None) -> None:
    stmt = select(ChecklistTemplate.id).where(
        ChecklistTemplate.unit_id == unit_id, ChecklistTemplate.is_current.is_(True),
        ChecklistTemplate.name_folded == fold(name), ChecklistTemplate.year == year)
    if family is not None:
        stmt = stmt.where(ChecklistTemplate.family != family)
    if db.session.execute(stmt.limit(1)).first():
        raise ValidationError(f"Đơn vị đã có bộ tiêu chí “{name}” năm {year}.", field="name")


# ---- use cases

def _lock_unit(unit_id: int) -> None:
    # serialises template writes of one owner (the duplicate-name check); FOR NO KEY UPDATE
    # leaves inserts that merely reference the unit unblocked
    db.session.execute(select(OrgUnit.id).where(OrgUnit.id == unit_id).with_for_update(key_share=True))


def _fill(template: ChecklistTemplate, items: list[CleanItem]) -> None:
    template.items = [ChecklistItem(position=n, code=i.code, area_id=i.area_id, criterion=i.criterion,
                                    guidance=i.guidance, points=i.points) for n, i in enumerate(items, 1)]


def _new_template(actor, unit_id: int, name: str, year: int, description: str, items: list[CleanItem],
                  *, family: str | None = None, version: int = 1, copied_from_id=None) -> ChecklistTemplate:
    template = ChecklistTemplate(family=family or str(uuid.uuid4()), version=version, is_current=True,
                                 name=name, name_folded=fold(name), year=year, unit_id=unit_id,
                                 description=description, copied_from_id=copied_from_id, created_by_id=actor.id)
    _fill(template, items)
    db.session.add(template)
    db.session.flush()
    return template


def create_template(actor, *, unit: OrgUnit, name: str, year, description: str = "",
                    items: list[dict]) -> ChecklistTemplate:
    """A new checklist template of `unit` (version 1)."""
    permissions.require(actor, "template.manage", unit)
    name, year, description = _clean_header(name, year, description)
    clean = clean_items(items)
    with unit_of_work():
        _lock_unit(unit.id)
        _refuse_duplicate_name(unit.id, name, year)
        template = _new_template(actor, unit.id, name, year, description, clean)
        audit.record(actor, "template.created", "checklist_template", template.id, unit_id=unit.id,
                     after=template_values(template))
    return template


def is_used(template: ChecklistTemplate) -> bool:
    """Has any inspection (surprise ones included) been scheduled on this version?"""
    stmt = select(Inspection.id).where(Inspection.template_id == template.id).limit(1)
    return db.session.execute(stmt).first() is not None


def _lock_current(template: ChecklistTemplate, expected: str | None) -> None:
    # the row lock also waits for an inspection being scheduled on this version (its foreign key
    # takes a KEY SHARE lock), so the is_used() check below cannot miss it
    db.session.refresh(template, with_for_update=True)
    if not template.is_current:
        newest = latest_version(template)
        raise Conflict(f"Bộ tiêu chí này đã có phiên bản mới hơn (phiên bản {newest.version}). "
                       "Hãy mở phiên bản hiện hành để sửa.", current={"template_id": newest.id})
    if expected is not None and expected != fingerprint(template):
        raise Conflict("Bộ tiêu chí vừa được người khác cập nhật trong khi bạn sửa. "
                       "Hãy tải lại bản mới nhất rồi nhập lại thay đổi.", current={"template_id": template.id})


def revise_template(actor, template: ChecklistTemplate, *, name: str, year, description: str = "",
                    items: list[dict], expected: str | None = None) -> ChecklistTemplate:
    """Edit a template: in place while no inspection uses it, otherwise as a new version (the
    inspections keep theirs). Returns the version that holds the changes."""
    permissions.require(actor, "template.manage", template)
    name, year, description = _clean_header(name, year, description)
    clean = clean_items(items)
    with unit_of_work():
        _lock_current(template, expected)
        _refuse_duplicate_name(template.unit_id, name, year, family=template.family)
        before = template_values(template)
        if is_used(template):
            return _new_version(actor, template, before, name, year, description, clean)
        template.name, template.name_folded, template.year = name, fold(name), year
        template.description = description
        _fill(template, clean)
        db.session.flush()
        audit.record(actor, "template.revised", "checklist_template", template.id, unit_id=template.unit_id,
                     before=before, after=template_values(template))
    return template


def _new_version(actor, old: ChecklistTemplate, before: dict, name, year, description, items) -> ChecklistTemplate:
    old.is_current = False
    db.session.flush()
    version = _max_version(old.family) + 1
    template = _new_template(actor, old.unit_id, name, year, description, items, family=old.family,
                             version=version, copied_from_id=old.copied_from_id)
    audit.record(actor, "template.versioned", "checklist_template", template.id, unit_id=template.unit_id,
                 before=before | {"id": old.id}, after=template_values(template))
    return template


def _max_version(family: str) -> int:
    stmt = select(func.max(ChecklistTemplate.version)).where(ChecklistTemplate.family == family)
    return db.session.execute(stmt).scalar_one() or 0


def copy_template_to_year(actor, template: ChecklistTemplate, year) -> ChecklistTemplate:
    """A new template (its own family, version 1) for `year`, with the same criteria."""
    permissions.require(actor, "template.manage", template)
    old_year = template.year
    name = template.name.replace(str(old_year), str(year)) if str(year).isdigit() else template.name
    name, year, description = _clean_header(name, year, template.description)
    items = [CleanItem(i.code, i.area_id, i.criterion, i.guidance, i.points) for i in template.items]
    with unit_of_work():
        _lock_unit(template.unit_id)
        _refuse_duplicate_name(template.unit_id, name, year)
        copy = _new_template(actor, template.unit_id, name, year, description, items, copied_from_id=template.id)
        audit.record(actor, "template.copied", "checklist_template", copy.id, unit_id=copy.unit_id,
                     before={"id": template.id, "year": old_year}, after=template_values(copy))
    return copy


# ---- queries

def current_templates(actor, *, year: int | None = None) -> list[ChecklistTemplate]:
    """The current versions the actor sees (for choosing one when scheduling), newest year first."""
    if not permissions.can(actor, "template.view"):
        return []
    stmt = select(ChecklistTemplate).where(ChecklistTemplate.is_current.is_(True))
    if year is not None:
        stmt = stmt.where(ChecklistTemplate.year == year)
    stmt = scoping.scope(stmt, actor, ChecklistTemplate)
    order = (ChecklistTemplate.year.desc(), ChecklistTemplate.name_folded, ChecklistTemplate.id)
    return list(db.session.execute(stmt.order_by(*order)).scalars())


def latest_version(template: ChecklistTemplate) -> ChecklistTemplate:
    """The newest version of the template's family."""
    stmt = select(ChecklistTemplate).where(ChecklistTemplate.family == template.family)
    return db.session.execute(stmt.order_by(ChecklistTemplate.version.desc()).limit(1)).scalar_one()
