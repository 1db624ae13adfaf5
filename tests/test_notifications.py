"""Notifications: every kind is a catalog message rendered in the reader's language (names and
titles as typed), opening one marks it read, "Đánh dấu tất cả đã đọc", several about the same
inspection or plan fold into one line, and the reviewers hear of work waiting for them."""

import ast
import io
import re
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from inspection.data.transaction import unit_of_work
from inspection.main import notifications
from inspection.main.notifications import notify
from models import Notification, db
from models.enums import NotificationKind, Role
from tests.factories import csrf_token, make_user, sign_in

ROOT = Path(__file__).resolve().parent.parent / "inspection"
PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])")
TYPED = "Xã An Phước “Bộ phận Một cửa”"  # a name or title as a user typed it


def _calls() -> list[tuple[str, ast.Call]]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "notify":
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node))
    return found


def _messages(call: ast.Call) -> list[str]:
    """The catalog messages a notify() call may send: N_("…") in its message argument."""
    message = call.args[2] if len(call.args) > 2 else next(k.value for k in call.keywords if k.arg == "message")
    return [n.args[0].value for n in ast.walk(message)
            if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "N_"]


def every_message() -> list[str]:
    found = set()
    for where, call in _calls():
        messages = _messages(call)
        assert messages, f"{where}: notify() without a catalog message (N_) — an f-string reads Vietnamese to all"
        found.update(messages)
    return sorted(found | set(notifications.FOLDS.values()))


def test_every_notify_call_sends_a_catalog_message():
    assert len(_calls()) >= 30 and len(every_message()) >= 40


def _sample(message: str) -> dict:
    return {name: 6 if kind == "d" else TYPED for name, kind in PLACEHOLDER.findall(message)}


@pytest.mark.parametrize("message", every_message())
def test_an_english_reader_reads_every_kind_in_english_with_names_as_typed(app, message):
    row = Notification(user_id=1, kind=NotificationKind.SYSTEM, title="", message=message, params=_sample(message))
    with app.test_request_context(), force_locale("en"):
        shown = notifications.text(row)
    values = _sample(message)
    assert shown != (message % values if values else message)
    assert shown.count(TYPED) == list(values.values()).count(TYPED), "names and titles stay as typed"
    assert not re.search(r"[^\x00-\x7f“”—]", shown.replace(TYPED, "")), f"Vietnamese left in {shown!r}"


@pytest.fixture
def reader(app, ctx, tree):
    user = make_user(role=Role.UNIT_HEAD, unit=tree["a"], locale="en")
    db.session.commit()
    client = app.test_client()
    sign_in(client, user)
    return user, client


def _send(user, count: int, message: str, group: str, **params) -> None:
    with unit_of_work():
        for n in range(count):
            notify([user.id], NotificationKind.SYSTEM, message, f"/remediation/{n + 1}", params=params, group=group)


def _unread(user) -> int:
    return db.session.execute(select(db.func.count()).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))).scalar_one()


def test_six_actions_waiting_fold_into_one_line_and_opening_it_reads_them_all(reader):
    user, client = reader
    group = "/remediation?inspection_id=7&status=awaiting_head"
    _send(user, 6, "Chờ xác nhận kết quả khắc phục", group)
    _send(user, 1, "Nhiệm vụ bị trả lại: %(title)s", "", title=TYPED)
    page = client.get("/notifications").get_data(as_text=True)
    assert page.count('name="notification_id"') == 2
    assert "6 remediation actions awaiting confirmation" in page and f"Task returned: {TYPED}" in page
    folded = re.search(r'name="notification_id" value="(\d+)">\s*<button[^>]*>6 remediation', page).group(1)
    token = csrf_token(client, "/notifications")
    opened = client.post("/notifications/open", data={"notification_id": folded, "csrf_token": token})
    assert opened.status_code == 303 and opened.headers["Location"] == group
    assert _unread(user) == 1
    page = client.get("/notifications").get_data(as_text=True)  # read ones are listed one by one
    assert page.count('name="notification_id"') == 7 and "Mark all as read" in page
    assert client.post("/notifications/read", data={"csrf_token": token}).status_code == 303
    assert _unread(user) == 0


def test_opening_one_marks_it_read_and_anothers_is_not_found(reader, tree):
    user, client = reader
    other = make_user(role=Role.UNIT_OFFICER, unit=tree["a"])
    db.session.commit()
    _send(user, 1, "Yêu cầu khắc phục mới", "")
    _send(other, 1, "Yêu cầu khắc phục mới", "")
    mine, theirs = (db.session.execute(select(Notification.id).where(Notification.user_id == u.id)).scalar_one()
                    for u in (user, other))
    token = csrf_token(client, "/notifications")
    stranger = client.post("/notifications/open", data={"notification_id": theirs, "csrf_token": token})
    assert stranger.status_code == 404
    assert _unread(other) == 1
    opened = client.post("/notifications/open", data={"notification_id": mine, "csrf_token": token})
    assert opened.status_code == 303 and opened.headers["Location"] == "/remediation/1" and _unread(user) == 0
    refused = client.post("/notifications/open", data={"notification_id": "x'; --", "csrf_token": token})
    assert refused.status_code == 303 and refused.headers["Location"] == "/notifications"


def test_the_coordinator_hears_of_a_result_and_a_remediation_waiting_for_review(app, scenario):
    from inspection.files import storage
    from inspection.plans import workflow
    from inspection.remediation import services
    from tests.factories import PDF_BYTES
    from tests.scenario import new_action_for, new_task_for

    unit, head = scenario.units["an_phuoc"], scenario.user_for(Role.UNIT_HEAD)
    coordinator = scenario.user_for(Role.COORDINATOR)
    task, action = new_task_for(unit), new_action_for(unit)
    task.status, action.status = "in_progress", "in_progress"
    db.session.commit()
    workflow.submit_task(head, task, note="Đã hoàn thành")
    evidence = storage.store(io.BytesIO(PDF_BYTES), "bao-cao.pdf", kind="remediation_evidence", uploaded_by_id=head.id)
    services.submit_action(head, action, note="Đã thay máy", attachments=[evidence], version=action.version)
    told = db.session.execute(select(Notification).where(Notification.user_id == coordinator.id)).scalars().all()
    assert sorted(n.message for n in told) == ["Đơn vị đã gửi kết quả khắc phục, chờ đánh giá",
                                               "Đơn vị đã gửi kết quả, chờ duyệt: %(title)s"]
