"""The audit chain's head leaves the server daily (ASVS 16.4.3): the scheduled job appends
`time SEQ:HASH` to CCHC_BACKUP_DIR/audit-anchors.txt and e-mails it to the administrators;
`flask audit verify --anchor FILE` accepts the file and catches events removed from the end; the
operations page warns when the last export is older than a day."""

import email
import email.policy
import html as html_lib
import time
from datetime import UTC, datetime

import time_machine

from inspection.jobs.audit_head import export_audit_head
from models import db
from models.enums import Role
from tests.factories import make_unit, make_user, sign_in
from tests.integrity import test_audit_chain
from tests.integrity.test_audit_chain import row, sql, verify
from tests.test_jobs_and_storage import _smtp_sink

trail = test_audit_chain.trail  # the fixture: eight events from real service calls
STALE = "Lần xuất đầu chuỗi nhật ký gần nhất đã cũ hơn một ngày"


def _ops_page(app, admin) -> str:
    client = app.test_client()
    sign_in(client, admin)
    return html_lib.unescape(client.get("/admin/ops").get_data(as_text=True))


def test_the_daily_export_is_written_mailed_and_accepted_by_verify_anchor(app, trail, tmp_path, monkeypatch):
    admin = make_user(role=Role.ADMIN, unit=make_unit(name="Tỉnh Thử Nghiệm", kind="province"),
                      email="quantri@tinh.example")
    db.session.commit()
    controller, inbox = _smtp_sink()
    out = tmp_path / "backups"
    monkeypatch.setitem(app.config, "DAILY_RUN_HOUR", 0)
    assert export_audit_head() is False  # off until a directory or SMTP is set
    monkeypatch.setitem(app.config, "BACKUP_DIR", str(out))
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", controller.port)
    try:
        with time_machine.travel(datetime(2026, 3, 20, 3, 0, tzinfo=UTC), tick=False):
            assert export_audit_head() is True and export_audit_head() is False  # once a day
        deadline = time.time() + 5
        while not inbox and time.time() < deadline:
            time.sleep(0.05)
    finally:
        controller.stop()
    anchor_file = out / "audit-anchors.txt"
    assert anchor_file.read_text() == f"2026-03-20T03:00:00+00:00 8:{row(8).hash}\n"
    [mail] = [email.message_from_string(m, policy=email.policy.default) for m in inbox]
    assert mail["To"] == "quantri@tinh.example" and "Neo chuỗi nhật ký" in mail["Subject"]
    assert f"2026-03-20T03:00:00+00:00 8:{row(8).hash}" in mail.get_content()
    assert verify(app, "--anchor", str(anchor_file)) == (0, "Nhật ký kiểm tra toàn vẹn: chuỗi băm hợp lệ.\n")

    with time_machine.travel(datetime(2026, 3, 21, 3, 0, tzinfo=UTC), tick=False):
        assert export_audit_head() is True
        assert STALE not in _ops_page(app, admin)
    assert len(anchor_file.read_text().splitlines()) == 2
    sql("DELETE FROM audit_event WHERE seq >= 7")
    code, output = verify(app, "--anchor", str(anchor_file))
    assert code == 1 and "seq 8: anchored but missing" in output
    with time_machine.travel(datetime(2026, 3, 23, 3, 0, tzinfo=UTC), tick=False):
        assert STALE in _ops_page(app, admin)


def test_a_file_without_records_is_a_usage_error(app, tmp_path):
    empty = tmp_path / "audit-anchors.txt"
    empty.write_text("không có bản ghi nào\n")
    assert verify(app, "--anchor", str(empty))[0] == 2
