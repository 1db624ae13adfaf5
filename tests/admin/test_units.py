"""Units through the pages: create, edit, deactivate with warnings, reactivate, detail."""

from sqlalchemy import select

from models import Membership, OrgUnit, db
from models.enums import Role
from tests.factories import make_user, sign_in

from .helpers import audit_actions, page_text, post_form, snapshot


def _new_unit_data(parent, **changes) -> dict:
    data = {"parent_id": parent.id, "name": "Ủy ban nhân dân xã Bình Thạnh", "short_name": "", "code": "XBT",
            "kind": "commune", "place_name": "Bình Thạnh", "address": "", "valid_from": "01/07/2025",
            "requires_head_confirmation": "y"}
    data.update(changes)
    return data


def _unit_by_code(code):
    return db.session.execute(select(OrgUnit).where(OrgUnit.code == code)).scalar_one_or_none()


def test_admin_creates_a_unit_under_a_visible_parent(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    response = post_form(client, "/admin/units/new", _new_unit_data(tree["pc"]))
    assert response.status_code == 302
    unit = _unit_by_code("XBT")
    assert unit.parent_id == tree["pc"].id and unit.valid_from.isoformat() == "2025-07-01"
    assert audit_actions("org_unit", unit.id) == ["unit.created"]
    detail = page_text(client.get(f"/admin/units/{tree['pc'].id}"))
    assert "Ủy ban nhân dân xã Bình Thạnh" in detail  # listed among the parent's children


def test_duplicate_unit_code_is_refused_with_a_clear_message(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    before = snapshot()
    response = post_form(client, "/admin/units/new", _new_unit_data(tree["pc"], code=tree["a"].code))
    assert response.status_code == 422
    assert f"Mã đơn vị “{tree['a'].code}” đã được dùng" in page_text(response)
    assert snapshot() == before


def test_over_long_unit_name_is_refused(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    before = snapshot()
    response = post_form(client, "/admin/units/new", _new_unit_data(tree["pc"], name="X" * 201))
    assert response.status_code == 422
    assert "Tối đa 200 ký tự" in page_text(response)
    assert snapshot() == before


def test_unknown_parent_id_in_the_form_is_not_found(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    before = snapshot()
    response = post_form(client, "/admin/units/new", _new_unit_data(tree["pc"], parent_id="999999"))
    assert response.status_code == 404
    assert snapshot() == before


def test_editing_a_unit_to_another_units_code_is_refused(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    unit = tree["b"]
    before = snapshot()
    data = {"name": unit.name, "code": tree["a"].code, "kind": unit.kind, "version": unit.version}
    response = post_form(client, f"/admin/units/{unit.id}/edit", data)
    assert response.status_code == 422
    assert "đã được dùng cho đơn vị khác" in page_text(response)
    assert snapshot() == before


def test_deactivating_a_unit_with_members_warns_and_keeps_its_records(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    member = make_user(role=Role.UNIT_OFFICER, unit=tree["a"])
    db.session.commit()
    url = f"/admin/units/{tree['a'].id}/deactivate"
    assert "còn 1 người dùng đang hoạt động" in page_text(client.get(url))
    before = snapshot()
    refused = post_form(client, url, {})
    assert refused.status_code == 422
    assert "Hãy xác nhận đã đọc các cảnh báo" in page_text(refused)
    assert snapshot() == before
    assert post_form(client, url, {"acknowledge": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(OrgUnit, tree["a"].id).is_active is False
    kept = db.session.execute(select(Membership).where(Membership.user_id == member.id)).scalar_one()
    assert kept.unit_id == tree["a"].id  # records stay
    assert audit_actions("org_unit", tree["a"].id) == ["unit.deactivated"]


def test_deactivating_a_unit_with_active_children_warns(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    html = page_text(client.get(f"/admin/units/{tree['pc'].id}/deactivate"))
    assert "còn 3 đơn vị trực thuộc đang hoạt động" in html


def test_a_stopped_unit_can_be_reactivated_and_is_marked_in_the_list(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    tree["b"].is_active = False
    db.session.commit()
    assert "Ngừng hoạt động" in page_text(client.get("/admin/units?q=tan+phuoc"))
    response = post_form(client, f"/admin/units/{tree['b'].id}/reactivate", {}, f"/admin/units/{tree['b'].id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(OrgUnit, tree["b"].id).is_active is True
    assert audit_actions("org_unit", tree["b"].id) == ["unit.reactivated"]


def test_unit_detail_lists_children_and_members(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    make_user(role=Role.UNIT_HEAD, unit=tree["pc"], full_name="Đặng Văn Lợi")
    db.session.commit()
    html = page_text(client.get(f"/admin/units/{tree['pc'].id}"))
    for name in ("Phòng Nội vụ", "Ủy ban nhân dân xã An Phước", "Ủy ban nhân dân xã Tân Phước", "Đặng Văn Lợi"):
        assert name in html
    assert "Thủ trưởng đơn vị" in html


def test_a_parent_unit_the_viewer_cannot_see_is_named_not_linked(app, client, login_as, tree):
    """A commune's head sees their commune's page: its People's Committee is named as text, since
    opening it would answer 404; an administrator gets the link."""
    login_as(Role.UNIT_HEAD, "a")
    html = client.get(f"/admin/units/{tree['a'].id}").get_data(as_text=True)
    assert tree["pc"].name in html and f'/admin/units/{tree["pc"].id}"' not in html
    assert client.get(f"/admin/units/{tree['pc'].id}").status_code == 404
    admin = app.test_client()
    sign_in(admin, make_user(role=Role.ADMIN, unit=tree["root"]))
    assert f'/admin/units/{tree["pc"].id}"' in admin.get(f"/admin/units/{tree['a'].id}").get_data(as_text=True)
