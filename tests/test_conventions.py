"""The foundation's conventions, each proven by a named test (unit of work, optimistic locking,
text folding, statement budgets, notifications)."""

import pytest
from sqlalchemy import func, select

from inspection.admin import services as admin_services
from inspection.data.transaction import after_commit, unit_of_work
from inspection.errors import Conflict
from inspection.main import notifications
from models import Notification, OrgUnit, db
from models.enums import Role
from tests.factories import csrf_token, make_unit, make_user
from tests.querycount import StatementBudgetExceeded, statement_budget


def test_work_registered_after_commit_is_discarded_on_rollback(ctx):
    ran = []
    with pytest.raises(RuntimeError):
        with unit_of_work():
            make_unit(name="Ủy ban nhân dân xã Bị Hủy")
            after_commit(lambda: ran.append("sent"))
            raise RuntimeError("boom")
    assert ran == []
    assert db.session.execute(select(OrgUnit).where(OrgUnit.name == "Ủy ban nhân dân xã Bị Hủy")).first() is None


def test_work_registered_after_commit_runs_once_after_the_outermost_commit(ctx):
    ran = []
    with unit_of_work():
        with unit_of_work():
            after_commit(lambda: ran.append("inner"))
        assert ran == []  # the inner level did not commit
        after_commit(lambda: ran.append("outer"))
    assert ran == ["inner", "outer"]


def test_notification_is_written_only_when_the_change_commits(ctx, tree):
    user = make_user(unit=tree["a"])
    db.session.commit()
    with pytest.raises(RuntimeError), unit_of_work():
        notifications.notify([user.id], "system", "Không được gửi")
        raise RuntimeError
    with unit_of_work():
        notifications.notify([user.id], "system", "Có nhiệm vụ mới")
    titles = db.session.execute(select(Notification.title).where(Notification.user_id == user.id)).scalars()
    assert list(titles) == ["Có nhiệm vụ mới"]
    assert notifications.unread_count(user) == 1


def test_bell_shows_unread_count(client, login_as):
    user = login_as(Role.UNIT_OFFICER, "a")
    with unit_of_work():
        notifications.notify([user.id], "assigned", "Được giao nhiệm vụ 3")
    html = client.get("/").get_data(as_text=True)
    assert 'class="badge-count">1<' in html
    client.post("/notifications/read", data={"csrf_token": csrf_token(client, "/notifications")})
    assert 'class="badge-count"' not in client.get("/").get_data(as_text=True)


def _unit_form(unit, **changes) -> dict:
    data = {"name": unit.name, "short_name": unit.short_name, "code": unit.code, "kind": unit.kind,
            "place_name": unit.place_name, "address": unit.address, "version": unit.version}
    data.update(changes)
    return data


def test_stale_save_gives_a_conflict_with_current_values(ctx, tree):
    admin = make_user(role=Role.ADMIN, unit=tree["root"])
    unit = tree["a"]
    stale_version = unit.version
    admin_services.update_unit(admin, unit, _unit_form(unit, name="UBND xã An Phước (mới)",
                                                      requires_head_confirmation=True),
                               version=stale_version)
    with pytest.raises(Conflict) as caught:
        admin_services.update_unit(admin, unit, _unit_form(unit, name="Tên cũ ghi đè",
                                                          requires_head_confirmation=True),
                                   version=stale_version)
    assert caught.value.current["name"] == "UBND xã An Phước (mới)"
    assert db.session.get(OrgUnit, unit.id).name == "UBND xã An Phước (mới)"


def test_stale_form_shows_conflict_page_with_current_values(client, login_as, tree):
    login_as(Role.ADMIN, "root")
    unit = tree["b"]
    url = f"/admin/units/{unit.id}/edit"
    stale = _unit_form(unit, csrf_token=csrf_token(client, url))
    first = dict(stale, name="Ủy ban nhân dân xã Tân Phước Mới")
    assert client.post(url, data=first).status_code == 302
    response = client.post(url, data=dict(stale, name="Bản ghi đè cũ"))
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Ủy ban nhân dân xã Tân Phước Mới" in html  # the current value is shown
    db.session.expire_all()
    assert db.session.get(OrgUnit, unit.id).name == "Ủy ban nhân dân xã Tân Phước Mới"


@pytest.mark.parametrize("query", ["Khắc Phục", "khắc phục", "khac phuc", "KHAC PHUC"])
def test_search_ignores_diacritics_and_unicode_form_on_postgresql(ctx, query):
    _assert_folded_search_finds(query)


def _assert_folded_search_finds(query):
    import unicodedata

    from inspection.language.text import fold, nfc
    from inspection.web.listing import paginate

    nfd_name = unicodedata.normalize("NFD", "Tổ khắc phục Đồng Tháp")
    unit = make_unit(name=nfc(nfd_name))
    assert unit.name == unicodedata.normalize("NFC", nfd_name)
    for form in ("NFC", "NFD"):
        page = paginate(select(OrgUnit), sorts={"name": (OrgUnit.name_folded, False)}, sort="name",
                        cursor=None, size=10, search_column=OrgUnit.name_folded,
                        q=unicodedata.normalize(form, query))
        assert [u.id for u in page.items] == [unit.id], (form, query, fold(query))


def test_list_page_stays_within_its_statement_budget(app, client, login_as, tree):
    login_as(Role.ADMIN, "root")
    for n in range(40):
        make_unit(name=f"Ủy ban nhân dân xã Số {n}", parent=tree["pc"])
    db.session.commit()
    with statement_budget(app, 10) as statements:
        response = client.get("/admin/units")
    assert response.status_code == 200
    assert len(statements) >= 2  # the counter really sees the page's queries


def test_statement_counter_fails_a_page_over_its_budget(app, client, login_as):
    login_as(Role.ADMIN, "root")
    with pytest.raises(StatementBudgetExceeded, match="budget 1"):
        with statement_budget(app, 1):
            client.get("/admin/units")


def test_keyset_pagination_walks_every_row_once(client, login_as, tree):
    import re

    login_as(Role.ADMIN, "root")
    for n in range(60):
        make_unit(name=f"Ủy ban nhân dân xã Phân Trang {n:02d}", parent=tree["pc"])
    db.session.commit()
    seen, url = [], "/admin/units?q=phan+trang"
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += re.findall(r"Phân Trang (\d\d)", html)
        nxt = re.search(r'href="(/admin/units\?after=[^"]+)"', html)
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
    assert sorted(seen) == [f"{n:02d}" for n in range(60)]
    assert len(seen) == len(set(seen))


def test_security_headers_forbid_inline_scripts_and_foreign_origins(client):
    headers = client.get("/login").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "img-src 'self' blob:" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_audit_chain_detects_an_edited_event(ctx, tree):
    from inspection.security import audit

    admin = make_user(role=Role.ADMIN, unit=tree["root"])
    with unit_of_work():
        for n in range(3):
            audit.record(admin, "test.event", "org_unit", n, after={"n": n})
    assert audit.verify_chain() == []
    event = db.session.execute(select(audit.AuditEvent).order_by(audit.AuditEvent.seq.desc())).scalars().first()
    event.after = {"n": 99}
    db.session.flush()
    assert any("content does not match" in p for p in audit.verify_chain())
    assert db.session.execute(select(func.count(audit.AuditEvent.id))).scalar_one() == 3
