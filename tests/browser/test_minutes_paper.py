"""The minutes' paper route in the browser (issue 21), on the tablet (800×1280, touch) and the
desktop: the team lead presses "In bản giấy để ký" on the inspection's page, gets the numbered
PDF without DỰ THẢO, uploads a wrong file (refused at the field, on that page) and then the scan of
the signed copy, which the minutes' card shows. With CCHC_SCREENSHOTS=<dir> the screens and every
page of the PDF are saved there (minutes-paper-*.png)."""

import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from inspection.language.formatting import TZ
from inspection.reports.queries import issued_document
from models import Inspection, db
from tests.factories import PASSWORD, close_minutes, make_photo
from tests.reports.support import pdf_text, run_jobs, stored_bytes

from .conftest import DESKTOP, SCREENSHOTS, TABLET, sign_in
from .test_field_inspection import check_screen, press

pytestmark = pytest.mark.browser


def _save_pages(pdf: bytes, size: str) -> None:
    if not SCREENSHOTS:
        return
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        target = Path(SCREENSHOTS) / f"minutes-paper-pdf-{size}"
        subprocess.run(["pdftoppm", "-r", "60", "-png", handle.name, str(target)], check=True)


@pytest.mark.parametrize("size", ["tablet", "desktop"])
def test_the_team_lead_prints_the_numbered_minutes_and_uploads_the_signed_scan(marked, new_context, size,
                                                                               tmp_path):
    inspection = db.session.get(Inspection, marked["id"])
    close_minutes(marked["lead"], inspection, representative_name="Trần Văn Bình",
                  representative_title="Phó Chủ tịch UBND xã", device_time=datetime.now(TZ))
    db.session.commit()
    page = new_context(TABLET if size == "tablet" else DESKTOP).new_page()
    sign_in(page, marked["url"], marked["lead"].username, PASSWORD)
    page.goto(f"{marked['url']}/inspections/{marked['id']}#minutes")
    card = page.locator("#minutes")
    expect(card).to_contain_text("Ký trên bản giấy")
    check_screen(page, "minutes-paper-before", size)
    page.once("dialog", lambda dialog: dialog.accept())
    press(card.get_by_role("button", name="In bản giấy để ký"))
    expect(page.locator("main")).to_contain_text("in bản này để hai bên ký")  # the PDF's own page
    run_jobs()
    document = issued_document("minutes", inspection)
    db.session.refresh(document)
    pdf = stored_bytes(document.pdf_id)
    text = " ".join(pdf_text(pdf).split())
    assert "DỰ THẢO" not in text and f"Số: {document.number_text}" in text
    _save_pages(pdf, size)
    page.goto(f"{marked['url']}/inspections/{marked['id']}#minutes")
    expect(card).to_contain_text(document.number_text)
    expect(card).to_contain_text("Chưa có bản chụp.")
    wrong = tmp_path / "bien-ban.png"
    wrong.write_bytes(make_photo(fmt="PNG"))
    card.get_by_label("Bản chụp biên bản đã ký (PDF hoặc ảnh JPEG)").set_input_files(str(wrong))
    press(card.get_by_role("button", name="Tải lên"))
    expect(card.locator(".error")).to_contain_text("Loại tệp không được chấp nhận")
    check_screen(page, "minutes-paper-refused", size)
    scan = tmp_path / "bien-ban-da-ky.jpg"
    scan.write_bytes(make_photo(size=(1240, 1754)))
    card.get_by_label("Bản chụp biên bản đã ký (PDF hoặc ảnh JPEG)").set_input_files(str(scan))
    press(card.get_by_role("button", name="Tải lên"))
    expect(card.get_by_role("link", name="Xem bản chụp")).to_be_visible()
    check_screen(page, "minutes-paper-scan", size)
    db.session.refresh(document)
    assert stored_bytes(document.signed_scan_id) == scan.read_bytes()
