"""The citizens' survey under load, part of `python -m bench web`:

- `web.feedback_submit.p95_ms`: answers posted with 50 in flight, each from its own address (the
  gunicorn of bench/web.py trusts X-Forwarded-For, as behind the production proxy); each sample is
  the POST alone (the survey page drawn before it, for the form's one-use start token, is not counted).
  WARM_UP answers go first, not counted, from addresses of their own, as the task list's users open it
  before it is measured: a worker's first survey compiles its templates and statements, and with 50
  in flight that first wave would be an eighth of the samples;
- `web.feedback_flood.staff_p95_ratio`: the p95 of a commune's task list at 10 in flight while one
  address floods the survey at FLOOD_RATE requests/s, ÷ its p95 without the flood, in the same run.

The load generator runs as its own process:

    python -m bench.feedback submit URL PATH CONCURRENCY REQUESTS [FIRST_ADDRESS]
    python -m bench.feedback flood URL PATH RATE SECONDS"""

import http.client
import json
import re
import signal
import subprocess
import sys
import threading
import time
from html import unescape
from urllib.parse import urlencode, urlsplit

from .load import run

FLOOD_RATE = 200
SENDERS = 16  # enough that the rate holds while each refusal takes up to 80 ms
LIMIT = 30  # CCHC_FEEDBACK_MAX_PER_ADDRESS's default, per address and 10 minutes
WARM_UP = 100  # answers before the measured ones, not counted
ANSWER = {"access": "4", "procedure": "5", "official": "3", "result": "4", "handling": "5",
          "procedure_name": "Chứng thực bản sao", "comment": "Cán bộ hướng dẫn tận tình"}


def _cookies(response, jar: dict) -> None:
    for key, value in response.getheaders():
        if key.lower() == "set-cookie":
            name, _, rest = value.split(";", 1)[0].partition("=")
            if name == "session":  # never the day cookie: every sample is another citizen's answer
                jar[name] = rest


def _answer(conn, path: str, jar: dict, address: str) -> tuple[float, int]:
    headers = {"X-Forwarded-For": address, "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    page = unescape(response.read().decode())
    _cookies(response, jar)
    fields = dict(re.findall(r'name="(csrf_token|started)"[^>]*value="([^"]*)"', page))
    headers.update({"Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())})
    start = time.perf_counter()
    conn.request("POST", path, body=urlencode({**ANSWER, **fields}), headers=headers)
    response = conn.getresponse()
    response.read()
    return (time.perf_counter() - start) * 1000, response.status


def _submitter(first_address: int):
    """A load thread's body whose answers come from addresses numbered from `first_address`."""
    def worker(host, port, path, _cookie, quota, samples, errors, lock) -> None:
        _submit_worker(host, port, path, first_address, quota, samples, errors, lock)
    return worker


def _submit_worker(host, port, path, first_address, quota, samples, errors, lock) -> None:
    conn, jar = http.client.HTTPConnection(host, port, timeout=60), {}
    while True:
        with lock:
            if quota[0] <= 0:
                break
            quota[0] -= 1
            number = first_address + quota[0]
        elapsed, status = _answer(conn, path, jar, f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}")
        with lock:
            samples.append(elapsed)
            if status != 303:
                errors.append(status)
    conn.close()


def flood(url: str, path: str, rate: int, seconds: float) -> dict:
    """One address posting to the survey at `rate` requests/s for `seconds`: the answers' statuses."""
    parts, statuses, lock = urlsplit(url), {}, threading.Lock()
    stop = [time.monotonic() + seconds]
    started = time.monotonic()
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, 0))  # the measurement is over

    def worker(offset: float) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        tick = time.monotonic() + offset
        while tick < stop[0]:
            time.sleep(max(0.0, tick - time.monotonic()))
            conn.request("POST", path, body=urlencode(ANSWER), headers={
                "X-Forwarded-For": "203.0.113.200", "Content-Type": "application/x-www-form-urlencoded"})
            response = conn.getresponse()
            response.read()
            with lock:
                statuses[response.status] = statuses.get(response.status, 0) + 1
            tick += SENDERS / rate  # each sender its share of the rate
        conn.close()

    threads = [threading.Thread(target=worker, args=(n / rate,)) for n in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sent = sum(statuses.values())
    return {"rate": sent / (time.monotonic() - started), **{str(k): v for k, v in sorted(statuses.items())}}


def submit(port: int, token: str, requests: int) -> dict:
    """Answers posted with 50 in flight, from a separate load process on loopback, after WARM_UP
    answers not counted (from other addresses)."""
    path, url = f"/danh-gia/{token}", f"http://127.0.0.1:{port}"
    for count, first_address in ((WARM_UP, requests), (requests, 0)):
        out = subprocess.run([sys.executable, "-m", "bench.feedback", "submit", url, path, "50", str(count),
                              str(first_address)], capture_output=True, text=True, check=True)
        result = json.loads(out.stdout)
        if result["errors"]:
            raise RuntimeError(f"survey: {result['errors']} answers were not stored (303)")
    return result


def measure(port: int, token: str, heads: list[str], requests: int) -> dict:
    """Both figures, from separate load processes on loopback."""
    from .web import _figure, load

    path, url = f"/danh-gia/{token}", f"http://127.0.0.1:{port}"
    answers = submit(port, token, requests)
    quiet = load(port, "/tasks", 10, heads[:10])
    flooding = subprocess.Popen([sys.executable, "-m", "bench.feedback", "flood", url, path, str(FLOOD_RATE), "600"],
                                stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(2)  # the flood is running and already refused
        flooded = load(port, "/tasks", 10, heads[:10])
    finally:
        flooding.terminate()
        sent = json.loads(flooding.communicate(timeout=60)[0])
    total = sum(v for k, v in sent.items() if k != "rate")
    if sent.get("429", 0) < total - 2 * LIMIT:  # all but one window's allowance (two at a window's edge)
        raise RuntimeError(f"the flood was not refused: {sent}")
    return {"web.feedback_submit.p95_ms": _figure(answers["p95"], "ms"),
            "web.feedback_submit.p50_ms": _figure(answers["p50"], "ms"),
            "web.feedback_flood.staff_p95_ms": _figure(flooded["p95"], "ms"),
            "web.feedback_flood.staff_quiet_p95_ms": _figure(quiet["p95"], "ms"),
            "web.feedback_flood.staff_p95_ratio": _figure(flooded["p95"] / quiet["p95"], "ratio"),
            "web.feedback_flood.requests_per_s": _figure(sent["rate"], "req/s")}


if __name__ == "__main__":
    mode, url, path, first, second, *rest = sys.argv[1:]
    if mode == "submit":
        print(json.dumps(run(url, path, int(first), int(second), [], worker=_submitter(int(rest[0]) if rest else 0))))
    else:
        print(json.dumps(flood(url, path, int(first), float(second))))
