"""A fault-injecting HTTP proxy on loopback, for the offline sync soak (bench/offline.py).

Each request, once read in full from the client, meets one fate drawn from a seeded generator:

- dropped_before: the connection is closed before anything is forwarded (the server never sees it);
- dropped_midway: the headers and half the body are forwarded, then both connections are closed
  (the server sees a request cut in the middle of its upload);
- dropped_after: the request is forwarded, the server's whole answer is read (it has committed),
  and the client's connection is closed without relaying it (dropped_after_stored counts those
  whose lost answer was a POST acknowledged as stored);
- relayed: forwarded and answered normally.

One request per connection (`Connection: close`), as the gunicorn sync workers behind it answer."""

import http.client
import random
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler

FATES = ("dropped_before", "dropped_midway", "dropped_after", "relayed")
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
              "content-length"}


class Faults:
    """Draws each request's fate and counts them (thread-safe)."""

    def __init__(self, before: float, midway: float, after: float, seed: int):
        self.shares = {"dropped_before": before, "dropped_midway": midway, "dropped_after": after}
        self.rng, self.lock = random.Random(seed), threading.Lock()
        self.counts = dict.fromkeys(("requests", *FATES), 0)

    def draw(self) -> str:
        with self.lock:
            roll, fate = self.rng.random(), "relayed"
            for name, share in self.shares.items():
                if roll < share:
                    fate = name
                    break
                roll -= share
            self.counts["requests"] += 1
            self.counts[fate] += 1
            return fate

    def note(self, name: str) -> None:
        with self.lock:
            self.counts[name] = self.counts.get(name, 0) + 1


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "FaultProxy"

    def _proxy(self) -> None:
        self.close_connection = True
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        fate = self.server.faults.draw()
        if fate == "dropped_before":
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        if fate == "dropped_midway":
            return self._cut_upload(headers, body)
        status, reason, answer_headers, answer = self._forward(headers, body)
        if fate == "dropped_after":
            if self.command == "POST" and status in (200, 201, 202):
                self.server.faults.note("dropped_after_stored")  # the server said "stored"; the device never hears
            return
        self.send_response_only(status, reason)
        for name, value in answer_headers:
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(answer)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _proxy

    def _forward(self, headers: dict, body: bytes) -> tuple[int, str, list, bytes]:
        conn = http.client.HTTPConnection(*self.server.upstream, timeout=120)
        try:
            conn.request(self.command, self.path, body=body or None, headers=headers)
            response = conn.getresponse()
            return response.status, response.reason, response.getheaders(), response.read()
        finally:
            conn.close()

    def _cut_upload(self, headers: dict, body: bytes) -> None:
        lines = [f"{self.command} {self.path} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items()),
                 f"Content-Length: {len(body)}", "Connection: close", "", ""]
        with socket.create_connection(self.server.upstream, timeout=30) as upstream:
            upstream.sendall("\r\n".join(lines).encode("latin-1") + body[: len(body) // 2])

    def log_message(self, format, *args) -> None:  # noqa: A002 (the base class's name)
        pass


class FaultProxy(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, upstream_port: int, faults: Faults):
        self.upstream, self.faults = ("127.0.0.1", upstream_port), faults
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def start(self) -> "FaultProxy":
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self
