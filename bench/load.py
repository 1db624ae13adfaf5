"""The load generator of `python -m bench web`, run as its own process on loopback:

    python -m bench.load URL PATH CONCURRENCY REQUESTS COOKIE [COOKIE …]

Keeps CONCURRENCY requests in flight (one keep-alive connection per thread, each thread with its
own signed-in session cookie when several are given) until REQUESTS answers came back, then prints
one JSON line: p50/p95/p99 in ms, requests per second, and the number of non-200 answers.
A "{n}" in PATH is replaced by the request's number (to make every request a different one)."""

import http.client
import json
import statistics
import sys
import threading
import time
from urllib.parse import urlsplit


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


def run(url: str, path: str, concurrency: int, requests: int, cookies: list[str]) -> dict:
    parts = urlsplit(url)
    quota, samples, errors, lock = [requests], [], [], threading.Lock()
    threads = [threading.Thread(target=_worker, args=(parts.hostname, parts.port, path,
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
    url, path, concurrency, requests, *cookies = sys.argv[1:]
    print(json.dumps(run(url, path, int(concurrency), int(requests), cookies)))
