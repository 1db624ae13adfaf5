"""Who reaches the administration pages: 403 for records a user sees but may not manage,
404 for records outside their scope, and the admin-only entry points."""

import pytest

from models import db
from models.enums import Role
from tests.factories import csrf_token, make_unit, make_user

from .helpers import page_text, snapshot


@pytest.fixture
def elsewhere(ctx, tree):
    """A unit and a user in another province: outside everyone's scope but the admin's."""
    unit = make_unit(name="Tỉnh Khác", kind="province")
    user = make_user(unit=unit, full_name="Người Ở Tỉnh Khác")
    db.session.commit()
    return {"unit": unit, "user": user}


@pytest.mark.parametrize("path", ["/admin/units/{a}/edit", "/admin/units/{a}/deactivate",
                                  "/admin/users/{user}/edit"])
def test_leader_gets_403_on_admin_pages_for_records_they_see(client, login_as, tree, path):
    login_as(Role.LEADER, "pc")
    user = make_user(unit=tree["a"])
    db.session.commit()
    assert client.get(path.format(a=tree["a"].id, user=user.id)).status_code == 403


@pytest.mark.parametrize("path", ["/admin/units/{unit}", "/admin/units/{unit}/edit",
                                  "/admin/units/{unit}/deactivate", "/admin/users/{user}/edit"])
def test_leader_gets_404_for_records_outside_their_scope(client, login_as, elsewhere, path):
    login_as(Role.LEADER, "pc")
    assert client.get(path.format(unit=elsewhere["unit"].id, user=elsewhere["user"].id)).status_code == 404


@pytest.mark.parametrize("path", ["/admin/units/{a}/reactivate", "/admin/users/{user}/deactivate",
                                  "/admin/users/{user}/reactivate", "/admin/users/{user}/reset-password"])
def test_state_changes_by_a_non_admin_are_refused_and_change_nothing(client, login_as, tree, elsewhere, path):
    login_as(Role.COORDINATOR, "pc")
    user = make_user(unit=tree["a"])
    db.session.commit()
    token = csrf_token(client, "/")
    before = snapshot()
    seen = client.post(path.format(a=tree["a"].id, user=user.id), data={"csrf_token": token})
    unseen = client.post(path.format(a=elsewhere["unit"].id, user=elsewhere["user"].id), data={"csrf_token": token})
    assert (seen.status_code, unseen.status_code) == (403, 404)
    assert snapshot() == before


@pytest.mark.parametrize("path", ["/admin/units/new", "/admin/units/merge", "/admin/users/new",
                                  "/admin/import/units", "/admin/import/users", "/admin/import/users/template.xlsx"])
def test_admin_only_pages_are_forbidden_to_a_leader(client, login_as, path):
    login_as(Role.LEADER, "pc")
    assert client.get(path).status_code == 403


def test_unit_officer_sees_their_units_but_not_the_user_list(client, login_as, tree):
    login_as(Role.UNIT_OFFICER, "a")
    assert client.get(f"/admin/units/{tree['a'].id}").status_code == 200
    assert client.get(f"/admin/units/{tree['b'].id}").status_code == 404
    assert client.get("/admin/users").status_code == 403
    units = page_text(client.get("/admin/units"))
    assert "An Phước" in units and "Tân Phước" not in units


def test_leader_lists_users_of_their_subtree_without_manage_links(client, login_as, tree, elsewhere):
    login_as(Role.LEADER, "pc")
    user = make_user(unit=tree["a"], full_name="Phạm Thị Mai")
    db.session.commit()
    html = page_text(client.get("/admin/users"))
    assert "Phạm Thị Mai" in html and "Người Ở Tỉnh Khác" not in html
    assert f"/admin/users/{user.id}/edit" not in html
    assert ">Người dùng</a>" not in html  # the admin's navigation link is not offered


def test_admin_sees_the_users_link_in_the_navigation(client, login_as):
    login_as(Role.ADMIN, "root")
    assert ">Người dùng</a>" in page_text(client.get("/"))
