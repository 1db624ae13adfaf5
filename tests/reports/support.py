"""Helpers of the report tests: the demo district, an inspection walked through the services up
to a drafted conclusion (with photos), running the report jobs in-process, reading PDFs with
poppler's tools."""

import io
import re
import subprocess
import tempfile
import uuid
from datetime import datetime, timedelta

from rq import SimpleWorker
from sqlalchemy import select

from inspection.data.queue import get_queue, get_redis
from inspection.files.storage import open_attachment
from inspection.inspections import conclusions, fieldwork, scheduling
from inspection.language.formatting import TZ, local_today
from inspection.reports import services
from models import Attachment, ChecklistTemplate, Finding, Inspection, OrgUnit, Plan, User, db
from models.enums import InspectionKind
from tests import factories
from tests.factories import make_photo


def run_jobs(queue: str = "reports") -> None:
    """Run the queued jobs in this process (they see the test's transaction)."""
    SimpleWorker([get_queue(queue)], connection=get_redis()).work(burst=True)


def issue(actor, kind: str, subject, params: dict | None = None):
    """Issue a document as its page does: the conclusion through the inspection (which it concludes)."""
    if kind == "conclusion":
        return conclusions.issue_conclusion_document(actor, subject)
    return services.issue_document(actor, kind, subject, params=params)


def stored_bytes(attachment_id: int) -> bytes:
    with open_attachment(db.session.get(Attachment, attachment_id)) as stream:
        return stream.read()


def _poppler(tool: str, pdf: bytes, *args: str) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        done = subprocess.run([tool, *args, handle.name, *(["-"] if tool == "pdftotext" else [])],
                              capture_output=True, text=True, check=True)
    return done.stdout


def pdf_text(pdf: bytes, *, layout: bool = False, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return _poppler("pdftotext", pdf, *(["-layout"] if layout else []), *pages)


def pdf_words(pdf: bytes, page: int) -> tuple[float, list[tuple[str, float, float, float]]]:
    """The page's width and its words in reading order as (text, x centre, top, bottom), in points."""
    html = _poppler("pdftotext", pdf, "-bbox", "-f", str(page), "-l", str(page))
    width = float(re.search(r'<page width="([\d.]+)"', html).group(1))
    words = [(text, (float(x0) + float(x1)) / 2, float(y0), float(y1)) for x0, y0, x1, y1, text in
             re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)]
    return width, words


def pdf_fonts(pdf: bytes) -> str:
    return _poppler("pdffonts", pdf)


def pdf_info(pdf: bytes, *args: str) -> str:
    return _poppler("pdfinfo", pdf, *args)


def on_site(hour: int = 9) -> datetime:
    today = local_today()
    return datetime(today.year, today.month, today.day, hour, tzinfo=TZ)


class Demo:
    """The seeded demo province (UBND tỉnh Đồng Tháp, after the 2025 reform) by name."""

    def __init__(self) -> None:
        from inspection.demo.seed import seed_demo

        seed_demo("demo")
        users = db.session.execute(select(User)).scalars()
        self.users = {u.username: u for u in users}
        self.units = {u.code: u for u in db.session.execute(select(OrgUnit)).scalars()}
        stmt = select(Inspection).where(Inspection.status == "concluded").order_by(Inspection.id)
        self.concluded = db.session.execute(stmt).scalars().first()
        self.plan = db.session.execute(select(Plan).where(Plan.year == 2024)).scalars().first()

    def user(self, name: str) -> User:
        return self.users[name]


def add_photo(finding: Finding, who: User, *, size=(2000, 1500)) -> None:
    fieldwork.add_photo(who, finding, stream=io.BytesIO(make_photo(size=size)), filename="hien-truong.jpg",
                        client_uuid=str(uuid.uuid4()), device_time=on_site(10))


FINDING_TEXT = "Chưa niêm yết 3/45 thủ tục hành chính mới công bố"


def walk_to_draft(demo: Demo, target_code: str = "TH-ANPHUOC", photos: int = 2) -> Inspection:
    """Schedule, announce, start, mark every item (the first non-compliant, with photos), close the
    minutes and draft the conclusion, through the services, as the demo's people."""
    inspection = walk_to_minutes(demo, target_code, photos)
    finding = db.session.execute(select(Finding).where(Finding.inspection_id == inspection.id)).scalar_one()
    conclusions.draft_conclusion(demo.user("inspector"), inspection,
                                 summary="Đơn vị cơ bản thực hiện tốt công tác CCHC.",
                                 strengths="Bộ phận Một cửa bố trí đủ công chức.",
                                 shortcomings="Chưa niêm yết kịp thời thủ tục hành chính mới.",
                                 recommendations="Thủ trưởng đơn vị chỉ đạo niêm yết bổ sung thủ tục hành chính.",
                                 items=[{"finding_id": finding.id, "action": "Niêm yết bổ sung 3 thủ tục",
                                         "unit_id": inspection.unit_id,
                                         "deadline": local_today() + timedelta(days=15)}])
    return inspection


def walk_to_minutes(demo: Demo, target_code: str = "TH-ANPHUOC", photos: int = 2, **parts) -> Inspection:
    """Up to the minutes closed on site (not signed yet)."""
    inspector, coordinator = demo.user("inspector"), demo.user("coordinator")
    template = db.session.execute(select(ChecklistTemplate).where(ChecklistTemplate.is_current)
                                  .order_by(ChecklistTemplate.id)).scalars().first()
    inspection = scheduling.schedule_inspection(
        coordinator, ordering_unit=demo.units["TH"], target=demo.units[target_code], kind=InspectionKind.SCHEDULED,
        start_on=local_today(), end_on=local_today(), template=template, lead_id=inspector.id,
        member_ids=[demo.user("truongphongnv").id], number="21/ĐKT", decision_ref="Quyết định số 121/QĐ-UBND")
    scheduling.announce_inspection(coordinator, inspection)
    fieldwork.start_inspection(inspector, inspection, device_time=on_site(8), location="Trụ sở UBND xã An Phước")
    for n, item in enumerate(template.items):
        extra = {"value": "compliant"} if n else {"value": "non_compliant", "severity": "major",
                                                  "description": FINDING_TEXT}
        fieldwork.record_result(inspector, inspection, item_id=item.id, client_uuid=str(uuid.uuid4()),
                                device_time=on_site(9), **extra)
    finding = db.session.execute(select(Finding).where(Finding.inspection_id == inspection.id)).scalar_one()
    for _ in range(photos):
        add_photo(finding, inspector)
    factories.close_minutes(inspector, inspection, representative_name="Đặng Văn Lợi",
                            representative_title="Chủ tịch UBND xã An Phước", device_time=on_site(16), parts=parts)
    return inspection
