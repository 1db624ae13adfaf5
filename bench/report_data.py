"""Data of the report benchmark: 12 MP camera photos, inspections whose remediation carries
them, a plan of hundreds of tasks."""

import io
import random
import uuid
from datetime import date, timedelta

from PIL import Image, ImageDraw
from sqlalchemy import select


def camera_photo(n: int) -> bytes:
    """A distinct 4032×3024 JPEG (q90, ≈3.3 MB) with shapes and grain that survive downscaling,
    so its 1600 px copy weighs what a real one does (≈440 KB)."""
    rng = random.Random(n)
    image = Image.linear_gradient("L").resize((4032, 3024)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(60):
        x, y, w, h = rng.randrange(4032), rng.randrange(3024), rng.randrange(100, 1200), rng.randrange(100, 900)
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape([x, y, x + w, y + h], fill=tuple(rng.randrange(256) for _ in range(3)))
    coarse = Image.effect_noise((1344, 1008), 60).convert("RGB").resize((4032, 3024), Image.Resampling.BILINEAR)
    image = Image.blend(Image.blend(image, coarse, 0.25), Image.effect_noise((4032, 3024), 30).convert("RGB"), 0.12)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def _finding_with_action(inspection, target, users, day: date, n: int, *, photo: bytes | None,
                         before: bool) -> None:
    """Finding n, its remediation action (two in three accepted, on time or a day late), the unit's
    report of what it did and, when given, its "after" photo stored through the upload pipeline."""
    from inspection.files.photos import store_photo
    from inspection.language.text import fold
    from models import Finding, FindingPhoto, RemediationAction, RemediationSubmission, db, utcnow

    text_ = f"Tồn tại số {n + 1}: hồ sơ thủ tục hành chính lưu chưa đầy đủ thành phần theo quy định"
    finding = Finding(inspection_id=inspection.id, unit_id=target.id, severity="minor", description=text_,
                      description_folded=fold(text_), client_uuid=str(uuid.uuid4()), device_time=utcnow(),
                      recorded_by_id=users["inspector"].id)
    db.session.add(finding)
    db.session.flush()
    deadline, done = day + timedelta(days=20 + n % 30), n % 3 != 2
    action = RemediationAction(inspection_id=inspection.id, finding_id=finding.id, unit_id=target.id,
                               description=f"Bổ sung đầy đủ thành phần hồ sơ (tồn tại số {n + 1})",
                               deadline=deadline, original_deadline=deadline,
                               status="accepted" if done else "in_progress",
                               completed_on=deadline - timedelta(days=1 - n % 3) if done else None)
    db.session.add(action)
    db.session.flush()
    db.session.add(RemediationSubmission(action_id=action.id, note="Đã rà soát, bổ sung đủ thành phần hồ sơ và "
                                         "cập nhật sổ theo dõi.", submitted_by_id=users["officer"].id,
                                         submitted_at=utcnow()))
    for kind in ("before", "after") if before else ("after",):
        if photo is None:
            break
        original, display = store_photo(io.BytesIO(photo), f"{kind}-{n}.jpg", unit_id=target.id,
                                        uploaded_by_id=users["officer"].id)
        db.session.flush()
        db.session.add(FindingPhoto(finding_id=finding.id, original_id=original.id, display_id=display.id,
                                    client_uuid=str(uuid.uuid4()), device_time=utcnow(), kind=kind))


def _results(inspection, template, lead) -> None:
    """A result for every checklist item: the first not compliant, the rest compliant."""
    from models import CheckResult, db, utcnow

    for n, item in enumerate(template.items):
        db.session.add(CheckResult(inspection_id=inspection.id, item_id=item.id, recorded_by_id=lead.id,
                                   value="non_compliant" if n == 0 else "compliant", device_time=utcnow(),
                                   client_uuid=str(uuid.uuid4())))


def inspection_with_remediation(units, users, findings: int, *, photos: bool = True, before: bool = False):
    """A concluded inspection of a commune with `findings` findings, each with an action the
    unit worked on (a report of what it did) and an "after" photo taken at 12 MP (and a "before"
    one for the minutes when asked)."""
    from inspection.language.text import fold
    from models import ChecklistTemplate, Inspection, InspectionMember, db, utcnow

    template = db.session.execute(select(ChecklistTemplate).order_by(ChecklistTemplate.id)).scalars().first()
    target, lead = units["TH-ANPHUOC"], users["inspector"]
    day = date.today() - timedelta(days=40)
    title = f"Kiểm tra công tác cải cách hành chính tại {target.name} ({findings} tồn tại)"
    inspection = Inspection(unit_id=target.id, ordering_unit_id=units["TH"].id, kind="scheduled", status="concluded",
                            start_on=day, end_on=day, template_id=template.id, title=title, title_folded=fold(title),
                            number=f"{findings}/ĐKT", started_at=utcnow(), minutes_closed_at=utcnow(),
                            announced_at=utcnow())
    inspection.members = [InspectionMember(user_id=lead.id, role="lead"),
                          InspectionMember(user_id=users["truongphongnv"].id, role="member")]
    inspection.representative_name, inspection.representative_title = "Đặng Văn Lợi", "Chủ tịch UBND xã An Phước"
    db.session.add(inspection)
    db.session.flush()
    _results(inspection, template, lead)
    for n in range(findings):
        photo = camera_photo(findings * 1000 + n) if photos else None
        _finding_with_action(inspection, target, users, day, n, photo=photo, before=before)
    db.session.commit()
    return inspection


def big_plan(units, tasks: int):
    """An issued plan of `tasks` tasks over the PAR areas and every unit, in every state."""
    from inspection.language.text import fold
    from models import ParArea, Plan, Task, db

    areas = db.session.execute(select(ParArea).order_by(ParArea.position)).scalars().all()
    leads = [u for code, u in units.items() if code.startswith("TH-")]
    title = f"Kế hoạch cải cách hành chính năm {date.today().year} ({tasks} nhiệm vụ)"
    plan = Plan(unit_id=units["TH"].id, number="99/KH-UBND", issued_on=date(date.today().year, 1, 10),
                title=title, title_folded=fold(title), year=date.today().year, status="issued")
    db.session.add(plan)
    db.session.flush()
    for n in range(tasks):
        deadline = date(date.today().year, 1, 31) + timedelta(days=n % 330)
        status = ("accepted", "in_progress", "submitted", "open")[n % 4]
        name = f"Nhiệm vụ số {n + 1}: rà soát, đơn giản hóa thủ tục hành chính lĩnh vực {n % 17 + 1}"
        db.session.add(Task(plan_id=plan.id, number=str(n + 1), position=n, area_id=areas[n % len(areas)].id,
                            title=name, title_folded=fold(name), unit_id=leads[n % len(leads)].id, deadline=deadline,
                            original_deadline=deadline, status=status,
                            completed_on=deadline - timedelta(days=2) if status == "accepted" else None))
    db.session.commit()
    return plan
