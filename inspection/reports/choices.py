"""The vocabulary of documents and renderings: kinds, their type codes and templates, statuses."""

from dataclasses import dataclass

from ..language.i18n import N_

# Raise when a template or the snapshot shape changes: every input hash changes with it.
TEMPLATE_VERSION = "2026.11.2"


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # shown on pages
    type_code: str  # Phụ lục III abbreviation in "Số: 05/TB-UBND"
    type_name: str  # the type line of the title ("BIÊN BẢN")
    template: str
    subjects: tuple[str, ...]
    slug: str  # file names


KINDS = {k.key: k for k in (
    Kind("minutes", N_("Biên bản kiểm tra"), "BB", "BIÊN BẢN", "pdf/inspection_minutes.html",
         ("inspection",), "bien-ban-kiem-tra"),
    Kind("conclusion", N_("Thông báo kết luận kiểm tra"), "TB", "THÔNG BÁO", "pdf/inspection_conclusion.html",
         ("inspection",), "thong-bao-ket-luan"),
    Kind("remediation_report", N_("Báo cáo kết quả khắc phục"), "BC", "BÁO CÁO", "pdf/remediation_report.html",
         ("inspection", "unit"), "bao-cao-khac-phuc"),
    Kind("progress_report", N_("Báo cáo kết quả thực hiện kế hoạch"), "BC", "BÁO CÁO", "pdf/plan_progress.html",
         ("plan",), "bao-cao-thuc-hien-ke-hoach"),
    Kind("par_decision", N_("Quyết định công bố kết quả Chỉ số CCHC"), "QĐ", "QUYẾT ĐỊNH", "pdf/par_decision.html",
         ("unit",), "quyet-dinh-cong-bo-chi-so-cchc"),
    # not an administrative document: the A4 poster with a desk's QR code (inspection/feedback)
    Kind("desk_poster", N_("Áp phích mã QR đánh giá"), "", "", "pdf/desk_poster.html", ("unit",),
         "ap-phich-danh-gia"),
)}

INSPECTION_KINDS = ("minutes", "conclusion", "remediation_report")
# Documents an inspection has at most one of (later changes go into an addendum).
ONE_PER_SUBJECT = frozenset({"minutes", "conclusion"})

QUEUED, RENDERING, READY, FAILED = "queued", "rendering", "ready", "failed"
LIVE = (QUEUED, RENDERING, READY)
IN_FLIGHT = (QUEUED, RENDERING)

REPORT_STATUS_LABELS = {
    QUEUED: N_("Đang chờ tạo tệp"),
    RENDERING: N_("Đang tạo tệp PDF"),
    READY: N_("Đã có tệp PDF"),
    FAILED: N_("Không tạo được tệp"),
}
REPORT_STATUS_COLOURS = {QUEUED: "grey", RENDERING: "blue", READY: "green", FAILED: "red"}

DOCUMENT_STATUS_LABELS = {"draft": N_("Dự thảo"), "issued": N_("Đã ban hành")}
