"""What a tablet on weak 4G downloads: the static CSS and scripts come compressed (Brotli or zstd,
whichever the browser offers), decode to the same file, and are revalidated with a 304; pages and
API answers, which carry tokens beside what a user typed, never are (BREACH)."""

import brotli
from backports import zstd

from tests.factories import make_tree, make_user, sign_in

BROWSER = "gzip, deflate, br, zstd"  # what Chromium sends


def _body(client, path: str, **headers) -> bytes:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, path
    return response.get_data()


def test_the_field_screens_css_and_scripts_arrive_compressed_to_a_fraction_and_decode_to_the_same_file(client):
    for path, decode in (("/static/css/app.css", brotli.decompress), ("/static/js/field-outbox.js", brotli.decompress)):
        plain = _body(client, path)
        response = client.get(path, headers={"Accept-Encoding": "br"})
        assert response.headers["Content-Encoding"] == "br"
        assert "Accept-Encoding" in response.headers["Vary"]
        squeezed = response.get_data()
        assert len(squeezed) < len(plain) / 3, (path, len(squeezed), len(plain))
        assert decode(squeezed) == plain
    chromium = client.get("/static/css/app.css", headers={"Accept-Encoding": BROWSER})
    assert chromium.headers["Content-Encoding"] == "zstd"
    assert zstd.decompress(chromium.get_data()) == _body(client, "/static/css/app.css")


def test_a_cached_stylesheet_is_revalidated_with_a_304_not_sent_again(client):
    first = client.get("/static/css/app.css", headers={"Accept-Encoding": BROWSER})
    again = client.get("/static/css/app.css", headers={"Accept-Encoding": BROWSER,
                                                       "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.get_data()


def test_pages_and_api_answers_are_never_compressed(client):
    tree = make_tree()
    user = make_user(unit=tree["dept"])
    sign_in(client, user)
    for path in ("/", "/tasks", "/api/v1/inspections/today"):
        response = client.get(path, headers={"Accept-Encoding": BROWSER})
        assert response.status_code == 200, path
        assert "Content-Encoding" not in response.headers, path
