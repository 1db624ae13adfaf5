"""`python -m bench scale` (root: ip netns): the throughput of one and of two web hosts behind
HAProxy, on the demo province. The hosts are network namespaces of this machine
(tests/faults/hosts.py, the multi-host test's setup): gunicorn (BENCH_SCALE_WORKERS workers ×
4 threads) on each, pinned to a core of its own (web1 core 0, web2 core 1: BENCH_SCALE_PIN=0 lets
them share every core), PostgreSQL, Redis and the S3 server (moto) shared, HAProxy in front.

The load generator (bench/load.py) asks the leader's task list through HAProxy with more and more
requests in flight; a host count's throughput is the most requests per second of a step whose p95
stays ≤ 350 ms (the list pages' bar). One host = web2 disabled in HAProxy; the two host counts
alternate at each step (three rounds, the median kept), so load from other processes falls on both
alike. PostgreSQL, Redis, HAProxy and the load generator run on every core, beside both hosts and
other people's work: the ratio says what a second host's core adds here, a lower bound of a
second machine's.
Writes its figures into bench/results/scale.json (the storage figures there kept)."""

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.web import sign_in

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = RESULTS.parent.parent
STEPS = [int(n) for n in os.environ.get("BENCH_SCALE_STEPS", "4,8,16,24,32").split(",")]
ROUNDS = int(os.environ.get("BENCH_SCALE_ROUNDS", "3"))
REQUESTS = int(os.environ.get("BENCH_SCALE_REQUESTS", "300"))
WORKERS = int(os.environ.get("BENCH_SCALE_WORKERS", "2"))
PIN = os.environ.get("BENCH_SCALE_PIN", "1") == "1"  # web host n on core n-1 (as if on machines of their own)
BAR_MS = 350
PAGE = "/tasks"


def _load(url: str, concurrency: int, cookies: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.load", url, PAGE, str(concurrency),
                          str(max(REQUESTS, 10 * concurrency)), *cookies],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    if result["errors"]:
        raise RuntimeError(f"{PAGE}: {result['errors']} answers were not 200")
    return result


def _hosts(found, count: int) -> None:
    """Serve from web1 alone (web2 in maintenance) or from both."""
    if count == 1:
        found.haproxy.command("disable server web/web2")
        return
    found.haproxy.command("enable server web/web2")
    for _ in range(100):
        if found.haproxy.servers()["web2"]["status"] == "UP":
            return
        time.sleep(0.1)
    raise RuntimeError("web2 did not come back")


def _steps(found, cookies: list[str]) -> dict[int, list[dict]]:
    """Each step ROUNDS times per host count (1, 2, 2, 1 …): the round of median throughput."""
    runs: dict[int, list[dict]] = {1: [], 2: []}
    for concurrency in STEPS:
        tried: dict[int, list[dict]] = {1: [], 2: []}
        for round_ in range(ROUNDS):
            for count in (1, 2) if round_ % 2 == 0 else (2, 1):
                _hosts(found, count)
                tried[count].append(_load(found.haproxy.url, concurrency, cookies) | {"in_flight": concurrency})
        for count, results in tried.items():
            result = sorted(results, key=lambda r: r["rps"])[len(results) // 2]
            runs[count].append(result)
            print(f"{count} web host(s), {concurrency} in flight: {result['rps']:.1f} req/s, "
                  f"p50 {result['p50']:.0f} ms, p95 {result['p95']:.0f} ms (median of {ROUNDS})", flush=True)
    return runs


def _best(runs: list[dict]) -> dict:
    within = [r for r in runs if r["p95"] <= BAR_MS]
    return max(within, key=lambda r: r["rps"]) if within else {"rps": 0.0, "p95": None, "in_flight": None}


def _figures(runs: dict[int, list[dict]]) -> dict:
    one, two = _best(runs[1]), _best(runs[2])
    figures = {}
    for name, best in (("one_web_host", one), ("two_web_hosts", two)):
        figures[f"scale.{name}.rps_at_p95_350ms"] = {"value": round(best["rps"], 1), "unit": "requests/s"}
        figures[f"scale.{name}.p95_ms"] = {"value": best["p95"] and round(best["p95"], 1), "unit": "ms"}
        figures[f"scale.{name}.in_flight"] = {"value": best["in_flight"], "unit": "requests"}
    figures["scale.two_to_one_web_hosts.ratio"] = {"value": round(two["rps"] / one["rps"], 3) if one["rps"] else None,
                                                   "unit": "ratio"}
    return figures


def _write(figures: dict, described: str) -> None:
    path = RESULTS / "scale.json"
    kept = json.loads(path.read_text()) if path.exists() else {"figures": {}, "machines": {}}
    kept["figures"] = {k: v for k, v in kept["figures"].items() if not k.startswith("scale.")} | figures
    kept["machines"]["scale"] = described
    path.write_text(json.dumps(kept, ensure_ascii=False, indent=2) + "\n")


def main() -> None:
    from inspection.demo.seed import DEMO_PASSWORD
    from tests.faults.hosts import cluster

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.machine())
    started_on = f"{cpu}, {os.cpu_count()} cores, load average at start {os.getloadavg()[0]:.1f}"
    with tempfile.TemporaryDirectory(prefix="cchc-bench-scale-") as tmp, \
            cluster(Path(tmp), webs=2, workers=0, web_workers=WORKERS, pin=PIN) as found:
        port = int(found.haproxy.url.rsplit(":", 1)[1])
        cookies = [sign_in(port, "leader", DEMO_PASSWORD) for _ in range(4)]
        runs = _steps(found, cookies)
    figures = _figures(runs)
    steps = {count: [f"{r['in_flight']}: {r['rps']:.0f}/s p95 {r['p95']:.0f} ms" for r in found]
             for count, found in runs.items()}
    placed = "web1 on core 0, web2 on core 1 (taskset)" if PIN else "both hosts on every core"
    described = (f"{started_on}, at end {os.getloadavg()[0]:.1f}; per web host gunicorn {WORKERS} workers × 4 "
                 f"threads, {placed}; demo province, {PAGE} as the leader; steps (in flight: "
                 f"throughput, p95) with one host {steps[1]}, with two {steps[2]}")
    _write(figures, described)
    for name, figure in figures.items():
        print(f"{name}: {figure['value']} {figure['unit']}")


if __name__ == "__main__":
    main()
