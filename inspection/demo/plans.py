"""Demo plans: the seed's "Kế hoạch CCHC năm 2024" (UBND tỉnh Đồng Tháp's in the reshaped demo; 24
tasks, 22 done) and a current-year plan whose deadlines sit around today, so reminders and "this month" show data."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from models import ExtensionRequest, ParArea, Plan, Task, TaskUpdate, User, db
from models.enums import ExtensionStatus, PlanStatus, TaskStatus

from ..language.formatting import local_today
from ..language.text import fold

# (area code, lead unit code, task, expected output)
TASKS_2024 = [
    ("CDDH", "TH-NV", "Ban hành Kế hoạch cải cách hành chính năm 2024 của tỉnh", "Kế hoạch CCHC năm 2024"),
    ("CDDH", "TH-NV", "Báo cáo công tác cải cách hành chính quý I, 6 tháng, 9 tháng và năm", "Báo cáo định kỳ"),
    ("CDDH", "TH-NV", "Kiểm tra công tác CCHC tại 6 cơ quan chuyên môn, 2 đơn vị sự nghiệp và các xã",
     "Thông báo kết luận kiểm tra"),
    ("CDDH", "TH-VHTT", "Tuyên truyền về cải cách hành chính trên Đài Truyền thanh và Cổng thông tin điện tử tỉnh",
     "Tin, bài tuyên truyền"),
    ("THECHE", "TH-TP", "Rà soát, hệ thống hóa văn bản quy phạm pháp luật do HĐND, UBND tỉnh ban hành",
     "Báo cáo kết quả rà soát"),
    ("THECHE", "TH-TP", "Theo dõi tình hình thi hành pháp luật trên địa bàn tỉnh năm 2024", "Báo cáo theo dõi"),
    ("THECHE", "TH-TP", "Tổ chức phổ biến, giáo dục pháp luật cho cán bộ, công chức cấp xã", "Hội nghị phổ biến"),
    ("TTHC", "TH-VP", "Rà soát, cập nhật và niêm yết công khai thủ tục hành chính tại Bộ phận một cửa các cấp",
     "Danh mục TTHC niêm yết"),
    ("TTHC", "TH-VP", "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính theo quy định", "Tỷ lệ hồ sơ được số hóa"),
    ("TTHC", "TH-SARAI", "Thực hiện phiếu xin lỗi đối với hồ sơ giải quyết quá hạn", "Sổ theo dõi phiếu xin lỗi"),
    ("TTHC", "TH-VP", "Tổ chức đối thoại với người dân về giải quyết thủ tục hành chính", "Biên bản đối thoại"),
    ("BOMAY", "TH-NV", "Rà soát chức năng, nhiệm vụ, cơ cấu tổ chức các cơ quan chuyên môn thuộc UBND tỉnh",
     "Quyết định kiện toàn"),
    ("BOMAY", "TH-NV", "Triển khai Đề án vị trí việc làm trong các cơ quan, đơn vị", "Danh mục vị trí việc làm"),
    ("CONGVU", "TH-NV", "Xây dựng và thực hiện kế hoạch đào tạo, bồi dưỡng cán bộ, công chức, viên chức năm 2024",
     "Kế hoạch đào tạo, bồi dưỡng"),
    ("CONGVU", "TH-NV", "Kiểm tra công vụ đột xuất việc chấp hành kỷ luật, kỷ cương hành chính",
     "Thông báo kết quả kiểm tra"),
    ("CONGVU", "TH-NV", "Đánh giá, xếp loại chất lượng cán bộ, công chức, viên chức năm 2024", "Kết quả đánh giá"),
    ("TAICHINH", "TH-TCKH", "Công khai dự toán, quyết toán ngân sách theo quy định", "Báo cáo công khai ngân sách"),
    ("TAICHINH", "TH-TCKH", "Thực hiện cơ chế tự chủ tài chính tại các đơn vị sự nghiệp công lập",
     "Phương án tự chủ"),
    ("TAICHINH", "TH-QLDA", "Đẩy nhanh tiến độ giải ngân vốn đầu tư công năm 2024", "Báo cáo giải ngân"),
    ("CQS", "TH-VHTT", "Duy trì, cải tiến Hệ thống quản lý chất lượng theo TCVN ISO 9001:2015",
     "Quyết định công bố ISO"),
    ("CQS", "TH-VP", "Sử dụng chữ ký số, gửi nhận văn bản điện tử trên hệ thống quản lý văn bản",
     "Tỷ lệ văn bản điện tử"),
    ("CQS", "TH-VP", "Nâng tỷ lệ hồ sơ trực tuyến toàn trình trên Cổng Dịch vụ công", "Tỷ lệ hồ sơ trực tuyến"),
    ("TACDONG", "TH-NV", "Khảo sát mức độ hài lòng của người dân, tổ chức (SIPAS) tại Bộ phận một cửa",
     "Báo cáo kết quả khảo sát"),
    ("TACDONG", "TH-ANPHUOC", "Khắc phục hạn chế về niêm yết thủ tục hành chính sau kiểm tra năm 2023",
     "Báo cáo kết quả khắc phục"),
]
LATE_2024 = {2, 9, 13, 19}  # done late (numbers of the task in the plan)
OVERDUE_2024, IN_PROGRESS_2024 = 23, 24


def seed_plans(units: dict, users: dict[str, User]) -> None:
    areas = {a.code: a for a in db.session.execute(select(ParArea)).scalars()}
    _plan_2024(units, users, areas)
    _plan_current(units, users, areas)


def _plan(units, users, *, number, issued_on, title, year, areas) -> Plan:
    plan = Plan(unit_id=units["TH"].id, number=number, issued_on=issued_on, title=title, title_folded=fold(title),
                year=year, status=PlanStatus.ISSUED, created_by_id=users["coordinator"].id,
                issued_by_id=users["leader"].id)
    plan.areas = list(areas.values())
    db.session.add(plan)
    db.session.flush()
    return plan


def _task(plan, n, row, units, users, areas, deadline, **fields) -> Task:
    area, unit, title, output = row
    task = Task(plan_id=plan.id, number=str(n), position=n, area_id=areas[area].id, title=title,
                title_folded=fold(title), expected_output=output, unit_id=units[unit].id, deadline=deadline,
                original_deadline=deadline, assigned_by_id=users["coordinator"].id, **fields)
    db.session.add(task)
    db.session.flush()
    return task


def _done(task: Task, completed: date, users) -> None:
    task.status, task.progress, task.completed_on = TaskStatus.ACCEPTED, 100, completed
    task.accepted_at = datetime(completed.year, completed.month, completed.day, 3, tzinfo=UTC) + timedelta(days=2)
    db.session.add(TaskUpdate(task_id=task.id, author_id=users["coordinator"].id, kind="accepted",
                              created_at=task.accepted_at))


def _plan_2024(units, users, areas) -> None:
    plan = _plan(units, users, number="35/KH-UBND", issued_on=date(2024, 1, 15), year=2024, areas=areas,
                 title="Kế hoạch cải cách hành chính năm 2024 của UBND tỉnh Đồng Tháp")
    for n, row in enumerate(TASKS_2024, start=1):
        deadline = date(2024, 3 + (n % 9), 15)
        task = _task(plan, n, row, units, users, areas, deadline)
        if n == OVERDUE_2024:
            task.status, task.progress = TaskStatus.IN_PROGRESS, 60
        elif n == IN_PROGRESS_2024:
            _extended(task, users, local_today() + timedelta(days=45))
        else:
            _done(task, deadline + timedelta(days=12 if n in LATE_2024 else -5), users)


def _extended(task: Task, users, new_deadline: date) -> None:
    task.status, task.progress = TaskStatus.IN_PROGRESS, 70
    db.session.add(ExtensionRequest(task_id=task.id, unit_id=task.unit_id, requested_by_id=users["officer"].id,
                                    current_deadline=task.deadline, requested_deadline=new_deadline,
                                    reason="Chờ kết quả kiểm tra lại của Đoàn kiểm tra tỉnh",
                                    status=ExtensionStatus.APPROVED, decided_by_id=users["leader"].id,
                                    decided_at=datetime.now(UTC), decision_note="Đồng ý gia hạn"))
    task.deadline = new_deadline


CURRENT = [
    ("TTHC", "TH-ANPHUOC", "Niêm yết công khai, đầy đủ thủ tục hành chính tại Bộ phận một cửa xã",
     "Ảnh chụp niêm yết", 1),
    ("TTHC", "TH-ANPHUOC", "Cập nhật sổ theo dõi hồ sơ, ghi đủ ngày trả kết quả", "Sổ theo dõi hồ sơ", 3),
    ("CQS", "TH-ANPHUOC", "Cập nhật trạng thái hồ sơ trên phần mềm một cửa điện tử", "Báo cáo trích xuất", 7),
    ("CONGVU", "TH-ANPHUOC", "Chấn chỉnh việc đeo thẻ công chức khi thi hành công vụ", "Văn bản chấn chỉnh", -4),
    ("CDDH", "TH-NV", "Báo cáo công tác cải cách hành chính quý IV", "Báo cáo quý", 14),
    ("TTHC", "TH-SARAI", "Sửa chữa máy lấy số thứ tự tại Bộ phận một cửa xã", "Biên bản nghiệm thu", -2),
    ("TACDONG", "TH-VP", "Tổng hợp kết quả khảo sát SIPAS 6 tháng cuối năm", "Báo cáo SIPAS", 20),
    ("CONGVU", "TH-NV", "Tập huấn kỹ năng tiếp công dân cho công chức Bộ phận một cửa", "Danh sách học viên", -20),
]


def _plan_current(units, users, areas) -> None:
    today = local_today()
    plan = _plan(units, users, number="12/KH-UBND", issued_on=date(today.year, 1, 10), year=today.year,
                 areas=areas, title=f"Kế hoạch cải cách hành chính năm {today.year} của UBND tỉnh Đồng Tháp")
    for n, (area, unit, title, output, days) in enumerate(CURRENT, start=1):
        task = _task(plan, n, (area, unit, title, output), units, users, areas, today + timedelta(days=days))
        if days == -20:
            _done(task, today - timedelta(days=21), users)
        elif days == 14:
            task.status, task.progress, task.completed_on = TaskStatus.SUBMITTED, 100, today - timedelta(days=1)
        elif days == 3:
            task.status, task.progress = TaskStatus.IN_PROGRESS, 40
