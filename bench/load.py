"""The load generator of `python -m bench web`, run as its own process on loopback:

    python -m bench.load URL PATH CONCURRENCY REQUESTS COOKIE [COOKIE …]
    python -m bench.load --sync URL INSPECTION_ID DAY CONCURRENCY BATCHES COOKIE|CSRF [COOKIE|CSRF …]

Keeps CONCURRENCY requests in flight (one keep-alive connection per thread, each thread with its
own signed-in session cookie when several are given) until REQUESTS answers came back, then prints
one JSON line: p50/p95/p99 in ms, requests per second, and the number of non-200 answers.
A "{n}" in PATH is replaced by the request's number (to make every request a different one).

With --sync each sample is a tablet's sync batch: SYNC_BATCH findings posted in one request to the
batch endpoint of the JSON API (/api/v1/sync, as the outbox sends them), each with a new client UUID
and a device time on DAY (the inspection's date, YYYY-MM-DD); the times are per batch and an item
answered other than 201 counts as an error."""

import http.client
import json
import statistics
import sys
import threading
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from datetime import time as clock
from urllib.parse import urlsplit

SYNC_BATCH = 20


def _worker(host: str, port: int, path: str, cookie: str, quota: list, samples: list, errors: list, lock) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=60)
    headers = {"Cookie": cookie} if cookie else {}
    while True:
        with lock:
            if quota[0] <= 0:
                break
            quota[0] -= 1
            number = quota[0]
        start = time.perf_counter()
        conn.request("GET", path.replace("{n}", str(number)), headers=headers)
        response = conn.getresponse()
        response.read()
        elapsed = (time.perf_counter() - start) * 1000
        with lock:
            samples.append(elapsed)
            if response.status != 200:
                errors.append(response.status)
    conn.close()


def _batch(conn, path: str, headers: dict, errors: list, day: date) -> None:
    """One sync batch: SYNC_BATCH new findings of the inspection in PATH, in one request."""
    vietnam = timezone(timedelta(hours=7))  # Asia/Ho_Chi_Minh
    now = datetime.now(vietnam)
    # taken on the inspection's day, and never later than now (the server refuses future times)
    on_site = now if now.date() == day else datetime.combine(day, clock(9), vietnam)
    inspection_id = int(path.rsplit("/", 1)[-1])
    items = [{"kind": "finding", "inspection_id": inspection_id,
              "body": {"description": f"Tồn tại ghi nhận tại hiện trường số {n + 1}", "severity": "minor",
                       "client_uuid": str(uuid.uuid4()),
                       "device_time": (on_site - timedelta(seconds=SYNC_BATCH - n)).isoformat()}}
             for n in range(SYNC_BATCH)]
    conn.request("POST", "/api/v1/sync", body=json.dumps({"items": items}).encode(), headers=headers)
    response = conn.getresponse()
    answer = response.read()
    if response.status != 200:
        errors.extend([response.status] * SYNC_BATCH)
        return
    errors.extend(r["status"] for r in json.loads(answer)["results"] if r["status"] != 201)


def _sync_worker(host: str, port: int, path: str, session: str, quota: list, samples: list, errors: list,
                 lock) -> None:
    cookie, token, day = session.rsplit("|", 2)
    headers = {"Cookie": cookie, "X-CSRFToken": token, "Content-Type": "application/json"}
    conn = http.client.HTTPConnection(host, port, timeout=60)
    while True:
        with lock:
            if quota[0] <= 0:
                break
            quota[0] -= 1
        start = time.perf_counter()
        failed: list = []
        _batch(conn, path, headers, failed, date.fromisoformat(day))
        elapsed = (time.perf_counter() - start) * 1000
        with lock:
            samples.append(elapsed)
            errors.extend(failed)
    conn.close()


def run(url: str, path: str, concurrency: int, requests: int, cookies: list[str], worker=_worker) -> dict:
    parts = urlsplit(url)
    quota, samples, errors, lock = [requests], [], [], threading.Lock()
    threads = [threading.Thread(target=worker, args=(parts.hostname, parts.port, path,
                                                    cookies[n % len(cookies)] if cookies else "",
                                                    quota, samples, errors, lock)) for n in range(concurrency)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    cuts = statistics.quantiles(samples, n=100)
    return {"p50": statistics.median(samples), "p95": cuts[94], "p99": cuts[98],
            "rps": len(samples) / wall, "errors": len(errors)}


if __name__ == "__main__":
    if sys.argv[1] == "--sync":
        url, inspection_id, day, concurrency, batches, *sessions = sys.argv[2:]
        print(json.dumps(run(url, f"/api/v1/inspections/{inspection_id}", int(concurrency), int(batches),
                             [f"{session}|{day}" for session in sessions], worker=_sync_worker)))
    else:
        url, path, concurrency, requests, *cookies = sys.argv[1:]
        print(json.dumps(run(url, path, int(concurrency), int(requests), cookies)))
