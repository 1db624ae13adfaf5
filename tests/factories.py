"""Keyword-only factories (STYLE.md §19) and the sign-in helper."""

import io
import itertools
import re
import time
from datetime import date

import pyotp
import pytest
from sqlalchemy import select

from inspection.auth.passwords import hash_password
from inspection.language.text import fold
from models import Membership, OrgUnit, Plan, Task, TaskUpdate, User, db
from models.enums import PlanStatus, Role, TaskStatus, UnitKind

PASSWORD = "mat-khau-thu-nghiem"
_PASSWORD_HASH = hash_password(PASSWORD)
_seq = itertools.count(1)


def make_unit(*, name=None, parent=None, kind=UnitKind.COMMUNE, code=None, **fields) -> OrgUnit:
    n = next(_seq)
    name = name or f"Ủy ban nhân dân xã Thử Nghiệm {n}"
    unit = OrgUnit(name=name, name_folded=fold(name), code=code or f"U{n}", kind=kind,
                   parent_id=parent.id if parent else None, **fields)
    db.session.add(unit)
    db.session.flush()
    return unit


def make_user(*, role=Role.UNIT_OFFICER, unit=None, username=None, full_name=None, **fields) -> User:
    n = next(_seq)
    full_name = full_name or f"Nguyễn Văn Thử {n}"
    user = User(username=username or f"user{n}", full_name=full_name, full_name_folded=fold(full_name),
                password_hash=_PASSWORD_HASH, **fields)
    if unit is not None:
        user.memberships = [Membership(role=role, unit_id=unit.id)]
    db.session.add(user)
    db.session.flush()
    return user


def make_tree() -> dict[str, OrgUnit]:
    """A small province: root → People's Committee → a department and two communes."""
    root = make_unit(name="Tỉnh Thử Nghiệm", kind=UnitKind.PROVINCE)
    pc = make_unit(name="Ủy ban nhân dân huyện Thử Nghiệm", kind=UnitKind.PEOPLES_COMMITTEE, parent=root)
    dept = make_unit(name="Phòng Nội vụ", kind=UnitKind.DEPARTMENT, parent=pc)
    commune_a = make_unit(name="Ủy ban nhân dân xã An Phước", parent=pc)
    commune_b = make_unit(name="Ủy ban nhân dân xã Tân Phước", parent=pc)
    return {"root": root, "pc": pc, "dept": dept, "a": commune_a, "b": commune_b}


def make_plan(*, unit, number="35/KH-UBND", issued_on=date(2024, 1, 15), title=None, year=None,
              status=PlanStatus.DRAFT, areas=()) -> Plan:
    title = title or f"Kế hoạch cải cách hành chính năm {issued_on.year} (thử nghiệm {next(_seq)})"
    plan = Plan(unit_id=unit.id, number=number, issued_on=issued_on, title=title, title_folded=fold(title),
                year=year or issued_on.year, status=status)
    plan.areas = list(areas)
    db.session.add(plan)
    db.session.flush()
    return plan


def make_task(*, unit, plan=None, number=None, title=None, deadline=date(2024, 8, 15), status=TaskStatus.OPEN,
              area=None, support_units=(), **fields) -> Task:
    n = next(_seq)
    title = title or f"Rà soát, công bố thủ tục hành chính thử nghiệm {n}"
    task = Task(plan_id=plan.id if plan else None, number=number or (str(n) if plan else ""), position=n,
                area_id=area.id if area else None, title=title, title_folded=fold(title), unit_id=unit.id,
                deadline=deadline, original_deadline=fields.pop("original_deadline", deadline), status=status,
                **fields)
    task.support_units = list(support_units)
    db.session.add(task)
    db.session.flush()
    return task


PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def make_task_file(*, task, author, content=PDF_BYTES, filename="bao-cao-ket-qua.pdf"):
    """A file posted with a progress update on `task` (stored through the storage module)."""
    from inspection.files import storage

    attachment = storage.store(io.BytesIO(content), filename, kind="task_evidence", unit_id=task.unit_id,
                               uploaded_by_id=author.id)
    update = TaskUpdate(task_id=task.id, author_id=author.id, kind="progress", progress=10, note="")
    update.attachments = [attachment]
    db.session.add(update)
    db.session.flush()
    return attachment


def csrf_token(client, path="/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client, user: User, password: str = PASSWORD):
    """Sign in through the real form (TOTP step included when the user has it)."""
    response = client.post("/login", data={"username": user.username, "password": password,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    if "/login/two-factor" in response.headers["Location"]:
        response = pass_second_factor(client, user)
    return response


def totp_code(user: User) -> str:
    """The authenticator app's code for `user` at a time step the server has not accepted yet
    (waits for the next 30-second step when the current and next ones are both used)."""
    last = db.session.execute(select(User.totp_last_step).where(User.id == user.id)).scalar_one()
    secret = db.session.execute(select(User.totp_secret).where(User.id == user.id)).scalar_one()
    while True:
        step = int(time.time() // 30)
        fresh = [s for s in (step, step + 1) if last is None or s > last]
        if fresh:
            return pyotp.TOTP(secret).at(fresh[0] * 30)
        time.sleep(1)


def pass_second_factor(client, user: User):
    """Complete the TOTP step of a sign-in already past its password step."""
    token = csrf_token(client, "/login/two-factor")
    response = client.post("/login/two-factor", data={"code": totp_code(user), "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def tree(ctx):
    return make_tree()


@pytest.fixture
def login_as(client, tree):
    """login_as(role, unit_key) → the signed-in user (a new one per call)."""

    def _login(role=Role.UNIT_OFFICER, unit="a"):
        unit_obj = tree[unit] if isinstance(unit, str) else unit
        user = make_user(role=role, unit=unit_obj)
        db.session.commit()
        sign_in(client, user)
        return user

    return _login


def make_photo(*, size=(1200, 900), fmt="JPEG", mode="RGB", **save) -> bytes:
    """The bytes of a real picture made by Pillow (a gradient, not one flat colour)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert(mode).save(out, fmt, **save)
    return out.getvalue()


DEFAULT_CRITERIA = [
    ("1.1", "TTHC", "Niêm yết công khai thủ tục hành chính đầy đủ, đúng quy định",
     "Đối chiếu danh mục niêm yết với Quyết định công bố mới nhất.", "2"),
    ("1.2", "TTHC", "Sổ theo dõi hồ sơ ghi đủ ngày nhận, ngày trả kết quả", "Chọn ngẫu nhiên 10 hồ sơ.", "1"),
    ("2.1", "CONGVU", "Công chức đeo thẻ khi thi hành công vụ", "", None),
]


def make_template(*, unit, name=None, year=2025, criteria=DEFAULT_CRITERIA, family=None, version=1,
                  is_current=True, **fields):
    """A checklist template (bộ tiêu chí) of `unit`; criteria are (code, area code, criterion,
    guidance, points) rows."""
    import uuid
    from decimal import Decimal

    from models import ChecklistItem, ChecklistTemplate, ParArea

    name = name or f"Kiểm tra hoạt động của Bộ phận Một cửa {next(_seq)}"
    areas = dict(db.session.execute(select(ParArea.code, ParArea.id)).all())
    template = ChecklistTemplate(family=family or str(uuid.uuid4()), version=version, is_current=is_current,
                                 name=name, name_folded=fold(name), year=year, unit_id=unit.id, **fields)
    template.items = [ChecklistItem(position=n, code=code, area_id=areas.get(area), criterion=criterion,
                                    guidance=guidance, points=Decimal(points) if points else None)
                      for n, (code, area, criterion, guidance, points) in enumerate(criteria, 1)]
    db.session.add(template)
    db.session.flush()
    return template


# The căn cứ the minutes need before they can be closed: the decision forming the team, in full.
MINUTES_BASIS = {"decision_number": "121/QĐ-UBND", "decision_date": date(2026, 1, 5),
                 "decision_issuer": "Ủy ban nhân dân tỉnh Đồng Tháp",
                 "decision_summary": "Về việc thành lập Đoàn kiểm tra công tác cải cách hành chính năm 2026"}


def close_minutes(actor, inspection, **fields):
    """The team lead closes the minutes with a complete căn cứ (and whatever parts `fields` add)."""
    from inspection.inspections import minutes

    parts = MINUTES_BASIS | fields.pop("parts", {})
    return minutes.close_minutes(actor, inspection, parts=parts, **fields)


class Person:
    """One signed-in user with their own browser session."""

    def __init__(self, app, user):
        self.user = user
        self.client = app.test_client()
        sign_in(self.client, user)
        self.token = csrf_token(self.client, "/")

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url, data=None, **kwargs):
        return self.client.post(url, data={"csrf_token": self.token, **(data or {})}, **kwargs)

    def text(self, url) -> str:
        response = self.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.get_data(as_text=True)


class People(dict):
    """Each person signs in the first time a test needs them."""

    def __init__(self, app, users):
        super().__init__()
        self.app, self.users = app, users

    def __missing__(self, key):
        self[key] = Person(self.app, self.users[key])
        return self[key]
