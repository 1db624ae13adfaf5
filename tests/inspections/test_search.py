"""Searching inspections by a place name (issue 18): the records of the place typed, as whole words,
come before those of a place whose name merely contains it ("An Phước" before "Tân Phước"), with or
without diacritics, each part in the list's own order, page after page."""

import re
from datetime import timedelta
from html import unescape

from inspection.inspections import scheduling
from inspection.language.formatting import local_today
from models import db
from models.enums import InspectionKind, Role
from tests.factories import make_template, make_unit, make_user, sign_in


def _listed(client, url: str) -> list[int]:
    """The ids of every page of the list, in order, following "Trang sau"."""
    found = []
    while url:
        page = client.get(url)
        assert page.status_code == 200, url
        text = page.get_data(as_text=True)
        found += [int(i) for i in re.findall(r'href="/inspections/(\d+)"', text)]
        following = re.search(r'href="(/inspections\?[^"]*after=[^"]*)"', text)
        url = unescape(following.group(1)) if following else None
    return found


def test_a_place_name_lists_that_place_first_then_the_places_containing_it(app, client, tree):
    today = local_today()
    an_phuoc = make_unit(name="Ủy ban nhân dân xã An Phước", parent=tree["pc"])
    tan_phuoc = make_unit(name="Ủy ban nhân dân xã Tân Phước", parent=tree["pc"])
    coordinator = make_user(role=Role.COORDINATOR, unit=tree["pc"])
    inspector = make_user(role=Role.INSPECTOR, unit=tree["dept"])
    template = make_template(unit=tree["pc"])
    ids = {"an": [], "tan": []}
    for n in range(6):  # Tân Phước's inspections are the newest: the default order would list them first
        key, unit = ("tan", tan_phuoc) if n % 2 else ("an", an_phuoc)
        inspection = scheduling.schedule_inspection(
            coordinator, ordering_unit=tree["pc"], target=unit, kind=InspectionKind.SCHEDULED,
            start_on=today + timedelta(days=n), template=template, lead_id=inspector.id, member_ids=[],
            title=f"Kiểm tra công tác cải cách hành chính {n + 1}")
        ids[key].append(inspection.id)
    db.session.commit()
    sign_in(client, coordinator)
    newest_first = lambda keys: sorted(keys, reverse=True)  # noqa: E731  (start dates follow the ids)
    saved = app.config["PAGE_SIZE"]
    app.config["PAGE_SIZE"] = 2  # the boundary between the two parts falls inside a page and across pages
    try:
        for q in ("An Phước", "an phuoc", "AN PHUOC"):
            assert _listed(client, f"/inspections?q={q}") == newest_first(ids["an"]) + newest_first(ids["tan"]), q
        assert _listed(client, "/inspections?q=an+phuoc&sort=upcoming") == sorted(ids["an"]) + sorted(ids["tan"])
        assert _listed(client, "/inspections?q=tan+phuoc") == newest_first(ids["tan"])  # no whole word in An Phước
        assert _listed(client, "/inspections?q=phuoc") == newest_first(ids["an"] + ids["tan"])  # both whole: by date
    finally:
        app.config["PAGE_SIZE"] = saved


def _ids_in(client, url: str, pattern: str) -> list[int]:
    page = client.get(url)
    assert page.status_code == 200, url
    found = [int(i) for i in re.findall(pattern, page.get_data(as_text=True))]
    return list(dict.fromkeys(found))  # a row may link to its record twice


def test_the_task_remediation_and_unit_searches_list_the_named_place_first(client, tree):
    """Tân Phước's records come first in each list's own order (nearest deadline; a ward's name
    sorts before a commune's), so only the whole-word rank puts An Phước's first."""
    from datetime import date

    from tests.factories import make_plan, make_task
    from tests.scenario import new_action_for

    tan_phuoc = make_unit(name="Ủy ban nhân dân phường Tân Phước", parent=tree["pc"])
    an_phuoc = make_unit(name="Ủy ban nhân dân xã An Phước", parent=tree["pc"])
    plan = make_plan(unit=tree["pc"])
    tasks = [make_task(unit=unit, plan=plan, title=f"Rà soát thủ tục hành chính tại {unit.name}",
                       deadline=date(2026, 9, day)) for day, unit in ((1, tan_phuoc), (2, an_phuoc))]
    actions = [new_action_for(unit) for unit in (tan_phuoc, an_phuoc)]
    actions[1].deadline = actions[0].deadline + timedelta(days=5)
    admin = make_user(role=Role.ADMIN, unit=tree["pc"])
    db.session.commit()
    sign_in(client, admin)
    for q in ("An Phước", "an phuoc"):
        assert _ids_in(client, f"/tasks?q={q}&sort=deadline", r'href="/tasks/(\d+)"') == [tasks[1].id, tasks[0].id]
        assert _ids_in(client, f"/remediation?q={q}", r'href="/remediation/(\d+)"') == [actions[1].id, actions[0].id]
        units = _ids_in(client, f"/admin/units?q={q}", r'href="/admin/units/(\d+)"')
        assert [i for i in units if i in (an_phuoc.id, tan_phuoc.id)] == [an_phuoc.id, tan_phuoc.id], q
