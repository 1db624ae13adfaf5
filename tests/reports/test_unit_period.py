"""A unit's remediation report: its period is typed dd/mm/yyyy like every date of the app, and a
date that is not one is said so (the default period is used)."""

import html

from models.enums import Role
from tests.factories import make_user, sign_in


def test_the_period_is_typed_dd_mm_yyyy_and_a_bad_date_is_named(client, tree):
    sign_in(client, make_user(role=Role.UNIT_HEAD, unit=tree["a"]))
    url = f"/reports/units/{tree['a'].id}"
    page = html.unescape(client.get(f"{url}?start=01/03/2026&end=30/06/2026").get_data(as_text=True))
    assert 'id="start" name="start" type="text"' in page and 'value="01/03/2026"' in page
    assert 'value="30/06/2026"' in page
    bad = html.unescape(client.get(f"{url}?start=31/02/2026&end=30/06/2026").get_data(as_text=True))
    assert "Ngày “31/02/2026” không có thật hoặc sai định dạng" in bad
