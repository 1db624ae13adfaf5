"""ASVS level-2 items that were met in code without a test (SECURITY.md): signed-in answers are never
stored by the browser (14.3.2), the secret key is generated into the instance directory (13.3.1),
session ids carry 256 random bits (7.2.1), passwords are hashed with Argon2id and rehashed when the
parameters change (11.4.2), no template is built from text (1.3.7), audit events are structured and
shown escaped (16.4.1)."""

import ast
import base64
import stat
import subprocess
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import select

from inspection.auth import services
from inspection.auth.passwords import check_password, hash_password
from inspection.data.transaction import unit_of_work
from models import AuditEvent, User, UserSession, db
from models.enums import Role
from tests.conftest import make_test_app
from tests.factories import PASSWORD, csrf_token, make_user, sign_in

ROOT = Path(__file__).resolve().parent.parent


def test_what_a_signed_in_user_is_shown_is_never_stored_but_files_keep_their_caching(app, client, tree):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")  # nothing private yet
    sign_in(client, make_user(role=Role.INSPECTOR, unit=tree["dept"]))
    for path in ("/", "/tasks", "/api/v1/inspections/today", "/khong-co-trang-nay"):
        response = client.get(path)
        assert response.headers.get("Cache-Control") == "no-store", (path, response.status_code)
    static = client.get("/static/css/app.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")


def test_the_secret_key_is_drawn_once_into_the_instance_directory_readable_by_its_owner_only(
        database_url, redis_url, tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = make_test_app(database_url, redis_url, tmp_path)
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.secret_key == key_file.read_text().strip() and len(base64.urlsafe_b64decode(
        first.secret_key + "==")) == 48  # 384 random bits
    assert make_test_app(database_url, redis_url, tmp_path).secret_key == first.secret_key  # kept, not redrawn
    other = tmp_path / "elsewhere"
    other.mkdir()
    assert make_test_app(database_url, redis_url, other).secret_key != first.secret_key
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert not [name for name in tracked if name.endswith("secret_key")]


def test_each_sign_in_opens_a_session_with_a_new_256_bit_random_id(ctx, tree):
    user = make_user(role=Role.UNIT_OFFICER, unit=tree["a"])
    ids = {services.start_session(user, "10.0.0.1", "test").id for _ in range(20)}
    assert len(ids) == 20
    assert all(len(base64.urlsafe_b64decode(i + "=")) == 32 for i in ids)
    assert db.session.get(UserSession, ids.pop()).user_id == user.id


def test_passwords_are_hashed_with_argon2id_and_rehashed_at_sign_in_when_weaker(ctx, tree):
    user = make_user(role=Role.UNIT_OFFICER, unit=tree["a"])
    assert hash_password(PASSWORD).startswith("$argon2id$") and check_password(hash_password(PASSWORD), PASSWORD)
    weaker = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with unit_of_work():
        db.session.get(User, user.id).password_hash = weaker
    services.authenticate(user.username, PASSWORD, "10.0.0.2")
    db.session.commit()
    stored = db.session.get(User, user.id).password_hash
    assert stored != weaker and stored.startswith("$argon2id$") and check_password(stored, PASSWORD)


def test_no_template_is_ever_built_from_text():
    built = []
    for path in [ROOT / "app.py", ROOT / "worker.py", *(ROOT / "inspection").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            name = node.func.attr if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) else (
                node.func.id if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) else "")
            if name in ("render_template_string", "from_string", "Template"):
                built.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert built == []


def test_audit_events_are_structured_and_what_an_attacker_typed_is_shown_escaped(app, client, tree):
    """A failed sign-in records the typed name as the event's target and the reason as JSON; the audit
    log shows the name as text, never as markup."""
    hostile = "<script>alert('kiểm toán')</script>"
    anonymous = app.test_client()
    anonymous.post("/login", data={"username": hostile, "password": "sai mật khẩu",
                                   "csrf_token": csrf_token(anonymous, "/login")})
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "auth.login_failed")).scalar_one()
    assert event.target_id == hostile and isinstance(event.after, dict) and event.after["reason"]
    sign_in(client, make_user(role=Role.ADMIN, unit=tree["pc"]))
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in page and hostile not in page
