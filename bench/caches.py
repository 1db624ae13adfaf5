"""Each cache on and off in the same run of `bench web` (issue 19: a cache stays only where it pays).

For each cache a second gunicorn serves the same database and Redis with the cache's setting at
"0" (CCHC_CACHE_<NAME>); the page the cache
serves is loaded from both, alternated ROUNDS times after a warm-up of each, and the median p95 of
each side is kept: web.cache.<name>.on_p95_ms, .off_p95_ms and .ratio (on ÷ off: below 1 the
cache saves time; within the runs' own spread it saves nothing)."""

import os
import statistics

ROUNDS = 3
REQUESTS = 200
# name -> (the setting that turns it off, the page it serves, who asks: heads | leaders)
CACHES = {
    "catalog": ("CCHC_CACHE_CATALOG", "/tasks", "heads"),  # choices, filter panel, subtrees, menu
    "rows": ("CCHC_CACHE_ROWS", "/tasks", "heads"),
    "statements": ("CCHC_CACHE_STATEMENTS", "/tasks", "heads"),  # listing's prebuilt statements: narrow scopes
    "dashboard_page": ("CCHC_CACHE_DASHBOARD_PAGE", "/dashboard", "leaders"),
}
# BENCH_WEB_CACHES=rows,statements: only these (with BENCH_WEB_ONLY=caches)
ONLY = [n for n in os.environ.get("BENCH_WEB_CACHES", "").split(",") if n]


def measure(env: dict, port: int, users: dict[str, list[str]]) -> dict:
    """The on/off figures of every cache; `port` serves the app with every cache on."""
    from .web import _figure, free_port, gunicorn, load  # web.py calls this module, as feedback.py

    figures = {}
    for name, (setting, path, who) in CACHES.items():
        if ONLY and name not in ONLY:
            continue
        off_port = free_port()
        server = gunicorn({**env, setting: "0"}, off_port)
        try:
            cookies = users[who][:10]
            for warm in (port, off_port):  # each process has drawn its rows and planned its statements
                load(warm, path, 10, users[who], 2 * len(users[who]))
            sides = _rounds(lambda p, path=path, cookies=cookies: load(p, path, 10, cookies, REQUESTS),
                            port, off_port)
        finally:
            server.terminate()
            server.wait(timeout=30)
        on, off = (statistics.median(p95s) for p95s in sides)
        figures |= {f"web.cache.{name}.on_p95_ms": _figure(on, "ms"),
                    f"web.cache.{name}.off_p95_ms": _figure(off, "ms"),
                    f"web.cache.{name}.ratio": _figure(on / off, "ratio")}
        print(f"cache {name}: on {[round(x) for x in sides[0]]} off {[round(x) for x in sides[1]]} ms p95", flush=True)
    return figures


def _rounds(run, on_port: int, off_port: int) -> tuple[list[float], list[float]]:
    """The p95 of each side, alternated ROUNDS times."""
    on, off = [], []
    for _ in range(ROUNDS):
        on.append(run(on_port)["p95"])
        off.append(run(off_port)["p95"])
    return on, off


def merged(kept: dict, run: dict) -> dict:
    """web.json with this run's cache figures (BENCH_WEB_ONLY=caches); the others stay the last full run's."""
    figures = {k: v for k, v in run["figures"].items() if k.startswith("web.cache.")}
    return kept | {"caches_measured_apart": run["machine"], "figures": kept["figures"] | figures}
