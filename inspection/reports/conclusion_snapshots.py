"""Snapshot of the conclusion (thông báo kết luận kiểm tra): the inspection's own title, its
basis cited in full and the minutes by number and date, one date for a one-day inspection, the
team's texts with the causes (nguyên nhân), the requirements as the team wrote them with their
deadlines, and one addressee for the units' reports."""

from sqlalchemy import select

from models import Conclusion, Finding, Inspection, User, db

from ..errors import ValidationError
from ..language.formatting import TZ
from .inspection_snapshots import _basis, _common, _require_started
from .queries import issued_document
from .snapshots import body_name, committee_name, day_text, filing_line, focal_unit, header, signature, unit_of


def conclusion_of(inspection: Inspection) -> Conclusion:
    found = db.session.execute(select(Conclusion).where(Conclusion.inspection_id == inspection.id)).scalar()
    if found is None:
        raise ValidationError("Chưa có dự thảo kết luận kiểm tra.")
    return found


def deadline_text(item) -> str:
    """The date, or before issue "Trong thời hạn 15 ngày kể từ ngày ký" (a date once issued)."""
    if item.deadline is None and item.deadline_days:
        return f"Trong thời hạn {item.deadline_days} ngày kể từ ngày ký"
    return day_text(item.deadline)


def _items(found: Conclusion) -> list[dict]:
    described = dict(db.session.execute(select(Finding.id, Finding.description).where(
        Finding.id.in_([i.finding_id for i in found.items]))).all())
    items = sorted(found.items, key=lambda i: i.finding_id)
    return [{"n": n, "finding": described.get(item.finding_id, ""), "action": item.action,
             "unit": unit_of(item.unit_id).name, "deadline": deadline_text(item)}
            for n, item in enumerate(items, 1)]


def period_text(inspection: Inspection) -> str:
    """ "Ngày 27/07/2026" for a one-day inspection, else "Từ ngày … đến ngày …"."""
    start, end = inspection.start_on, inspection.end_on or inspection.start_on
    if start == end:
        return f"Ngày {day_text(start)}"
    return f"Từ ngày {day_text(start)} đến ngày {day_text(end)}"


def subject_line(inspection: Inspection) -> str:
    """ "Kết luận kiểm tra …" from the inspection's own title."""
    title = inspection.title.strip()
    if title.lower().startswith("kiểm tra"):
        return f"Kết luận {title[:1].lower()}{title[1:]}"
    return f"Kết luận kiểm tra: {title}"


def minutes_citation(inspection: Inspection) -> str:
    """The minutes by number and date once issued, else by the day they were closed."""
    document = issued_document("minutes", inspection)
    if document is not None:
        return f"Biên bản kiểm tra số {document.number_text} ngày {day_text(document.issued_on)} của Đoàn kiểm tra"
    closed = (inspection.minutes_closed_at or inspection.started_at).astimezone(TZ).date()
    return f"Biên bản kiểm tra ngày {day_text(closed)} của Đoàn kiểm tra"


def conclusion(inspection: Inspection) -> dict:
    """The conclusion (thông báo kết luận): findings in words, the remediation table, recipients."""
    _require_started(inspection)
    found = conclusion_of(inspection)
    ordering = unit_of(inspection.ordering_unit_id)
    year = (found.issued_at.astimezone(TZ).year if found.issued_at else inspection.start_on.year)
    signer = db.session.get(User, found.issued_by_id) if found.issued_by_id else None
    return {"header": header(ordering, "conclusion", year=year), "subject": subject_line(inspection),
            **_common(inspection), "basis": _basis(inspection) + [minutes_citation(inspection)],
            "period": period_text(inspection), "report_to": committee_name(ordering),
            "summary": found.summary, "strengths": found.strengths, "shortcomings": found.shortcomings,
            "causes": found.causes, "recommendations": found.recommendations, "items": _items(found),
            "signature": signature(ordering, signer),
            "recipients": recipients(inspection, ordering)}


def drafting_unit(inspection: Inspection):
    """The unit that drafted the conclusion: the team lead's own (Sở Nội vụ), else the focal body."""
    lead = next((m.user for m in inspection.members if m.role == "lead"), None)
    home = next((m.unit_id for m in lead.memberships), None) if lead is not None else None
    return unit_of(home) if home else focal_unit(unit_of(inspection.ordering_unit_id))


def recipients(inspection: Inspection, ordering) -> list[str]:
    """The inspected body, the ordering body's leaders and Nội vụ body, the team, the filing line."""
    lines = [f"{body_name(inspection.unit)} (để thực hiện);", f"Chủ tịch, các Phó Chủ tịch {body_name(ordering)};"]
    focal, drafting = focal_unit(ordering), drafting_unit(inspection)
    if focal is not None:
        lines.append(f"{body_name(focal)} (để theo dõi);")
    return lines + ["Thành viên Đoàn kiểm tra;", filing_line(drafting)]
