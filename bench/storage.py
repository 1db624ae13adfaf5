"""`python -m bench storage`: the object store against local disk, for the same work in the same
process: storing a 12 MP camera photo (the original and its ≈1600 px copy, inspection/files/photos.py,
the tablet upload's storage part) and rendering the remediation report of an inspection whose 30
findings each carry such a photo (every photo read back from the store and checked against its
sha256, the PDF written to it). The S3 server is moto's (`moto_server`, from `moto[server]`) in
its own process on loopback; disk and S3 runs alternate, so load from other processes falls on
both alike.

Builds a scratch database `cchc_bench_storage` (server at TEST_DATABASE_URL) with the demo district
and a private Redis; writes its figures into bench/results/scale.json (other figures there kept)."""

import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench import scratch_database

RESULTS = Path(__file__).resolve().parent / "results"
PHOTO_RUNS = int(os.environ.get("BENCH_STORAGE_PHOTO_RUNS", "12"))
RENDER_RUNS = int(os.environ.get("BENCH_STORAGE_RENDER_RUNS", "5"))
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "cchc-bench", "AWS_SECRET_ACCESS_KEY": "cchc-bench-secret"}


def _database() -> str:
    return scratch_database("cchc_bench_storage")


def _s3_server():
    """moto's S3 server (`moto_server`, its own process, as MinIO would be) on a free loopback
    port, and a private bucket in it: (process, settings)."""
    import boto3

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint, bucket = f"http://127.0.0.1:{port}", f"cchc-bench-{uuid.uuid4().hex[:8]}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          **{k.lower(): v for k, v in CREDENTIALS.items()})
    for _ in range(300):
        try:
            client.create_bucket(Bucket=bucket)
            break
        except Exception:  # not listening yet
            time.sleep(0.1)
    return server, {"STORAGE_URL": f"s3://{bucket}/bench", "STORAGE_ENDPOINT": endpoint, "STORAGE_REGION": "us-east-1"}


BACKENDS = {"disk": {"STORAGE_URL": "", "STORAGE_ENDPOINT": "", "STORAGE_REGION": ""}}


def _using(app, backend: str) -> None:
    app.config.update(BACKENDS[backend])


def _photo_upload(app, units, users) -> dict:
    """Median ms of storing one 12 MP photo (original + display copy, committed), per backend."""
    from bench.report_data import camera_photo
    from inspection.data.transaction import unit_of_work
    from inspection.files.photos import store_photo

    owner = {"unit_id": units["TH-ANPHUOC"].id, "uploaded_by_id": users["inspector"].id}
    photos = [camera_photo(900_000 + n) for n in range(PHOTO_RUNS + 1)]
    times: dict[str, list[float]] = {name: [] for name in BACKENDS}
    for n, data in enumerate(photos):
        for backend in (BACKENDS if n % 2 else reversed(list(BACKENDS))):
            _using(app, backend)
            start = time.perf_counter()
            with unit_of_work():
                store_photo(io.BytesIO(data), f"IMG_{n:04d}.jpg", **owner)
            if n:  # the first round warms up
                times[backend].append(time.perf_counter() - start)
    return {name: statistics.median(samples) * 1000 for name, samples in times.items()}


def _render(app, units, users) -> dict:
    """Median s of rendering the 30-photo remediation report (jobs.reports.render_now: snapshot, the
    photos read from the store, WeasyPrint, the PDF stored), per backend, each on its own data."""
    from bench.report_data import inspection_with_remediation
    from bench.reports import _fresh
    from inspection.jobs import reports as jobs

    subjects = {}
    for backend in BACKENDS:
        _using(app, backend)
        print(f"building the 30-photo inspection on {backend}…", flush=True)
        subjects[backend] = inspection_with_remediation(units, users, 30)
    times: dict[str, list[float]] = {name: [] for name in BACKENDS}
    for n in range(RENDER_RUNS + 1):
        for backend in (BACKENDS if n % 2 else reversed(list(BACKENDS))):
            _using(app, backend)
            start = time.perf_counter()
            report = jobs.render_now("remediation_report", subjects[backend])
            elapsed = time.perf_counter() - start
            assert report.status == "ready", report.error
            _fresh(report.id)
            if n:
                times[backend].append(elapsed)
    return {name: statistics.median(samples) for name, samples in times.items()}


def _run() -> dict:
    from bench.reports import demo_district, machine
    from inspection.reports.pdf import warm_up

    started_on = machine()
    with demo_district() as (app, units, users):
        warm_up()
        print("storing photos…", flush=True)
        photo = _photo_upload(app, units, users)
        render = _render(app, units, users)
    figures = {"storage.photo_upload.disk_ms": (photo["disk"], "ms"), "storage.photo_upload.s3_ms": (photo["s3"], "ms"),
               "storage.photo_upload.ratio": (photo["s3"] / photo["disk"], "ratio"),
               "storage.pdf_30_photos.disk_s": (render["disk"], "s"), "storage.pdf_30_photos.s3_s": (render["s3"], "s"),
               "storage.pdf_30_photos.ratio": (render["s3"] / render["disk"], "ratio")}
    return {"machine": started_on, "figures": figures}


def main() -> None:
    from inspection.server.runner import _embedded_redis

    RESULTS.mkdir(exist_ok=True)
    os.environ.update(CREDENTIALS)
    with tempfile.TemporaryDirectory(prefix="cchc-bench-storage-") as tmp:
        redis_proc, redis_url = _embedded_redis(Path(tmp))
        server, s3 = _s3_server()
        BACKENDS["s3"] = s3
        env = {"DATABASE_URL": _database(), "REDIS_URL": redis_url, "CCHC_INSTANCE_DIR": tmp,
               "CCHC_STORAGE_DIR": str(Path(tmp) / "files"), "CCHC_PROFILE": "demo", "TZ": "Asia/Ho_Chi_Minh"}
        os.environ.update(env)
        try:
            result = _run()
        finally:
            server.terminate()
            server.wait(timeout=30)
            redis_proc.terminate()
            redis_proc.wait(timeout=30)
    _write(result)


def _write(result: dict) -> None:
    """Merge this benchmark's figures into scale.json (the multi-host figures may be there too)."""
    path = RESULTS / "scale.json"
    payload = json.loads(path.read_text()) if path.exists() else {}
    figures = payload.setdefault("figures", {})
    for name, (value, unit) in result["figures"].items():
        figures[name] = {"value": round(value, 4), "unit": unit}
    payload.setdefault("machines", {})["storage"] = result["machine"]
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    print(f"\nMachine: {result['machine']}\n")
    print("| figure | value | unit |\n| --- | ---: | --- |")
    for name in result["figures"]:
        print(f"| {name} | {figures[name]['value']} | {figures[name]['unit']} |")


if __name__ == "__main__":
    main()
