"""Helpers for the administration tests: sheets, uploads, form posts, database snapshots."""

import io
import re

from openpyxl import Workbook
from sqlalchemy import select, text

from models import AuditEvent, db
from tests.factories import csrf_token

TABLES = ("org_unit", "user_account", "membership", "audit_event", "attachment", "user_session")
UNIT_HEADER = ["Mã đơn vị", "Tên đơn vị", "Loại", "Mã đơn vị cấp trên"]
USER_HEADER = ["Tên đăng nhập", "Họ và tên", "Chức vụ", "Email", "Vai trò", "Mã đơn vị"]


def snapshot() -> dict:
    """Every row of the tables the admin pages write, to prove a refusal changed nothing."""
    return {t: db.session.execute(text(f'SELECT * FROM "{t}" ORDER BY id')).all() for t in TABLES}


def xlsx(rows: list[list], merge: str | None = None) -> bytes:
    """A workbook of `rows`, with the cells of the range `merge` (e.g. "C2:C3") merged."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    if merge:
        book.active.merge_cells(merge)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, kind: str, data: bytes, filename: str = "du-lieu.xlsx"):
    token = csrf_token(client, f"/admin/import/{kind}")
    return client.post(f"/admin/import/{kind}", data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def confirm_from(client, kind: str, preview_html: str):
    """Press "Xác nhận nhập" on a preview page (its hidden attachment id and CSRF token)."""
    form = re.search(r'action="/admin/import/\w+/confirm".*?</form>', preview_html, re.S).group(0)
    fields = dict(re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', form))
    return client.post(f"/admin/import/{kind}/confirm", data=fields)


def post_form(client, path: str, data: dict, form_path: str | None = None):
    """POST `data` to `path` with a CSRF token read from the form page."""
    return client.post(path, data={"csrf_token": csrf_token(client, form_path or path), **data})


def audit_actions(target_type: str, target_id) -> list[str]:
    stmt = (select(AuditEvent.action).where(AuditEvent.target_type == target_type,
                                            AuditEvent.target_id == str(target_id)).order_by(AuditEvent.seq))
    return list(db.session.execute(stmt).scalars())


def page_text(response) -> str:
    return response.get_data(as_text=True)
