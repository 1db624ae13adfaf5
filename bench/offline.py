"""`python -m bench offline` (part of `make bench`): the offline sync soak.

A tablet's outbox of 1,000 findings, each with one JPEG photo (50–200 KB), syncs through a
fault-injecting proxy on loopback (bench/fault_proxy.py) that drops well over 30% of the requests:
some before the server sees them, some cut in the middle of the upload, some after the server
committed but before its answer reaches the device. The device (bench/outbox.py, its own process)
retries each item until it is acknowledged. Then the database is checked: every finding stored
once, no duplicates, nothing lost (acknowledged but missing, or given up), and every photo's bytes,
read back through the storage layer, hashing to the sha256 the device computed.

Builds a scratch PostgreSQL database `cchc_bench_offline` (server at TEST_DATABASE_URL) with an
inspector on the team of a started inspection, a private Redis and gunicorn as shipped, and
writes bench/results/offline.json ({"machine": …, "figures": {name: {"value", "unit"}}}).
Exits non-zero when the soak's conditions are not met."""

import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bench import scratch_database

from .fault_proxy import FaultProxy, Faults
from .web import RESULTS, ROOT, free_port, gunicorn, machine, server_environment

DATABASE = "cchc_bench_offline"
ITEMS = int(os.environ.get("BENCH_OFFLINE_ITEMS", "1000"))
PASSWORD = "bench-password"
# shares of the requests the proxy drops (35% in all): before the server sees them, cut in the
# middle of the upload, after the server answered
SHARES = {"before": 0.15, "midway": 0.04, "after": 0.16}


def _database() -> str:
    return scratch_database(DATABASE)


def _fill() -> int:
    """A commune, the department that inspects it, a leader and an inspector, and an inspection
    (today within its dates) that the inspector leads and has started; returns its id."""
    from inspection.auth.passwords import hash_password
    from inspection.inspections import fieldwork, scheduling
    from inspection.language.formatting import TZ, local_today
    from inspection.language.text import fold
    from models import ChecklistItem, ChecklistTemplate, Membership, OrgUnit, User, db
    from models.enums import InspectionKind, Role

    def unit(code, name, kind, parent=None):
        row = OrgUnit(code=code, name=name, name_folded=fold(name), short_name=name, kind=kind,
                      parent_id=parent.id if parent else None)
        db.session.add(row)
        db.session.flush()
        return row

    def user(username, role, at):
        row = User(username=username, full_name=f"Người dùng {username}", full_name_folded=username,
                   password_hash=hash_password(PASSWORD), memberships=[Membership(role=role, unit_id=at.id)])
        db.session.add(row)
        db.session.flush()
        return row

    root = unit("P", "Tỉnh Đồng Tháp", "province")
    pc = unit("P-UB", "Ủy ban nhân dân tỉnh Đồng Tháp", "peoples_committee", root)
    dept = unit("S01", "Sở Nội vụ", "department", pc)
    commune = unit("X001", "Ủy ban nhân dân xã An Phước", "commune", pc)
    leader, inspector = user("leader", Role.LEADER, pc), user("inspector", Role.INSPECTOR, dept)
    template = ChecklistTemplate(family="bench-offline", name="Bộ tiêu chí kiểm tra CCHC",
                                 name_folded="bo tieu chi kiem tra cchc", year=local_today().year, unit_id=pc.id,
                                 items=[ChecklistItem(position=1, code="1", criterion="Niêm yết thủ tục hành chính")])
    db.session.add(template)
    db.session.commit()
    inspection = scheduling.schedule_inspection(
        leader, ordering_unit=pc, target=commune, kind=InspectionKind.SCHEDULED,
        start_on=local_today() - timedelta(days=1), end_on=local_today() + timedelta(days=1), template=template,
        lead_id=inspector.id)
    scheduling.announce_inspection(leader, inspection)
    fieldwork.start_inspection(inspector, inspection, device_time=datetime.now(TZ))
    db.session.commit()
    return inspection.id


def _device(port: int, inspection_id: int, out: Path) -> dict:
    """Run bench/outbox.py against the proxy; returns what it wrote."""
    subprocess.run([sys.executable, "-m", "bench.outbox", f"http://127.0.0.1:{port}", str(inspection_id),
                    "inspector", PASSWORD, str(ITEMS), str(out)], cwd=ROOT, check=True, timeout=1800)
    return json.loads((out / "outbox.json").read_text())


def _stored(inspection_id: int) -> tuple[dict, dict]:
    """Findings and photos of the inspection as the server holds them, keyed by client UUID (lists,
    so that a UUID stored twice would show)."""
    from models import Finding, FindingPhoto, db

    findings, photos = {}, {}
    for row in db.session.execute(select(Finding).where(Finding.inspection_id == inspection_id)).scalars():
        findings.setdefault(row.client_uuid, []).append(row)
    rows = select(FindingPhoto).join(Finding).where(Finding.inspection_id == inspection_id)
    for row in db.session.execute(rows).scalars():
        photos.setdefault(row.client_uuid, []).append(row)
    return findings, photos


def _read_back(photo) -> tuple[str, str]:
    """(sha256 of the stored original's bytes through the storage layer, its recorded sha256)."""
    from inspection.files import storage
    from models import Attachment, db

    original = db.session.get(Attachment, photo.original_id)
    digest = hashlib.sha256()
    with storage.open_attachment(original) as stream:
        for chunk in iter(lambda: stream.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest(), original.sha256


def _verify(inspection_id: int, items: list[dict]) -> dict:
    """Counts against the database: stored, duplicates, lost, content and sha256 matches."""
    from models import Attachment, FindingPhoto, db

    findings, photos = _stored(inspection_id)
    counts = dict.fromkeys(("lost", "gave_up", "content_mismatches", "sha256_matching", "sha256_mismatched"), 0)
    for item in items:
        finding, photo = findings.get(item["finding_uuid"], [None])[0], photos.get(item["photo_uuid"], [None])[0]
        counts["gave_up"] += not item["acknowledged"]
        counts["lost"] += not item["acknowledged"] or finding is None or photo is None
        if finding is not None and (finding.description, finding.severity) != (item["description"], item["severity"]):
            counts["content_mismatches"] += 1
        if finding is not None and photo is not None and photo.finding_id != finding.id:
            counts["content_mismatches"] += 1
        if photo is not None:
            actual, recorded = _read_back(photo)
            ok = actual == recorded == item["sha256"] == (item.get("photo_acknowledged_sha256") or item["sha256"])
            counts["sha256_matching" if ok else "sha256_mismatched"] += 1
    sent = {item["finding_uuid"] for item in items}, {item["photo_uuid"] for item in items}
    finding_rows, photo_rows = sum(map(len, findings.values())), sum(map(len, photos.values()))
    referenced = {i for p in db.session.execute(select(FindingPhoto)).scalars() for i in (p.original_id, p.display_id)}
    attachments = db.session.execute(select(func.count(Attachment.id))).scalar_one()
    return counts | {"findings_stored": len(sent[0] & findings.keys()), "photos_stored": len(sent[1] & photos.keys()),
                     "duplicates": finding_rows - len(sent[0] & findings.keys()) + photo_rows
                     - len(sent[1] & photos.keys()),
                     "attachments": attachments, "orphan_attachments": attachments - len(referenced)}


def _files_on_disk(storage_dir: Path) -> int:
    return sum(1 for path in storage_dir.rglob("*") if path.is_file())


def _figure(value: float, unit: str) -> dict:
    return {"value": round(value, 2), "unit": unit}


def _figures(faults: Faults, device: dict, checked: dict, files: int) -> dict:
    items, latencies = device["items"], [item["seconds"] * 1000 for item in device["items"]]
    dropped = sum(faults.counts[k] for k in ("dropped_before", "dropped_midway", "dropped_after"))
    figures = {"offline.items_sent": _figure(len(items), "findings with one photo each"),
               "offline.requests": _figure(faults.counts["requests"], "requests through the proxy")}
    figures |= {f"offline.{k}": _figure(faults.counts[k], "requests")
                for k in ("dropped_before", "dropped_midway", "dropped_after")}
    figures["offline.drop_rate"] = _figure(dropped / max(faults.counts["requests"], 1), "ratio")
    figures["offline.dropped_after_stored"] = _figure(faults.counts.get("dropped_after_stored", 0), "requests")
    units = {"findings_stored": "findings", "photos_stored": "photos", "duplicates": "rows", "lost": "items",
             "gave_up": "items", "content_mismatches": "items"}
    figures |= {f"offline.{k}": _figure(checked[k], unit) for k, unit in units.items()}
    figures["offline.photos_sha256_matching"] = _figure(checked["sha256_matching"], "photos")
    figures["offline.photos_sha256_mismatched"] = _figure(checked["sha256_mismatched"], "photos")
    figures["offline.orphan_attachments"] = _figure(checked["orphan_attachments"], "attachments")
    figures["offline.orphan_files"] = _figure(files - checked["attachments"], "files")
    figures["offline.throughput"] = _figure(len(items) / device["seconds"], "items/s")
    figures["offline.seconds"] = _figure(device["seconds"], "s")
    figures["offline.sync_latency.p50_ms"] = _figure(statistics.median(latencies), "ms")
    figures["offline.sync_latency.p95_ms"] = _figure(statistics.quantiles(latencies, n=100)[94], "ms")
    figures["offline.request.p95_ms"] = _figure(statistics.quantiles(device["latencies_ms"], n=100)[94], "ms")
    attempts = sum(item["finding_attempts"] + item["photo_attempts"] for item in items)
    figures["offline.attempts_per_request"] = _figure(attempts / (2 * len(items)), "attempts")
    return figures


def _failures(figures: dict) -> list[str]:
    value = {name.removeprefix("offline."): figure["value"] for name, figure in figures.items()}
    wanted = {"findings_stored": ITEMS, "photos_stored": ITEMS, "duplicates": 0, "lost": 0,
              "photos_sha256_matching": ITEMS, "content_mismatches": 0}
    failed = [f"{k} = {value[k]}, wanted {v}" for k, v in wanted.items() if value[k] != v]
    failed += [f"{k} = 0: the soak proves nothing" for k in ("dropped_before", "dropped_after_stored") if not value[k]]
    return failed + ([f"drop_rate = {value['drop_rate']} < 0.30"] if value["drop_rate"] < 0.30 else [])


def _run(tmp: Path) -> dict:
    import flask_migrate

    from app import create_app
    from models import db

    env, redis_proc = server_environment(tmp, _database())
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "CCHC_INSTANCE_DIR", "CCHC_STORAGE_DIR",
                                           "CCHC_PROFILE")})
    started_on, server, proxy = machine(), None, None
    try:
        app = create_app({"SQLALCHEMY_ENGINE_OPTIONS": {}})
        with app.app_context():
            flask_migrate.upgrade()
            inspection_id = _fill()
            db.session.remove()
        port = free_port()
        server = gunicorn(env, port)
        faults = Faults(SHARES["before"], SHARES["midway"], SHARES["after"], seed=20261123)
        proxy = FaultProxy(port, faults).start()
        device = _device(proxy.port, inspection_id, tmp / "device")
        with app.app_context():
            checked = _verify(inspection_id, device["items"])
            db.session.remove()
    finally:
        for closing in (proxy and proxy.shutdown, server and server.terminate, redis_proc.terminate):
            if closing:
                closing()
        for proc in (server, redis_proc):
            if proc:
                proc.wait(timeout=30)
    figures = _figures(faults, device, checked, _files_on_disk(tmp / "files"))
    return {"machine": started_on, "data": {"items": ITEMS, "drop_shares": SHARES,
                                            "photo_bytes_total": sum(i["photo_bytes"] for i in device["items"]),
                                            "device_failures": device["failures"]}, "figures": figures}


def main() -> None:
    RESULTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cchc-bench-offline-") as tmp:
        result = _run(Path(tmp))
    (RESULTS / "offline.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    for name, figure in result["figures"].items():
        print(f"{name}: {figure['value']} {figure['unit']}")
    if failed := _failures(result["figures"]):
        raise SystemExit("offline soak failed: " + "; ".join(failed))


if __name__ == "__main__":
    main()
