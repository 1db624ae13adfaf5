"""Working offline on the tablet, in a persistent Chromium profile (closing and relaunching is real):
open an inspection with signal, lose it, reload (the service worker serves the screen), record findings
with real photos, close the browser, relaunch it offline (the items are still on the device), get the
signal back (the session cookie died with the browser: sign in again) and sync. The server then holds
exactly the findings and photos taken (sha256 of each photo matching) and the device count is zero.
With CCHC_SCREENSHOTS=<dir>, the offline screens are saved there as offline-*.png."""

import hashlib
import re
from datetime import datetime

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from sqlalchemy import select

from inspection.language.formatting import TZ
from models import Attachment, Finding, FindingPhoto, db
from tests.factories import PASSWORD

from .conftest import CHROMIUM, CHROMIUM_ARGS, TABLET, save_screenshot, sign_in, sign_out

pytestmark = pytest.mark.browser

FINDINGS = 10  # the Done when: 10 findings with 10 real photos
PENDING = "{n} mục chưa đồng bộ"
SYNCED = "Đã đồng bộ hết dữ liệu trên máy."


@pytest.fixture
def photos(tmp_path) -> list:
    """FINDINGS real JPEG photos (each different) and their sha256."""
    shots = []
    for n in range(FINDINGS):
        image = Image.linear_gradient("L").resize((1200, 900)).convert("RGB")
        draw = ImageDraw.Draw(image)
        draw.rectangle((150 + 40 * n, 120, 1050, 780), fill=(230, 220, 200), outline=(90, 60, 30), width=12)
        draw.text((200, 160), f"Ho so {n + 1}", fill=(20, 20, 20))
        path = tmp_path / f"ton-tai-{n + 1}.jpg"
        image.save(path, "JPEG", quality=85)
        shots.append((path, hashlib.sha256(path.read_bytes()).hexdigest()))
    return shots


def launch(browser, profile, offline: bool):
    context = browser.browser_type.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, viewport=TABLET, has_touch=True,
        locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(15_000)
    if offline:
        go_offline(context)
    return context


def go_offline(context) -> None:
    """No signal, for the pages (navigator.onLine false) AND the service worker: Playwright's offline
    emulation does not reach a worker started in a fresh launch, so a context-level route (which sees
    service-worker requests) refuses everything too."""
    context.set_offline(True)
    context.route("**/*", lambda route: route.abort("internetdisconnected"))


def go_online(context) -> None:
    context.unroute("**/*")
    context.set_offline(False)


def wait_until_kept(page, inspection_id: int) -> None:
    """The service worker controls the page and keeps the page and its inspection's JSON."""
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller")
    script = f"""() => caches.open("cchc-field").then((c) => Promise.all(
        [c.match(location.pathname), c.match("/api/v1/inspections/{inspection_id}")]))
        .then((hits) => hits.every(Boolean))"""
    for _ in range(100):
        if page.evaluate(script):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the service worker did not keep the inspection for offline use")


def record_offline(page, n: int, photo) -> None:
    form = page.locator("#free-form")
    form.locator(".sev-minor").tap()
    page.fill("#free-description", f"Tồn tại số {n + 1}: sổ theo dõi hồ sơ thiếu ngày trả kết quả.")
    page.set_input_files("#free-photo", photo)
    form.get_by_role("button", name="Lưu tồn tại khác").tap()
    expect(page.locator("#free-state")).to_contain_text("chưa đồng bộ")
    expect(page.locator("#outbox-count")).to_have_text(PENDING.format(n=2 * (n + 1)))  # a finding and its photo


def stored(inspection_id: int) -> tuple[list, list]:
    db.session.expire_all()
    findings = db.session.execute(select(Finding).where(Finding.inspection_id == inspection_id)).scalars().all()
    digests = db.session.execute(select(Attachment.sha256).join(FindingPhoto, FindingPhoto.original_id == Attachment.id)
                                 .where(FindingPhoto.finding_id.in_([f.id for f in findings]))).scalars().all()
    return findings, digests


def open_and_queue(browser, site, photos, profile):
    """Sign in with signal, open the inspection, lose the signal, reload, record every photo's finding."""
    context = launch(browser, profile, offline=False)
    page = context.pages[0] if context.pages else context.new_page()
    sign_in(page, site["url"], site["lead"].username, PASSWORD)
    page.goto(f"{site['url']}/field/{site['id']}")
    expect(page.locator("#outbox-count")).to_have_text(SYNCED)
    wait_until_kept(page, site["id"])
    go_offline(context)
    assert page.reload().from_service_worker  # the server is out of reach: the worker's kept copy
    expect(page.locator("[data-bind=status]")).to_have_text("Đang kiểm tra")
    expect(page.locator("#work")).to_be_visible()
    for n, (path, _) in enumerate(photos):
        record_offline(page, n, path)
    expect(page.locator("#outbox-list .kind-finding")).to_have_count(FINDINGS)
    assert page.evaluate("navigator.onLine") is False
    assert stored(site["id"]) == ([], [])
    return context, page


def assert_exactly_stored(site, photos) -> None:
    findings, digests = stored(site["id"])
    numbers = sorted(f.description.split(":")[0] for f in findings)
    assert numbers == sorted(f"Tồn tại số {n + 1}" for n in range(FINDINGS))
    assert sorted(digests) == sorted(digest for _, digest in photos)
    assert all(f.device_time <= datetime.now(TZ) for f in findings)


def test_findings_and_photos_taken_offline_survive_a_relaunch_and_sync_exactly_once(browser, site, photos, tmp_path):
    profile, field = tmp_path / "profile", f"{site['url']}/field/{site['id']}"
    context, page = open_and_queue(browser, site, photos, profile)
    page.evaluate("window.scrollTo(0, 0)")
    save_screenshot(page, "offline-field-queued")
    context.close()

    context = launch(browser, profile, offline=True)  # the browser closed and came back, still no signal
    page = context.pages[0] if context.pages else context.new_page()
    assert page.goto(field).from_service_worker
    expect(page.locator("[data-bind=status]")).to_have_text("Đang kiểm tra")  # the kept JSON, not the sign-in page
    expect(page.locator("#outbox-count")).to_have_text(PENDING.format(n=2 * FINDINGS))
    expect(page.locator("#outbox-list .kind-finding")).to_have_count(FINDINGS)
    expect(page.locator("#outbox-list")).to_contain_text("Tồn tại số 1:")
    expect(page.locator("#outbox-why")).to_contain_text("Chưa có kết nối")
    save_screenshot(page, "offline-field-relaunched")

    go_online(context)  # the `online` event starts the sync; the session died with the browser
    expect(page.locator("#outbox-why")).to_contain_text("Phiên đăng nhập đã hết hạn")
    expect(page.locator("#outbox-count")).to_have_text(PENDING.format(n=2 * FINDINGS))
    assert stored(site["id"]) == ([], [])
    sign_in(page, site["url"], site["lead"].username, PASSWORD)
    page.goto(field)
    expect(page.locator("#outbox-count")).to_have_text(SYNCED, timeout=30_000)
    assert_exactly_stored(site, photos)
    context.close()


class Faults:
    """A context-level route on the sync's writes: every third one aborted before the server, every
    third one's answer dropped after the server stored it, the rest through."""

    def __init__(self):
        self.seen = self.before = self.after = 0

    def __call__(self, route):
        if route.request.method != "POST":
            return route.continue_()
        self.seen += 1
        if self.seen % 3 == 1:
            self.before += 1
            return route.abort("connectionreset")
        if self.seen % 3 == 2:
            response = route.fetch()
            if response.status < 300:
                self.after += 1
                return route.abort("connectionreset")
            return route.fulfill(response=response)
        return route.continue_()


def test_a_sync_with_requests_lost_before_and_after_the_server_stores_each_item_once(browser, site, photos, tmp_path):
    context, page = open_and_queue(browser, site, photos, tmp_path / "profile")
    faults = Faults()
    context.route("**/api/v1/**", faults)
    go_online(context)
    for _ in range(12 * FINDINGS):
        if page.locator("#outbox-count").inner_text() == SYNCED:
            break
        expect(page.locator("#outbox-sync")).to_be_enabled()
        page.locator("#outbox-sync").tap()
        page.wait_for_timeout(200)
    expect(page.locator("#outbox-count")).to_have_text(SYNCED)
    print(f"faults: {faults.seen} sync writes, {faults.before} aborted before the server, "
          f"{faults.after} answers dropped after it stored them")
    assert faults.before > 0 and faults.after > 0, "the handler must really lose requests and answers"
    assert_exactly_stored(site, photos)
    context.close()


def kept_pages(page) -> int:
    return page.evaluate("caches.open('cchc-field').then((c) => c.keys()).then((keys) => keys.length)")


def test_signing_out_wipes_the_kept_pages_and_the_next_user_sees_none_of_the_queue(browser, site, photos, tmp_path):
    context, page = open_and_queue(browser, site, photos, tmp_path / "profile")
    field = f"{site['url']}/field/{site['id']}"
    context.route("**/api/v1/**", lambda route: route.abort("connectionreset") if route.request.method == "POST"
                  else route.continue_())  # signal for pages, but the sync still fails
    go_online(context)
    page.goto(f"{site['url']}/")  # from any other page: the browser's own confirm, with the count
    warnings: list[str] = []
    page.once("dialog", lambda d: (warnings.append(d.message), d.dismiss()))
    page.click(".usermenu summary")
    page.click("form[action='/logout'] button")
    for _ in range(50):
        if warnings:
            break
        page.wait_for_timeout(100)
    assert warnings and warnings[0].startswith(f"Còn {2 * FINDINGS} mục chưa đồng bộ trên máy này.")
    assert page.url == f"{site['url']}/"  # dismissed: still signed in
    page.goto(field)
    page.click(".usermenu summary")
    page.click("form[action='/logout'] button")
    dialog = page.locator("#signout-dialog")
    expect(dialog).to_be_visible()  # a warning first, with the count, in Vietnamese
    expect(dialog.locator("#signout-count")).to_have_text(f"Còn {2 * FINDINGS} mục chưa đồng bộ trên máy này.")
    page.evaluate("window.scrollTo(0, 0)")
    save_screenshot(page, "offline-signout-warning")
    dialog.get_by_role("button", name="Vẫn đăng xuất").tap()
    page.wait_for_url(f"{site['url']}/login")
    assert kept_pages(page) == 0

    sign_in(page, site["url"], site["member"].username, PASSWORD)
    go_offline(context)  # the next user cannot open the previous user's kept field pages
    with pytest.raises(PlaywrightError):
        page.goto(field)
    go_online(context)
    page.goto(field)
    expect(page.locator("#outbox-count")).to_have_text(SYNCED)  # the lead's items are not theirs
    expect(page.locator("#outbox-list .outbox-item")).to_have_count(0)
    assert page.evaluate("indexedDB.databases().then((dbs) => dbs.length)") == 1  # the queue is still on the device
    sign_out(page, site["url"])  # nothing of theirs unsynced: no warning

    context.unroute("**/api/v1/**")
    sign_in(page, site["url"], site["lead"].username, PASSWORD)
    page.goto(field)
    expect(page.locator("#outbox-count")).to_have_text(SYNCED, timeout=30_000)  # kept, then synced
    assert_exactly_stored(site, photos)
    context.close()


KEPT = "Dữ liệu trên máy được lưu bền vững: trình duyệt không tự xóa khi máy thiếu dung lượng."
AT_RISK = "Trình duyệt chưa cho lưu bền vững"


def test_the_panel_says_whether_the_browser_keeps_the_queue_persistently(site, new_context):
    """The field screen asks once for persistent storage; whichever Chromium answers, the panel says it."""
    page = new_context(TABLET).new_page()
    sign_in(page, site["url"], site["lead"].username, PASSWORD)
    page.goto(f"{site['url']}/field/{site['id']}")
    line = page.locator("#outbox-storage")
    expect(line).not_to_be_empty()
    if page.evaluate("navigator.storage.persisted()"):
        expect(line).to_have_text(KEPT)
    else:
        expect(line).to_contain_text(AT_RISK)
        expect(line).to_have_class(re.compile(r"\bis-warning\b"))
    save_screenshot(page, "offline-storage-status-800")
    page.set_viewport_size({"width": 1366, "height": 900})
    save_screenshot(page, "offline-storage-status-1366")
