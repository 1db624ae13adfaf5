"""The device of the offline sync soak (bench/offline.py), run as its own process:

    python -m bench.outbox BASE_URL INSPECTION_ID USERNAME PASSWORD ITEMS OUT_DIR

First it captures ITEMS findings "offline", each with one varied JPEG (50–200 KB) whose sha256 it
keeps; then it signs in and syncs its outbox in order like the tablet does: each finding, then its
photo addressed by the finding's client UUID, every request retried (short capped backoff) until
the server acknowledges it. A lost answer, a cut connection or a 5xx is retried; an expired
session or CSRF token (401/400) is renewed, then retried; any other answer (409, 422…) is a
refusal and the item is given up (the soak counts it lost). Writes OUT_DIR/outbox.json: the items
as sent, what was acknowledged, attempts, and the latencies."""

import hashlib
import http.client
import io
import json
import random
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from PIL import Image, ImageDraw

MAX_ATTEMPTS = 60
BACKOFF_FIRST, BACKOFF_CAP = 0.02, 0.25  # seconds: doubled per failure, capped, with jitter
ACKNOWLEDGED = {200, 201, 202}
FINDING_FIELDS = ("description", "severity", "device_time")
rng = random.Random(20261123)
DESCRIPTIONS = ["Chưa niêm yết công khai thủ tục hành chính tại Bộ phận Một cửa.",
                "Hồ sơ trễ hạn chưa có văn bản xin lỗi người dân.",
                "Sổ theo dõi hồ sơ ghi chép không đầy đủ ngày trả kết quả.",
                "Hộp thư góp ý đặt khuất, chưa có lịch mở hộp thư.",
                "Chưa cập nhật trạng thái hồ sơ trên Hệ thống thông tin giải quyết thủ tục hành chính."]


class Photographer:
    """Varied JPEGs like a tablet camera's small copies: shapes on a tinted gradient, with grain."""

    def __init__(self):
        self.noise = Image.effect_noise((1100, 825), 50).convert("RGB")
        self.gradient = Image.linear_gradient("L").convert("RGB")

    def take(self) -> bytes:
        w = rng.randrange(400, 800, 16)
        h = w * 3 // 4
        tint = Image.new("RGB", (w, h), tuple(rng.randrange(256) for _ in range(3)))
        image = Image.blend(self.gradient.resize((w, h)), tint, 0.6)
        draw = ImageDraw.Draw(image)
        for _ in range(rng.randrange(5, 30)):
            x, y = rng.randrange(w), rng.randrange(h)
            box = (x, y, x + rng.randrange(20, w // 2), y + rng.randrange(20, h // 2))
            shape = draw.rectangle if rng.random() < 0.5 else draw.ellipse
            shape(box, fill=tuple(rng.randrange(256) for _ in range(3)))
        x, y = rng.randrange(1100 - w), rng.randrange(825 - h)
        image = Image.blend(image, self.noise.crop((x, y, x + w, y + h)), rng.uniform(0.15, 0.35))
        return self._sized(image, rng.randrange(70, 92))

    @staticmethod
    def _sized(image: Image.Image, quality: int) -> bytes:
        while True:
            out = io.BytesIO()
            image.save(out, "JPEG", quality=quality)
            size = len(out.getvalue())
            if size < 50 * 1024 and quality < 95:
                quality += 4
            elif size > 200 * 1024 and quality > 40:
                quality -= 8
            else:
                return out.getvalue()


def capture(items: int, photos_dir: Path) -> list[dict]:
    """The outbox as the device holds it after a day offline: findings and photos, in order."""
    camera, outbox = Photographer(), []
    photos_dir.mkdir(parents=True, exist_ok=True)
    for n in range(items):
        data = camera.take()
        item = {"n": n, "finding_uuid": str(uuid.uuid4()), "photo_uuid": str(uuid.uuid4()),
                "description": f"{DESCRIPTIONS[n % len(DESCRIPTIONS)]} (ghi nhận số {n + 1})",
                "severity": ("minor", "major", "critical")[n % 3],
                "device_time": datetime.now(UTC).isoformat(), "sha256": hashlib.sha256(data).hexdigest(),
                "photo_bytes": len(data)}
        (photos_dir / f"{item['photo_uuid']}.jpg").write_bytes(data)
        outbox.append(item)
    return outbox


class Device:
    """One signed-in session talking through the proxy; every call retried until answered."""

    def __init__(self, base_url: str, username: str, password: str):
        parts = urlsplit(base_url)
        self.address, self.credentials = (parts.hostname, parts.port), (username, password)
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.failures = {"transport": 0, "server_error": 0, "renewed": 0}
        self.latencies: list[float] = []  # ms, one per acknowledged request

    def _once(self, method: str, path: str, body: bytes = b"", headers: dict | None = None):
        conn = http.client.HTTPConnection(*self.address, timeout=60)
        try:
            headers = dict(headers or {})
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            conn.request(method, path, body=body or None, headers=headers)
            response = conn.getresponse()
            answer = response.read()
        finally:
            conn.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location", ""), answer

    def _retrying(self, method: str, path: str, body: bytes = b"", headers: dict | None = None):
        """Repeat until an HTTP answer that is not a 5xx arrives; (status, location, body, attempts)."""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                status, location, answer = self._once(method, path, body, headers)
            except (OSError, http.client.HTTPException):
                self.failures["transport"] += 1
            else:
                if status < 500:
                    return status, location, answer, attempt
                self.failures["server_error"] += 1
            time.sleep(min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** (attempt - 1)) * rng.uniform(0.5, 1))
        raise TimeoutError(f"{method} {path}: no answer after {MAX_ATTEMPTS} attempts")

    def sign_in(self) -> None:
        """The sign-in form (through the proxy, retried), then a CSRF token from a page of the session."""
        for _ in range(MAX_ATTEMPTS):
            self.cookies.clear()
            page = self._retrying("GET", "/login")[2].decode()
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            form = urlencode({"username": self.credentials[0], "password": self.credentials[1], "csrf_token": token})
            status, location, _, _ = self._retrying(
                "POST", "/login", form.encode(), {"Content-Type": "application/x-www-form-urlencoded"})
            if status == 302 and "/login" not in location and self._fresh_token():
                return
        raise RuntimeError("could not sign in")

    def _fresh_token(self) -> bool:
        status, _, page, _ = self._retrying("GET", "/")
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.decode())
        self.token = match.group(1) if status == 200 and match else ""
        return bool(self.token)

    def send(self, path: str, body: bytes, content_type: str) -> tuple[int, int, bytes]:
        """One outbox entry until acknowledged or refused: (status, attempts, answer)."""
        attempts = 0
        while attempts < MAX_ATTEMPTS:
            started = time.perf_counter()
            try:
                status, _, answer, tries = self._retrying(
                    "POST", path, body, {"Content-Type": content_type, "X-CSRFToken": self.token,
                                         "Accept": "application/json"})
            except TimeoutError:
                return 0, attempts + MAX_ATTEMPTS, b""  # given up: the soak counts the item lost
            attempts += tries
            if status in ACKNOWLEDGED:
                self.latencies.append((time.perf_counter() - started) * 1000)
                return status, attempts, answer
            if not (status == 401 or status == 400 and b"csrf" in answer.lower()):
                return status, attempts, answer  # a refusal: retrying the same bytes cannot help
            self.failures["renewed"] += 1
            self.sign_in()
        return 0, attempts, b""


def multipart(fields: dict, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="anh.jpg"\r\n'
                 f"Content-Type: image/jpeg\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def sync(device: Device, inspection_id: int, outbox: list[dict], photos_dir: Path) -> None:
    """In order: each finding, then its photo; records per item what the server acknowledged."""
    for item in outbox:
        started = time.perf_counter()
        finding = {"client_uuid": item["finding_uuid"]} | {k: item[k] for k in FINDING_FIELDS}
        status, attempts, _ = device.send(f"/api/v1/inspections/{inspection_id}/findings",
                                          json.dumps(finding).encode(), "application/json")
        item.update(finding_status=status, finding_attempts=attempts, photo_status=None, photo_attempts=0)
        if status in ACKNOWLEDGED:
            fields = {"finding_uuid": item["finding_uuid"], "client_uuid": item["photo_uuid"],
                      "device_time": item["device_time"], "sha256": item["sha256"]}
            body, content_type = multipart(fields, (photos_dir / f"{item['photo_uuid']}.jpg").read_bytes())
            status, attempts, answer = device.send(f"/api/v1/inspections/{inspection_id}/photos", body, content_type)
            item.update(photo_status=status, photo_attempts=attempts,
                        photo_acknowledged_sha256=json.loads(answer).get("photo", {}).get("sha256") if answer else None)
        item["acknowledged"] = item["finding_status"] in ACKNOWLEDGED and item["photo_status"] in ACKNOWLEDGED
        item["seconds"] = time.perf_counter() - started
        if (item["n"] + 1) % 100 == 0:
            print(f"outbox: {item['n'] + 1} of {len(outbox)} synced", file=sys.stderr, flush=True)


def main(base_url: str, inspection_id: str, username: str, password: str, items: str, out_dir: str) -> None:
    out = Path(out_dir)
    outbox = capture(int(items), out / "photos")
    device = Device(base_url, username, password)
    started = time.perf_counter()
    device.sign_in()
    sync(device, int(inspection_id), outbox, out / "photos")
    wall = time.perf_counter() - started
    (out / "outbox.json").write_text(json.dumps({"seconds": wall, "failures": device.failures,
                                                 "latencies_ms": device.latencies, "items": outbox}))


if __name__ == "__main__":
    main(*sys.argv[1:])
