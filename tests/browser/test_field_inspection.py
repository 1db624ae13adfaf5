"""The inspector's tablet screen (/field), driven by the JSON API: a whole inspection on a 10-inch
tablet (start, ten items, a non-compliant one with a real JPEG, a free finding, the minutes; then the
conclusion drafted and issued on the desktop pages), and the writes that must be stored once: a
double tap, a retry after a failed request. With CCHC_SCREENSHOTS=<dir> set, the screens are saved
there as field-*.png (docs/screens/ holds them)."""

import hashlib
import re
import uuid
from datetime import date, datetime

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect
from sqlalchemy import func, select

from inspection.inspections import fieldwork
from inspection.language.formatting import TZ
from models import (
    Attachment,
    CheckResult,
    Conclusion,
    Document,
    Finding,
    FindingPhoto,
    Inspection,
    RemediationAction,
    db,
)
from tests.factories import PASSWORD

from .conftest import (
    CRITERIA,
    DESKTOP,
    TABLET,
    TABLET_LANDSCAPE,
    open_started,
    save_screenshot,
    schedule_field_inspection,
    sign_in,
)

pytestmark = pytest.mark.browser

# what the lead marks, item by item (index 2 is the non-compliant one, with a photo)
VERDICTS = ["Đạt", "Đạt", "Không đạt", "Đạt", "Đạt", "Không áp dụng", "Đạt", "Đạt", "Không áp dụng", "Đạt"]
NC_TEXT = "Sổ theo dõi hồ sơ thiếu ngày trả kết quả ở 3/10 hồ sơ kiểm tra ngẫu nhiên (số 112, 118, 125)."
FREE_TEXT = "Hộp thư góp ý đặt khuất sau cửa phòng, người dân khó nhìn thấy; chưa có lịch mở hộp thư."
# controls a finger must hit; the radio dots sit inside their 52 px label, the file input under its button
TARGETS = ("button, input:not([type=hidden]):not([type=radio]):not(.photo-input), select, textarea, "
           "summary, .btn, .sev, .today-link, nav a")


@pytest.fixture
def announced(committed, live_server) -> dict:
    """An announced inspection of today, ten criteria, a lead and a member; nothing recorded yet."""
    inspection, people = schedule_field_inspection(start=False)
    return {"url": live_server.url, "id": inspection.id, "unit": inspection.unit.name, **people}


def count(model, **where) -> int:
    stmt = select(func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    return db.session.execute(stmt).scalar_one()


@pytest.fixture
def jpeg(tmp_path) -> tuple:
    """A real JPEG photo on disk (a notice board on a wall, drawn by Pillow) and its sha256."""
    image = Image.linear_gradient("L").resize((1600, 1200)).convert("RGB")
    draw = ImageDraw.Draw(image)
    draw.rectangle((260, 180, 1340, 900), fill=(236, 228, 205), outline=(90, 60, 30), width=18)
    for row in range(8):
        draw.rectangle((330, 250 + row * 78, 1270 - (row % 3) * 160, 280 + row * 78), fill=(60, 70, 90))
    path = tmp_path / "so-theo-doi-ho-so.jpg"
    image.save(path, "JPEG", quality=88)
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


def watch(page) -> list[str]:
    """Console errors and uncaught exceptions of the page (a CSP violation is a console error)."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def press(locator) -> None:
    """A finger on the tablet (its context has touch), the mouse on the desktop."""
    if locator.page.viewport_size == TABLET:
        locator.tap()
    else:
        locator.click()


def check_screen(page, name: str, size: str) -> None:
    """Nothing wider than the screen, every visible control at least 44 px; saved as <name>-<size>.png."""
    page.wait_for_load_state()  # after a link or a form, the new page whole and styled, not half-parsed
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} is {overflow}px wider than the {size} screen"
    small = page.evaluate("""(selector) => [...document.querySelectorAll(selector)]
      .filter((el) => el.offsetParent !== null || el.tagName === "SUMMARY")
      .map((el) => { const r = el.getBoundingClientRect();
                     return [el.outerHTML.slice(0, 90), Math.round(r.width), Math.round(r.height)]; })
      .filter(([, w, h]) => w > 0 && (h < 44 || w < 44))""", TARGETS)
    assert small == [], f"{name} at {size}: controls under 44px"
    save_screenshot(page, f"{name}-{size}")


# ---------------------------------------------------------------- a whole inspection

def _open_today(page, site: dict, size: str) -> None:
    sign_in(page, site["url"], site["lead"].username, PASSWORD)
    page.locator("#mainnav a", has_text="Kiểm tra hôm nay").click()
    expect(page.locator(".today-heading")).to_have_text(["Hôm nay", "Sắp tới"])
    card = page.locator(".today-cards").first.locator(".today-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text(site["unit"])
    expect(card).to_contain_text("Đã thông báo")
    expect(page.locator(".today-cards").last).to_contain_text("Trưởng đoàn: Lê Minh Tâm")
    check_screen(page, "field-today", size)
    press(card.locator("a"))
    expect(page.locator("[data-bind=status]")).to_have_text("Đã thông báo")
    expect(page.locator("[data-bind=team]")).to_contain_text("Nguyễn Thị Thu Hà (Trưởng đoàn)")
    expect(page.locator("#work")).to_be_hidden()  # the checklist opens once the team starts
    check_screen(page, "field-start", size)


def _start(page) -> None:
    press(page.get_by_role("button", name="Bắt đầu kiểm tra"))
    expect(page.locator("[data-bind=status]")).to_have_text("Đang kiểm tra")
    expect(page.locator("#progress-text")).to_have_text("Đã đánh giá 0/10 tiêu chí")


def _mark_non_compliant(page, card, photo, size: str) -> None:
    press(card.get_by_role("button", name="Không đạt"))
    press(card.get_by_role("button", name="Lưu tồn tại"))
    expect(card.locator(".sub-state")).to_have_text("Chọn mức độ của tồn tại (bắt buộc).")
    press(card.locator(".sev-major"))
    press(card.get_by_role("button", name="Lưu tồn tại"))
    expect(card.locator(".sub-state")).to_have_text("Nhập mô tả tồn tại, hạn chế (bắt buộc).")
    card.locator("textarea.f-description").fill(NC_TEXT)
    card.locator("input.photo-input").set_input_files(photo)
    preview = card.locator(".photo-item img")
    expect(preview).to_have_attribute("src", re.compile(r"^blob:"))
    page.wait_for_function("(img) => img.complete && img.naturalWidth === 1600", arg=preview.element_handle())
    expect(card.locator(".photo-state")).to_have_text("Ảnh sẽ được tải lên khi lưu tồn tại.")
    check_screen(page, "field-photo", size)
    press(card.get_by_role("button", name="Lưu tồn tại"))
    expect(card.locator(".sub-state")).to_contain_text("Đã lưu lúc")
    expect(card.locator(".photo-state")).to_contain_text("Đã lưu lúc")


def _mark_items(page, photo, size: str) -> None:
    for n, verdict in enumerate(VERDICTS):
        card = page.locator(".item-card.current")
        expect(card.locator(".item-code")).to_have_text(CRITERIA[n][0])
        if verdict == "Không đạt":
            _mark_non_compliant(page, card, photo, size)
        else:
            press(card.get_by_role("button", name=verdict, exact=True))
            expect(card.locator(".sub-state")).to_contain_text("Đã lưu lúc")
        expect(page.locator("#progress-text")).to_have_text(f"Đã đánh giá {n + 1}/10 tiêu chí")
        if n == 6:
            check_screen(page, "field-item", size)
        if n < len(VERDICTS) - 1:
            press(page.get_by_role("button", name="Tiêu chí tiếp"))


def _toggle_list(page) -> None:
    press(page.get_by_role("button", name="Danh sách"))
    expect(page.locator(".item-card:visible")).to_have_count(10)
    expect(page.locator(".area-section:visible .area-title").first).to_have_text(
        "Cải cách thủ tục hành chính")
    press(page.get_by_role("button", name="Từng tiêu chí"))
    expect(page.locator(".item-card:visible")).to_have_count(1)


def _free_finding(page) -> None:
    form = page.locator("#free-form")
    form.scroll_into_view_if_needed()
    press(form.locator(".sev-minor"))
    form.locator("#free-description").fill(FREE_TEXT)
    press(form.get_by_role("button", name="Lưu tồn tại khác"))
    expect(page.locator("#free-state")).to_contain_text("Đã lưu lúc")
    expect(page.locator(".finding-entry")).to_have_count(2)
    expect(page.locator(".finding-entry").last).to_contain_text("Tồn tại khác (không gắn tiêu chí)")


def _close_minutes(page, size: str) -> None:
    expect(page.locator("#close-help")).to_have_text("Đã đánh giá đủ 10 tiêu chí.")
    press(page.get_by_role("button", name="Kết thúc, lập biên bản"))
    dialog = page.locator("#close-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#close-summary")).to_have_text(
        "10 tiêu chí: 7 đạt, 1 không đạt, 2 không áp dụng; 2 tồn tại, hạn chế.")
    dialog.get_by_label("Họ tên đại diện đơn vị được kiểm tra").fill("Trần Văn Bình")
    dialog.get_by_label("Chức vụ", exact=True).fill("Phó Chủ tịch UBND xã An Phước")
    fill_basis(dialog)
    dialog.get_by_label("Ngày quyết định").fill("31/02/2026")  # typed dd/mm/yyyy, as every date: not a day
    press(dialog.get_by_role("button", name="Lập biên bản"))
    expect(dialog.locator("#close-state")).to_contain_text("Ngày “31/02/2026” không có thật hoặc sai định dạng")
    dialog.get_by_label("Ngày quyết định").fill("05/01/2026")
    check_screen(page, "field-close", size)
    press(dialog.get_by_role("button", name="Lập biên bản"))
    expect(dialog).to_be_hidden()
    expect(page.locator("[data-bind=status]")).to_have_text("Đã lập biên bản")
    expect(page.locator("#closed-note")).to_contain_text("Mọi sửa đổi từ nay là đề nghị sửa")


def fill_basis(dialog) -> None:
    """The căn cứ, completed on site where the office left it empty: the decision forming the team."""
    dialog.get_by_label("Số quyết định thành lập Đoàn").fill("121/QĐ-UBND")
    dialog.get_by_label("Ngày quyết định").fill("05/01/2026")
    dialog.get_by_label("Cơ quan ban hành").fill("Ủy ban nhân dân tỉnh Đồng Tháp")
    dialog.get_by_label("Trích yếu").fill("Về việc thành lập Đoàn kiểm tra công tác cải cách hành chính năm 2026")


def _conclude(page, new_context, site: dict) -> None:
    """The lead drafts the conclusion and a leader issues it, on the desktop pages."""
    page.goto(f"{site['url']}/inspections/{site['id']}/conclusion")
    page.locator("textarea[name=summary]").fill("Đoàn kiểm tra làm việc tại Bộ phận Một cửa UBND xã An Phước.")
    expect(page.locator("textarea[name$=action]")).to_have_count(2)  # one remediation per finding
    for n, requirement in enumerate(("Niêm yết bổ sung bảng giá lệ phí", "Lắp hộp thư góp ý tại Bộ phận Một cửa")):
        expect(page.locator("textarea[name$=action]").nth(n)).to_have_value("")  # the team writes it
        page.locator("textarea[name$=action]").nth(n).fill(requirement)
    press(page.get_by_role("button", name="Lưu dự thảo kết luận"))
    expect(page.locator(".flash-success")).to_be_visible()
    desk = new_context(DESKTOP).new_page()
    sign_in(desk, site["url"], site["leader"].username, PASSWORD)
    desk.goto(f"{site['url']}/inspections/{site['id']}")
    desk.once("dialog", lambda d: d.accept())
    desk.get_by_role("button", name="Ban hành kết luận").click()
    expect(desk.locator(".flash-success")).to_contain_text(  # the leader's issue numbers the document
        re.compile(r"Đã ban hành Thông báo kết luận kiểm tra số \d{2}/TB-\S+; 2 yêu cầu khắc phục"))
    site["issued_flash"] = desk.locator(".flash-success").inner_text()
    desk.evaluate("window.scrollTo(0, 0)")
    save_screenshot(desk, "conclusion-issued-1366")
    desk.set_viewport_size(TABLET)
    desk.evaluate("window.scrollTo(0, 0)")
    save_screenshot(desk, "conclusion-issued-800")


def _assert_stored(site: dict, photo_sha256: str) -> None:
    inspection_id = site["id"]
    db.session.expire_all()
    assert count(CheckResult, inspection_id=inspection_id) == 10
    values = db.session.execute(select(CheckResult.value, func.count()).where(
        CheckResult.inspection_id == inspection_id).group_by(CheckResult.value)).all()
    assert dict(values) == {"compliant": 7, "non_compliant": 1, "not_applicable": 2}
    findings = db.session.execute(select(Finding).where(Finding.inspection_id == inspection_id)
                                  .order_by(Finding.id)).scalars().all()
    assert [(f.severity, f.description, f.item_id is None) for f in findings] == [
        ("major", NC_TEXT, False), ("minor", FREE_TEXT, True)]
    assert (float(findings[1].latitude), float(findings[1].longitude)) == (10.5521, 105.4412)
    photos = db.session.execute(select(FindingPhoto)).scalars().all()
    assert [p.finding_id for p in photos] == [findings[0].id]
    assert db.session.get(Attachment, photos[0].original_id).sha256 == photo_sha256  # the original, byte for byte
    actions = db.session.execute(select(RemediationAction.finding_id).where(
        RemediationAction.inspection_id == inspection_id)).scalars().all()
    assert sorted(actions) == [f.id for f in findings]
    inspection = db.session.get(Inspection, inspection_id)
    assert (inspection.status, inspection.representative_name) == ("concluded", "Trần Văn Bình")
    assert inspection.decision_date == date(2026, 1, 5)  # typed 05/01/2026 on the tablet
    assert inspection.location == "10.5521, 105.4412 (±12 m)"
    assert db.session.execute(select(Conclusion.issued_at).where(
        Conclusion.inspection_id == inspection_id)).scalar_one() is not None
    document = db.session.execute(select(Document).where(Document.kind == "conclusion",
                                                         Document.subject_id == inspection_id)).scalar_one()
    assert f"số {document.number_text};" in site["issued_flash"]


PLACE = {"latitude": 10.5521, "longitude": 105.4412, "accuracy": 12}  # UBND xã An Phước, Đồng Tháp
SIZES = {"800x1280": TABLET, "1280x800": TABLET_LANDSCAPE, "1366x900": DESKTOP}


@pytest.mark.parametrize("size", SIZES)
def test_a_whole_inspection_on_the_tablet_screen(announced, new_context, jpeg, size):
    # the inspector has allowed the location on this tablet
    page = new_context(SIZES[size], geolocation=PLACE, permissions=["geolocation"]).new_page()
    problems = watch(page)
    _open_today(page, announced, size)
    expect(page.locator("#geo-state")).to_have_text("Vị trí: 10.5521, 105.4412 (sai số ±12 m)")
    _start(page)
    _mark_items(page, jpeg[0], size)
    _toggle_list(page)
    _free_finding(page)
    _close_minutes(page, size)
    assert problems == []
    _conclude(page, new_context, announced)
    _assert_stored(announced, jpeg[1])


# ---------------------------------------------------------------- stored once

def _result_posts(page) -> list:
    """The verdicts the tablet sends: the outbox sends its writes in batches (POST /api/v1/sync)."""
    posts: list = []
    page.on("request", lambda r: posts.extend(item["body"] for item in r.post_data_json["items"]
                                              if item["kind"] == "result")
            if r.method == "POST" and r.url.endswith("/sync") else None)
    return posts


def test_a_double_tap_on_dat_stores_one_result(started, new_context):
    page = open_started(new_context, started)
    posts = _result_posts(page)
    button = page.locator(".item-card.current .verdict-compliant")
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.touchscreen.tap(x, y)
    page.touchscreen.tap(x, y)
    card = page.locator(".item-card.current")
    expect(card.locator(".sub-state")).to_contain_text("Đã lưu lúc")
    page.wait_for_load_state("networkidle")
    expect(card.locator(".conflict")).to_have_count(0)
    expect(button).to_have_attribute("aria-pressed", "true")
    stored = db.session.execute(select(CheckResult).where(CheckResult.inspection_id == started["id"])).scalars().all()
    assert [(r.item_id, r.value) for r in stored] == [(started["items"][0], "compliant")]
    assert {p["client_uuid"] for p in posts} == {stored[0].client_uuid}
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", stored[0].client_uuid)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", posts[0]["device_time"])  # the tablet's clock


@pytest.mark.parametrize("lost", ["request", "response"])
def test_a_failed_post_retried_by_the_user_is_stored_once(started, new_context, lost):
    page = open_started(new_context, started)
    sent: list = []

    def fail_the_first(route):
        sent.append(route.request.post_data_json["items"][0]["body"])
        if len(sent) > 1:
            return route.continue_()
        if lost == "response":
            route.fetch()  # the server stores it, but the tablet never hears back
        route.abort("connectionreset")

    page.context.route("**/api/v1/sync", fail_the_first)
    card = page.locator(".item-card.current")
    press(card.get_by_role("button", name="Không áp dụng"))
    expect(card.locator(".sub-state")).to_contain_text("Không gửi được")
    assert count(CheckResult, inspection_id=started["id"]) == (1 if lost == "response" else 0)
    press(card.get_by_role("button", name="Gửi lại"))
    expect(card.locator(".sub-state")).to_contain_text("Đã lưu lúc")
    assert len(sent) == 2 and sent[0] == sent[1]  # the same request again, UUID included
    db.session.expire_all()
    stored = db.session.execute(select(CheckResult).where(CheckResult.inspection_id == started["id"])).scalars().all()
    assert [(r.client_uuid, r.value, r.version) for r in stored] == [(sent[0]["client_uuid"], "not_applicable", 1)]


def test_a_conflict_shows_the_current_value_and_the_user_reapplies(started, new_context):
    page = open_started(new_context, started)
    card = page.locator(".item-card.current")
    # once saved, the tablet reads the server's copy again: the teammate writes after that read, not
    # before it (else the tablet would already hold the teammate's version and there is no conflict)
    with page.expect_response(lambda r: r.request.method == "GET"
                              and r.url.split("?")[0].endswith(f"/api/v1/inspections/{started['id']}")):
        press(card.get_by_role("button", name="Đạt", exact=True))
    expect(card.locator(".sub-state")).to_contain_text("Đã lưu lúc")
    inspection = db.session.get(Inspection, started["id"])
    fieldwork.record_result(started["member"], inspection, item_id=started["items"][0], value="non_compliant",
                            severity="minor", description="Thiếu bảng niêm yết mức phí", version=1,
                            client_uuid=str(uuid.uuid4()), device_time=datetime.now(TZ))
    db.session.commit()
    press(card.get_by_role("button", name="Không áp dụng"))
    expect(card.locator(".conflict")).to_contain_text("Kết quả hiện tại trên máy chủ: Không đạt")
    press(card.get_by_role("button", name="Áp dụng lại lựa chọn của tôi"))
    expect(card.locator(".sub-state")).to_contain_text("Đã lưu lúc")
    db.session.expire_all()
    stored = db.session.execute(select(CheckResult).where(CheckResult.inspection_id == started["id"])).scalar_one()
    assert (stored.value, stored.version) == ("not_applicable", 3)
    assert count(Finding, inspection_id=started["id"]) == 0  # the teammate's finding went with its result


def test_a_refusal_shows_the_servers_message_and_nothing_changes(started, new_context):
    page = open_started(new_context, started)
    card = page.locator(".item-card.current")
    press(card.get_by_role("button", name="Đạt", exact=True))
    expect(card.locator(".sub-state")).to_contain_text("Đã lưu lúc")
    press(page.get_by_role("button", name="Kết thúc, lập biên bản"))
    dialog = page.locator("#close-dialog")
    expect(dialog.locator("#close-warning")).to_have_text(
        "Còn 9 tiêu chí chưa đánh giá: đánh giá đủ trước khi lập biên bản.")
    press(dialog.get_by_role("button", name="Lập biên bản"))
    expect(dialog.locator("#close-state")).to_have_text("Nhập họ tên đại diện đơn vị được kiểm tra.")
    dialog.get_by_label("Họ tên đại diện đơn vị được kiểm tra").fill("Trần Văn Bình")
    press(dialog.get_by_role("button", name="Lập biên bản"))
    expect(dialog.locator("#close-state")).to_have_text(
        "Nhập đủ căn cứ: số, ngày, cơ quan ban hành và trích yếu của quyết định thành lập Đoàn.")
    fill_basis(dialog)
    press(dialog.get_by_role("button", name="Lập biên bản"))
    expect(dialog.locator("#close-state")).to_have_text("Lỗi: Còn 9 tiêu chí chưa đánh giá.")
    db.session.expire_all()
    assert db.session.get(Inspection, started["id"]).status == "in_progress"
