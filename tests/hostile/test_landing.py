"""The battery's landing check (tests/hostile/landing.py) knows a POST-only address when it meets
one, so a refusal answered there cannot pass unseen."""

from tests.hostile import landing


def test_the_landing_check_tells_post_only_addresses_from_pages(app):
    assert landing.post_only(app, "/tasks/1/progress") and landing.post_only(app, "/inspections/3/results")
    assert not landing.post_only(app, "/tasks/1")  # the page the form lives on
    assert not landing.post_only(app, "/inspections/new")  # a form answered on its own page (GET and POST)
    assert not landing.post_only(app, "/no/such/page")
