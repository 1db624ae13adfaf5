"""The minutes signed on the tablet (800×1280, touch): the team lead closes them with the căn cứ,
the times and the parts of the minutes, then the lead and the inspected unit's representative each
draw their signature with a finger on the screen; with both, the minutes are final (numbered, no
DỰ THẢO) and their PDF shows both signatures. Once with signal, once offline (the signatures wait in
the tablet's outbox and sync later). With CCHC_SCREENSHOTS=<dir> set, the screens and every page of
the final PDF are saved there (minutes-sign-*.png, minutes-final-*.png)."""

import os
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from inspection.reports.queries import issued_document
from models import Attachment, Inspection, MinutesSignature, db
from tests.factories import PASSWORD
from tests.reports.support import pdf_text, run_jobs

from .conftest import TABLET, save_screenshot, sign_in
from .test_field_inspection import fill_basis, press, watch

pytestmark = pytest.mark.browser


def _open(new_context, site: dict):
    context = new_context(TABLET)
    page = context.new_page()
    sign_in(page, site["url"], site["lead"].username, PASSWORD)
    page.goto(f"{site['url']}/field/{site['id']}")
    expect(page.locator("[data-bind=status]")).to_have_text("Đang kiểm tra")
    return context, page


def _close(page) -> None:
    press(page.get_by_role("button", name="Kết thúc, lập biên bản"))
    dialog = page.locator("#close-dialog")
    dialog.get_by_label("Họ tên đại diện đơn vị được kiểm tra").fill("Trần Văn Bình")
    dialog.get_by_label("Chức vụ", exact=True).fill("Phó Chủ tịch UBND xã An Phước")
    fill_basis(dialog)
    expect(dialog.get_by_label("Giờ bắt đầu (HH:MM)")).to_have_value(re.compile(r"^\d\d:\d\d$"))  # the start
    expect(dialog.get_by_label("Giờ kết thúc (HH:MM)")).to_have_value(re.compile(r"^\d\d:\d\d$"))  # now
    dialog.get_by_label("Ưu điểm").fill("Bộ phận Một cửa bố trí đủ công chức, niêm yết đầy đủ.")
    dialog.get_by_label("Kiến nghị của Đoàn").fill("Cập nhật sổ theo dõi hồ sơ đủ ngày trả kết quả.")
    dialog.get_by_label("Ý kiến của đơn vị được kiểm tra").fill("Thống nhất với biên bản.")
    press(dialog.get_by_role("button", name="Lập biên bản"))
    expect(dialog).to_be_hidden()
    expect(page.locator("#sign-box")).to_be_visible()


def _draw(page, canvas, wiggle: int) -> None:
    """A finger's stroke across the canvas (touch events: the browser makes them pointer events)."""
    canvas.scroll_into_view_if_needed()
    page.wait_for_timeout(300)  # a smooth scroll has settled: the box is where the finger lands
    box = canvas.bounding_box()
    cdp = page.context.new_cdp_session(page)
    points = [(box["x"] + box["width"] * (0.1 + 0.08 * i),
               box["y"] + box["height"] * (0.3 + 0.4 * ((i + wiggle) % 2))) for i in range(11)]
    start = {"x": points[0][0], "y": points[0][1]}
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [start]})
    for x, y in points[1:]:
        for step in range(1, 5):  # several moves between the corners, as a finger does
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x - (4 - step) * 3,
                                                                                         "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()
    page.wait_for_timeout(400)  # the finger is lifted: the next tap is a new gesture, not part of this one


def _sign_both(page) -> None:
    for role, wiggle in (("lead", 0), ("unit", 1)):
        pad = page.locator(f".signer-pad[data-role={role}]")
        press(pad.get_by_role("button", name="Lưu chữ ký"))
        expect(pad.locator(".sign-state")).to_contain_text("Chưa có chữ ký")  # nothing drawn yet
        _draw(page, pad.locator("canvas"), wiggle)
        expect(pad.locator(".sign-state")).to_have_text("")  # the stroke reached the canvas
        save_screenshot(page, f"minutes-sign-{role}-800")
        press(pad.get_by_role("button", name="Lưu chữ ký"))
        expect(pad.locator(".sign-state")).to_contain_text(re.compile("Đã lưu lúc|Không gửi được lúc này"),
                                                           timeout=30_000)  # the second issues the minutes
        expect(pad.locator(".signed-image")).to_be_visible()


def _final_pdf(site: dict) -> bytes:
    db.session.expire_all()
    inspection = db.session.get(Inspection, site["id"])
    document = issued_document("minutes", inspection)
    assert document is not None and document.number_text.endswith("/BB-ĐKT")
    run_jobs()
    db.session.refresh(document)
    from inspection.files.storage import open_attachment

    with open_attachment(db.session.get(Attachment, document.pdf_id)) as stream:
        return stream.read()


def _look_at(pdf: bytes, name: str) -> int:
    """Every page of the PDF as PNG (with CCHC_SCREENSHOTS); the number of images drawn in it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bb.pdf"
        path.write_bytes(pdf)
        if shots := os.environ.get("CCHC_SCREENSHOTS"):
            subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(Path(shots) / name)], check=True)
        listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    return sum(1 for line in listing.splitlines()[2:] if " image " in line)


def _assert_final(site: dict, name: str) -> None:
    signatures = db.session.execute(select(MinutesSignature).where(MinutesSignature.inspection_id == site["id"])
                                    .order_by(MinutesSignature.role)).scalars().all()
    assert [(s.role, s.signer_name) for s in signatures] == [("lead", site["lead"].full_name),
                                                            ("unit", "Trần Văn Bình")]
    assert all(s.image.startswith(b"\x89PNG") and len(s.image) > 1500 and s.device for s in signatures)
    assert len({s.content_hash for s in signatures}) == 1
    pdf = _final_pdf(site)
    text = " ".join(pdf_text(pdf).split())
    assert "DỰ THẢO" not in text and "Ông (bà)" not in text
    assert "Căn cứ Quyết định số 121/QĐ-UBND ngày 05/01/2026 của Ủy ban nhân dân tỉnh Đồng Tháp" in text
    assert text.count("Ký trên thiết bị lúc") == 2
    assert _look_at(pdf, name) >= 2  # both signatures drawn in their blocks


def test_both_sides_sign_the_minutes_on_the_tablet_and_they_become_final(marked, new_context):
    context, page = _open(new_context, marked)
    problems = watch(page)
    _close(page)
    _sign_both(page)
    expect(page.locator("#minutes-final")).to_have_text(
        "Cả hai bên đã ký: biên bản đã hoàn tất (có số, không còn DỰ THẢO).")
    save_screenshot(page, "minutes-signed-800")
    assert problems == []
    _assert_final(marked, "minutes-final-online")


def test_signatures_drawn_offline_wait_on_the_tablet_and_sync_later(marked, new_context):
    context, page = _open(new_context, marked)
    context.set_offline(True)
    _close(page)
    _sign_both(page)
    expect(page.locator("#minutes-final")).to_have_text("Cả hai bên đã ký trên máy: biên bản hoàn tất khi đồng bộ.")
    save_screenshot(page, "minutes-signed-offline-800")
    db.session.expire_all()
    assert db.session.execute(select(MinutesSignature)).first() is None  # nothing reached the server
    context.set_offline(False)
    expect(page.locator("#outbox-sync")).to_be_enabled()
    page.locator("#outbox-sync").tap()
    expect(page.locator("#outbox-count")).to_have_text("Đã đồng bộ hết dữ liệu trên máy.")
    _assert_final(marked, "minutes-final-offline")
