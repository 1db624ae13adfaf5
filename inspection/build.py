"""What this deployment is: the code's commit, for people (backup manifests), and a fingerprint of
everything that draws a page, for machines: every key of a cache shared between processes and
releases (rows and dashboard pages in Redis) carries it, so HTML drawn by one release (its Python,
templates and compiled message catalogs) is never served by the next, nor by a developer's edited
checkout. Computed once per process (~10 ms: the files' contents, not their dates)."""

import functools
import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DRAWN_FROM = (("inspection", "*.py"), ("models", "*.py"), ("templates", "*.html"), ("translations", "*.mo"))


def commit() -> str:
    """The deployed commit when the code is a git checkout (the app has no release number)."""
    head = ROOT / ".git" / "HEAD"
    try:
        ref = head.read_text().strip()
        if ref.startswith("ref: "):
            ref = (head.parent / ref.removeprefix("ref: ")).read_text().strip()
        return f"git {ref[:12]}"
    except OSError:
        return "unknown"


@functools.cache
def fingerprint() -> str:
    """A digest of the code, templates and message catalogs this process draws pages with."""
    digest = hashlib.blake2b(digest_size=8)
    for folder, pattern in DRAWN_FROM:
        for path in sorted((ROOT / folder).rglob(pattern)):
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
