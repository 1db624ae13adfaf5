"""Government intranets: nothing is fetched from outside the app, and the strict CSP holds."""

import pytest

from .conftest import DESKTOP, TABLET, sign_in

pytestmark = pytest.mark.browser

EXTRA_PAGES = ["/notifications", "/no-such-page"]  # besides every entry of the main menu
# Playwright's init scripts are exempt from the page's CSP: this one records every violation.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI));
"""


class Watch:
    """Blocks and records every request outside the origin; records console errors."""

    def __init__(self, context, origin: str):
        self.origin = origin
        self.foreign: list[str] = []
        self.errors: list[str] = []
        context.route("**/*", self._route)
        context.add_init_script(RECORD_VIOLATIONS)

    def _route(self, route):
        url = route.request.url
        if url == self.origin or url.startswith(self.origin + "/"):
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def attach(self, page):
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        return page


@pytest.mark.parametrize(("username", "viewport"), [("admin", DESKTOP), ("inspector", TABLET),
                                                  ("officer", TABLET)], ids=["admin", "inspector", "officer"])
def test_pages_load_only_from_the_app_origin_without_csp_violations(demo_site, new_context, username, viewport):
    context = new_context(viewport)
    watch = Watch(context, demo_site)
    page = watch.attach(context.new_page())
    sign_in(page, demo_site, username)
    menu = page.eval_on_selector_all("#mainnav a", "links => links.map((a) => a.getAttribute('href'))")
    assert len(menu) >= 2
    for path in [*menu, *EXTRA_PAGES]:
        page.goto(f"{demo_site}{path}")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__cspViolations") == [], path
    page.click(".usermenu summary")  # a script-driven widget, after all the navigation
    assert watch.foreign == []
    # the 404 page's own status line is the only console error a browser reports here
    assert [e for e in watch.errors if "404" not in e] == []


def test_the_watch_catches_foreign_requests_and_csp_violations(demo_site, new_context):
    """The watch itself: an outside image is refused by the CSP (and recorded); an outside
    navigation, which no CSP governs, is recorded and blocked."""
    context = new_context()
    watch = Watch(context, demo_site)
    page = watch.attach(context.new_page())
    page.goto(f"{demo_site}/login")
    page.evaluate("""() => new Promise((done) => { const img = new Image();
        img.onerror = done; img.onload = done; img.src = "http://example.invalid/x.png"; })""")
    assert page.evaluate("window.__cspViolations") == ["img-src http://example.invalid/x.png"]
    with pytest.raises(Exception):  # noqa: B017  the aborted navigation fails in Playwright
        page.goto("http://example.invalid/")
    assert watch.foreign == ["http://example.invalid/"]
