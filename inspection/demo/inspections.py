"""Demo inspections: the year's inspection plan over 6 departments, 2 service units and the 9
communes (done ones with findings and remediation, upcoming ones announced or planned) and one
surprise inspection of xã An Phước not yet started — its target unit sees nothing of it."""

import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from models import (
    ChecklistTemplate,
    CheckResult,
    Conclusion,
    ConclusionItem,
    Finding,
    Inspection,
    InspectionMember,
    InspectionPlan,
    RemediationAction,
    User,
    db,
)
from models.enums import InspectionKind, InspectionStatus, RemediationStatus

from ..language.formatting import TZ, local_today
from ..language.text import fold

TARGETS = ["TH-NV", "TH-TP", "TH-TCKH", "TH-TNMT", "TH-LDTBXH", "TH-VHTT", "TH-TTVH", "TH-QLDA",
           "TH-SARAI", "TH-TANHOCO", "TH-THONGBINH", "TH-BINHPHU", "TH-TANTHANHA", "TH-TANTHANHB",
           "TH-TANCONGCHI", "TH-ANPHUOC", "TH-TANPHUOC"]

# (target code, finding, severity, the team's requirement) — domain.md §7
FINDINGS = {
    "TH-TANHOCO": [("Niêm yết 3/45 thủ tục hành chính đã hết hiệu lực, chưa cập nhật danh mục mới", "major",
                    "Gỡ 3 thủ tục đã hết hiệu lực, niêm yết danh mục thủ tục hành chính mới công bố")],
    "TH-THONGBINH": [("Sổ theo dõi hồ sơ thiếu ngày trả kết quả của 12 hồ sơ", "major",
                      "Bổ sung ngày trả kết quả của 12 hồ sơ; kiểm tra sổ theo dõi hằng tuần")],
    "TH-BINHPHU": [("7 hồ sơ giải quyết quá hạn nhưng không có phiếu xin lỗi", "critical",
                    "Gửi phiếu xin lỗi và hẹn lại ngày trả kết quả cho 7 hồ sơ quá hạn")],
    "TH-TP": [("Trạng thái hồ sơ trên phần mềm một cửa điện tử không được cập nhật kịp thời", "minor",
               "Cập nhật trạng thái hồ sơ trên phần mềm một cửa điện tử ngay khi có kết quả xử lý")],
    "TH-SARAI": [("Công chức tiếp nhận hồ sơ không đeo thẻ công chức", "minor",
                  "Công chức tiếp nhận hồ sơ đeo thẻ công chức trong giờ làm việc"),
                 ("Máy lấy số thứ tự tại Bộ phận một cửa bị hỏng", "minor",
                  "Sửa chữa hoặc thay thế máy lấy số thứ tự")],
}
# The latest inspection done with findings: its conclusion is drafted, waiting for the leader to
# issue it (its deadline "trong thời hạn 15 ngày kể từ ngày ký" becomes a date then).
DRAFTED = "TH-THONGBINH"
DEADLINE_DAYS = 15


def _template(keyword: str) -> ChecklistTemplate | None:
    stmt = select(ChecklistTemplate).where(ChecklistTemplate.is_current,
                                           ChecklistTemplate.name_folded.contains(keyword))
    return db.session.execute(stmt.order_by(ChecklistTemplate.id)).scalars().first()


def _any_template() -> ChecklistTemplate | None:
    first = select(ChecklistTemplate).order_by(ChecklistTemplate.id)
    return _template("mot cua") or db.session.execute(first).scalars().first()


def seed_inspections(units: dict, users: dict[str, User]) -> None:
    template = _any_template()
    if template is None:
        return
    discipline = _template("ky luat") or template
    today = local_today()
    plan = InspectionPlan(unit_id=units["TH"].id, number="15/KH-UBND", issued_on=date(today.year, 1, 20),
                          year=today.year, title=f"Kế hoạch kiểm tra công tác cải cách hành chính năm {today.year}")
    db.session.add(plan)
    db.session.flush()
    for n, code in enumerate(TARGETS):
        day = _spread(today, n)
        chosen = template if units[code].kind in ("commune", "township") else discipline
        _scheduled(plan, units, users, code, day, chosen, n + 1)
    _surprise(units, users, template, today)


def _spread(today: date, n: int) -> date:
    """Eleven inspections already done this year, six still to come."""
    offset = (n - 11) * 9 if n >= 11 else -(11 - n) * 12
    day = today + timedelta(days=offset)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _inspection(units, users, code, day, template, **fields) -> Inspection:
    unit = units[code]
    title = f"Kiểm tra công tác cải cách hành chính tại {unit.name}"
    number = fields["decision_ref"].removeprefix("Quyết định số ").split(" ")[0]
    decision = {"decision_number": number, "decision_date": day - timedelta(days=20),
                "decision_issuer": units["TH"].name,
                "decision_summary": "Về việc thành lập Đoàn kiểm tra công tác cải cách hành chính"}
    inspection = Inspection(unit_id=unit.id, ordering_unit_id=units["TH"].id, start_on=day, end_on=day,
                            template_id=template.id, title=title, title_folded=fold(title),
                            created_by_id=users["coordinator"].id, **decision, **fields)
    inspection.members = [InspectionMember(user_id=users["inspector"].id, role="lead"),
                          InspectionMember(user_id=users["truongphongnv"].id, role="member")]
    db.session.add(inspection)
    db.session.flush()
    return inspection


def _scheduled(plan, units, users, code, day, template, n) -> None:
    today = local_today()
    done = day < today
    status = InspectionStatus.ANNOUNCED if day - today <= timedelta(days=30) else InspectionStatus.PLANNED
    inspection = _inspection(units, users, code, day, template, inspection_plan_id=plan.id, number=f"{n:02d}/ĐKT",
                             decision_ref=f"Quyết định số {100 + n}/QĐ-UBND", kind=InspectionKind.SCHEDULED,
                             status=status)
    if status == InspectionStatus.ANNOUNCED or done:
        inspection.announced_at = _at(day - timedelta(days=7), 8)
    if done:
        _walk(inspection, template, users, FINDINGS.get(code, []), drafted=code == DRAFTED)


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), TZ).astimezone(UTC)


def _walk(inspection: Inspection, template: ChecklistTemplate, users, findings, *, drafted=False) -> None:
    """Results for every item, the findings, the minutes closed and the conclusion issued."""
    day, lead = inspection.start_on, users["inspector"]
    inspection.started_at, inspection.minutes_closed_at = _at(day, 8), _at(day, 16)
    inspection.representative_name, inspection.representative_title = "Đại diện lãnh đạo đơn vị", "Thủ trưởng đơn vị"
    for i, item in enumerate(template.items):
        value = "non_compliant" if i < len(findings) else "compliant"
        db.session.add(CheckResult(inspection_id=inspection.id, item_id=item.id, value=value,
                                   client_uuid=str(uuid.uuid4()), device_time=_at(day, 9), recorded_by_id=lead.id))
    db.session.flush()
    drafted = drafted and bool(findings)
    conclusion = Conclusion(inspection_id=inspection.id, drafted_by_id=lead.id,
                            issued_by_id=None if drafted else users["leader"].id,
                            issued_at=None if drafted else _at(day + timedelta(days=5), 10),
                            summary="Đơn vị cơ bản thực hiện tốt công tác cải cách hành chính.",
                            strengths="Bộ phận một cửa bố trí đủ công chức; hồ sơ giải quyết đúng hạn đạt tỷ lệ cao.",
                            shortcomings="; ".join(f[0] for f in findings) or "Không có.",
                            causes="Công chức kiêm nhiệm nhiều việc; việc tự kiểm tra tại Bộ phận Một cửa chưa "
                                   "thường xuyên." if findings else "",
                            recommendations="Thủ trưởng đơn vị chỉ đạo khắc phục các tồn tại, hạn chế nêu trên."
                            if findings else "")
    db.session.add(conclusion)
    db.session.flush()
    issued = None if drafted else day + timedelta(days=5)
    for item, finding in zip(template.items, findings, strict=False):  # the items found non-compliant
        _finding(inspection, conclusion, lead, day, finding, item.id, issued)
    if drafted:
        inspection.status = InspectionStatus.CONCLUSION_DRAFTED
    else:
        inspection.status = InspectionStatus.CONCLUDED if findings else InspectionStatus.CLOSED


def _finding(inspection, conclusion, lead, day, found, item_id: int, issued: date | None) -> None:
    """A finding, the requirement the team wrote for it ("trong thời hạn 15 ngày kể từ ngày ký":
    a date from the issue on) and, once the conclusion is issued, its remediation action."""
    text, severity, requirement = found
    finding = Finding(inspection_id=inspection.id, unit_id=inspection.unit_id, item_id=item_id, severity=severity,
                      description=text, description_folded=fold(text), client_uuid=str(uuid.uuid4()),
                      device_time=_at(day, 10), recorded_by_id=lead.id)
    db.session.add(finding)
    db.session.flush()
    deadline = issued + timedelta(days=DEADLINE_DAYS) if issued else None
    db.session.add(ConclusionItem(conclusion_id=conclusion.id, finding_id=finding.id, action=requirement,
                                  unit_id=inspection.unit_id, deadline=deadline, deadline_days=DEADLINE_DAYS))
    if deadline is None:
        return
    done = deadline < local_today() - timedelta(days=30)
    db.session.add(RemediationAction(inspection_id=inspection.id, finding_id=finding.id, unit_id=inspection.unit_id,
                                     description=requirement, deadline=deadline, original_deadline=deadline,
                                     status=RemediationStatus.ACCEPTED if done else RemediationStatus.OPEN,
                                     completed_on=deadline - timedelta(days=3) if done else None,
                                     created_by_id=lead.id, raised_by_id=lead.id))


def _surprise(units, users, template, today: date) -> None:
    """The only surprise inspection of xã An Phước: ordered, not started — invisible to the commune."""
    day = today + timedelta(days=2)
    inspection = _inspection(units, users, "TH-ANPHUOC", day, template, kind=InspectionKind.SURPRISE,
                             status=InspectionStatus.PLANNED, number="02/KTĐX",
                             decision_ref="Quyết định số 245/QĐ-UBND về kiểm tra công vụ đột xuất")
    inspection.title = "Kiểm tra đột xuất Bộ phận một cửa UBND xã An Phước"
    inspection.title_folded = fold(inspection.title)
