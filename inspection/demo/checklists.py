"""Demo checklist templates of UBND tỉnh Đồng Tháp (domain.md §1.5 and §2): the one-stop shop
(last year's, in two versions, copied to this year), administrative discipline, and the
implementation of the year's CCHC plan."""

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select

from models import ChecklistItem, ChecklistTemplate, ParArea, User, db

from ..inspections.checklists import clean_items
from ..language.formatting import local_today
from ..language.text import fold

ONE_STOP = "Kiểm tra hoạt động của Bộ phận tiếp nhận và trả kết quả (Bộ phận Một cửa)"
DISCIPLINE = "Kiểm tra việc chấp hành kỷ luật, kỷ cương hành chính"
PLAN_IMPLEMENTATION = "Kiểm tra việc thực hiện Kế hoạch cải cách hành chính năm"  # + the year
KEYS = [(ONE_STOP, "one_stop"), (DISCIPLINE, "discipline"), (PLAN_IMPLEMENTATION, "plan")]

# (code, area code, criterion, guidance, points); marked "v2" = added in last year's version 2
ONE_STOP_ITEMS = [
    ("1.1", "TTHC", "Niêm yết công khai thủ tục hành chính đầy đủ, đúng quy định",
     "Đối chiếu danh mục TTHC niêm yết (bảng niêm yết, màn hình tra cứu, mã QR) với Quyết định công bố danh mục "
     "TTHC mới nhất của Chủ tịch UBND tỉnh; ghi lại thủ tục còn thiếu, thủ tục đã bãi bỏ hoặc thay thế mà vẫn "
     "niêm yết; vị trí niêm yết có thuận tiện cho người dân tra cứu không.", "2"),
    ("1.2", "TTHC", "Công khai địa chỉ, số điện thoại, thư điện tử tiếp nhận phản ánh, kiến nghị về quy định "
     "hành chính", "Quan sát nơi niêm yết; gọi thử số điện thoại đường dây nóng được công khai.", "1"),
    ("1.3", "TTHC", "Sổ theo dõi hồ sơ được cập nhật đầy đủ (ghi đủ ngày nhận, ngày hẹn trả, ngày trả kết quả)",
     "Chọn ngẫu nhiên 10 hồ sơ trong kỳ kiểm tra; đối chiếu sổ theo dõi với Giấy tiếp nhận hồ sơ và hẹn trả kết "
     "quả, Phiếu kiểm soát quá trình giải quyết hồ sơ; ghi rõ số hồ sơ thiếu thông tin.", "1"),
    ("1.4", "TTHC", "Hồ sơ được giải quyết trước và đúng hạn",
     "Trích xuất số liệu trên phần mềm một cửa điện tử trong kỳ kiểm tra: tổng số hồ sơ tiếp nhận, số giải "
     "quyết trước và đúng hạn, số quá hạn. Tỷ lệ từ 98% trở lên: 4 điểm; từ 95% đến dưới 98%: 2 điểm; dưới "
     "95%: 0 điểm.", "4"),
    ("1.5", "TTHC", "Có phiếu xin lỗi và hẹn lại ngày trả kết quả đối với hồ sơ quá hạn",
     "Với từng hồ sơ quá hạn ở tiêu chí 1.4, kiểm tra văn bản xin lỗi, hẹn lại ngày trả kết quả có được gửi "
     "tổ chức, cá nhân trước thời hạn trả kết quả hay không.", "1"),
    ("1.6", "TTHC", "Không yêu cầu tổ chức, cá nhân bổ sung giấy tờ ngoài thành phần hồ sơ đã được công bố",
     "Đối chiếu các Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ với thành phần hồ sơ của thủ tục đã công bố; hỏi "
     "ngẫu nhiên người dân đang chờ giao dịch.", "2"),
    ("1.7", "TTHC", "Hồ sơ được tiếp nhận và trả kết quả tại Bộ phận Một cửa, không tiếp nhận tại phòng làm "
     "việc của công chức chuyên môn", "Quan sát thực tế; hỏi công chức chuyên môn; đối chiếu hồ sơ đang giải "
     "quyết tại các phòng với danh sách hồ sơ trên phần mềm.", "1", "v2"),
    ("1.8", "TTHC", "Thu phí, lệ phí đúng mức quy định, có biên lai; niêm yết công khai mức thu",
     "Đối chiếu biên lai (biên lai điện tử) với mức thu tại Nghị quyết của HĐND tỉnh; kiểm tra việc nộp tiền "
     "thu được vào tài khoản theo quy định.", "1"),
    ("1.9", "TTHC", "Có hòm thư góp ý; phản ánh, kiến nghị của tổ chức, cá nhân được xử lý, trả lời đúng hạn",
     "Mở hòm thư góp ý cùng đại diện đơn vị (lập biên bản nếu có thư); đối chiếu sổ theo dõi phản ánh, kiến "
     "nghị với văn bản trả lời.", "2"),
    ("2.1", "CONGVU", "Công chức đeo thẻ công chức; có bảng tên, chức danh tại vị trí làm việc",
     "Quan sát tất cả vị trí tiếp nhận; ghi họ tên công chức không đeo thẻ (nếu có).", "1"),
    ("2.2", "CONGVU", "Thái độ, tác phong, ngôn ngữ giao tiếp đúng mực khi tiếp công dân",
     "Quan sát ít nhất 3 lượt giao dịch; hỏi ý kiến người dân sau khi giao dịch; xem sổ góp ý và kết quả đánh "
     "giá trên thiết bị.", "1"),
    ("3.1", "CQS", "Trạng thái hồ sơ trên phần mềm một cửa điện tử được cập nhật kịp thời, khớp với hồ sơ giấy",
     "Chọn 5 hồ sơ đã trả kết quả và 5 hồ sơ đang giải quyết; đối chiếu trạng thái, ngày xử lý từng bước trên "
     "Hệ thống thông tin giải quyết TTHC của tỉnh với hồ sơ giấy.", "2"),
    ("3.2", "CQS", "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính theo quy định",
     "Xem trên phần mềm tỷ lệ hồ sơ được số hóa thành phần khi tiếp nhận và số hóa kết quả khi trả; mở ngẫu "
     "nhiên 5 tệp số hóa, kiểm tra đọc được và đúng hồ sơ.", "2", "v2"),
    ("3.3", "CQS", "Máy lấy số thứ tự, máy tính, máy quét, thiết bị đánh giá mức độ hài lòng hoạt động tốt",
     "Dùng thử máy lấy số và thiết bị đánh giá; ghi lại thiết bị hỏng, từ ngày nào, đã báo sửa chữa chưa.", "1"),
    ("4.1", "TACDONG", "Tổ chức lấy ý kiến đánh giá mức độ hài lòng của người dân, tổ chức",
     "Xem kết quả đánh giá trên phần mềm và phiếu khảo sát trong kỳ; tỷ lệ hài lòng; việc phân tích nguyên "
     "nhân các ý kiến chưa hài lòng.", "1"),
]

DISCIPLINE_ITEMS = [
    ("1", "CONGVU", "Chấp hành giờ giấc làm việc: có mặt đúng giờ, không đi muộn, về sớm",
     "Kiểm tra vào đầu giờ sáng hoặc đầu giờ chiều theo giờ làm việc của đơn vị; điểm danh theo danh sách cán "
     "bộ, công chức, viên chức; ghi rõ người vắng mặt và lý do (đơn nghỉ phép, lịch công tác).", None),
    ("2", "CONGVU", "Không làm việc riêng trong giờ làm việc; không uống rượu, bia trong giờ làm việc và giờ "
     "nghỉ trưa", "Quan sát các phòng làm việc tại thời điểm kiểm tra; ghi nhận cụ thể trường hợp vi phạm.", None),
    ("3", "CONGVU", "Đeo thẻ công chức, viên chức trong khi thi hành công vụ",
     "Kiểm tra từng người có mặt tại thời điểm kiểm tra; ghi họ tên, chức danh người không đeo thẻ.", None),
    ("4", "CONGVU", "Trang phục, tác phong, bài trí công sở theo Quy chế văn hóa công sở",
     "Đối chiếu Quyết định số 129/2007/QĐ-TTg: trang phục, biển tên cơ quan, bài trí phòng làm việc, khu vực "
     "để phương tiện giao thông.", None),
    ("5", "CONGVU", "Ban hành và thực hiện Quy chế làm việc, nội quy cơ quan",
     "Xem quyết định ban hành Quy chế làm việc còn hiệu lực; đối chiếu phân công nhiệm vụ với thực tế.", None),
    ("6", "CONGVU", "Lịch công tác tuần được xây dựng, công khai và thực hiện",
     "Xem lịch công tác tuần trên bảng tin hoặc trang thông tin điện tử; đối chiếu với hoạt động thực tế.", None),
    ("7", "CONGVU", "Thực hiện quy định về tiếp công dân: lịch tiếp công dân, sổ tiếp công dân",
     "Xem lịch tiếp công dân của người đứng đầu, sổ tiếp công dân và việc xử lý sau tiếp.", None),
    ("8", "CONGVU", "Không có hành vi gây phiền hà, sách nhiễu tổ chức, cá nhân",
     "Xem đơn thư, phản ánh về cán bộ, công chức trong kỳ và kết quả xử lý; hỏi ý kiến người dân.", None),
    ("9", "CONGVU", "Bố trí công chức trực, bảo đảm Bộ phận Một cửa hoạt động liên tục trong giờ hành chính",
     "Kiểm tra lịch trực; quan sát Bộ phận Một cửa trong giờ hành chính, kể cả đầu giờ chiều.", None),
    ("10", "CONGVU", "Thực hiện nhiệm vụ được cấp trên giao đúng thời hạn; chấp hành chế độ báo cáo",
     "Đối chiếu danh mục nhiệm vụ UBND tỉnh giao trong kỳ với kết quả thực hiện; đếm số nhiệm vụ quá hạn.", None),
    ("11", "CONGVU", "Xem xét, xử lý trách nhiệm đối với cán bộ, công chức vi phạm kỷ luật, kỷ cương (nếu có)",
     "Xem biên bản, quyết định xử lý hoặc văn bản nhắc nhở, chấn chỉnh của người đứng đầu.", None),
    ("12", "TAICHINH", "Sử dụng tài sản công, phương tiện làm việc đúng mục đích; tiết kiệm điện, nước",
     "Quan sát thiết bị điện ở các phòng không có người; xem sổ theo dõi sử dụng xe, tài sản.", None),
]

PLAN_ITEMS = [
    ("1.1", "CDDH", "Ban hành Kế hoạch cải cách hành chính năm kịp thời, đầy đủ nội dung",
     "Xem ngày ban hành và nội dung kế hoạch: phân công cụ thể đơn vị, thời hạn, sản phẩm.", "1"),
    ("1.2", "CDDH", "Mức độ hoàn thành Kế hoạch cải cách hành chính",
     "Tỷ lệ nhiệm vụ hoàn thành trên tổng số nhiệm vụ đến hạn: 100% = 2 điểm; từ 80% đến dưới 100% = 1 điểm; "
     "dưới 80% = 0 điểm.", "2"),
    ("1.3", "CDDH", "Báo cáo cải cách hành chính định kỳ (quý, 6 tháng, năm) đầy đủ, đúng hạn",
     "Đối chiếu ngày gửi từng báo cáo với thời hạn của UBND tỉnh.", "1"),
    ("1.4", "CDDH", "Tuyên truyền về cải cách hành chính",
     "Xem kế hoạch tuyên truyền, tin bài, hình ảnh, chuyên mục trên trang thông tin điện tử.", "1"),
    ("1.5", "CDDH", "Khắc phục tồn tại, hạn chế sau kiểm tra cải cách hành chính kỳ trước",
     "Đối chiếu Thông báo kết luận kiểm tra kỳ trước với báo cáo kết quả khắc phục và thực tế.", "1"),
    ("2.1", "THECHE", "Rà soát, hệ thống hóa văn bản quy phạm pháp luật thuộc phạm vi quản lý",
     "Xem kế hoạch, báo cáo kết quả rà soát; danh mục văn bản hết hiệu lực đã được công bố.", "2"),
    ("2.2", "THECHE", "Phổ biến, giáo dục pháp luật cho cán bộ, công chức và người dân",
     "Xem kế hoạch và tài liệu, danh sách tham dự các hội nghị phổ biến pháp luật.", "1"),
    ("3.1", "TTHC", "Niêm yết công khai thủ tục hành chính đầy đủ, đúng quy định",
     "Đối chiếu thủ tục niêm yết với Quyết định công bố danh mục TTHC mới nhất.", "2"),
    ("3.2", "TTHC", "Tỷ lệ hồ sơ giải quyết trước và đúng hạn",
     "Số liệu trên phần mềm một cửa điện tử: từ 98% trở lên = 4 điểm; từ 95% đến dưới 98% = 2 điểm; dưới "
     "95% = 0 điểm.", "4"),
    ("3.3", "TTHC", "Tỷ lệ hồ sơ tiếp nhận trực tuyến",
     "Tỷ lệ hồ sơ nộp trực tuyến trên Cổng Dịch vụ công so với chỉ tiêu được giao trong năm.", "3"),
    ("3.4", "TTHC", "Xử lý phản ánh, kiến nghị của người dân, doanh nghiệp đúng hạn",
     "Đối chiếu sổ theo dõi với văn bản trả lời; đếm số phản ánh trả lời quá hạn.", "2"),
    ("4.1", "BOMAY", "Thực hiện chức năng, nhiệm vụ theo quy định; quy chế làm việc được cập nhật",
     "Xem quyết định quy định chức năng, nhiệm vụ, quy chế làm việc và phân công nhiệm vụ hiện hành.", "2"),
    ("4.2", "BOMAY", "Bố trí công chức theo vị trí việc làm được phê duyệt",
     "Đối chiếu danh sách công chức với Đề án vị trí việc làm đã được phê duyệt.", "2"),
    ("5.1", "CONGVU", "Thực hiện kế hoạch đào tạo, bồi dưỡng cán bộ, công chức, viên chức",
     "Xem kế hoạch năm và danh sách, chứng chỉ của người được cử đi đào tạo, bồi dưỡng.", "2"),
    ("5.2", "CONGVU", "Chấp hành kỷ luật, kỷ cương hành chính, đạo đức công vụ",
     "Kết quả các lần kiểm tra công vụ trong năm; số trường hợp vi phạm và việc xử lý.", "2"),
    ("5.3", "CONGVU", "Đánh giá, xếp loại chất lượng cán bộ, công chức, viên chức đúng quy định",
     "Xem hồ sơ đánh giá, xếp loại năm trước; quy trình và thời hạn thực hiện.", "2"),
    ("6.1", "TAICHINH", "Công khai dự toán, quyết toán ngân sách theo quy định",
     "Xem quyết định công bố công khai, hình thức và thời điểm công khai.", "2"),
    ("6.2", "TAICHINH", "Ban hành và thực hiện Quy chế chi tiêu nội bộ",
     "Xem Quy chế chi tiêu nội bộ còn hiệu lực; đối chiếu một số khoản chi với quy chế.", "1"),
    ("7.1", "CQS", "Quản lý văn bản điện tử; sử dụng chữ ký số trong gửi, nhận văn bản",
     "Tỷ lệ văn bản đi được ký số và gửi trên hệ thống quản lý văn bản trong kỳ.", "3"),
    ("7.2", "CQS", "Sử dụng đầy đủ phần mềm một cửa điện tử; số hóa hồ sơ, kết quả giải quyết TTHC",
     "Đối chiếu số hồ sơ trên phần mềm với sổ theo dõi; tỷ lệ hồ sơ được số hóa.", "3"),
    ("7.3", "CQS", "Duy trì, cải tiến Hệ thống quản lý chất lượng theo TCVN ISO 9001:2015",
     "Xem quyết định công bố, kết quả đánh giá nội bộ và xem xét của lãnh đạo trong năm.", "4"),
    ("7.4", "CQS", "Bảo đảm an toàn thông tin mạng", "Xem phần mềm diệt vi-rút, việc sao lưu dữ liệu, phân "
     "quyền tài khoản trên các hệ thống dùng chung.", "2"),
    ("8.1", "TACDONG", "Mức độ hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính",
     "Kết quả khảo sát SIPAS gần nhất và kết quả đánh giá trên phần mềm một cửa điện tử.", "2"),
]


def _items(rows, areas: dict[str, int], *, drop_v2: bool = False) -> list[dict]:
    return [{"code": r[0], "area_id": areas[r[1]], "criterion": r[2], "guidance": r[3], "points": r[4]}
            for r in rows if not (drop_v2 and r[5:] == ("v2",))]


def _template(owner, coordinator: User, name: str, year: int, rows: list[dict], *, created: date,
              family: str | None = None, version: int = 1, is_current: bool = True, copied_from=None,
              description: str = "") -> ChecklistTemplate:
    template = ChecklistTemplate(
        family=family or str(uuid.uuid4()), version=version,
        is_current=is_current, name=name, name_folded=fold(name), year=year, unit_id=owner.id,
        description=description, copied_from_id=copied_from.id if copied_from else None,
        created_by_id=coordinator.id, created_at=datetime(created.year, created.month, created.day, 2, tzinfo=UTC))
    template.items = [ChecklistItem(position=n, code=i.code, area_id=i.area_id, criterion=i.criterion,
                                    guidance=i.guidance, points=i.points)
                      for n, i in enumerate(clean_items(rows), 1)]
    db.session.add(template)
    db.session.flush()
    return template


def _existing(owner) -> dict[str, ChecklistTemplate]:
    """The demo templates already there, under the keys seed_templates() returns."""
    stmt = select(ChecklistTemplate).where(ChecklistTemplate.unit_id == owner.id)
    found, year = {}, local_today().year
    for t in db.session.execute(stmt.order_by(ChecklistTemplate.year, ChecklistTemplate.version)).scalars():
        key = next((k for prefix, k in KEYS if t.name.startswith(prefix)), None)
        if key and t.year != year:
            key += "_previous" if t.is_current else f"_previous_v{t.version}"
        if key:
            found[key] = t
    return found


def seed_templates(units: dict, users: dict[str, User]) -> dict[str, ChecklistTemplate]:
    """The demo templates, owned by the People's Committee; nothing is added when they exist.
    Keys: "one_stop", "discipline", "plan" (this year's) and "one_stop_previous" (last year's
    version 2; its version 1 is "one_stop_previous_v1")."""
    owner, coordinator = units["TH"], users["coordinator"]
    existing = _existing(owner)
    if existing:
        return existing
    areas = dict(db.session.execute(select(ParArea.code, ParArea.id)).all())
    today = local_today()
    year, last, new_year = today.year, today.year - 1, min(date(today.year, 1, 8), today)
    # this year's first, so they come first wherever templates are listed by id
    seeded = {
        "one_stop": _template(owner, coordinator, ONE_STOP, year, _items(ONE_STOP_ITEMS, areas), created=new_year,
                              description=_one_stop_note(year)),
        "discipline": _template(owner, coordinator, DISCIPLINE, year, _items(DISCIPLINE_ITEMS, areas),
                                created=new_year,
                                description="Dùng cho kiểm tra công vụ đột xuất tại các cơ quan, đơn vị và "
                                            "UBND các xã, phường; các tiêu chí đánh giá đạt hoặc không đạt."),
        "plan": _template(owner, coordinator, f"{PLAN_IMPLEMENTATION} {year}", year, _items(PLAN_ITEMS, areas),
                          created=new_year, description=f"Theo các lĩnh vực của Chỉ số cải cách hành chính; "
                                                        f"tổng {_total(PLAN_ITEMS)} điểm thẩm định tại cuộc kiểm tra."),
    }
    first = _template(owner, coordinator, ONE_STOP, last, _items(ONE_STOP_ITEMS, areas, drop_v2=True),
                      created=date(last, 1, 20), is_current=False, description=_one_stop_note(last))
    second = _template(owner, coordinator, ONE_STOP, last, _items(ONE_STOP_ITEMS, areas), created=date(last, 7, 1),
                       family=first.family, version=2, description=_one_stop_note(last))
    seeded["one_stop"].copied_from_id = second.id  # this year's was copied from last year's version 2
    return seeded | {"one_stop_previous_v1": first, "one_stop_previous": second}


def _one_stop_note(year: int) -> str:
    return (f"Áp dụng khi kiểm tra Bộ phận Một cửa các cơ quan chuyên môn và UBND các xã, phường năm {year}. "
            "Kỳ kiểm tra: từ đầu năm đến thời điểm kiểm tra.")


def _total(rows) -> str:
    total = sum((Decimal(r[4]) for r in rows if r[4]), Decimal(0))
    return f"{total:f}"
