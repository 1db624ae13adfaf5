"""Where a refused form leaves the browser (issue 18): never on a POST-only address, whose reload
posts again and whose opening answers 405. A refusal answers on the page the form lives on: a 303 to
that page, which shows the message and the form refilled with what was typed (or a page answered at
an address that also answers GET)."""

from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException, MethodNotAllowed

from inspection.web.refused_forms import REFUSED_KEY

PAGE_STATUSES = (200, 409, 422)  # a form drawn again, with its messages
ERROR_MARKS = ('class="error"', "flash-error", 'role="alert"', "has-error")


def post_only(app, url: str) -> bool:
    """True when opening `url` (a GET) would answer 405."""
    try:
        app.url_map.bind("localhost").match(urlsplit(url).path, method="GET")
    except MethodNotAllowed:
        return True
    except HTTPException:
        return False
    return False


def kept(client, *, forget: bool = False) -> bool:
    """True when a refused form waits for the next page (inspection.web.refused_forms.keep_refusal); `forget`
    drops it (the battery posts again without opening the page)."""
    with client.session_transaction() as session:
        return (session.pop(REFUSED_KEY, None) if forget else session.get(REFUSED_KEY)) is not None


def problems(app, client, url: str, response, where: str, *, kept: bool, typed: str | None) -> list[str]:
    """What is wrong with where the refusal of a POST to `url` left the browser. `typed`: a value
    every text field refuses (then the form must be kept and show it again)."""
    status = response.status_code
    if response.mimetype == "text/html" and status in PAGE_STATUSES and post_only(app, url):
        return [f"{where}: answered {status} on its POST-only address {url} (reload posts again, opening it "
                "answers 405): answer 303 to the page the form lives on"]
    if status not in (302, 303) or typed is None:
        return []
    if not kept:
        return [f"{where}: refused with a redirect but the typed values were not kept for the page"]
    page = client.get(response.headers["Location"])
    body = page.get_data(as_text=True)
    if page.status_code != 200 or not any(mark in body for mark in ERROR_MARKS):
        return [f"{where}: the page it was sent back to ({page.status_code}) shows no message"]
    if typed not in body:
        return [f"{where}: the page it was sent back to does not show the form refilled with what was typed"]
    return []
