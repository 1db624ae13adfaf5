"""No one from the inspected unit or its subtree (merged units included) on a surprise inspection's
team, on every path that puts a person there: the scheduling form, the annual inspection plan, a
team change (form and candidates list), the start on site (page and API), and later membership
changes by the administrator (a user edit, a merge) which take the person off the team, audited,
the coordinator told and the person not. A scheduled inspection only gets a warning."""

import re

import pytest
from sqlalchemy import func, select

from inspection.errors import ValidationError
from inspection.inspections import fieldwork, scheduling
from models import AuditEvent, Inspection, InspectionMember, Notification, db
from models.enums import InspectionKind, InspectionStatus, Role
from tests.admin.helpers import post_form
from tests.factories import csrf_token, make_unit, make_user, sign_in
from tests.fieldwork import make_checklist, on_site
from tests.inspections.test_views import created_id, day

REFUSED = "thuộc Ủy ban nhân dân xã An Phước (đơn vị được kiểm tra hoặc đơn vị trực thuộc): không được tham gia "\
          "đoàn kiểm tra đột xuất"


@pytest.fixture
def people(ctx, tree):
    hamlet = make_unit(name="Bộ phận Một cửa xã An Phước", parent=tree["a"])
    users = {
        "admin": make_user(role=Role.ADMIN, unit=tree["root"], full_name="Quản Trị Viên"),
        "leader": make_user(role=Role.LEADER, unit=tree["pc"], full_name="Nguyễn Văn Lãnh"),
        "coordinator": make_user(role=Role.COORDINATOR, unit=tree["pc"], full_name="Trần Thị Điều"),
        "inspector": make_user(role=Role.INSPECTOR, unit=tree["dept"], full_name="Phạm Văn Kiểm"),
        "member": make_user(role=Role.INSPECTOR, unit=tree["dept"], full_name="Lê Thị Thành"),
        "officer": make_user(role=Role.UNIT_OFFICER, unit=tree["a"], full_name="Đặng Văn Cán"),
        "below": make_user(role=Role.UNIT_OFFICER, unit=hamlet, full_name="Bùi Thị Dưới"),
        "other": make_user(role=Role.UNIT_OFFICER, unit=tree["b"], full_name="Lý Văn Khác"),
    }
    db.session.commit()
    return users


@pytest.fixture
def template(tree, people):
    checklist = make_checklist(tree["pc"])
    db.session.commit()
    return checklist


def _schedule(people, tree, template, *, kind=InspectionKind.SURPRISE, lead="inspector", members=("member",)):
    return scheduling.schedule_inspection(
        people["leader"], ordering_unit=tree["pc"], target=tree["a"], kind=kind, start_on=on_site().date(),
        template=template, lead_id=people[lead].id, member_ids=[people[m].id for m in members])


def _team(inspection) -> set[int]:
    db.session.expire_all()
    rows = select(InspectionMember.user_id).where(InspectionMember.inspection_id == inspection.id)
    return set(db.session.execute(rows).scalars())


@pytest.mark.parametrize("lead,members,name", [
    ("inspector", ("officer",), "Đặng Văn Cán"),  # the target's own officer
    ("below", ("member",), "Bùi Thị Dưới"),  # the lead from a unit under the target
])
def test_a_surprise_team_with_someone_from_the_target_is_refused_by_name(people, tree, template, lead, members,
                                                                         name):
    with pytest.raises(ValidationError) as refused:
        _schedule(people, tree, template, lead=lead, members=members)
    assert refused.value.message.startswith(name) and REFUSED in refused.value.message
    assert db.session.execute(select(func.count(Inspection.id))).scalar_one() == 0


def test_someone_from_a_unit_merged_into_the_target_is_refused_too(people, tree, template):
    tree["b"].successor_id = tree["a"].id  # xã Tân Phước merged into xã An Phước, its officer not yet moved
    db.session.commit()
    with pytest.raises(ValidationError, match="Lý Văn Khác thuộc"):
        _schedule(people, tree, template, members=("other",))


def test_the_annual_plan_refuses_a_surprise_team_from_a_target(people, tree, template):
    targets = [{"unit": tree["b"], "start_on": on_site().date(), "lead_id": people["inspector"].id,
                "member_ids": [people["officer"].id]},
               {"unit": tree["a"], "start_on": on_site().date(), "lead_id": people["inspector"].id,
                "member_ids": [people["officer"].id]}]
    with pytest.raises(ValidationError, match="Đặng Văn Cán thuộc Ủy ban nhân dân xã An Phước"):
        scheduling.schedule_plan(people["leader"], ordering_unit=tree["pc"], number="01/KH-KT", year=2026,
                                 issued_on=on_site().date(), title="Kế hoạch kiểm tra đột xuất", targets=targets,
                                 template=template, kind=InspectionKind.SURPRISE)
    db.session.rollback()
    assert db.session.execute(select(func.count(Inspection.id))).scalar_one() == 0  # nothing half-written


def test_a_team_change_and_the_start_refuse_an_insider(people, tree, template):
    inspection = _schedule(people, tree, template)
    with pytest.raises(ValidationError, match="Bùi Thị Dưới thuộc"):
        scheduling.change_team(people["leader"], inspection, lead_id=people["inspector"].id,
                               member_ids=[people["below"].id])
    assert _team(inspection) == {people["inspector"].id, people["member"].id}
    # a row written around the services (an old import, a hand edit): the start still refuses
    db.session.add(InspectionMember(inspection_id=inspection.id, user_id=people["officer"].id))
    db.session.commit()
    inspection = db.session.get(Inspection, inspection.id)
    with pytest.raises(ValidationError, match="Đặng Văn Cán thuộc"):
        fieldwork.start_inspection(people["inspector"], inspection, device_time=on_site())
    assert inspection.status == InspectionStatus.PLANNED


def test_the_api_start_refuses_an_insider_with_the_message(app, people, tree, template):
    inspection = _schedule(people, tree, template)
    db.session.add(InspectionMember(inspection_id=inspection.id, user_id=people["officer"].id))
    db.session.commit()
    client = app.test_client()
    sign_in(client, people["inspector"])
    response = client.post(f"/api/v1/inspections/{inspection.id}/start", json={"device_time": on_site().isoformat()},
                           headers={"X-CSRFToken": csrf_token(client, "/")})
    assert response.status_code == 422 and "Đặng Văn Cán thuộc" in response.get_json()["error"]
    assert db.session.get(Inspection, inspection.id).status == InspectionStatus.PLANNED


def test_a_scheduled_inspection_keeps_an_insider_and_only_warns(people, tree, template):
    inspection = _schedule(people, tree, template, kind=InspectionKind.SCHEDULED, members=("officer",))
    assert people["officer"].id in _team(inspection)


# ---- later membership changes


def _edit_memberships(client, user, unit):
    data = {"username": user.username, "full_name": user.full_name, "title": user.title, "email": user.email,
            "version": user.version, "memberships-0-role": "unit_officer", "memberships-0-unit_id": str(unit.id)}
    return post_form(client, f"/admin/users/{user.id}/edit", data)


def _removal_seen_by(people, inspection) -> tuple[list[str], list[int]]:
    events = db.session.execute(select(AuditEvent.action).where(
        AuditEvent.target_type == "inspection", AuditEvent.target_id == str(inspection.id))).scalars().all()
    told = db.session.execute(select(Notification.user_id).where(Notification.title.like("Rút %"))).scalars().all()
    return events, sorted(told)


def test_a_member_moved_into_the_target_is_taken_off_the_team(app, client, people, tree, template):
    inspection = _schedule(people, tree, template)
    db.session.commit()
    sign_in(client, people["admin"])
    member = people["member"]
    assert _edit_memberships(client, member, tree["a"]).status_code == 302
    assert _team(inspection) == {people["inspector"].id}
    events, told = _removal_seen_by(people, inspection)
    assert "inspection.team_member_removed" in events
    assert told == sorted({people["coordinator"].id, people["leader"].id})  # never the person moved
    history = app.test_client()
    sign_in(history, people["leader"])
    page = history.get(f"/inspections/{inspection.id}/team").get_data(as_text=True)
    assert "Lê Thị Thành nay thuộc đơn vị được kiểm tra" in page


def test_a_merge_into_the_target_takes_the_merged_units_people_off(client, people, tree, template):
    inspection = _schedule(people, tree, template, members=("other",))  # xã Tân Phước's officer
    db.session.commit()
    sign_in(client, people["admin"])
    data = {"predecessors": [str(tree["b"].id)], "mode": "existing", "successor_id": str(tree["a"].id),
            "effective_on": on_site().strftime("%d/%m/%Y")}
    second = make_unit(name="Ủy ban nhân dân xã Phước Lợi", parent=tree["pc"])
    db.session.commit()
    data["predecessors"].append(str(second.id))
    response = post_form(client, "/admin/units/merge", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    assert _team(inspection) == {people["inspector"].id}
    assert "inspection.team_member_removed" in _removal_seen_by(people, inspection)[0]


# ---- the pages


def _form(tree, people, template, **changes) -> dict:
    return {"ordering_unit_id": str(tree["pc"].id), "unit_id": str(tree["a"].id), "kind": "surprise",
            "number": "06/KTĐX", "decision_ref": "Quyết định số 245/QĐ-UBND", "title": "", "start_on": day(2),
            "end_on": "", "template_id": str(template.id), "lead_id": str(people["inspector"].id),
            "member_ids": [str(people["officer"].id)]} | changes


def test_the_form_refuses_naming_the_person_and_the_team_page_leaves_insiders_out(client, people, tree, template):
    sign_in(client, people["leader"])
    refused = post_form(client, "/inspections/new", _form(tree, people, template))
    assert refused.status_code == 422 and "Đặng Văn Cán " + REFUSED in refused.get_data(as_text=True)
    inspection_id = created_id(post_form(client, "/inspections/new",
                                         _form(tree, people, template, member_ids=[str(people["member"].id)])))
    page = client.get(f"/inspections/{inspection_id}/team").get_data(as_text=True)
    options = re.findall(r'value="(\d+)"', page)
    assert str(people["member"].id) in options and str(people["other"].id) in options
    assert str(people["officer"].id) not in options and str(people["below"].id) not in options


def test_a_scheduled_team_with_an_insider_shows_the_warning(client, people, tree, template):
    sign_in(client, people["coordinator"])
    response = post_form(client, "/inspections/new", _form(tree, people, template, kind="scheduled"),
                         form_path="/inspections/new")
    inspection_id = created_id(response)
    shown = client.get(f"/inspections/{inspection_id}").get_data(as_text=True)
    warning = "Lưu ý: Đặng Văn Cán thuộc Ủy ban nhân dân xã An Phước"
    assert warning in shown and "flash-warning" in shown
    assert warning in client.get(f"/inspections/{inspection_id}/team").get_data(as_text=True)
