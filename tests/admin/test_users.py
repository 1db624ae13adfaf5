"""Users through the pages: create, list, edit with conflicts, deactivate, reactivate, reset."""

import re

from sqlalchemy import select

from models import Membership, User, UserSession, db
from models.enums import Role
from tests.factories import csrf_token, make_user, sign_in

from .helpers import audit_actions, page_text, post_form, snapshot


def _user_data(tree, **changes) -> dict:
    data = {"username": "vothingochan", "full_name": "Võ Thị Ngọc Hân", "title": "Công chức Văn phòng - Thống kê",
            "email": "han@anphuoc.example",
            "memberships-0-role": "unit_officer", "memberships-0-unit_id": str(tree["a"].id),
            "memberships-1-role": "inspector", "memberships-1-unit_id": str(tree["dept"].id),
            "memberships-2-role": "", "memberships-2-unit_id": ""}
    data.update(changes)
    return data


def _temporary_password(html: str) -> str:
    return re.search(r'<code class="secret">([^<]+)</code>', html).group(1)


def _by_username(username):
    db.session.expire_all()
    return db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def test_admin_creates_a_user_whose_temporary_password_works_once(app, client, login_as, tree):
    login_as(Role.ADMIN, "root")
    response = post_form(client, "/admin/users/new", _user_data(tree))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = _temporary_password(page_text(response))
    user = _by_username("vothingochan")
    assert user.must_change_password and user.full_name == "Võ Thị Ngọc Hân"
    assert {(m.role, m.unit_id) for m in user.memberships} == {("unit_officer", tree["a"].id),
                                                               ("inspector", tree["dept"].id)}
    assert audit_actions("user", user.id) == ["user.created"]
    newcomer = app.test_client()
    sign_in(newcomer, user, password)
    assert newcomer.get("/").headers["Location"].endswith("/account/password")  # forced to change it


def test_duplicate_username_is_refused_with_a_clear_message(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    make_user(unit=tree["a"], username="trungten")
    db.session.commit()
    before = snapshot()
    response = post_form(client, "/admin/users/new", _user_data(tree, username="TrungTen"))
    assert response.status_code == 422
    assert "Tên đăng nhập “trungten” đã tồn tại" in page_text(response)
    assert snapshot() == before


def test_over_long_fields_are_refused(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    before = snapshot()
    response = post_form(client, "/admin/users/new", _user_data(tree, full_name="Nguyễn " * 30, title="x" * 121))
    html = page_text(response)
    assert response.status_code == 422
    assert "Tối đa 120 ký tự" in html
    assert snapshot() == before


def test_a_user_needs_a_complete_role_row(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    before = snapshot()
    response = post_form(client, "/admin/users/new", _user_data(
        tree, **{"memberships-0-unit_id": "", "memberships-1-role": "", "memberships-1-unit_id": ""}))
    assert response.status_code == 422
    assert "cần chọn cả vai trò và đơn vị" in page_text(response)
    assert snapshot() == before


def test_bad_username_is_explained(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    response = post_form(client, "/admin/users/new", _user_data(tree, username="Nguyễn Hân"))
    assert response.status_code == 422
    assert "chữ thường không dấu" in page_text(response)


def test_user_list_searches_without_diacritics_and_filters(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    make_user(role=Role.UNIT_HEAD, unit=tree["a"], full_name="Đặng Văn Lợi")
    make_user(role=Role.UNIT_OFFICER, unit=tree["b"], full_name="Đặng Thị Lan", is_active=False)
    db.session.commit()
    assert "Đặng Văn Lợi" in page_text(client.get("/admin/users?q=dang+van+loi"))
    html = page_text(client.get("/admin/users?q=dang"))
    assert "Đặng Văn Lợi" in html and "Đặng Thị Lan" in html
    by_unit = page_text(client.get(f"/admin/users?q=dang&unit={tree['b'].id}"))
    assert "Đặng Thị Lan" in by_unit and "Đặng Văn Lợi" not in by_unit
    by_role = page_text(client.get("/admin/users?q=dang&role=unit_head"))
    assert "Đặng Văn Lợi" in by_role and "Đặng Thị Lan" not in by_role
    active = page_text(client.get("/admin/users?q=dang&active=1"))
    assert "Đặng Văn Lợi" in active and "Đặng Thị Lan" not in active


def test_user_list_pages_through_every_user_once(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    for n in range(30):
        make_user(unit=tree["a"], full_name=f"Lê Phân Trang {n:02d}")
    db.session.commit()
    seen, url = [], "/admin/users?q=phan+trang&unit=" + str(tree["a"].id)
    while url:
        html = page_text(client.get(url))
        seen += re.findall(r"Lê Phân Trang (\d\d)", html)
        nxt = re.search(r'href="(/admin/users\?after=[^"]+)"', html)
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
    assert sorted(seen) == [f"{n:02d}" for n in range(30)] and len(seen) == 30


def _edit_data(user, **changes) -> dict:
    data = {"username": user.username, "full_name": user.full_name, "title": user.title, "email": user.email,
            "version": user.version}
    for n, m in enumerate(user.memberships):
        data[f"memberships-{n}-role"], data[f"memberships-{n}-unit_id"] = m.role, m.unit_id
    data.update(changes)
    return data


def test_stale_user_edit_shows_a_conflict_and_keeps_the_first_save(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    user = make_user(unit=tree["a"], full_name="Trần Văn Cũ")
    db.session.commit()
    url = f"/admin/users/{user.id}/edit"
    stale = _edit_data(user, csrf_token=csrf_token(client, url))
    assert client.post(url, data=dict(stale, full_name="Trần Văn Mới")).status_code == 302
    response = client.post(url, data=dict(stale, full_name="Bản ghi đè"))
    assert response.status_code == 409
    assert "Trần Văn Mới" in page_text(response)
    assert _by_username(user.username).full_name == "Trần Văn Mới"


def test_editing_memberships_moves_the_user(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    user = make_user(unit=tree["a"])
    db.session.commit()
    data = _edit_data(user, **{"memberships-0-unit_id": tree["b"].id, "memberships-0-role": "unit_head"})
    assert post_form(client, f"/admin/users/{user.id}/edit", data).status_code == 302
    rows = db.session.execute(select(Membership.role, Membership.unit_id).where(Membership.user_id == user.id))
    assert rows.all() == [("unit_head", tree["b"].id)]
    assert audit_actions("user", user.id) == ["user.updated"]


def test_deactivating_a_user_ends_their_sessions_and_keeps_the_record(app, client, login_as, tree):
    login_as(Role.ADMIN, "root")
    user = make_user(unit=tree["a"])
    db.session.commit()
    theirs = app.test_client()
    sign_in(theirs, user)
    assert theirs.get("/").status_code == 200
    response = post_form(client, f"/admin/users/{user.id}/deactivate", {}, f"/admin/users/{user.id}/edit")
    assert response.status_code == 302
    assert theirs.get("/").status_code == 302  # signed out at once
    assert _by_username(user.username).is_active is False
    open_sessions = select(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    assert db.session.execute(open_sessions).first() is None
    assert audit_actions("user", user.id)[-1] == "user.deactivated"
    edit = f"/admin/users/{user.id}/edit"
    assert post_form(client, f"/admin/users/{user.id}/reactivate", {}, edit).status_code == 302
    assert _by_username(user.username).is_active is True


def test_admin_cannot_deactivate_themselves(client, login_as):
    admin = login_as(Role.ADMIN, "root")
    before = snapshot()
    response = post_form(client, f"/admin/users/{admin.id}/deactivate", {}, f"/admin/users/{admin.id}/edit")
    assert "không thể tự ngừng kích hoạt" in page_text(client.get(response.headers["Location"]))
    assert snapshot() == before


def test_password_reset_shows_a_temporary_password_once_and_ends_sessions(app, client, login_as, tree):
    login_as(Role.ADMIN, "root")
    user = make_user(unit=tree["a"])
    db.session.commit()
    theirs = app.test_client()
    sign_in(theirs, user)
    response = post_form(client, f"/admin/users/{user.id}/reset-password", {}, f"/admin/users/{user.id}/edit")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = _temporary_password(page_text(response))
    assert theirs.get("/").status_code == 302
    assert _by_username(user.username).must_change_password is True
    again = app.test_client()
    sign_in(again, user, password)
    assert again.get("/").headers["Location"].endswith("/account/password")
    assert "user.password_reset" in audit_actions("user", user.id)


def test_unknown_unit_id_in_a_membership_row_is_not_found(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    before = snapshot()
    response = post_form(client, "/admin/users/new", _user_data(tree, **{"memberships-1-unit_id": "999999"}))
    assert response.status_code == 404
    assert snapshot() == before
