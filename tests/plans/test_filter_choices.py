"""The task list's filter choices (plans, units, PAR areas) are remembered per catalog version
(inspection/data/catalog.py, models/catalog.py): a change by any writer, a bulk statement included, is
offered on the next page, and a page with nothing changed does not read them again."""

import re

import pytest
from sqlalchemy import select, update

from inspection.security import scoping
from models import OrgUnit, ParArea, db
from models.enums import PlanStatus, Role
from tests.factories import Person, make_plan, make_task, make_unit, make_user
from tests.querycount import statement_budget


@pytest.fixture
def people(app, tree) -> dict:
    """A commune's officer (a narrow scope) and the province's leader (who sees everything)."""
    users = {"officer": make_user(role=Role.UNIT_OFFICER, unit=tree["a"]),
             "leader": make_user(role=Role.LEADER, unit=tree["pc"])}
    db.session.commit()
    return {key: Person(app, user) for key, user in users.items()}


def options(person, name: str) -> str:
    html = person.text("/tasks")
    return re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)


def test_a_new_plan_a_renamed_unit_and_a_renamed_area_are_offered_on_the_next_page(people, tree):
    officer, leader = people["officer"], people["leader"]
    make_plan(unit=tree["a"], number="20/KH-UBND", status=PlanStatus.ISSUED, title="Kế hoạch tuyên truyền CCHC")
    db.session.commit()
    for person in (officer, leader):
        assert "20/KH-UBND — Kế hoạch tuyên truyền CCHC" in options(person, "plan_id")
        assert "21/KH-UBND" not in options(person, "plan_id")

    make_plan(unit=tree["a"], number="21/KH-UBND", status=PlanStatus.ISSUED, title="Kế hoạch kiểm tra công vụ")
    db.session.commit()
    for person in (officer, leader):
        assert "21/KH-UBND — Kế hoạch kiểm tra công vụ" in options(person, "plan_id")

    # bulk statements, as a script or a psql session would write: no ORM event sees them
    db.session.execute(update(OrgUnit).where(OrgUnit.id == tree["a"].id).values(name="Xã An Phước (mới)"))
    db.session.commit()
    assert "Xã An Phước (mới)" in options(officer, "unit_id")
    area = db.session.execute(select(ParArea).order_by(ParArea.position)).scalars().first()
    db.session.execute(update(ParArea).where(ParArea.id == area.id).values(name="Cải cách thể chế (sửa)"))
    db.session.commit()
    for person in (officer, leader):
        assert "Cải cách thể chế (sửa)" in options(person, "area_id")


def test_a_page_with_nothing_changed_reads_no_choices_or_subtrees_again(app, people, tree):
    make_plan(unit=tree["a"], number="22/KH-UBND", status=PlanStatus.ISSUED)
    db.session.commit()
    officer = people["officer"]
    with statement_budget(app, 100) as first:
        officer.text("/tasks")
    with statement_budget(app, 100) as again:
        html = officer.text("/tasks")
    assert "22/KH-UBND" in html

    def choices(statements):
        return [s for s in statements if re.match(r"\s*SELECT (plan\.id, plan\.number|par_area\.id|org_unit\.id, "
                                                  r"org_unit\.name\s+FROM)", s)]

    assert len(choices(first)) == 3 and choices(again) == []
    assert len(again) == 2  # the session's statement and the page's: the units' subtrees are remembered too


def test_the_filter_panel_shows_each_pages_own_filters_and_language(people, tree):
    """The panel is drawn once per query string, language and day (catalog.remembered_html)."""
    officer = people["officer"]
    overdue = '<option value="overdue" selected>'
    assert overdue not in officer.text("/tasks")
    assert overdue in officer.text("/tasks?timeliness=overdue")
    assert overdue in officer.text("/tasks?timeliness=overdue&after=WzFd")  # a later page keeps it
    assert overdue not in officer.text("/tasks")
    for _ in range(2):
        assert "Ngày “31/02/2024” không có thật" in officer.text("/tasks?due_from=31/02/2024")
    officer.post("/language/en", {"next": "/tasks"})
    assert '<summary>Filter by plan, area, unit, status, deadline</summary>' in officer.text("/tasks")


def test_a_unit_moved_to_another_commune_leaves_the_old_communes_scope_on_the_next_page(app, tree, plan_of_a):
    """The units' subtrees (who sees what) are remembered per catalog version too: a unit moved
    by a bulk statement leaves the old commune's pages, and its tasks become 404 there."""
    hamlet = make_unit(name="Bộ phận Một cửa xã An Phước", parent=tree["a"])
    task = make_task(unit=hamlet, plan=plan_of_a, title="Niêm yết thủ tục tại Bộ phận Một cửa")
    head = make_user(role=Role.UNIT_HEAD, unit=tree["a"])
    db.session.commit()
    head = Person(app, head)
    assert "Niêm yết thủ tục tại Bộ phận Một cửa" in head.text("/tasks")
    assert head.get(f"/tasks/{task.id}").status_code == 200

    db.session.execute(update(OrgUnit).where(OrgUnit.id == hamlet.id).values(parent_id=tree["b"].id))
    db.session.commit()
    assert "Niêm yết thủ tục tại Bộ phận Một cửa" not in head.text("/tasks")
    assert head.get(f"/tasks/{task.id}").status_code == 404


@pytest.fixture
def plan_of_a(tree):
    plan = make_plan(unit=tree["a"], number="30/KH-UBND", status=PlanStatus.ISSUED)
    db.session.commit()
    return plan


def test_a_wide_scope_remembers_its_plans_and_is_offered_another_units_plan_once_it_supports_a_task(
        app, tree, monkeypatch):
    """A leader over more units than NARROW_SCOPE (the recursive form, a province's leader): the
    plan of a unit outside the scope is offered once a unit inside leads or supports one of its
    tasks, on the next page; a page with nothing changed does not read the plans again."""
    monkeypatch.setattr(scoping, "NARROW_SCOPE", 1)
    outside = make_plan(unit=tree["root"], number="31/KH-UBND", status=PlanStatus.ISSUED, title="Kế hoạch của tỉnh")
    make_task(unit=tree["root"], plan=outside)
    leader = make_user(role=Role.LEADER, unit=tree["pc"])
    db.session.commit()
    leader = Person(app, leader)
    assert "31/KH-UBND" not in options(leader, "plan_id")

    make_task(unit=tree["root"], plan=outside, support_units=[tree["b"]])
    db.session.commit()
    assert "31/KH-UBND — Kế hoạch của tỉnh" in options(leader, "plan_id")
    with statement_budget(app, 100) as again:
        assert "31/KH-UBND — Kế hoạch của tỉnh" in options(leader, "plan_id")
    assert not [s for s in again if "SELECT plan.id, plan.number" in s]
