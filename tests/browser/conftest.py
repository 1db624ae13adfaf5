"""Browser fixtures: Debian's Chromium driven by Playwright (no browser download), a live server
serving the test app with committed data, tablet and desktop viewports, sign-in through the form.
A failing test leaves a screenshot of each of its pages in test-artifacts/."""

import io
import os
import re
import threading
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Locator, Page, expect, sync_playwright
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from inspection.demo.checklists import ONE_STOP_ITEMS
from inspection.demo.seed import DEMO_PASSWORD, seed_demo
from inspection.inspections import fieldwork, scheduling
from inspection.language.formatting import TZ, local_today
from models import ChecklistItem, Inspection, db
from models.enums import InspectionKind, Role
from tests.factories import PASSWORD, make_template, make_tree, make_user

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
    # a name Chromium does not treat as a secure context, for the plain-HTTP banner
    "--host-resolver-rules=MAP cchc.test 127.0.0.1",
]
TABLET = {"width": 800, "height": 1280}
TABLET_LANDSCAPE = {"width": 1280, "height": 800}
DESKTOP = {"width": 1366, "height": 900}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CRITERIA = [row[:5] for row in ONE_STOP_ITEMS[:10]]
DEMO_ACCOUNTS = ("admin", "leader", "coordinator", "inspector", "officer", "head")
SCREENSHOTS = os.environ.get("CCHC_SCREENSHOTS")  # a directory: save the pages the tests walk


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures know at teardown whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


_PLAYWRIGHT: list = []  # the process's one Playwright (a list, so no `global` is needed)


def shared_playwright():
    """The one Playwright of this test process, started on first use. A second sync_playwright()
    while one runs fails ("Sync API inside the asyncio loop"): the first keeps its event loop
    current in this thread. So every browser fixture, however it was imported, goes through this."""
    if not _PLAYWRIGHT:
        _PLAYWRIGHT.append(sync_playwright().start())
    return _PLAYWRIGHT[0]


@pytest.fixture(scope="session")
def playwright():
    """This process's Playwright, shared by every browser fixture (launch and persistent contexts);
    stopped after the last of them has closed its browser."""
    yield shared_playwright()
    while _PLAYWRIGHT:
        _PLAYWRIGHT.pop().stop()


@pytest.fixture(scope="session")
def chromium_type(playwright):
    """Chromium's BrowserType, for launch_persistent_context(executable_path=CHROMIUM, ...)."""
    return playwright.chromium


@pytest.fixture(scope="session")
def browser(chromium_type):
    """One headless Debian Chromium per test process (contexts give each test its own cookies)."""
    chromium = chromium_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # one line per asset would drown the test output
        pass


class LiveServer:
    """The WSGI app on 127.0.0.1 and a free port, served from a background thread."""

    def __init__(self, app, host: str = "127.0.0.1"):
        self.server = make_server(host, 0, app, threaded=True, request_handler=_QuietHandler)
        self.port = self.server.server_port
        self.url = f"http://{host}:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(app):
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def demo_site(committed, live_server):
    """The live server's URL, with the demo district committed (every table emptied afterwards)."""
    seed_demo("demo")
    return live_server.url


@pytest.fixture
def new_context(browser, request):
    """new_context(viewport) → a fresh browser context (own cookies), Vietnamese browser locale."""
    if "demo_site" in request.fixturenames:
        request.getfixturevalue("demo_site")  # set up first, so the pages close before the tables empty
    contexts = []

    def _new(viewport=TABLET, **options):
        options.setdefault("locale", "vi-VN")
        options.setdefault("timezone_id", "Asia/Ho_Chi_Minh")
        context = browser.new_context(viewport=viewport, has_touch=viewport in (TABLET, TABLET_LANDSCAPE), **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield _new
    failed = _failed(request.node)
    for number, context in enumerate(contexts):
        if failed:
            _screenshot_pages(context, request.node.nodeid, number)
        context.close()


def _failed(node) -> bool:
    reports = (getattr(node, f"report_{when}", None) for when in ("setup", "call"))
    return any(report is not None and report.failed for report in reports)


def _screenshot_pages(context, nodeid: str, number: int) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid)
    for index, page in enumerate(context.pages):
        try:
            page.screenshot(path=ARTIFACTS / f"{stem}-{number}-{index}.png")
        except Exception:  # noqa: BLE001  a closed or crashed page must not hide the real failure
            pass


@pytest.fixture
def tablet(new_context, demo_site) -> Page:
    """A page on a 10-inch tablet in portrait (800x1280), demo data loaded."""
    return new_context(TABLET).new_page()


@pytest.fixture
def desktop(new_context, demo_site) -> Page:
    """A page on a desktop screen (1366x900), demo data loaded."""
    return new_context(DESKTOP).new_page()


def sign_in(page: Page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real form and wait for the home page."""
    page.goto(f"{base_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def click_and_wait(page: Page, target: str | Locator) -> None:
    """Click a link or a form's button and wait until the page it opens has loaded. click() returns
    once that navigation commits, before the new page is parsed (on a busy machine, before it even
    starts): a read right after it (count(), inner_text(), page.url, the database) races the load.
    Use it where the old page could pass the check too, or before several reads of the new one."""
    locator = page.locator(target).first if isinstance(target, str) else target
    with page.expect_navigation():
        locator.click()


def sign_out(page: Page, base_url: str) -> None:
    """Sign out through the user menu and wait for the sign-in page."""
    page.click(".usermenu summary")
    page.click("form[action='/logout'] button")
    page.wait_for_url(f"{base_url}/login")


def save_screenshot(page: Page, name: str) -> None:
    """With CCHC_SCREENSHOTS set, save the viewport as <name>.png in 256 colours (small enough for docs/)."""
    if not SCREENSHOTS:
        return
    Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
    image = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    image.quantize(colors=256, dither=Image.Dither.NONE).save(Path(SCREENSHOTS) / f"{name}.png", optimize=True)


# ---- an inspection of today on the tablet, shared by the field, sync, offline and minutes tests

def schedule_field_inspection(*, start: bool) -> tuple[Inspection, dict]:
    tree = make_tree()
    people = {
        "leader": make_user(role=Role.LEADER, unit=tree["pc"], username="lanhdao", full_name="Võ Văn Thành"),
        "lead": make_user(role=Role.INSPECTOR, unit=tree["dept"], username="truongdoan",
                          full_name="Nguyễn Thị Thu Hà"),
        "member": make_user(role=Role.INSPECTOR, unit=tree["dept"], username="thanhvien",
                            full_name="Lê Minh Tâm"),
    }
    template = make_template(unit=tree["pc"], name="Kiểm tra hoạt động của Bộ phận Một cửa", criteria=CRITERIA)
    inspection = scheduling.schedule_inspection(
        people["leader"], ordering_unit=tree["pc"], target=tree["a"], kind=InspectionKind.SCHEDULED,
        start_on=local_today(), template=template, lead_id=people["lead"].id, member_ids=[people["member"].id],
        number="07/KH-ĐKT", title="Kiểm tra công tác cải cách hành chính tại UBND xã An Phước")
    scheduling.announce_inspection(people["leader"], inspection)
    scheduling.schedule_inspection(  # a later one, listed under "Sắp tới"
        people["leader"], ordering_unit=tree["pc"], target=tree["b"], kind=InspectionKind.THEMATIC,
        start_on=local_today() + timedelta(days=3), end_on=local_today() + timedelta(days=4), template=template,
        lead_id=people["member"].id, member_ids=[people["lead"].id], number="08/KH-ĐKT")
    if start:
        fieldwork.start_inspection(people["lead"], inspection, device_time=datetime.now(TZ))
    db.session.commit()
    return inspection, people


@pytest.fixture
def started(committed, live_server) -> dict:
    """An inspection of today (ten criteria, a lead and a member), already started on site."""
    inspection, people = schedule_field_inspection(start=True)
    items = inspection_items(inspection.id)
    return {"url": live_server.url, "id": inspection.id, "items": items, **people}


def inspection_items(inspection_id: int) -> list[int]:
    template_id = db.session.get(Inspection, inspection_id).template_id
    return list(db.session.execute(select(ChecklistItem.id).where(ChecklistItem.template_id == template_id)
                                   .order_by(ChecklistItem.position)).scalars())


def open_started(new_context, site: dict):
    page = new_context(TABLET).new_page()
    sign_in(page, site["url"], site["lead"].username, PASSWORD)
    page.goto(f"{site['url']}/field/{site['id']}")
    expect(page.locator("[data-bind=status]")).to_have_text("Đang kiểm tra")
    return page


@pytest.fixture
def site(committed, live_server) -> dict:
    inspection, people = schedule_field_inspection(start=True)
    return {"url": live_server.url, "id": inspection.id, "lead": people["lead"], "member": people["member"]}


@pytest.fixture
def marked(committed, live_server) -> dict:
    """A started inspection whose ten criteria are all marked (the third not compliant)."""
    inspection, people = schedule_field_inspection(start=True)
    for n, item_id in enumerate(inspection_items(inspection.id)):
        extra = {"value": "non_compliant", "severity": "major",
                 "description": "Sổ theo dõi hồ sơ thiếu ngày trả kết quả ở 3/10 hồ sơ."} if n == 2 else \
            {"value": "compliant"}
        fieldwork.record_result(people["lead"], inspection, item_id=item_id, client_uuid=str(uuid.uuid4()),
                                device_time=datetime.now(TZ), **extra)
    db.session.commit()
    return {"url": live_server.url, "id": inspection.id, **people}
