"""Chữ ký số in the browser: a leader issues a conclusion (the worker signs it with the agency's
key in the test's SoftHSM2 token), downloads the unsigned final file, signs it with their PKCS#12
through tests/signing/desktop_tool.py (standing in for the CA's desktop tool), uploads it and sees
"Đã ký số" in the register; the public lookup page passes Lighthouse's accessibility audit at
360x640. With CCHC_SCREENSHOTS=<dir> set the pages are saved."""

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from inspection.jobs.reports import render_report
from inspection.signing import demo as pki_demo
from models import Document, Report, db
from tests.pki import DEPARTMENT_KEY, TOKEN, use_test_token
from tests.reports.support import Demo, walk_to_draft

from . import lighthouse
from .conftest import DESKTOP, click_and_wait, save_screenshot, sign_in

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
PHONE = {"width": 360, "height": 640}
LEADER = "Nguyễn Văn Hòa"


def render_in_a_thread(app, document: Document) -> None:
    """The worker's job, run off Playwright's thread: pyHanko's synchronous calls start an asyncio
    loop, which Playwright's running loop forbids in its own thread (a worker process has none)."""
    report = db.session.execute(select(Report).where(Report.document_id == document.id)).scalar_one()

    def work():
        with app.app_context():
            render_report(report.id, report.rq_job_id)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=120)
    db.session.expire_all()


@pytest.fixture
def signing_site(demo_site, app, pki, monkeypatch):  # noqa: F811
    use_test_token(app, pki, monkeypatch)
    db.session.commit()
    return demo_site


def test_a_leader_signs_the_issued_conclusion_and_the_register_shows_it(signing_site, new_context, pki, tmp_path,  # noqa: F811
                                                                     app):
    inspection = walk_to_draft(Demo())
    db.session.commit()
    page = new_context(DESKTOP, accept_downloads=True).new_page()
    sign_in(page, signing_site, "leader")
    page.goto(f"{signing_site}/inspections/{inspection.id}")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Ban hành kết luận").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã ban hành")
    document = db.session.execute(select(Document).where(Document.subject_id == inspection.id)).scalar_one()
    render_in_a_thread(app, document)  # the worker renders the final PDF and signs it with the agency's key
    page.goto(f"{signing_site}/documents/{document.id}/signature")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải bản chính thức chưa ký").click()
    unsigned, signed, p12 = tmp_path / "chua-ky.pdf", tmp_path / "da-ky.pdf", tmp_path / "leader.p12"
    download.value.save_as(unsigned)
    p12.write_bytes(pki_demo.personal_pkcs12(pki.ca, LEADER, pki_demo.DEMO_P12_PASSWORD))
    subprocess.run([sys.executable, "-m", "tests.signing.desktop_tool", str(unsigned), str(signed), "--p12", str(p12),
                    "--password", pki_demo.DEMO_P12_PASSWORD], check=True, cwd=ROOT)
    page.set_input_files("input[name=signed]", str(signed))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    expect(page.locator(".flash-success")).to_contain_text("có chữ ký số của người ký")
    expect(page.locator("tbody tr")).to_have_count(3)  # the agency at issue, the leader, the agency on top
    save_screenshot(page, "signature-1366")
    page.goto(f"{signing_site}/documents")
    row = page.locator("tr", has_text=document.number_text)
    expect(row).to_contain_text("Đã ký số")
    expect(row).to_contain_text(LEADER)
    save_screenshot(page, "register-signed-1366")
    db.session.refresh(document)
    phone = new_context(PHONE).new_page()
    phone.goto(f"{signing_site}/tra-cuu/{document.verify_code}")
    expect(phone.locator("h1")).to_contain_text(document.number_text)
    save_screenshot(phone, "tra-cuu-360")
    result = lighthouse.run(f"{signing_site}/tra-cuu/{document.verify_code}", None, PHONE, ("accessibility",))
    assert result.scores["accessibility"] >= 0.95, result.failures("accessibility")


def test_an_administrator_gives_phong_noi_vu_its_own_key(signing_site, new_context):
    """Quản trị → Khóa ký số của đơn vị: Phòng Nội vụ has none, the administrator enters its token
    and key labels, the page shows the certificate naming the unit."""
    page = new_context(DESKTOP).new_page()
    sign_in(page, signing_site, "admin")
    page.goto(f"{signing_site}/admin/users")
    click_and_wait(page, page.get_by_role("link", name="Khóa ký số của đơn vị"))  # the users' list names it too
    row = page.locator("tr", has_text="Sở Nội vụ")
    expect(row).to_contain_text("Chưa có khóa")
    page.get_by_label("Đơn vị ban hành").select_option(label="Sở Nội vụ")
    page.get_by_label("Nhãn thiết bị (token) PKCS#11").fill(TOKEN)
    page.get_by_label("Nhãn khóa và chứng thư trên thiết bị").fill(DEPARTMENT_KEY)
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã gán khóa ký số cho Sở Nội vụ")
    expect(row).to_contain_text("Common Name: Sở Nội vụ")
    save_screenshot(page, "signing-keys-1366")
