"""A file store that refuses writes (a real OS error: a plain file where a storage directory
should be, which even root cannot write into) while a photo is uploaded: the inspector gets a
clear message, the tablet's outbox a 503 it retries, and the database has no row pointing to a
missing file (when the first of the two files was stored, it is removed again).

The report side of this fault (the PDF store fails, the row goes back to queued, RQ's retry ends
ready) is tests/reports/test_requests.py::test_a_storage_error_is_retried_and_the_second_attempt_ends_ready;
test_a_killed_work_horse… and test_a_killed_worker… in tests/reports/test_faults.py cover kill -9."""

import io
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from inspection.demo.seed import DEMO_PASSWORD
from inspection.inspections import fieldwork, scheduling
from inspection.language.formatting import local_today
from models import Attachment, ChecklistTemplate, Finding, FindingPhoto, db
from models.enums import InspectionKind
from tests.factories import csrf_token, make_photo
from tests.reports.support import Demo, on_site

pytestmark = pytest.mark.faults
MESSAGE = "kho lưu trữ tệp của máy chủ đang lỗi"


@pytest.fixture
def finding(ctx) -> Finding:
    """A finding recorded by the demo inspector on an inspection under way today."""
    demo = Demo()
    inspector, coordinator = demo.user("inspector"), demo.user("coordinator")
    template = db.session.execute(select(ChecklistTemplate).where(ChecklistTemplate.is_current)
                                  .order_by(ChecklistTemplate.id)).scalars().first()
    inspection = scheduling.schedule_inspection(
        coordinator, ordering_unit=demo.units["TH"], target=demo.units["TH-ANPHUOC"],
        kind=InspectionKind.SCHEDULED, start_on=local_today(), template=template, lead_id=inspector.id)
    scheduling.announce_inspection(coordinator, inspection)
    fieldwork.start_inspection(inspector, inspection, device_time=on_site(8), location="Trụ sở UBND xã An Phước")
    return fieldwork.record_finding(inspector, inspection, description="Máy lấy số thứ tự bị hỏng",
                                    severity="minor", client_uuid=str(uuid.uuid4()), device_time=on_site(9))


@pytest.fixture
def inspector(client, finding):
    response = client.post("/login", data={"username": "inspector", "password": DEMO_PASSWORD,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    return client


@pytest.fixture
def broken_store(app, tmp_path):
    """broken_store(part): STORAGE_DIR with a plain file at `part` ("" = the whole store); the disk
    store's faults, also in a run on S3 (tests/s3.py)."""
    saved = {key: app.config[key] for key in ("STORAGE_DIR", "STORAGE_URL")}
    root = tmp_path / "files"

    def _break(part: str) -> Path:
        blocked = root / part if part else root
        blocked.parent.mkdir(parents=True, exist_ok=True)
        blocked.write_text("a plain file where a directory should be")
        app.config.update(STORAGE_DIR=str(root), STORAGE_URL="")
        return root

    yield _break
    app.config.update(saved)


def _stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and p.parent != root] if root.is_dir() else []


def _rows() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(Attachment)),
            db.session.scalar(select(func.count()).select_from(FindingPhoto)))


@pytest.mark.parametrize("part", ["", "photo_display"], ids=["nothing-written", "second-file-refused"])
def test_a_photo_the_store_refuses_gets_a_clear_message_and_leaves_nothing(inspector, finding, broken_store, part):
    root = broken_store(part)
    response = inspector.post(f"/findings/{finding.id}/photos", data={
        "photo": (io.BytesIO(make_photo()), "hien-truong.jpg"), "client_uuid": str(uuid.uuid4()),
        "csrf_token": csrf_token(inspector, "/")}, content_type="multipart/form-data")
    assert response.status_code == 503
    assert MESSAGE in response.get_data(as_text=True)
    assert _rows() == (0, 0)
    assert _stored_files(root) == []  # the original stored first was removed again


def test_the_tablet_outbox_gets_a_503_it_retries_and_nothing_is_half_saved(inspector, finding, broken_store):
    broken_store("photo_original")
    photo = make_photo()
    response = inspector.post(f"/api/v1/inspections/{finding.inspection_id}/photos", data={
        "file": (io.BytesIO(photo), "hien-truong.jpg"), "finding_uuid": finding.client_uuid,
        "client_uuid": str(uuid.uuid4()), "device_time": on_site(10).isoformat()},
        content_type="multipart/form-data", headers={"X-CSRFToken": csrf_token(inspector, "/")})
    assert response.status_code == 503, response.get_data(as_text=True)
    assert MESSAGE in response.get_json()["error"]
    assert _rows() == (0, 0)
