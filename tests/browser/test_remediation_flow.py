"""Remediation on a tablet (800x1280), on the demo district committed to PostgreSQL: xã An Phước's
officer submits before/after evidence (a real JPEG), the head confirms, the inspector who raised the
finding returns it with a reason, the officer resubmits, the head confirms, the inspector accepts,
and the inspection closes. With CCHC_SCREENSHOTS=<dir> set, the list, the action page with the
photos side by side and the leader's overview are saved at 800x1280 and 1366x900 as
remediation-<page>-<width>.png (docs/screens/ holds them)."""

import io
import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
from PIL import Image, ImageDraw, ImageFont
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from inspection.data.transaction import unit_of_work
from inspection.files.photos import store_photo
from inspection.language.formatting import TZ, local_today
from inspection.language.text import fold
from inspection.remediation import escalation, evidence
from models import (
    ChecklistTemplate,
    Finding,
    FindingPhoto,
    Inspection,
    InspectionMember,
    OrgUnit,
    RemediationAction,
    User,
    db,
)
from models.enums import InspectionStatus, RemediationStatus

from .conftest import DESKTOP, TABLET, click_and_wait, save_screenshot, sign_in, sign_out
from .test_layout import _small_targets

pytestmark = pytest.mark.browser

LEDGER = "Sổ theo dõi hồ sơ thiếu ngày trả kết quả của 5 hồ sơ"
BOARD = "Bảng niêm yết thủ tục hành chính tại Bộ phận Một cửa còn 3 thủ tục đã hết hiệu lực"


def picture(board: tuple[int, int, int], label: str) -> bytes:
    """A real JPEG: a notice board on a wall, with a label."""
    image = Image.new("RGB", (1600, 1200), (206, 200, 188))
    draw = ImageDraw.Draw(image)
    draw.rectangle([260, 160, 1340, 980], fill=board, outline=(70, 60, 50), width=14)
    for y in range(250, 930, 85):
        draw.rectangle([340, y, 1260, y + 42], fill=(246, 246, 240))
    draw.text((270, 1030), label, fill=(20, 20, 20), font=ImageFont.load_default(size=64))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def _at(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour), TZ).astimezone(UTC)


def _one(model, **where):
    stmt = select(model).filter_by(**where)
    return db.session.execute(stmt).scalars().first()


def concluded_inspection(code: str, days_ago: int, number: str) -> Inspection:
    """A scheduled inspection of the unit `code`, its minutes closed and its conclusion issued."""
    unit, day = _one(OrgUnit, code=code), local_today() - timedelta(days=days_ago)
    title = f"Kiểm tra công tác cải cách hành chính tại {unit.name}"
    template = db.session.execute(select(ChecklistTemplate).order_by(ChecklistTemplate.id)).scalars().first()
    inspection = Inspection(unit_id=unit.id, ordering_unit_id=_one(OrgUnit, code="TH").id, kind="scheduled",
                            status=InspectionStatus.CONCLUDED, number=number, start_on=day, end_on=day,
                            template_id=template.id, title=title, title_folded=fold(title),
                            announced_at=_at(day - timedelta(days=7), 8), started_at=_at(day, 8),
                            minutes_closed_at=_at(day, 16))
    inspection.members = [InspectionMember(user_id=_one(User, username="inspector").id, role="lead")]
    db.session.add(inspection)
    db.session.flush()
    return inspection


def action_on(inspection: Inspection, text: str, deadline, photo: bytes | None = None) -> RemediationAction:
    """A finding raised by the demo inspector (with its before photo) and the action answering it."""
    inspector = _one(User, username="inspector")
    finding = Finding(inspection_id=inspection.id, unit_id=inspection.unit_id, severity="major", description=text,
                      description_folded=fold(text), client_uuid=str(uuid.uuid4()),
                      device_time=_at(inspection.start_on, 10), recorded_by_id=inspector.id)
    db.session.add(finding)
    db.session.flush()
    if photo:
        original, display = store_photo(io.BytesIO(photo), "truoc-khac-phuc.jpg", unit_id=inspection.unit_id,
                                        uploaded_by_id=inspector.id)
        db.session.flush()
        db.session.add(FindingPhoto(finding_id=finding.id, original_id=original.id, display_id=display.id,
                                    client_uuid=str(uuid.uuid4()), device_time=finding.device_time))
    action = RemediationAction(inspection_id=inspection.id, finding_id=finding.id, unit_id=inspection.unit_id,
                               description=f"Khắc phục: {text[0].lower()}{text[1:]}", deadline=deadline,
                               original_deadline=deadline, status=RemediationStatus.OPEN,
                               raised_by_id=inspector.id, created_by_id=inspector.id)
    db.session.add(action)
    db.session.flush()
    return action


def an_phuoc_work() -> tuple[int, int]:
    """Xã An Phước's work: a photographed finding of a recent inspection (its only action), and an
    overdue action of an earlier one. Returns (action id, inspection id) of the first."""
    with unit_of_work():
        recent = concluded_inspection("TH-ANPHUOC", 12, "18/ĐKT")
        action = action_on(recent, BOARD, local_today() + timedelta(days=10), picture((150, 40, 30), "TRUOC"))
        earlier = concluded_inspection("TH-ANPHUOC", 60, "07/ĐKT")
        action_on(earlier, LEDGER, local_today() - timedelta(days=14))
    return action.id, recent.id


def check_screen(page, name: str) -> None:
    page.wait_for_load_state()  # measured on the whole page with its stylesheet, not a half-parsed one
    page.wait_for_function("() => [...document.images].every((i) => i.loading === 'lazy' || i.complete)")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} is {overflow}px wider than the screen"
    assert _small_targets(page) == [], f"{name}: controls under 44px"
    width = page.viewport_size["width"]
    save_screenshot(page, f"remediation-{name}-{width}")


def open_action(page, base: str, action_id: int) -> None:
    page.goto(f"{base}/remediation/{action_id}")
    page.wait_for_load_state()


def submit(page, base: str, action_id: int, note: str, photo_path) -> None:
    open_action(page, base, action_id)
    page.fill("#submit_note", note)
    page.set_input_files("#submit_photos", str(photo_path))
    click_and_wait(page, "form.rm-submit button[type=submit]")
    expect(page.locator(".flash-success")).to_contain_text("chờ thủ trưởng đơn vị xác nhận")


def as_user(page, base: str, username: str, action_id: int) -> None:
    sign_out(page, base)
    sign_in(page, base, username)
    open_action(page, base, action_id)


def confirm(page, base: str, action_id: int) -> None:
    as_user(page, base, "head", action_id)
    page.click("text=Xác nhận và gửi đoàn kiểm tra")
    expect(page.locator(".flash-success")).to_contain_text("chờ đoàn kiểm tra đánh giá")


def fresh_action(action_id: int) -> RemediationAction:
    db.session.expire_all()
    return db.session.get(RemediationAction, action_id)


def test_a_unit_remediates_on_a_tablet_and_the_inspection_closes(tablet, demo_site, tmp_path):
    action_id, inspection_id = an_phuoc_work()
    after_one, after_two = tmp_path / "sau-1.jpg", tmp_path / "sau-2.jpg"
    after_one.write_bytes(picture((40, 110, 60), "SAU LAN 1"))
    after_two.write_bytes(picture((30, 130, 70), "SAU LAN 2"))
    sign_in(tablet, demo_site, "officer")
    tablet.click("#mainnav >> text=Khắc phục")
    rows = tablet.locator(".rm-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Quá hạn")  # by deadline: the overdue one first
    check_screen(tablet, "list")
    submit(tablet, demo_site, action_id, "Đã gỡ 3 thủ tục hết hiệu lực, niêm yết danh mục mới", after_one)
    expect(tablet.locator(".rm-before img")).to_have_count(1)
    expect(tablet.locator(".rm-after img")).to_have_count(1)
    before_box = tablet.locator(".rm-before img").bounding_box()
    after_box = tablet.locator(".rm-after img").bounding_box()
    assert abs(before_box["y"] - after_box["y"]) < 2 and after_box["x"] > before_box["x"] + before_box["width"]

    confirm(tablet, demo_site, action_id)
    as_user(tablet, demo_site, "inspector", action_id)
    tablet.fill("form.rm-return-form #return_reason", "Ảnh chưa thấy rõ danh mục mới trên bảng niêm yết")
    tablet.click("text=Trả lại cho đơn vị")
    expect(tablet.locator(".flash-success")).to_contain_text("Đã trả lại kết quả")  # stored before the page answers
    assert fresh_action(action_id).status == RemediationStatus.RETURNED

    as_user(tablet, demo_site, "officer", action_id)
    assert "Ảnh chưa thấy rõ danh mục mới" in tablet.locator(".rm-returned").inner_text()
    submit(tablet, demo_site, action_id, "Chụp lại cận cảnh bảng niêm yết", after_two)
    confirm(tablet, demo_site, action_id)
    as_user(tablet, demo_site, "inspector", action_id)
    tablet.click("text=Chấp nhận kết quả (đã khắc phục)")
    expect(tablet.locator(".flash-success")).to_contain_text("Đã chấp nhận")
    expect(tablet.locator(".rm-round")).to_have_count(2)
    check_screen(tablet, "action")

    assert fresh_action(action_id).status == RemediationStatus.ACCEPTED
    assert db.session.get(Inspection, inspection_id).status == InspectionStatus.CLOSED
    tablet.goto(f"{demo_site}/inspections/{inspection_id}")
    assert "Đã kết thúc" in tablet.locator("main").inner_text()


def test_the_pages_on_a_desktop_and_the_leaders_overview(new_context, demo_site):
    action_id, _ = an_phuoc_work()
    action = db.session.get(RemediationAction, action_id)
    upload = FileStorage(io.BytesIO(picture((40, 110, 60), "SAU")), filename="sau.jpg")
    evidence.submit_with_evidence(_one(User, username="officer"), action, note="Đã niêm yết danh mục mới",
                                  pictures=[upload], version=action.version)
    with unit_of_work():
        action.times_returned = 1
    escalation.escalate_overdue(local_today())  # the daily job: 14 days overdue reaches the leader
    for viewport in (TABLET, DESKTOP):
        page = new_context(viewport).new_page()
        sign_in(page, demo_site, "leader")
        page.goto(f"{demo_site}/remediation/overview")
        row = page.locator("tbody tr", has_text="xã An Phước")
        assert row.locator(".rm-figure").all_inner_texts() == ["2", "2", "1", "0", "0", "1"]
        assert LEDGER[1:] in page.locator(".rm-esc").inner_text()
        check_screen(page, "overview")
        if viewport is DESKTOP:
            sign_out(page, demo_site)
            sign_in(page, demo_site, "officer")
            page.goto(f"{demo_site}/remediation")
            check_screen(page, "list")
            open_action(page, demo_site, action_id)
            page.locator(".rm-compare").scroll_into_view_if_needed()
            check_screen(page, "action")
