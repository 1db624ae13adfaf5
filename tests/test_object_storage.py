"""Files in an S3-compatible object store (moto's server on loopback, tests/s3.py) as on disk: a
tablet photo lands in the bucket and downloads only within the user's scope (streamed through the
app, or as a presigned URL of ≤ 60 s naming the file), large uploads go in parts, a changed object
fails its sha256 check, an unreachable store is a clear 503 with nothing recorded, /healthz says
what it reaches, and `flask storage copy-to-s3` moves a disk store into a bucket."""

import hashlib
import io
import urllib.request
import uuid
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from sqlalchemy import func, select

from inspection.errors import StorageUnavailable
from inspection.files import storage
from models import Attachment, FindingPhoto, db
from models.enums import Role
from tests.factories import make_user, sign_in
from tests.fieldwork import finding, jpeg, photo, post
from tests.s3 import Bucket, free_port

MESSAGE = "kho lưu trữ tệp của máy chủ đang lỗi"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture(params=["disk", "s3", "s3-presigned"])
def backend_mode(request, app):
    """disk, the object store streamed through the app, the object store by presigned URL."""
    if request.param == "disk":
        yield request.param, None
        return
    bucket = request.getfixturevalue("s3_store")
    app.config["STORAGE_PRESIGN"] = request.param == "s3-presigned"
    try:
        yield request.param, bucket
    finally:
        app.config["STORAGE_PRESIGN"] = False


def _download(client, url: str) -> tuple[int, bytes, str]:
    """Follow the app's answer as a browser would: (status, bytes, Content-Disposition)."""
    response = client.get(url)
    if response.status_code != 302:
        return response.status_code, response.data, response.headers.get("Content-Disposition", "")
    assert response.headers["Cache-Control"] == "no-store"
    target = response.headers["Location"]
    query = parse_qs(urlsplit(target).query)
    assert query["X-Amz-Expires"] == ["60"] and target.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(target, timeout=10) as answer:  # the store itself, no app cookie
        return answer.status, answer.read(), answer.headers["Content-Disposition"]


def test_a_tablet_photo_is_stored_and_downloads_only_within_scope(app, client, team, tree, backend_mode):
    mode, bucket = backend_mode
    sign_in(client, team["lead"])
    inspection, data = team["inspection"], jpeg()
    body = finding(inspection.id)
    assert post(client, f"/api/v1/inspections/{inspection.id}/findings", body).status_code == 201
    assert photo(client, inspection.id, body["client_uuid"], data).status_code == 201
    shot = db.session.execute(select(FindingPhoto)).scalar_one()
    original = db.session.get(Attachment, shot.original_id)
    if bucket:  # both files are objects of the bucket, the original byte for byte
        assert {original.storage_key, db.session.get(Attachment, shot.display_id).storage_key} <= bucket.keys()
        assert bucket.read(original.storage_key) == data
    status, got, disposition = _download(client, f"/findings/{shot.finding_id}/photo/original")
    assert (status, got) == (200, data)
    assert "anh.jpg" in unquote(disposition)
    outsider = make_user(role=Role.UNIT_OFFICER, unit=tree["b"])  # another commune's officer
    db.session.commit()
    other = app.test_client()
    sign_in(other, outsider)
    refused = other.get(f"/findings/{shot.finding_id}/photo/original")
    assert refused.status_code == 404 and "Location" not in refused.headers  # no URL for the wrong user
    assert other.get(f"/findings/{shot.finding_id}/photo").status_code == 404


def test_a_large_upload_goes_to_the_bucket_in_parts(app, ctx, s3_store):
    app.config["STORAGE_MULTIPART_BYTES"] = 5 * 1024 * 1024  # S3's smallest part
    try:
        content = b"%PDF-1.4\n" + bytes(range(256)) * (11 * 4096)  # 11 MB: three parts
        attachment = storage.store(io.BytesIO(content), "ho-so.pdf", kind="task_evidence")
    finally:
        app.config["STORAGE_MULTIPART_BYTES"] = 8 * 1024 * 1024
    head = s3_store.client.head_object(Bucket=s3_store.name, Key=f"{s3_store.prefix}/{attachment.storage_key}")
    assert head["ETag"].strip('"').endswith("-3")  # a multipart upload's ETag counts its parts
    assert hashlib.sha256(s3_store.read(attachment.storage_key)).hexdigest() == attachment.sha256


def test_a_changed_file_fails_the_sha256_check_when_read_back(app, ctx, storage_backend):
    attachment = storage.store(io.BytesIO(b"%PDF-1.4\nbien ban goc"), "bien-ban.pdf", kind="report_pdf")
    tampered = b"%PDF-1.4\nbien ban sua"
    if storage_backend:
        storage_backend.write(attachment.storage_key, tampered)
    else:
        (storage.LocalBackend(app.config["STORAGE_DIR"])._path(attachment.storage_key)).write_bytes(tampered)
    with pytest.raises(storage.CorruptFile, match="sha256"), storage.open_attachment(attachment) as stream:
        stream.read()


@pytest.fixture
def dead_store(app, s3_store):
    """The object store's address answers nothing (a closed port on loopback)."""
    app.config["STORAGE_ENDPOINT"] = f"http://127.0.0.1:{free_port()}"
    return s3_store


def test_an_unreachable_store_is_a_clear_503_and_nothing_is_recorded(client, team, dead_store):
    sign_in(client, team["lead"])
    inspection = team["inspection"]
    body = finding(inspection.id)
    assert post(client, f"/api/v1/inspections/{inspection.id}/findings", body).status_code == 201
    response = photo(client, inspection.id, body["client_uuid"], jpeg())
    assert response.status_code == 503 and MESSAGE in response.get_json()["error"]
    assert (_count(Attachment), _count(FindingPhoto)) == (0, 0)
    with pytest.raises(StorageUnavailable):
        storage.store(io.BytesIO(jpeg()), "anh.jpg", kind="photo_original")


def test_a_download_while_the_store_is_down_is_a_503_in_words(app, client, team, s3_store):
    sign_in(client, team["lead"])
    inspection, body = team["inspection"], finding(team["inspection"].id)
    post(client, f"/api/v1/inspections/{inspection.id}/findings", body)
    assert photo(client, inspection.id, body["client_uuid"], jpeg()).status_code == 201
    shot = db.session.execute(select(FindingPhoto)).scalar_one()
    app.config["STORAGE_ENDPOINT"] = f"http://127.0.0.1:{free_port()}"
    response = client.get(f"/findings/{shot.finding_id}/photo")
    assert response.status_code == 503
    assert "kho lưu trữ tệp của máy chủ tạm thời không truy cập được" in response.get_data(as_text=True)


@pytest.mark.parametrize("backend", ["disk", "s3"])
def test_healthz_says_what_it_reaches_without_sign_in(app, client, backend, request):
    if backend == "s3":
        request.getfixturevalue("s3_store")
    # how long it takes is a benchmark figure (bench/web.py: web.healthz.p95_ms, bar 50 ms), not a test
    response = client.get("/healthz")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    answer = response.get_json()
    assert answer | {"ms": 0} == {"status": "ok", "database": "ok", "redis": "ok", "storage": "ok",
                                  "storage_backend": backend, "ms": 0}
    if backend == "s3":
        app.config["STORAGE_ENDPOINT"] = f"http://127.0.0.1:{free_port()}"
        down = client.get("/healthz")
        assert down.status_code == 503
        assert down.get_json()["storage"] == "unreachable" and down.get_json()["database"] == "ok"


def test_the_copy_command_moves_a_disk_store_into_a_bucket_once(app, ctx, s3_server, disk_store):
    files = [storage.store(io.BytesIO(b"%PDF-1.4\n" + str(n).encode() * 100), f"ho-so-{n}.pdf", kind="task_evidence")
             for n in range(3)]
    db.session.flush()
    bucket = Bucket(s3_server, f"cchc-{uuid.uuid4().hex[:12]}", "kho")
    runner = app.test_cli_runner()
    args = ["storage", "copy-to-s3", bucket.url, "--endpoint", s3_server]
    bucket.write(files[0].storage_key, b"a partial copy from an interrupted run")
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert "3 tệp đã chép" in first.output  # the damaged one copied again
    assert {a.storage_key for a in files} <= bucket.keys()
    for attachment in files:
        assert hashlib.sha256(bucket.read(attachment.storage_key)).hexdigest() == attachment.sha256
    again = runner.invoke(args=args)
    assert again.exit_code == 0 and "0 tệp đã chép, 3 tệp đã có sẵn" in again.output


def test_a_par_evidence_file_downloads_from_either_store_within_scope(app, client, tree, storage_backend):
    from tests.factories import PDF_BYTES
    from tests.par_records import make_evidence

    evidence = make_evidence(tree["pc"])
    head = make_user(role=Role.UNIT_HEAD, unit=db.session.get(type(tree["a"]), evidence.unit_id))
    outsider = make_user(role=Role.UNIT_OFFICER, unit=tree["b"])
    db.session.commit()
    sign_in(client, head)
    got = client.get(f"/chi-so-cchc/minh-chung/{evidence.id}")
    assert (got.status_code, got.data) == (200, PDF_BYTES)
    assert "ke-hoach-cchc.pdf" in got.headers["Content-Disposition"]
    other = app.test_client()
    sign_in(other, outsider)
    assert other.get(f"/chi-so-cchc/minh-chung/{evidence.id}").status_code == 404
