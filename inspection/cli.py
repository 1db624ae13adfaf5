"""Flask CLI commands: seed-demo, create-admin, audit verify, serve, backup, restore, storage copy-to-s3."""

import os
from pathlib import Path

import click
from flask import Flask, current_app

from models import Attachment, Inspection, OrgUnit, Plan, db

from . import backups
from .admin.bootstrap import create_first_admin
from .auth.password_policy import WeakPassword
from .demo import seed
from .errors import DomainError
from .files.storage import open_attachment
from .files.storage_copy import storage_group
from .jobs.reports import render_now
from .security import anchors, audit
from .server import embedded_db, local_tls, runner
from .signing.services import set_up_demo_signing


def register_cli(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(signing_demo_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(audit_group)
    app.cli.add_command(serve_command)
    app.cli.add_command(render_report_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(storage_group)


@click.command("seed-demo")
@click.option("--if-demo", is_flag=True, help="Do nothing (quietly) outside the demo profile.")
def seed_demo_command(if_demo: bool):
    """Load the demo district (demo profile only)."""
    if if_demo and current_app.config["PROFILE"] != "demo":
        return
    try:
        created = seed.seed_demo(current_app.config["PROFILE"])
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo("Đã nạp dữ liệu mẫu tỉnh Đồng Tháp." if created else "Dữ liệu mẫu đã có sẵn.")


@click.command("signing-demo")
@click.option("--if-demo", is_flag=True, help="Do nothing (quietly) outside the demo profile.")
def signing_demo_command(if_demo: bool):
    """The demo's digital-signature keys: a demo CA, the agency's key in a SoftHSM2 token under
    instance/signing, the demo leader's PKCS#12 (demo profile only)."""
    if if_demo and current_app.config["PROFILE"] != "demo":
        return
    try:
        created = set_up_demo_signing(current_app.config["INSTANCE_DIR"])
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    folder = Path(current_app.config["INSTANCE_DIR"]) / "signing"
    click.echo(f"Đã tạo khóa ký số thử nghiệm trong {folder}." if created else "Khóa ký số thử nghiệm đã có sẵn.")


@click.command("create-admin")
@click.argument("username")
@click.option("--name", default="Quản trị hệ thống")
@click.password_option()
def create_admin_command(username: str, name: str, password: str):
    """Create an administrator on the root unit (first start of a production install)."""
    try:
        create_first_admin(username, name, password)
    except WeakPassword as exc:
        raise click.ClickException(exc.text()) from exc
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Đã tạo quản trị viên {username}.")


@click.group("audit")
def audit_group():
    """The audit trail."""


def _anchor(ctx, param, values) -> tuple[tuple[int, str], ...]:
    found = []
    for value in values:
        if Path(value).is_file():  # the daily export's file (or e-mails saved into one)
            records = anchors.read_anchors(Path(value).read_text(encoding="utf-8", errors="replace"))
            if not records:
                raise click.BadParameter(f"{value}: no SEQ:HASH record in this file")
            found += records
            continue
        try:
            seq, digest = value.split(":", 1)
            found.append((int(seq), digest))
        except ValueError:
            raise click.BadParameter("SEQ:HASH, as printed by `flask audit head`, or a file of them") from None
    return tuple(found)


@audit_group.command("verify")
@click.option("--anchor", multiple=True, callback=_anchor, metavar="SEQ:HASH|FILE",
              help="A chain head written down earlier (`flask audit head`), or a file of them (the daily "
                   "export's audit-anchors.txt); each must still be there.")
def audit_verify(anchor):
    """Check the hash chain; exit 1 on any break, naming each event (seq) where it shows."""
    problems = audit.verify_chain(anchor)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(f"Nhật ký đã bị sửa đổi: {len(problems)} chỗ không khớp (xem các dòng trên).", err=True)
        raise SystemExit(1)
    click.echo("Nhật ký kiểm tra toàn vẹn: chuỗi băm hợp lệ.")


@audit_group.command("head")
def audit_head():
    """Print the last event as SEQ:HASH: write it down outside the server (printed report, another
    machine); `verify --anchor` then also catches events removed from the end."""
    seq, digest = audit.chain_head()
    click.echo(f"{seq}:{digest}")


def _banner(port: int, host: str = "127.0.0.1", https: bool = False) -> str:
    scheme = "https" if https else "http"
    lines = [
        "",
        f"  CCHC — Quản lý kiểm tra và nhiệm vụ cải cách hành chính: {scheme}://127.0.0.1:{port}",
        f"  Cơ sở dữ liệu: {_database()}",
    ]
    if host == "0.0.0.0":
        lines += [f"  Trong mạng nội bộ (máy tính bảng): {scheme}://{ip}:{port}"
                  for ip in local_tls.local_addresses() if ip != "127.0.0.1"]
    if https:
        lines.append(f"  Chứng chỉ CA cục bộ để cài trên máy tính bảng: {scheme}://<địa chỉ>:{port}/ca.crt "
                     "(xem README, mục “Dùng thử trên máy tính bảng”)")
    if current_app.config["PROFILE"] == "demo":
        lines.append(f"  Tài khoản dùng thử (mật khẩu {seed.DEMO_PASSWORD}) — chỉ để trải nghiệm:")
        lines += [f"    {u:<12} {title}" for u, title in seed.DEMO_LOGINS]
    lines.append("  Nhấn Ctrl-C để dừng tất cả (web, worker, lịch chạy).")
    return "\n".join(lines) + "\n"


def _database() -> str:
    if current_app.config["EMBEDDED_DB"]:
        return f"PostgreSQL nhúng, dữ liệu trong {current_app.config['EMBEDDED_DB_DIR']}"
    return db.engine.url.render_as_string(hide_password=True)


@click.command("serve")
@click.option("--port", default=lambda: int(os.environ.get("PORT", 5000)), type=int)
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"),
              help="0.0.0.0 serves the local network (a tablet on the office Wi-Fi).")
@click.option("--https", "https", is_flag=True, default=lambda: os.environ.get("HTTPS", "") not in ("", "0"),
              help="Serve HTTPS with a local CA and server certificate made once under instance/tls/.")
def serve_command(port: int, host: str, https: bool):
    """Run the web app, an RQ worker and the scheduler together (and the embedded PostgreSQL and
    Redis when no DATABASE_URL / REDIS_URL is set)."""
    config = current_app.config
    tls = local_tls.ensure(Path(config["INSTANCE_DIR"])) if https else None
    if config["EMBEDDED_DB"]:  # the processes reach the server this one started: no start of their own
        os.environ.update(DATABASE_URL=config["SQLALCHEMY_DATABASE_URI"], CCHC_PROFILE=config["PROFILE"])
    try:
        code = runner.serve(Path(config["INSTANCE_DIR"]), port, _banner(port, host, https), host=host, tls=tls)
    finally:
        if config["EMBEDDED_DB"]:  # stopped after every process using it, even one a crashed run left
            embedded_db.stop(Path(config["EMBEDDED_DB_DIR"]))
    raise SystemExit(code)


@click.command("render-report")
@click.argument("kind", type=click.Choice(["minutes", "conclusion", "remediation_report", "progress_report"]))
@click.argument("subject_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="PDF file to write.")
@click.option("--unit", is_flag=True, help="remediation_report: SUBJECT_ID is a unit, over --start/--end.")
@click.option("--start", default="", help="Period start, yyyy-mm-dd (with --unit).")
@click.option("--end", default="", help="Period end, yyyy-mm-dd (with --unit).")
def render_report_command(kind: str, subject_id: int, out: str, unit: bool, start: str, end: str):
    """Render a document synchronously, through the worker's code path, into a PDF file."""
    model = OrgUnit if unit else (Plan if kind == "progress_report" else Inspection)
    subject = db.session.get(model, subject_id)
    if subject is None:
        raise click.ClickException(f"Không tìm thấy đối tượng số {subject_id}.")
    params = {"start": start, "end": end} if unit else None
    try:
        report = render_now(kind, subject, params=params)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    if report.status != "ready":
        raise click.ClickException(report.error or "Không tạo được tệp PDF.")
    with open_attachment(db.session.get(Attachment, report.attachment_id)) as source, open(out, "wb") as target:
        target.write(source.read())
    click.echo(f"Đã ghi {out} (bản PDF số {report.id}).")


@click.command("backup")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Directory for the archive (default: CCHC_BACKUP_DIR, else instance/backups).")
def backup_command(out: str | None):
    """Write one archive: the database dump, the stored files it refers to, a manifest."""
    try:
        result = backups.create_backup(out or backups.default_dir())
    except backups.BackupError as exc:
        raise click.ClickException(exc.message) from exc
    for key in result.missing:
        click.echo(f"Thiếu tệp được cơ sở dữ liệu tham chiếu (không có trong bản sao lưu): {key}", err=True)
    if out is None and current_app.config["BACKUP_DIR"]:
        backups.prune(result.path.parent, current_app.config["BACKUP_KEEP"])
    click.echo(f"Đã sao lưu vào {result.path} ({result.size:,} byte, {result.file_count} tệp, "
               f"phiên bản cơ sở dữ liệu {result.revision}).")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Drop everything in the target database first.")
def restore_command(archive: str, force: bool):
    """Restore a backup archive into this app's database and file store (stop web and workers first)."""
    try:
        result = backups.restore_backup(archive, force=force)
    except backups.BackupError as exc:
        raise click.ClickException(exc.message) from exc
    for key in result.missing:
        click.echo(f"Thiếu tệp được cơ sở dữ liệu tham chiếu: {key}", err=True)
    upgraded = f", đã nâng cấp lên {result.head}" if result.upgraded else ""
    click.echo(f"Đã khôi phục {archive}: cơ sở dữ liệu phiên bản {result.revision}{upgraded}, "
               f"{result.file_count} tệp.")
