"""Việc cần làm on a tablet in portrait: the first card under the greeting, above the fold; each
line's count is the number of rows its link opens; the menu's badges; the inspector's line of
unsynced items counts this device's outbox (IndexedDB). With CCHC_SCREENSHOTS set, each role's home
page is saved at 800x1280 and 1366x900 (home-todo-<role>-<viewport>.png)."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, TABLET, save_screenshot, sign_in

pytestmark = pytest.mark.browser

ROLES = ("officer", "head", "coordinator", "leader", "inspector")
ROWS = {"/tasks": "table.task-table tbody a[href^='/tasks/']", "/remediation": "table tbody a[href^='/remediation/']",
        "/inspections": "table tbody a[href^='/inspections/']"}


def _queue_items(page, user_id: int, n: int) -> None:
    """n items waiting in this device's outbox for the user, as field-outbox.js stores them."""
    page.evaluate("""([user, n]) => new Promise((resolve, reject) => {
        const open = indexedDB.open("cchc-outbox", 2);
        open.onupgradeneeded = () => {
          open.result.createObjectStore("items", {keyPath: "seq", autoIncrement: true}).createIndex("user", "user");
          open.result.createObjectStore("devices", {keyPath: "user"});
        };
        open.onsuccess = () => {
          const t = open.result.transaction("items", "readwrite");
          for (let i = 0; i < n; i++) {
            t.objectStore("items").put({user, state: "queued", kind: "result", url: "/x", payload: {}});
          }
          t.oncomplete = () => { open.result.close(); resolve(); };
          t.onerror = () => reject(t.error);
        };
        open.onerror = () => reject(open.error);
      })""", [user_id, n])


def _check_lines(page, base_url: str) -> int:
    """Open each line's link in turn: its list shows as many rows as the line counts."""
    lines = page.locator("[data-todo-line]:not([data-todo-line=unsynced]) a")
    found = [(a.get_attribute("href"), int(a.locator(".todo-count").inner_text())) for a in lines.all()]
    for href, count in found:
        page.goto(base_url + href)
        assert page.locator(ROWS[href.split("?")[0]]).evaluate_all(
            "links => new Set(links.map(a => a.getAttribute('href').split('/')[2].split('?')[0])).size") == count, href
    return len(found)


@pytest.mark.parametrize("username", ROLES)
def test_todo_counts_open_their_rows_on_a_tablet(demo_site, new_context, whole_lists, username):
    page = new_context(TABLET).new_page()
    sign_in(page, demo_site, username)
    todo = page.locator("section.todo")
    expect(todo).to_be_visible()
    box = todo.bounding_box()
    assert box["y"] < 400, "the first thing under the greeting"
    assert todo.locator("li").first.bounding_box()["y"] + 44 < 1280, "above the fold"
    if username == "inspector":
        user_id = int(page.locator("[data-outbox-user]").get_attribute("data-outbox-user"))
        _queue_items(page, user_id, 3)
        page.reload()
        expect(page.locator("[data-todo-line=unsynced] .todo-count")).to_have_text("3")
        expect(page.locator("[data-outbox-badge]")).to_have_text("3")
    save_screenshot(page, f"home-todo-{username}-tablet")
    server_lines = todo.locator("[data-todo-line]:not([data-todo-line=unsynced]) .todo-count")
    counts = [int(c) for c in server_lines.all_text_contents()]
    badges = [int(re.sub(r"\D", "", b)) for b in page.locator(".nav-count[data-todo]").all_text_contents()]
    assert bool(badges) == any(counts) and all(badges), "the menu shows this user's counts"
    assert max(badges, default=0) <= sum(counts)
    assert _check_lines(page, demo_site) == len(counts) >= 2
    desktop = new_context(DESKTOP).new_page()
    sign_in(desktop, demo_site, username)
    save_screenshot(desktop, f"home-todo-{username}-desktop")
