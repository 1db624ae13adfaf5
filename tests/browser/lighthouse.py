"""Lighthouse (npm, pinned in tools/lighthouse/package.json; .ci/run installs it) run against
Debian's Chromium on a test's live server. A signed-in page is audited with the browser context's
cookies sent as a Cookie header.

    result = lighthouse.run(f"{demo_site}/tasks", context.cookies(), TABLET, ("accessibility",))
    assert result.scores["accessibility"] >= 0.98, result.failures("accessibility")

One run takes about 10-20 s; mark the test `browser`."""

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .conftest import CHROMIUM, TABLET

ROOT = Path(__file__).resolve().parents[2] / "tools" / "lighthouse"
CLI = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-sync"


@dataclass
class Result:
    scores: dict  # category id -> score between 0 and 1
    report: dict  # Lighthouse's whole JSON report (audits, categories, ...)

    def failures(self, category: str) -> list:
        """The category's audits that did not pass, each with the elements Lighthouse names: the
        message for an assertion on its score."""
        refs = self.report["categories"][category]["auditRefs"]
        audits = (self.report["audits"][ref["id"]] for ref in refs if ref.get("weight"))
        return [(audit["id"], audit["title"], _items(audit)) for audit in audits
                if audit.get("score") is not None and audit["score"] < 1]


def _items(audit: dict) -> list:
    items = (audit.get("details") or {}).get("items") or []
    return [(item.get("node") or {}).get("snippet") or item.get("url") or str(item)[:120] for item in items][:5]


def _cookie_header(cookies) -> dict:
    pairs = "; ".join(f"{cookie['name']}={cookie['value']}" for cookie in cookies or ())
    return {"Cookie": pairs} if pairs else {}


def _command(url: str, cookies, viewport: dict, categories) -> list:
    mobile = viewport["width"] < 1024
    return [
        "node", str(CLI), url, "--quiet", "--output=json", "--output-path=stdout",
        f"--only-categories={','.join(categories)}", f"--chrome-flags={CHROME_FLAGS}",
        f"--form-factor={'mobile' if mobile else 'desktop'}",
        f"--screenEmulation.width={viewport['width']}", f"--screenEmulation.height={viewport['height']}",
        "--screenEmulation.deviceScaleFactor=1", f"--screenEmulation.mobile={str(mobile).lower()}",
        f"--extra-headers={json.dumps(_cookie_header(cookies))}",
    ]


def run(url: str, cookies=None, viewport: dict = TABLET, categories=("accessibility",)) -> Result:
    """Audit `url`; cookies as Playwright's context.cookies() gives them. A missing Lighthouse or a
    failed run is a failure, never a skip. Lighthouse's own trace errors ("Please run Lighthouse
    again", e.g. NO_NAVSTART on a busy machine) are its advice to run again: up to three runs."""
    assert CLI.exists(), f"Lighthouse is not installed: npm ci --prefix {ROOT}"
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    for _attempt in range(3):
        done = subprocess.run(_command(url, cookies, viewport, categories), capture_output=True, text=True,
                              env=env, timeout=180, check=False)
        if "Please run Lighthouse again" not in done.stderr + done.stdout[-4000:]:
            break
    assert done.returncode == 0, f"Lighthouse failed ({done.returncode}): {done.stderr[-2000:]}"
    report = json.loads(done.stdout)
    error = report.get("runtimeError")
    assert not error, f"Lighthouse could not load {url}: {error}"
    audited = report.get("finalDisplayedUrl") or report.get("finalUrl")
    assert audited == url, f"Lighthouse audited {audited}, not {url} (signed out: the sign-in page?)"
    return Result({name: category["score"] for name, category in report["categories"].items()}, report)
