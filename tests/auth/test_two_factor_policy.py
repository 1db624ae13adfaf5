"""Two-factor sign-in required of the roles and users an administrator chooses (ASVS 6.3.3), with
a grace period (time-machine moves the clock past it) and the report of who has not enrolled."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from models import AuditEvent, TwoFactorRole, User, db
from models.enums import Role
from tests.factories import make_user, sign_in

from .helpers import ENROL, device, enrol, is_signed_in, post, text

GRACE = 7
VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def admin_client(app, tree):
    admin = make_user(role=Role.ADMIN, unit=tree["root"], full_name="Quản Trị Viên")
    db.session.commit()
    client = device(app, "laptop")
    sign_in(client, admin)
    return client


@pytest.fixture
def people(tree):
    people = {
        "inspector": make_user(role=Role.INSPECTOR, unit=tree["dept"], full_name="Phan Văn Kiểm"),
        "other_inspector": make_user(role=Role.INSPECTOR, unit=tree["dept"], full_name="Lê Thị Soát"),
        "officer": make_user(role=Role.UNIT_OFFICER, unit=tree["a"], full_name="Đặng Văn Cán"),
        "head": make_user(role=Role.UNIT_HEAD, unit=tree["a"], full_name="Võ Thị Thủ"),
    }
    db.session.commit()
    return people


def _choose_roles(client, *roles):
    return post(client, "/admin/two-factor", {"roles": list(roles)})


def _sent_to_enrol(client) -> bool:
    return all(client.get(path).headers.get("Location", "").endswith(ENROL) for path in ("/", "/tasks"))


def _later(days: float):
    return time_machine.travel(datetime.now().astimezone() + timedelta(days=days))


def test_a_chosen_role_enrols_before_anything_else_once_its_grace_period_is_over(app, admin_client, people):
    assert _choose_roles(admin_client, Role.INSPECTOR).status_code == 303
    assert set(db.session.execute(select(TwoFactorRole.role)).scalars()) == {Role.INSPECTOR}
    inspector, officer = device(app, "tablet"), device(app, "phone")
    sign_in(inspector, people["inspector"])
    sign_in(officer, people["officer"])
    home = inspector.get("/")
    assert home.status_code == 200  # within the grace period: works, and is reminded
    deadline = (datetime.now(VN) + timedelta(days=GRACE)).strftime("%d/%m/%Y")
    assert "Quản trị viên yêu cầu bạn bật xác thực hai lớp trước" in text(home) and deadline in text(home)
    assert "bật xác thực hai lớp" not in text(officer.get("/"))
    with _later(GRACE + 0.01):
        for client, person in ((inspector, "inspector"), (officer, "officer")):
            sign_in(client, people[person])  # the old sessions are past their lifetime too
        assert _sent_to_enrol(inspector)
        assert is_signed_in(officer)  # the role nobody chose is left alone
        enrol(inspector, people["inspector"])
        assert is_signed_in(inspector)


def test_a_role_left_out_again_stops_requiring_it(app, admin_client, people):
    _choose_roles(admin_client, Role.INSPECTOR, Role.UNIT_HEAD)
    _choose_roles(admin_client, Role.UNIT_HEAD)
    assert set(db.session.execute(select(TwoFactorRole.role)).scalars()) == {Role.UNIT_HEAD}
    with _later(GRACE + 0.01):
        inspector, head = device(app, "tablet"), device(app, "phone")
        sign_in(inspector, people["inspector"])
        sign_in(head, people["head"])
        assert is_signed_in(inspector)
        assert _sent_to_enrol(head)
    actions = db.session.execute(select(AuditEvent.action, AuditEvent.after)
                                 .where(AuditEvent.action == "auth.two_factor_roles_set")).all()
    assert [after["roles"] for _action, after in actions] == [["inspector", "unit_head"], ["unit_head"]]


def test_an_administrator_asks_one_user_and_only_that_user(app, admin_client, people):
    target = people["officer"]
    response = post(admin_client, f"/admin/users/{target.id}/two-factor", {"required": "1"},
                    token_from=f"/admin/users/{target.id}/edit")
    assert response.status_code == 303
    page = text(admin_client.get(response.headers["Location"]))
    assert "Đã yêu cầu Đặng Văn Cán dùng xác thực hai lớp." in page and "Bỏ yêu cầu riêng" in page
    with _later(GRACE + 0.01):
        officer, head = device(app, "phone"), device(app, "tablet")
        sign_in(officer, target)
        sign_in(head, people["head"])  # same unit, not asked
        assert _sent_to_enrol(officer)
        assert is_signed_in(head)
    db.session.expire_all()
    assert db.session.get(User, target.id).two_factor_required_since is not None


def test_a_required_user_in_the_grace_period_cannot_turn_it_off(app, admin_client, people):
    _choose_roles(admin_client, Role.INSPECTOR)
    client = device(app, "tablet")
    sign_in(client, people["inspector"])
    enrol(client, people["inspector"])
    assert "Tắt xác thực hai lớp" not in text(client.get("/account/security"))
    response = post(client, "/account/two-factor/disable", {"proof": "mat-khau-thu-nghiem"})
    assert "bắt buộc dùng xác thực hai lớp nên không thể tắt" in text(response)
    db.session.expire_all()
    assert db.session.get(User, people["inspector"].id).totp_enabled


def test_the_report_lists_who_has_not_enrolled_most_overdue_first(app, admin_client, people, tree):
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = frozenset({Role.UNIT_HEAD})
    try:
        _choose_roles(admin_client, Role.INSPECTOR)
        enrolled = device(app, "tablet")
        sign_in(enrolled, people["other_inspector"])
        enrol(enrolled, people["other_inspector"])
        gone = make_user(role=Role.INSPECTOR, unit=tree["dept"], full_name="Trương Văn Nghỉ", is_active=False)
        db.session.commit()
        page = text(admin_client.get("/admin/two-factor"))
    finally:
        app.config["TWO_FACTOR_REQUIRED_ROLES"] = frozenset()
    report = page[page.index("Chưa bật xác thực hai lớp"):]
    names = re.findall(r'<a href="/admin/users/\d+/edit">([^<]+)</a>', report)
    assert names == ["Võ Thị Thủ", "Phan Văn Kiểm"]  # at once (server setting) first, then by deadline
    assert "Quá hạn: phải bật khi đăng nhập" in report and "Trong thời gian gia hạn" in report
    assert "Theo cấu hình máy chủ" in report and "Theo vai trò, từ" in report
    assert gone.full_name not in report and "Lê Thị Soát" not in report and "Đặng Văn Cán" not in report
    assert re.search(r'id="role-unit_head"[^>]*checked\s+disabled>', page)  # the server's setting, not editable here


def test_only_an_administrator_chooses_and_a_bad_role_changes_nothing(app, admin_client, people, tree):
    leader = make_user(role=Role.LEADER, unit=tree["pc"])
    db.session.commit()
    client = device(app, "phone")
    sign_in(client, leader)
    assert client.get("/admin/two-factor").status_code == 403
    response = _choose_roles(admin_client, "superuser")
    assert response.status_code == 422 and "không hợp lệ" in text(response)
    assert db.session.execute(select(TwoFactorRole.role)).first() is None
    officer = people["officer"]
    bad = post(admin_client, f"/admin/users/{officer.id}/two-factor", {"required": "có"},
               token_from=f"/admin/users/{officer.id}/edit")
    assert bad.status_code == 303 and "không hợp lệ" in text(admin_client.get(bad.headers["Location"]))
    db.session.expire_all()
    assert db.session.get(User, officer.id).two_factor_required_since is None
