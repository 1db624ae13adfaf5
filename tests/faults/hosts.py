"""Several hosts on this machine: Linux network namespaces joined by a bridge on a test network of
their own (10.213.N.0/24: this machine's side .1, the hosts .11, .12 …), each running the app's real
processes, behind HAProxy (Debian's) with health checks on /healthz. PostgreSQL, Redis and the S3
server (moto) run on this machine's side and listen on the bridge's address too. Used by
tests/faults/test_multihost.py and bench/scale.py. Needs root (ip netns), haproxy and iproute2
(.ci/system-packages installs them). Traffic goes to loopback and to this network's addresses only."""

import contextlib
import os
import random
import secrets
import signal
import socket
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tests.s3 import Bucket, moto_server

from .conftest import PostgresServer, Processes, RedisServer, app_env, free_port, until

WEB_PORT = 8000


def _ip(*args: str) -> None:
    done = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, f"ip {' '.join(args)}: {done.stderr}"


@dataclass
class Host:
    name: str
    namespace: str
    address: str
    veth: str  # this machine's end of the host's cable

    @property
    def prefix(self) -> tuple[str, ...]:
        return ("ip", "netns", "exec", self.namespace)


class Network:
    """A bridge and the namespaces on it, removed on exit (names carry a tag of this run)."""

    def __init__(self):
        used = subprocess.run(["ip", "-4", "addr"], capture_output=True, text=True).stdout
        third = random.choice([n for n in range(1, 255) if f"10.213.{n}." not in used])
        self.net, self.tag, self.hosts = f"10.213.{third}", secrets.token_hex(2), []
        self.bridge, self.address = f"cchcbr{self.tag}", f"10.213.{third}.1"
        self.cidr = f"10.213.{third}.0/24"

    def __enter__(self) -> "Network":
        _ip("link", "add", self.bridge, "type", "bridge")
        _ip("addr", "add", f"{self.address}/24", "dev", self.bridge)
        _ip("link", "set", self.bridge, "up")
        return self

    def host(self, name: str) -> Host:
        number = 11 + len(self.hosts)
        host = Host(name, f"cchc-{self.tag}-{name}", f"{self.net}.{number}", f"cc{self.tag}{number}")
        self.hosts.append(host)
        _ip("netns", "add", host.namespace)
        _ip("link", "add", host.veth, "type", "veth", "peer", "name", host.veth + "h")
        _ip("link", "set", host.veth + "h", "netns", host.namespace)
        _ip("link", "set", host.veth, "master", self.bridge, "up")
        _ip("-n", host.namespace, "addr", "add", f"{host.address}/24", "dev", host.veth + "h")
        _ip("-n", host.namespace, "link", "set", host.veth + "h", "up")
        _ip("-n", host.namespace, "link", "set", "lo", "up")
        return host

    def unplug(self, host: Host) -> None:
        """The host's cable pulled: nothing reaches it any more, nothing answers."""
        _ip("link", "set", host.veth, "down")

    def __exit__(self, *exc) -> None:
        for host in self.hosts:
            subprocess.run(["ip", "netns", "delete", host.namespace], capture_output=True)
        subprocess.run(["ip", "link", "delete", self.bridge], capture_output=True)


HAPROXY_CFG = """global
    maxconn 2000
    stats socket {stats} mode 600 level admin

defaults
    mode http
    timeout connect 1s
    timeout client 60s
    timeout server 60s
    timeout check 1s
    # a request a dead host refused or dropped unanswered goes to another host; never a POST again
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response
    option httpchk GET /healthz
    http-check expect status 200
    default-server inter 500ms fall 2 rise 2

frontend cchc
    bind 127.0.0.1:{port}
    default_backend web

backend web
    balance leastconn
    http-request disable-l7-retry if METH_POST
{servers}
"""


class HAProxy:
    """haproxy in the foreground on a loopback port, its admin socket in `workdir`."""

    def __init__(self, workdir: Path, servers: dict[str, str]):
        self.port, self.stats = free_port(), workdir / "haproxy.sock"
        lines = "\n".join(f"    server {name} {address} check" for name, address in servers.items())
        self.config = workdir / "haproxy.cfg"
        self.config.write_text(HAPROXY_CFG.format(stats=self.stats, port=self.port, servers=lines))
        self.url, self.proc = f"http://127.0.0.1:{self.port}", None

    def start(self, log: Path) -> None:
        self.proc = subprocess.Popen(["haproxy", "-f", str(self.config), "-db"], stdout=log.open("w"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        until(lambda: self.stats.exists() or self.proc.poll() is not None, 10, "haproxy to start")
        assert self.proc.poll() is None, log.read_text()

    def command(self, line: str) -> str:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(self.stats))
            sock.sendall(line.encode() + b"\n")
            return b"".join(iter(lambda: sock.recv(65536), b"")).decode()

    def servers(self) -> dict[str, dict]:
        """Each web server's row of `show stat`: status (UP, DOWN …), stot (sessions served) …"""
        lines = self.command("show stat").splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
        return {r["svname"]: r for r in rows if r["pxname"] == "web" and r["svname"] not in ("FRONTEND", "BACKEND")}

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=10)


@dataclass
class Cluster:
    network: Network
    postgres: PostgresServer
    redis: RedisServer
    bucket: Bucket
    haproxy: HAProxy
    hosts: dict[str, Host] = field(default_factory=dict)
    procs: dict[str, Processes] = field(default_factory=dict)  # per host; "" is this machine's
    started: dict[str, object] = field(default_factory=dict)  # per host: its gunicorn or worker.py

    def instance(self, name: str) -> Path:
        return Path(self.procs[name].env["CCHC_INSTANCE_DIR"])


def _servers(stack: contextlib.ExitStack, network: Network, workdir: Path):
    """PostgreSQL, Redis and moto on this machine, listening on loopback and the bridge."""
    postgres = PostgresServer()
    stack.callback(postgres.remove)
    postgres.init()
    postgres.listen_on(network.address, network.cidr)
    postgres.start()
    redis = RedisServer(workdir)
    redis.host, redis.listen = network.address, ("127.0.0.1", network.address)
    redis.start()
    stack.callback(redis.stop, signal.SIGKILL)
    endpoint = stack.enter_context(moto_server(network.address))
    return postgres, redis, Bucket(endpoint, f"cchc-{uuid.uuid4().hex[:12]}", "cchc")


def _on_host(cluster: Cluster, host: Host, workdir: Path, env: dict, core: int | None) -> Processes:
    """A host's processes: its own instance directory and disk (which must stay empty); with
    `core`, they run on that CPU core only (a machine of its own, as far as CPU goes)."""
    (workdir / host.name).mkdir()
    cluster.hosts[host.name] = host
    pinned = ("taskset", "-c", str(core)) if core is not None else ()
    procs = Processes(env | {"CCHC_INSTANCE_DIR": str(workdir / host.name),
                             "CCHC_STORAGE_DIR": str(workdir / host.name / "files")}, host.prefix + pinned)
    cluster.procs[host.name] = procs
    return procs


@contextlib.contextmanager
def cluster(workdir: Path, webs: int = 2, workers: int = 2, web_workers: int = 1, extra: dict | None = None,
            pin: bool = False):
    """The demo province on `webs` web hosts (gunicorn) and `workers` worker hosts (worker.py),
    RQ's cron on this machine, HAProxy in front: a Cluster. `pin`: web host n runs on core n-1."""
    with contextlib.ExitStack() as stack:
        network = stack.enter_context(Network())
        postgres, redis, bucket = _servers(stack, network, workdir)
        env = app_env(postgres.url, redis.url, workdir / "main", str(workdir / "main" / "files"))
        env |= bucket.env() | {"SECRET_KEY": secrets.token_hex(32)} | (extra or {})  # one key on every host
        servers = {f"web{n}": f"{network.net}.{11 + n - 1}:{WEB_PORT}" for n in range(1, webs + 1)}
        found = Cluster(network, postgres, redis, bucket, HAProxy(workdir, servers))
        found.procs[""] = Processes(env)
        stack.callback(lambda: [procs.stop_all() for procs in found.procs.values()])
        stack.callback(found.haproxy.stop)
        found.procs[""].flask("db", "upgrade")
        found.procs[""].flask("seed-demo")
        for number, name in enumerate([*servers, *(f"worker{n}" for n in range(1, workers + 1))]):
            core = number % (os.cpu_count() or 1) if pin and name in servers else None
            procs = _on_host(found, network.host(name), workdir, env, core)
            log = workdir / name / "log"
            web = name.startswith("web")
            found.started[name] = (procs.web(WEB_PORT, log, found.hosts[name].address, web_workers) if web
                                   else procs.worker(log))
        found.procs[""].cron(workdir / "cron.log")
        found.haproxy.start(workdir / "haproxy.log")
        until(lambda: all(s["status"] == "UP" for s in found.haproxy.servers().values()), 90,
              "every web host to pass HAProxy's health check")
        until(lambda: redis.client().scard("rq:workers") >= workers, 60, "the worker hosts' workers")
        yield found
