"""Bulk import of units and users from .xlsx: preview with per-row errors, then confirm.

Nothing is saved by the preview except the uploaded file itself (only when every row is valid):
the confirm step re-reads that stored file, checks every row again and imports all rows in one
transaction, or none. Row data never travels through the browser."""

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from models import Attachment, Membership, OrgUnit, User, db
from models.enums import ROLE_LABELS, UNIT_KIND_LABELS, Role

from ..data.transaction import unit_of_work
from ..errors import NotFound, ValidationError
from ..files import storage
from ..language.text import fold
from ..security import audit, permissions, scoping
from ..web.sheets import MAX_IMPORT_BYTES, Preview, SheetRow, preview_upload, read_capped
from .import_sheets import MAX_IMPORT_ROWS, parse_rows, template_workbook
from .units import new_unit, unit_values
from .users import UNUSABLE_PASSWORD, USERNAME_RE, USERNAME_RULE, user_values

UNIT_COLUMNS = [("code", "Mã đơn vị"), ("name", "Tên đơn vị"), ("kind", "Loại"),
                ("parent_code", "Mã đơn vị cấp trên")]
USER_COLUMNS = [("username", "Tên đăng nhập"), ("honorific", "Ông/Bà"), ("full_name", "Họ và tên"),
                ("title", "Chức vụ"), ("email", "Email"), ("role", "Vai trò"), ("unit_code", "Mã đơn vị")]
HONORIFICS = {"ong": "Ông", "ba": "Bà", "": ""}
_KINDS = {fold(label): kind for kind, label in UNIT_KIND_LABELS.items()} | {k.value: k for k in UNIT_KIND_LABELS}
_ROLES = {fold(label): role for role, label in ROLE_LABELS.items()} | {role.value: role for role in Role}


def columns_of(kind: str) -> list[tuple[str, str]]:
    """(key, Vietnamese header) of the sheet for `kind` ("units" or "users")."""
    return UNIT_COLUMNS if kind == "units" else USER_COLUMNS


def _action(kind: str) -> str:
    return "unit.manage" if kind == "units" else "user.manage"


def preview_import(actor, kind: str, stream, filename: str) -> Preview:
    """Read an upload, check every row; store the file only when no row has an error."""
    permissions.require(actor, _action(kind))
    data = read_capped(stream)
    return preview_upload(_checked_rows(actor, kind, data), data, filename, kind=f"import_{kind}",
                          unit_id=_home_unit(actor, kind), uploaded_by_id=actor.id)


def confirm_import(actor, kind: str, attachment_id) -> list:
    """Import every row of a previewed file in one transaction; refused if any row has an error."""
    permissions.require(actor, _action(kind))
    attachment = permissions.get_visible_or_404(Attachment, attachment_id, actor)
    if attachment.kind != f"import_{kind}" or attachment.uploaded_by_id != actor.id:
        raise NotFound()
    with storage.open_attachment(attachment) as stream:
        rows = _checked_rows(actor, kind, read_capped(stream, MAX_IMPORT_BYTES))
    if any(row.errors for row in rows):
        raise ValidationError("Tệp còn dòng có lỗi nên chưa nhập dòng nào. Hãy sửa tệp và tải lên lại.")
    with unit_of_work():
        created = _create_units(actor, rows) if kind == "units" else _create_users(actor, rows)
        audit.record(actor, "import.confirmed", "attachment", attachment.id, unit_id=attachment.unit_id,
                     after={"kind": kind, "filename": attachment.filename, "rows": len(created)})
    scoping.forget_visibility()
    return created


def _home_unit(actor, kind: str) -> int:
    roles = permissions.ACTIONS[_action(kind)]
    return next(m.unit_id for m in actor.memberships if m.role in roles)


def _checked_rows(actor, kind: str, data: bytes) -> list[SheetRow]:
    rows = parse_rows(data, columns_of(kind))
    (_check_unit_rows if kind == "units" else _check_user_rows)(actor, rows)
    return rows


def _visible_units_by_code(actor, codes) -> dict[str, OrgUnit]:
    stmt = scoping.scope(select(OrgUnit).where(OrgUnit.code.in_(set(codes))), actor, OrgUnit)
    return {unit.code: unit for unit in db.session.execute(stmt).scalars()}


def _require(row: SheetRow, key: str, label: str, max_length: int) -> None:
    value = row.values[key]
    if not value:
        row.errors.append(f"Thiếu {label}.")
    elif len(value) > max_length:
        row.errors.append(f"{label} dài quá {max_length} ký tự.")


def _first_seen(rows: list[SheetRow], key: str, label: str, taken: set[str]) -> None:
    """Mark values repeated within the sheet or already in use."""
    seen: dict[str, int] = {}
    for row in rows:
        value = row.values[key].lower() if key == "username" else row.values[key]
        if not value:
            continue
        if value in seen:
            row.errors.append(f"{label} “{value}” trùng với dòng {seen[value]}.")
        elif value in taken:
            row.errors.append(f"{label} “{value}” đã tồn tại trong hệ thống.")
        seen.setdefault(value, row.number)


def _check_unit_rows(actor, rows: list[SheetRow]) -> None:
    codes = [r.values["code"] for r in rows]
    taken = set(db.session.execute(select(OrgUnit.code).where(OrgUnit.code.in_(set(codes)))).scalars())
    _first_seen(rows, "code", "Mã đơn vị", taken)
    parents = _visible_units_by_code(actor, [r.values["parent_code"] for r in rows])
    earlier: set[str] = set()
    for row in rows:
        _require(row, "code", "mã đơn vị", 40)
        _require(row, "name", "tên đơn vị", 200)
        if fold(row.values["kind"]) not in _KINDS:
            row.errors.append(f"Loại đơn vị không hợp lệ: “{row.values['kind']}”.")
        _check_parent(row, parents, earlier)
        earlier.add(row.values["code"])


def _check_parent(row: SheetRow, parents: dict[str, OrgUnit], earlier: set[str]) -> None:
    code = row.values["parent_code"]
    if not code:
        row.errors.append("Thiếu mã đơn vị cấp trên.")
    elif code in parents and not parents[code].is_active:
        row.errors.append(f"Đơn vị cấp trên “{code}” đang ngừng hoạt động.")
    elif code not in parents and code not in earlier:
        row.errors.append(f"Không tìm thấy đơn vị cấp trên có mã “{code}” (trong hệ thống hoặc ở dòng phía trên).")


def _check_user_rows(actor, rows: list[SheetRow]) -> None:
    names = [r.values["username"].lower() for r in rows]
    taken = set(db.session.execute(select(User.username).where(User.username.in_(set(names)))).scalars())
    _first_seen(rows, "username", "Tên đăng nhập", taken)
    units = _visible_units_by_code(actor, [r.values["unit_code"] for r in rows])
    for row in rows:
        username = row.values["username"].lower()
        if username and not USERNAME_RE.match(username):
            row.errors.append(USERNAME_RULE)
        _require(row, "username", "tên đăng nhập", 60)
        _require(row, "full_name", "họ và tên", 120)
        if len(row.values["title"]) > 120:
            row.errors.append("Chức vụ dài quá 120 ký tự.")
        if fold(row.values["honorific"]) not in HONORIFICS:
            row.errors.append("Cột Ông/Bà chỉ nhận \"Ông\" hoặc \"Bà\" (hoặc để trống).")
        _check_email(row)
        _check_role_and_unit(row, units)


def _check_email(row: SheetRow) -> None:
    email = row.values["email"]
    if not email:
        return
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        row.errors.append(f"Email không hợp lệ: “{email}”.")
    if len(email) > 200:
        row.errors.append("Email dài quá 200 ký tự.")


def _check_role_and_unit(row: SheetRow, units: dict[str, OrgUnit]) -> None:
    role = _ROLES.get(fold(row.values["role"]))
    if role is None:
        row.errors.append(f"Vai trò không hợp lệ: “{row.values['role']}”.")
    elif role == Role.ADMIN:
        row.errors.append("Không nhập vai trò Quản trị hệ thống từ tệp; hãy gán trên màn hình người dùng.")
    unit = units.get(row.values["unit_code"])
    if unit is None:
        row.errors.append(f"Không tìm thấy đơn vị có mã “{row.values['unit_code']}”.")
    elif not unit.is_active:
        row.errors.append(f"Đơn vị “{unit.code}” đang ngừng hoạt động.")


def _create_units(actor, rows: list[SheetRow]) -> list[OrgUnit]:
    known = _visible_units_by_code(actor, [r.values["parent_code"] for r in rows])
    created = []
    for row in rows:
        data = {"code": row.values["code"], "name": row.values["name"], "kind": _KINDS[fold(row.values["kind"])]}
        unit = new_unit(data, known[row.values["parent_code"]])
        known[unit.code] = unit
        audit.record(actor, "unit.created", "org_unit", unit.id, unit_id=unit.id,
                     after={**unit_values(unit), "parent_id": unit.parent_id, "source": "import"})
        created.append(unit)
    return created


def _create_users(actor, rows: list[SheetRow]) -> list[User]:
    units = _visible_units_by_code(actor, [r.values["unit_code"] for r in rows])
    created = []
    for row in rows:
        v = row.values
        unit = units[v["unit_code"]]
        user = User(username=v["username"].lower(), full_name=v["full_name"], full_name_folded=fold(v["full_name"]),
                    title=v["title"], honorific=HONORIFICS[fold(v["honorific"])], email=v["email"].lower(),
                    password_hash=UNUSABLE_PASSWORD,
                    must_change_password=True, is_active=True)
        user.memberships = [Membership(role=_ROLES[fold(v["role"])], unit=unit)]
        db.session.add(user)
        db.session.flush()
        audit.record(actor, "user.created", "user", user.id, unit_id=unit.id,
                     after={**user_values(user), "source": "import"})
        created.append(user)
    return created


def template_bytes(kind: str) -> bytes:
    """The blank .xlsx template for `kind`, with its rules on a second sheet."""
    if kind == "units":
        notes = ["Mỗi dòng một đơn vị. Không đổi tên các cột ở dòng đầu tiên.",
                 "Loại: " + "; ".join(UNIT_KIND_LABELS.values()) + ".",
                 "Mã đơn vị cấp trên: mã một đơn vị đã có trong hệ thống hoặc ở một dòng phía trên."]
    else:
        notes = ["Mỗi dòng một người dùng với một vai trò tại một đơn vị. Không đổi tên các cột.",
                 USERNAME_RULE,
                 "Vai trò: " + "; ".join(v for k, v in ROLE_LABELS.items() if k != Role.ADMIN) + ".",
                 "Mã đơn vị: mã một đơn vị đang hoạt động trong hệ thống.",
                 "Tài khoản mới chưa có mật khẩu: quản trị viên cấp mật khẩu tạm khi bàn giao."]
    notes.append(f"Tối đa {MAX_IMPORT_ROWS} dòng, tệp tối đa {MAX_IMPORT_BYTES // (1024 * 1024)} MB.")
    return template_workbook(columns_of(kind), notes)
