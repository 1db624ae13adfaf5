"""Dashboard fixtures: the demo district in the test's transaction, its users, and helpers that
read the figures a page shows and the rows of the lists they link to."""

import re
from html import unescape

import pytest
from sqlalchemy import select

from inspection.demo.seed import DEMO_PASSWORD, seed_demo
from models import OrgUnit, User, db
from tests.factories import sign_in


@pytest.fixture
def demo(ctx):
    """The demo province (UBND tỉnh Đồng Tháp), committed inside the test's outer transaction."""
    seed_demo("demo")
    return {"user": _user, "unit": _unit}


def _user(username: str) -> User:
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def _unit(code: str) -> OrgUnit:
    return db.session.execute(select(OrgUnit).where(OrgUnit.code == code)).scalar_one()


@pytest.fixture
def demo_login(client, demo):
    """demo_login(username) signs the test client in as a demo user."""

    def _login(username: str) -> User:
        user = _user(username)
        sign_in(client, user, password=DEMO_PASSWORD)
        return user

    return _login


@pytest.fixture
def big_pages(app):
    """Lists show every row on one page, so a figure can be checked against the list it links to."""
    size = app.config["PAGE_SIZE"]
    app.config["PAGE_SIZE"] = 1000
    yield
    app.config["PAGE_SIZE"] = size


LINKED = re.compile(r'<a class="fig-n[^"]*" href="([^"]+)" data-count="(\d+)"(?: data-rows="(\w+)")?')
ROW_LINK = {"/tasks": re.compile(r'href="/tasks/(\d+)"'), "/remediation": re.compile(r'href="/remediation/(\d+)"'),
            "/inspections": re.compile(r'href="/inspections/(\d+)"'), "/findings": re.compile(r'#finding-(\d+)"')}
UNIT_CELL = re.compile(r'data-unit-id="(\d+)"')


def linked_figures(html: str) -> list[tuple[str, int, str]]:
    """(list URL, the count the figure shows, what it counts: "" rows, "units" their distinct
    units) for every linked figure of a page."""
    return [(unescape(href), int(n), rows) for href, n, rows in LINKED.findall(html)]


def rows_listed(client, href: str, rows: str = "") -> int:
    """How many distinct records the list at `href` shows (its table body only), or with
    rows="units" how many distinct units they are of."""
    response = client.get(href)
    assert response.status_code == 200, href
    html = response.get_data(as_text=True)
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    pattern = UNIT_CELL if rows == "units" else next(
        p for prefix, p in ROW_LINK.items() if href.startswith(prefix + "?") or href == prefix)
    return len(set(pattern.findall(body)))


def text_of(html: str) -> str:
    """The page's visible text, one space between words (charts and scripts left out)."""
    html = re.sub(r"<(svg|script|select)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))
