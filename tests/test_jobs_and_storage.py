"""Queue wiring, e-mail notifications, stored files, the demo seed and the CLI."""

import email
import email.policy
import io
import time

import pytest
from rq import SimpleWorker
from sqlalchemy import select

from inspection.data.queue import enqueue_after_commit, get_queue, get_redis
from inspection.data.transaction import unit_of_work
from inspection.errors import ValidationError
from inspection.files import storage
from inspection.language.i18n import N_
from inspection.main import notifications
from models import Attachment, Notification, User, db
from tests.factories import make_unit, make_user, sign_in

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


def test_a_job_is_enqueued_only_after_its_transaction_commits(ctx):
    queue = get_queue("default")
    with pytest.raises(RuntimeError), unit_of_work():
        enqueue_after_commit("inspection.jobs.sweeps.daily_housekeeping")
        raise RuntimeError
    assert queue.count == 0
    with unit_of_work():
        enqueue_after_commit("inspection.jobs.sweeps.daily_housekeeping")
        assert queue.count == 0  # not before the commit
    assert queue.count == 1


def _smtp_sink():
    from aiosmtpd.controller import Controller

    class Sink:
        messages: list = []

        async def handle_DATA(self, server, session, envelope):
            Sink.messages.append(envelope.content.decode("utf-8", "replace"))
            return "250 OK"

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    return controller, Sink.messages


def test_notifications_are_emailed_when_smtp_is_configured(app, ctx, tree):
    controller, inbox = _smtp_sink()
    try:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port)
        user = make_user(unit=tree["a"], email="hanh@anphuoc.example")
        db.session.commit()
        with unit_of_work():
            notifications.notify([user.id], "assigned", "Được giao nhiệm vụ: niêm yết thủ tục hành chính")
        SimpleWorker([get_queue("default")], connection=get_redis()).work(burst=True)
        deadline = time.time() + 5
        while not inbox and time.time() < deadline:
            time.sleep(0.05)
        assert len(inbox) == 1 and "hanh@anphuoc.example" in inbox[0]
        row = db.session.execute(select(Notification).where(Notification.user_id == user.id)).scalar_one()
        assert row.emailed_at is not None
    finally:
        app.config.update(SMTP_HOST="")
        controller.stop()


def test_a_notification_e_mail_is_written_in_its_reader_s_language(app, ctx, tree):
    """The bell shows a notification in the reader's language; its e-mail too (names stay as typed)."""
    controller, inbox = _smtp_sink()
    inbox.clear()
    try:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port)
        english = make_user(unit=tree["a"], email="lan@anphuoc.example")
        english.locale = "en"
        vietnamese = make_user(unit=tree["a"], email="hoa@anphuoc.example")
        db.session.commit()
        with unit_of_work():
            notifications.notify([english.id, vietnamese.id], "system", N_("Nhiệm vụ đã bị hủy: %(title)s"),
                                 params={"title": "Niêm yết thủ tục hành chính"})
        SimpleWorker([get_queue("default")], connection=get_redis()).work(burst=True)
        deadline = time.time() + 5
        while len(inbox) < 2 and time.time() < deadline:
            time.sleep(0.05)
        mails = {("lan@" in m and "en") or "vi": email.message_from_string(m, policy=email.policy.default)
                 for m in inbox}
        assert mails["en"]["Subject"] == "Task cancelled: Niêm yết thủ tục hành chính"
        assert "please do not reply" in mails["en"].get_content()
        assert mails["vi"]["Subject"] == "Nhiệm vụ đã bị hủy: Niêm yết thủ tục hành chính"
        assert "vui lòng không trả lời" in mails["vi"].get_content()
    finally:
        app.config.update(SMTP_HOST="")
        controller.stop()


def test_storage_checks_type_by_content_and_records_sha256(ctx, storage_backend):
    import hashlib

    attachment = storage.store(io.BytesIO(PNG_1PX), "anh-hien-truong.png", kind="photo")
    db.session.flush()
    assert attachment.mime_type == "image/png"
    assert attachment.sha256 == hashlib.sha256(PNG_1PX).hexdigest()
    with storage.open_attachment(attachment) as fh:
        assert fh.read() == PNG_1PX
    if storage_backend:  # the object is in the bucket, byte for byte
        assert storage_backend.read(attachment.storage_key) == PNG_1PX


@pytest.mark.parametrize("payload,filename,message", [
    (b"<html><script>alert(1)</script></html>", "anh.jpg", "Loại tệp không được chấp nhận"),
    (b"", "rong.pdf", "Tệp rỗng"),
])
def test_storage_refuses_lying_and_empty_files(ctx, storage_backend, payload, filename, message):
    with pytest.raises(ValidationError, match=message):
        storage.store(io.BytesIO(payload), filename, kind="evidence")
    assert db.session.execute(select(Attachment)).first() is None
    assert not storage_backend or storage_backend.keys() == set()


def test_storage_caps_the_size_while_reading(app, ctx):
    app.config["MAX_UPLOAD_BYTES"] = 1024
    try:
        with pytest.raises(ValidationError, match="vượt quá dung lượng"):
            storage.store(io.BytesIO(b"%PDF-1.4\n" + b"0" * 4096), "lon.pdf", kind="evidence")
    finally:
        app.config["MAX_UPLOAD_BYTES"] = 25 * 1024 * 1024


def test_demo_seed_builds_the_district_and_its_six_sign_ins(app, client):
    from inspection.demo.seed import DEMO_LOGINS, DEMO_PASSWORD, seed_demo

    assert seed_demo("demo") is True
    assert seed_demo("demo") is False  # idempotent
    names = db.session.execute(select(User.username)).scalars().all()
    for username, _title in DEMO_LOGINS:
        assert username in names
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        sign_in(client, user, DEMO_PASSWORD)
        assert user.full_name in client.get("/").get_data(as_text=True)
        client.post("/logout", data={"csrf_token": _token(client)})


def _token(client):
    from tests.factories import csrf_token

    return csrf_token(client, "/")


def test_production_profile_never_seeds_demo_data(app, ctx):
    from inspection.demo.seed import seed_demo
    from inspection.errors import Forbidden

    with pytest.raises(Forbidden):
        seed_demo("production")
    runner = app.test_cli_runner()
    app.config["PROFILE"] = "production"
    try:
        result = runner.invoke(args=["seed-demo"])
        assert result.exit_code != 0 and "demo" in result.output
        assert runner.invoke(args=["seed-demo", "--if-demo"]).exit_code == 0
    finally:
        app.config["PROFILE"] = "demo"
    assert db.session.execute(select(User)).first() is None


def test_demo_unit_names_are_real_vietnamese_names(ctx):
    from inspection.demo.seed import UNITS

    names = [u[1] for u in UNITS]
    assert "Ủy ban nhân dân xã An Phước" in names
    assert sum(1 for u in UNITS if u[3] in ("commune", "township")) == 9
    assert not any("Unit" in n for n in names)
    make_unit(name="placeholder")  # the factory still works alongside the seed data
