"""A province-scale data set for `python -m bench web`: 162 units (a province, its People's
Committee, 30 departments, 130 communes), 600 users, 100,000 tasks over five years, 10,000
inspections, 100,000 findings, 100,000 remediation actions and 500,000 audit events.

Rows are generated with a fixed seed, in bulk (no services, no audit chain: the audit rows are
filler of realistic size). Everything is relative to today, so "overdue" means what it would."""

import io
import random
import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert, select, text

from inspection.auth.passwords import hash_password
from inspection.files.photos import store_photo
from inspection.language.formatting import TZ, local_today
from inspection.language.text import fold
from models import (
    ChecklistItem,
    ChecklistTemplate,
    Finding,
    FindingPhoto,
    Inspection,
    InspectionMember,
    Membership,
    OrgUnit,
    ParArea,
    Plan,
    RemediationAction,
    Task,
    User,
    db,
)

PASSWORD = "bench-password"
# Two inspections on site today, team inspector0 (lead) and inspector1 (member): one with
# SHOWCASE_FINDINGS findings with a photo each (the inspection page's benchmark), one that receives
# the tablets' sync batches.
DETAIL_NUMBER, FIELD_NUMBER, SHOWCASE_FINDINGS = "BENCH-1/ĐKT", "BENCH-2/ĐKT", 50
DEPARTMENTS, COMMUNES = 30, 130
TASKS, INSPECTIONS, FINDINGS_EACH, AUDIT_EVENTS = 100_000, 10_000, 10, 500_000
YEARS = 5
rng = random.Random(20261123)


def _unit(code: str, name: str, kind: str, parent_id: int | None) -> dict:
    return {"code": code, "name": name, "name_folded": fold(name), "short_name": name, "kind": kind,
            "parent_id": parent_id, "version": 1, "place_name": "", "address": "",
            "requires_head_confirmation": True, "is_active": True}


def _units() -> dict:
    root = OrgUnit(**_unit("P", "Tỉnh Đồng Tháp", "province", None))
    db.session.add(root)
    db.session.flush()
    pc = OrgUnit(**_unit("P-UB", "Ủy ban nhân dân tỉnh Đồng Tháp", "peoples_committee", root.id))
    db.session.add(pc)
    db.session.flush()
    rows = [_unit(f"S{n:02d}", f"Sở số {n}", "department", pc.id) for n in range(1, DEPARTMENTS + 1)]
    rows += [_unit(f"X{n:03d}", f"Ủy ban nhân dân xã Số {n}", "commune", pc.id) for n in range(1, COMMUNES + 1)]
    db.session.execute(insert(OrgUnit), rows)
    below = list(db.session.execute(select(OrgUnit.id).where(OrgUnit.parent_id == pc.id)).scalars())
    return {"root": root.id, "pc": pc.id, "below": below}


def _users(units: dict) -> dict:
    secret = hash_password(PASSWORD)
    people = [("admin", "admin", units["root"]), ("leader", "leader", units["pc"]),
              ("coordinator", "coordinator", units["pc"])]
    people += [(f"inspector{n}", "inspector", units["below"][n % DEPARTMENTS]) for n in range(30)]
    people += [(f"head{n}", "unit_head", unit) for n, unit in enumerate(units["below"])]
    people += [(f"officer{n}", "unit_officer", units["below"][n % len(units["below"])]) for n in range(407)]
    ids = {}
    for username, role, unit in people:
        user = User(username=username, full_name=f"Người dùng {username}", full_name_folded=username,
                    password_hash=secret, version=1)
        user.memberships = [Membership(role=role, unit_id=unit)]
        db.session.add(user)
        ids[username] = user
    db.session.flush()
    return {name: user.id for name, user in ids.items()}


def _task_state(deadline: date, today: date) -> tuple[str, date | None]:
    roll = rng.random()
    if deadline >= today:
        return ("in_progress" if roll < 0.5 else "open"), None
    if roll < 0.80:
        return "accepted", deadline + timedelta(days=rng.choice([-9, -5, -2, 0, 0, 3, 12]))
    if roll < 0.88:
        return "in_progress", None  # overdue
    if roll < 0.94:
        return "submitted", deadline - timedelta(days=1)
    return ("cancelled" if roll < 0.97 else "returned"), None


def _tasks(units: dict, users: dict, today: date) -> None:
    areas = list(db.session.execute(select(ParArea.id)).scalars())
    plans = {}
    for year in range(today.year - YEARS + 1, today.year + 1):
        plan = Plan(unit_id=units["pc"], number=f"{year % 100}/KH-UBND", issued_on=date(year, 1, 10), year=year,
                    title=f"Kế hoạch CCHC năm {year}", title_folded=f"ke hoach cchc nam {year}", status="issued",
                    version=1)
        db.session.add(plan)
        plans[year] = plan
    db.session.flush()
    start = date(today.year - YEARS + 1, 1, 1)
    span = (today + timedelta(days=90) - start).days
    rows = []
    for n in range(TASKS):
        deadline = start + timedelta(days=rng.randrange(span))
        status, completed = _task_state(deadline, today)
        title = f"Nhiệm vụ cải cách hành chính số {n}"
        rows.append({"plan_id": plans[min(deadline.year, today.year)].id, "number": str(n), "position": n,
                     "area_id": rng.choice(areas), "title": title, "title_folded": fold(title), "description": "",
                     "expected_output": "", "unit_id": rng.choice(units["below"]), "deadline": deadline,
                     "original_deadline": deadline, "status": status, "completed_on": completed,
                     "progress": 100 if completed else 30, "assigned_by_id": users["coordinator"],
                     "status_reason": "", "version": 1})
    for chunk in range(0, len(rows), 10_000):
        db.session.execute(insert(Task), rows[chunk:chunk + 10_000])
    _support(units["below"])


def _support(below: list[int]) -> None:
    """A third of the tasks have a supporting unit (phối hợp), another commune or department."""
    db.session.execute(text(
        "INSERT INTO task_support_unit (task_id, unit_id) "
        "SELECT id, (CAST(:units AS integer[]))[1 + (id * 7919) % :n] FROM task "
        "WHERE id % 3 = 0 AND (CAST(:units AS integer[]))[1 + (id * 7919) % :n] <> unit_id"),
        {"units": below, "n": len(below)})


def _template(units: dict) -> tuple[int, list[tuple[int, int]]]:
    areas = list(db.session.execute(select(ParArea.id)).scalars())
    template = ChecklistTemplate(family=str(uuid.uuid4()), name="Bộ tiêu chí kiểm tra CCHC",
                                 name_folded="bo tieu chi kiem tra cchc", year=2026, unit_id=units["pc"])
    template.items = [ChecklistItem(position=n, code=f"{n}", area_id=areas[n % len(areas)],
                                    criterion=f"Tiêu chí số {n}") for n in range(1, 21)]
    db.session.add(template)
    db.session.flush()
    return template.id, [(item.id, item.area_id) for item in template.items]


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), UTC)


def _inspection_row(n: int, units: dict, users: dict, template_id: int, today: date) -> dict:
    start_on = today - timedelta(days=rng.randrange(-120, 365 * YEARS - 120))
    past = start_on < today
    surprise = rng.random() < 0.03
    announced = None if surprise or (not past and rng.random() < 0.5) else _at(start_on - timedelta(days=7), 2)
    title = f"Kiểm tra công tác cải cách hành chính số {n}"
    return {"number": f"{n}/ĐKT", "unit_id": rng.choice(units["below"]), "ordering_unit_id": units["pc"],
            "kind": "surprise" if surprise else "scheduled", "status": "closed" if past else
            ("announced" if announced else "planned"), "start_on": start_on, "end_on": start_on,
            "template_id": template_id, "title": title, "title_folded": fold(title), "announced_at": announced,
            "started_at": _at(start_on, 1) if past else None, "created_by_id": users["coordinator"], "version": 1,
            "decision_ref": "", "representative_name": "", "representative_title": "", "location": "",
            "status_reason": ""}


def _inspections(units: dict, users: dict, today: date) -> None:
    template_id, items = _template(units)
    rows = [_inspection_row(n, units, users, template_id, today) for n in range(INSPECTIONS)]
    db.session.execute(insert(Inspection), rows)
    done = db.session.execute(select(Inspection.id, Inspection.unit_id, Inspection.start_on)
                              .where(Inspection.started_at.is_not(None))).all()
    per = -(-INSPECTIONS * FINDINGS_EACH // len(done))
    findings = []
    for inspection_id, unit_id, start_on in done:
        for _ in range(per):
            item_id, _area = rng.choice(items)
            findings.append({"inspection_id": inspection_id, "unit_id": unit_id, "item_id": item_id,
                             "severity": rng.choice(["minor", "minor", "major", "critical"]),
                             "description": "Tồn tại phát hiện", "description_folded": "ton tai phat hien",
                             "client_uuid": str(uuid.UUID(int=rng.getrandbits(128))),
                             "device_time": _at(start_on, 3), "recorded_by_id": users["inspector0"], "version": 1})
    findings = findings[:INSPECTIONS * FINDINGS_EACH]
    for chunk in range(0, len(findings), 10_000):
        db.session.execute(insert(Finding), findings[chunk:chunk + 10_000])
    _actions(users, today)


def _actions(users: dict, today: date) -> None:
    rows = []
    stmt = (select(Finding.id, Finding.inspection_id, Finding.unit_id, Inspection.start_on, ChecklistItem.area_id)
            .join(Inspection, Inspection.id == Finding.inspection_id)
            .outerjoin(ChecklistItem, ChecklistItem.id == Finding.item_id))
    for finding_id, inspection_id, unit_id, start_on, area_id in db.session.execute(stmt):
        deadline = start_on + timedelta(days=30)
        status, completed = _task_state(deadline, today)
        status = {"cancelled": "accepted", "returned": "returned"}.get(status, status)
        completed = completed or (deadline if status == "accepted" else None)
        rows.append({"inspection_id": inspection_id, "finding_id": finding_id, "unit_id": unit_id,
                     "area_id": area_id, "description": "Khắc phục tồn tại", "deadline": deadline,
                     "original_deadline": deadline,
                     "status": status, "completed_on": completed, "created_by_id": users["coordinator"],
                     "requires_evidence": True, "escalation_level": 0, "status_reason": "",
                     "times_returned": 1 if rng.random() < 0.1 else 0, "version": 1})
    for chunk in range(0, len(rows), 10_000):
        db.session.execute(insert(RemediationAction), rows[chunk:chunk + 10_000])


def _photo(n: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 480), (40 + n % 200, 90, 60)).save(out, "JPEG", quality=85)
    return out.getvalue()


def _showcase(units: dict, users: dict, today: date) -> None:
    """The two inspections on site today (see DETAIL_NUMBER), photos stored through the storage layer."""
    template_id = db.session.execute(select(ChecklistTemplate.id).order_by(ChecklistTemplate.id)).scalars().first()
    items = list(db.session.execute(select(ChecklistItem.id).where(ChecklistItem.template_id == template_id))
                 .scalars())
    on_site = datetime.combine(today, time(8), TZ)
    for number in (DETAIL_NUMBER, FIELD_NUMBER):
        row = _inspection_row(0, units, users, template_id, today) | {
            "number": number, "unit_id": units["below"][1], "kind": "scheduled", "status": "in_progress",
            "start_on": today, "end_on": today, "announced_at": _at(today - timedelta(days=7), 2),
            "started_at": on_site}
        inspection = Inspection(**row)
        db.session.add(inspection)
        db.session.flush()
        db.session.add_all([InspectionMember(inspection_id=inspection.id, user_id=users["inspector0"], role="lead"),
                            InspectionMember(inspection_id=inspection.id, user_id=users["inspector1"], role="member")])
        if number != DETAIL_NUMBER:
            continue
        for n in range(SHOWCASE_FINDINGS):
            finding = Finding(inspection_id=inspection.id, unit_id=inspection.unit_id, item_id=items[n % len(items)],
                              severity=("minor", "major", "critical")[n % 3],
                              description=f"Tồn tại số {n + 1}: hồ sơ chưa cập nhật trên hệ thống một cửa",
                              description_folded=f"ton tai so {n + 1}", client_uuid=str(uuid.uuid4()),
                              device_time=on_site + timedelta(minutes=n), recorded_by_id=users["inspector0"])
            db.session.add(finding)
            original, display = store_photo(io.BytesIO(_photo(n)), f"anh-{n + 1}.jpg", unit_id=inspection.unit_id,
                                            uploaded_by_id=users["inspector0"])
            db.session.flush()
            db.session.add(FindingPhoto(finding_id=finding.id, original_id=original.id, display_id=display.id,
                                        client_uuid=str(uuid.uuid4()), device_time=finding.device_time))
    db.session.flush()


def _audit() -> None:
    db.session.execute(text(
        "INSERT INTO audit_event (seq, at, action, target_type, target_id, ip_address, after, prev_hash, hash) "
        "SELECT g, now() - (g || ' minutes')::interval, 'task.updated', 'task', g::text, '127.0.0.1', "
        "'{\"status\": \"in_progress\"}', md5(g::text) || md5((g + 1)::text), md5((g + 1)::text) || md5(g::text) "
        "FROM generate_series(1, :n) AS g"), {"n": AUDIT_EVENTS})


def _settle() -> None:
    """VACUUM (ANALYZE): years of history are all-visible to the planner, as autovacuum leaves a
    live database, so index-only scans happen here as they do there (and no autovacuum of the fresh
    rows runs in the middle of a measurement). Then CHECKPOINT: the gigabyte the fill and the vacuum
    dirtied is written now, not by a checkpoint in the middle of a measurement (a live database is
    not writing out a freshly loaded history while its users work)."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE)"))
        conn.execute(text("CHECKPOINT"))


def fill() -> dict:
    """Generate the data set (committed); returns counts of what was made."""
    today = local_today()
    units = _units()
    users = _users(units)
    _tasks(units, users, today)
    _inspections(units, users, today)
    _showcase(units, users, today)
    _audit()
    db.session.commit()
    _settle()
    counts = {name: db.session.execute(select(db.func.count()).select_from(model)).scalar_one()
              for name, model in (("units", OrgUnit), ("users", User), ("tasks", Task), ("inspections", Inspection),
                                  ("findings", Finding), ("remediation_actions", RemediationAction))}
    counts["audit_events"] = AUDIT_EVENTS
    return counts
