"""An inspection in the field, shared by the tests of the tablet's API, the object store and the
malware scan (a pytest plugin, registered in tests/conftest.py): the `team` fixture (an inspection
in progress, its lead, a member and a stranger) and the requests a tablet makes."""

import io
import uuid
from datetime import date, datetime

import pytest
from PIL import Image
from sqlalchemy import func, select

from inspection.inspections import fieldwork, scheduling
from inspection.language.formatting import TZ, local_today
from models import ChecklistItem, ChecklistTemplate, db
from models.enums import InspectionKind, Role
from tests.factories import csrf_token, make_user


def make_checklist(unit, n_items=3, name="Kiểm tra Bộ phận Một cửa") -> ChecklistTemplate:
    template = ChecklistTemplate(family=str(uuid.uuid4()), name=name, name_folded=name.lower(), year=2026,
                                 unit_id=unit.id)
    template.items = [ChecklistItem(code=f"1.{n}", position=n, criterion=f"Tiêu chí {n}: niêm yết thủ tục")
                      for n in range(1, n_items + 1)]
    db.session.add(template)
    db.session.flush()
    return template


def on_site(day: date | None = None, hour: int = 9) -> datetime:
    day = day or local_today()
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


@pytest.fixture
def team(client, tree):
    leader = make_user(role=Role.LEADER, unit=tree["pc"])
    lead = make_user(role=Role.INSPECTOR, unit=tree["dept"])
    member = make_user(role=Role.INSPECTOR, unit=tree["dept"])
    stranger = make_user(role=Role.INSPECTOR, unit=tree["dept"])
    template = make_checklist(tree["pc"], n_items=2)
    inspection = scheduling.schedule_inspection(
        leader, ordering_unit=tree["pc"], target=tree["a"], kind=InspectionKind.SCHEDULED,
        start_on=on_site().date(), template=template, lead_id=lead.id, member_ids=[member.id])
    scheduling.announce_inspection(leader, inspection)
    fieldwork.start_inspection(lead, inspection, device_time=on_site(hour=8))
    db.session.commit()
    return {"lead": lead, "member": member, "stranger": stranger, "inspection": inspection, "template": template}


def jpeg(shade: int = 120) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (shade, 90, 60)).save(out, "JPEG", quality=90)
    return out.getvalue()


def post(client, url, payload):
    return client.post(url, json=payload, headers={"X-CSRFToken": csrf_token(client, "/")})


def photo(client, inspection_id, finding_uuid, data: bytes, **extra):
    form = {"file": (io.BytesIO(data), "anh.jpg"), "finding_uuid": finding_uuid,
            "client_uuid": extra.pop("client_uuid", str(uuid.uuid4())),
            "device_time": extra.pop("device_time", on_site(hour=10).isoformat())} | extra
    return client.post(f"/api/v1/inspections/{inspection_id}/photos", data=form,
                       headers={"X-CSRFToken": csrf_token(client, "/")}, content_type="multipart/form-data")


def finding(inspection_id, **over) -> dict:
    return {"description": "Hộp thư góp ý đặt khuất, chưa có lịch mở hộp thư.", "severity": "minor",
            "client_uuid": str(uuid.uuid4()), "device_time": on_site(hour=9).isoformat()} | over


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def findings_url(inspection) -> str:
    return f"/api/v1/inspections/{inspection.id}/findings"
