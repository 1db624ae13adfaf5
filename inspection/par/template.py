"""The demo index (domain.md §1.5: an illustrative commune-level template, not a legal source):
70 points appraised from the units' self-assessment, 30 from the survey, plus bonus and penalty."""

AREAS = [
    ("1", "Công tác chỉ đạo, điều hành cải cách hành chính"),
    ("2", "Cải cách thể chế"),
    ("3", "Cải cách thủ tục hành chính, thực hiện cơ chế một cửa, một cửa liên thông"),
    ("4", "Cải cách tổ chức bộ máy hành chính"),
    ("5", "Cải cách chế độ công vụ"),
    ("6", "Cải cách tài chính công"),
    ("7", "Xây dựng, phát triển chính quyền điện tử, chính quyền số"),
    ("8", "Tác động của cải cách hành chính đến người dân, tổ chức và phát triển kinh tế - xã hội"),
    ("9", "Điểm thưởng, điểm trừ"),
]

# (sub-criterion code, criterion text, sub-criterion text, maximum, rule, bands, source, allows N/A)
SUBS = [
    ("1.1.1", "Kế hoạch CCHC năm", "Ban hành kế hoạch CCHC năm đúng thời hạn", 1, "yes_no", None, None, False),
    ("1.1.2", "Kế hoạch CCHC năm", "Mức độ hoàn thành kế hoạch CCHC năm (nhiệm vụ hoàn thành đúng hạn)", 2,
     "banded", [[100, 2], [80, 1]], "tasks_on_time", False),
    ("1.2.1", "Báo cáo CCHC", "Báo cáo CCHC quý, 6 tháng, năm đầy đủ, đúng thời hạn", 1, "yes_no", None, None, False),
    ("1.3.1", "Kiểm tra CCHC", "Tỷ lệ đơn vị trực thuộc được kiểm tra CCHC trong năm (từ 30% trở lên)", 1,
     "banded", [[30, 1]], "subunits_inspected", True),
    ("1.3.2", "Kiểm tra CCHC", "Xử lý các vấn đề phát hiện qua kiểm tra (xử lý sau kiểm tra)", 1,
     "banded", [[100, 1]], "remediation", True),
    ("1.4.1", "Tuyên truyền CCHC", "Thực hiện công tác thông tin, tuyên truyền CCHC", 1, "typed", None, None, False),
    ("1.5.1", "Cải thiện chỉ số hài lòng", "Triển khai giải pháp nâng cao mức độ hài lòng của người dân", 1,
     "yes_no", None, None, False),
    ("1.6.1", "Sáng kiến, mô hình CCHC", "Có sáng kiến, mô hình cải cách hành chính được công nhận", 2,
     "typed", None, None, False),
    ("2.1.1", "Rà soát VBQPPL", "Rà soát, hệ thống hóa văn bản quy phạm pháp luật", 2, "typed", None, None, False),
    ("2.2.1", "Kiểm tra, xử lý VBQPPL", "Kiểm tra, xử lý văn bản quy phạm pháp luật", 2, "typed", None, None, True),
    ("2.3.1", "Theo dõi thi hành pháp luật", "Theo dõi tình hình thi hành pháp luật", 2, "typed", None, None, False),
    ("2.4.1", "Phổ biến, giáo dục pháp luật", "Thực hiện phổ biến, giáo dục pháp luật", 1, "yes_no", None, None, False),
    ("3.1.1", "Công khai TTHC", "Niêm yết công khai thủ tục hành chính đầy đủ, đúng quy định", 2, "yes_no",
     None, None, False),
    ("3.2.1", "Kết quả giải quyết TTHC", "Tỷ lệ hồ sơ giải quyết trước và đúng hạn", 4, "banded",
     [[98, 4], [95, 2]], None, False),
    ("3.3.1", "Kết quả giải quyết TTHC", "Thực hiện phiếu xin lỗi đối với hồ sơ trễ hạn", 1, "yes_no", None, None,
     False),
    ("3.4.1", "Dịch vụ công trực tuyến", "Tỷ lệ hồ sơ tiếp nhận trực tuyến", 3, "typed", None, None, False),
    ("3.5.1", "Số hóa hồ sơ", "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính", 2, "typed", None, None, False),
    ("3.6.1", "Phản ánh, kiến nghị", "Xử lý phản ánh, kiến nghị đúng hạn", 2, "typed", None, "feedback_handled",
     False),
    ("3.7.1", "Đối thoại", "Tổ chức đối thoại với người dân, doanh nghiệp về thủ tục hành chính", 1, "yes_no",
     None, None, False),
    ("4.1.1", "Chức năng, nhiệm vụ", "Thực hiện quy định về chức năng, nhiệm vụ", 2, "typed", None, None, False),
    ("4.2.1", "Biên chế", "Quản lý biên chế theo vị trí việc làm", 2, "typed", None, None, False),
    ("4.3.1", "Phân cấp, ủy quyền", "Thực hiện phân cấp, ủy quyền", 2, "typed", None, None, True),
    ("5.1.1", "Vị trí việc làm", "Thực hiện vị trí việc làm", 2, "typed", None, None, False),
    ("5.2.1", "Tuyển dụng, bố trí", "Tuyển dụng, bố trí, sử dụng công chức đúng quy định", 2, "typed", None, None,
     False),
    ("5.3.1", "Đào tạo, bồi dưỡng", "Hoàn thành kế hoạch đào tạo, bồi dưỡng", 2, "typed", None, None, False),
    ("5.4.1", "Kỷ luật, kỷ cương", "Kỷ luật, kỷ cương hành chính, đạo đức công vụ; kiểm tra công vụ", 2, "typed",
     None, None, False),
    ("5.5.1", "Đánh giá, xếp loại", "Đánh giá, xếp loại cán bộ, công chức", 2, "typed", None, None, False),
    ("6.1.1", "Ngân sách", "Thực hiện và công khai dự toán ngân sách", 2, "typed", None, None, False),
    ("6.2.1", "Tự chủ", "Thực hiện cơ chế tự chủ của đơn vị sự nghiệp công lập", 2, "typed", None, None, True),
    ("6.3.1", "Kiến nghị kiểm toán, thanh tra", "Thực hiện kiến nghị của kiểm toán, thanh tra", 2, "typed", None,
     None, True),
    ("6.4.1", "Quy chế chi tiêu nội bộ", "Ban hành, thực hiện quy chế chi tiêu nội bộ", 1, "yes_no", None, None,
     False),
    ("7.1.1", "Văn bản điện tử", "Quản lý văn bản điện tử, sử dụng chữ ký số", 3, "typed", None, None, False),
    ("7.2.1", "Hệ thống một cửa điện tử", "Sử dụng đầy đủ hệ thống thông tin giải quyết TTHC", 3, "typed", None,
     None, False),
    ("7.3.1", "Dịch vụ công trực tuyến", "Cung cấp dịch vụ công trực tuyến toàn trình", 3, "typed", None, None,
     False),
    ("7.4.1", "ISO 9001:2015", "Áp dụng, duy trì hệ thống quản lý chất lượng TCVN ISO 9001:2015", 4, "typed",
     None, None, False),
    ("7.5.1", "An toàn thông tin", "Bảo đảm an toàn thông tin mạng", 2, "typed", None, None, False),
    ("8.1.1", "Mức độ hài lòng", "Mức độ hài lòng của người dân, tổ chức đối với dịch vụ hành chính công", 12,
     "survey", None, "satisfaction", False),
    ("8.2.1", "Đánh giá của lãnh đạo, công chức", "Đánh giá của lãnh đạo, công chức về công tác CCHC", 8,
     "survey", None, None, False),
    ("8.3.1", "Tác động đến phát triển KT-XH", "Tác động đến phát triển kinh tế - xã hội của địa phương", 10,
     "survey", None, None, False),
    ("9.1.1", "Điểm thưởng", "Sáng kiến, mô hình CCHC được cấp tỉnh công nhận", 2, "bonus", None, None, False),
    ("9.2.1", "Điểm trừ", "Vi phạm kỷ luật, kỷ cương hành chính bị xử lý", 2, "penalty", None, None, False),
]


def demo_rows() -> list[dict]:
    """The demo index as import rows (the shape inspection/par/imports.py reads from .xlsx)."""
    areas = dict(AREAS)
    rows = []
    for code, criterion, text, maximum, rule, bands, source, allows_na in SUBS:
        area, criterion_code = code.split(".")[0], ".".join(code.split(".")[:2])
        rows.append({"area_code": area, "area_name": areas[area], "criterion_code": criterion_code,
                     "criterion_text": criterion, "code": code, "text": text, "max_points": maximum,
                     "rule": rule, "bands": bands, "source": source, "allows_na": allows_na,
                     "evidence": "" if rule in ("survey", "penalty") else "Văn bản, báo cáo chứng minh kết quả",
                     "evidence_required": rule not in ("survey", "penalty"), "unit_kinds": None,
                     "responsible": "Phòng Nội vụ"})
    return rows
