"""Merging units ("sáp nhập") through the page: the effect on dates, successors, members and
visibility, and every refusal (cycles, overlapping dates, too few units, successor among them)."""

from datetime import date

from sqlalchemy import select

from models import AuditEvent, Membership, OrgUnit, db
from models.enums import Role
from tests.factories import make_unit, make_user, sign_in

from .helpers import audit_actions, page_text, post_form, snapshot


def _merge(client, predecessors, **fields):
    data = {"predecessors": [str(u.id) for u in predecessors], "mode": "existing", "new_kind": "commune",
            "effective_on": "2025-07-01"}
    data.update(fields)
    return post_form(client, "/admin/units/merge", data)


def _history_communes(tree):
    for key in ("a", "b"):
        tree[key].valid_from = date(2004, 1, 1)
    db.session.commit()


def test_merging_two_communes_into_a_new_one_keeps_their_history_with_it(app, client, login_as, tree):
    login_as(Role.ADMIN, "root")
    _history_communes(tree)
    officer = make_user(role=Role.UNIT_OFFICER, unit=tree["a"], full_name="Võ Thị Ngọc Hân")
    db.session.commit()
    response = _merge(client, [tree["a"], tree["b"]], mode="new", new_code="XPT", effective_on="01/07/2025",
                      new_name="Ủy ban nhân dân xã Phước Tân", new_parent_id=str(tree["pc"].id))
    assert response.status_code == 302
    db.session.expire_all()
    c = db.session.execute(select(OrgUnit).where(OrgUnit.code == "XPT")).scalar_one()
    assert (c.valid_from, c.parent_id, c.is_active) == (date(2025, 7, 1), tree["pc"].id, True)
    for key in ("a", "b"):
        unit = db.session.get(OrgUnit, tree[key].id)
        assert (unit.valid_to, unit.successor_id, unit.is_active) == (date(2025, 6, 30), c.id, False)
        assert audit_actions("org_unit", unit.id) == ["unit.merged"]
    assert audit_actions("org_unit", c.id) == ["unit.merge_successor"]
    moved = db.session.execute(select(Membership).where(Membership.user_id == officer.id)).scalar_one()
    assert moved.unit_id == c.id
    assert audit_actions("membership", moved.id) == ["membership.moved"]
    detail = page_text(client.get(f"/admin/units/{c.id}"))
    assert "Ủy ban nhân dân xã An Phước" in detail and "01/01/2004 – 30/06/2025" in detail
    user_of_c = make_user(role=Role.UNIT_OFFICER, unit=c)
    db.session.commit()
    theirs = app.test_client()
    sign_in(theirs, user_of_c)
    units = page_text(theirs.get("/admin/units"))
    assert "Ủy ban nhân dân xã An Phước" in units and "Ủy ban nhân dân xã Tân Phước" in units
    assert theirs.get(f"/admin/units/{tree['a'].id}").status_code == 200
    old = page_text(theirs.get(f"/admin/units/{tree['a'].id}"))
    assert "Đã sáp nhập vào" in old and "từ ngày 01/07/2025" in old


def test_merging_into_an_existing_unit_moves_members_without_duplicate_roles(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    target = make_unit(name="Ủy ban nhân dân xã Đích", parent=tree["pc"])
    both = make_user(role=Role.VIEWER, unit=tree["a"])
    both.memberships.append(Membership(role=Role.VIEWER, unit_id=tree["b"].id))
    db.session.commit()
    assert _merge(client, [tree["a"], tree["b"]], successor_id=str(target.id)).status_code == 302
    db.session.expire_all()
    rows = db.session.execute(select(Membership.role, Membership.unit_id).where(Membership.user_id == both.id))
    assert rows.all() == [("viewer", target.id)]
    removed = db.session.execute(select(AuditEvent).where(AuditEvent.action == "membership.removed_by_merge"))
    assert removed.scalars().one().before["unit_id"] == tree["b"].id


def _refused(client, predecessors, message, **fields):
    before = snapshot()
    response = _merge(client, predecessors, **fields)
    assert response.status_code == 422
    assert message in page_text(response)
    assert snapshot() == before


def test_merge_into_a_unit_inside_a_predecessor_is_a_cycle(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    inner = make_unit(name="Ấp Một", parent=tree["a"], kind="other")
    db.session.commit()
    _refused(client, [tree["a"], tree["b"]], "sáp nhập sẽ tạo vòng lặp", successor_id=str(inner.id))


def test_merge_into_a_unit_already_merged_into_a_predecessor_is_refused(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    old = make_unit(name="Xã Cũ Đã Nhập", parent=tree["pc"], valid_to=date(2020, 12, 31),
                    successor_id=tree["a"].id, is_active=False)
    db.session.commit()
    _refused(client, [tree["a"], tree["b"]], "đã được sáp nhập vào đơn vị khác", successor_id=str(old.id))


def test_a_new_unit_placed_under_a_predecessor_is_a_cycle(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    _refused(client, [tree["a"], tree["b"]], "sáp nhập sẽ tạo vòng lặp", mode="new", new_code="XV",
             new_name="Xã Vòng", new_parent_id=str(tree["a"].id))


def test_effective_date_before_a_predecessor_began_overlaps(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    tree["b"].valid_from = date(2025, 9, 1)
    db.session.commit()
    _refused(client, [tree["a"], tree["b"]], "Ngày sáp nhập phải sau ngày “Ủy ban nhân dân xã Tân Phước” bắt đầu",
             successor_id=str(tree["dept"].id))


def test_a_predecessor_that_already_ended_overlaps(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    tree["a"].valid_to = date(2025, 3, 31)
    db.session.commit()
    _refused(client, [tree["a"], tree["b"]], "thời gian hiệu lực bị chồng lấn", successor_id=str(tree["dept"].id))


def test_fewer_than_two_predecessors_is_refused(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    _refused(client, [tree["a"]], "Cần chọn ít nhất hai đơn vị bị sáp nhập", successor_id=str(tree["b"].id))


def test_successor_among_predecessors_is_refused(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    _refused(client, [tree["a"], tree["b"]], "Đơn vị kế thừa không được nằm trong danh sách",
             successor_id=str(tree["b"].id))


def test_a_merged_unit_cannot_be_reactivated(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    assert _merge(client, [tree["a"], tree["b"]], successor_id=str(tree["dept"].id)).status_code == 302
    before = snapshot()
    response = post_form(client, f"/admin/units/{tree['a'].id}/reactivate", {}, f"/admin/units/{tree['a'].id}")
    assert "không thể hoạt động trở lại" in page_text(client.get(response.headers["Location"]))
    assert snapshot() == before


def test_merge_page_is_forbidden_to_a_coordinator(client, login_as, tree):
    login_as(Role.COORDINATOR, "pc")
    before = snapshot()
    assert client.get("/admin/units/merge").status_code == 403
    response = client.post("/admin/units/merge", data={"predecessors": [tree["a"].id, tree["b"].id]})
    assert response.status_code in (400, 403)
    assert snapshot() == before
