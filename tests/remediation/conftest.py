"""Fixtures of the remediation tests: the people of a small province and an inspection concluded
with two findings, whose two remediation actions are open for commune A."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from inspection.inspections import conclusions, fieldwork, scheduling
from inspection.language.formatting import local_today
from models import Finding, ParArea, RemediationAction, db
from models.enums import Role
from tests.factories import make_user
from tests.fieldwork import make_checklist, on_site
from tests.inspections.test_services import _close, _mark, _schedule


@pytest.fixture
def people(ctx, tree):
    return {
        "leader": make_user(role=Role.LEADER, unit=tree["pc"]),
        "coordinator": make_user(role=Role.COORDINATOR, unit=tree["pc"]),
        "inspector": make_user(role=Role.INSPECTOR, unit=tree["dept"]),
        "member": make_user(role=Role.INSPECTOR, unit=tree["dept"]),
        "officer": make_user(role=Role.UNIT_OFFICER, unit=tree["a"]),
        "head": make_user(role=Role.UNIT_HEAD, unit=tree["a"]),
        "other": make_user(role=Role.UNIT_OFFICER, unit=tree["b"]),
    }


@pytest.fixture
def actions(people, tree):
    """An inspection concluded with two findings, on criteria of two PAR areas → two open actions
    of commune A."""
    template = make_checklist(tree["pc"], n_items=2)
    areas = db.session.execute(select(ParArea.id).order_by(ParArea.id).limit(2)).scalars()
    for item, area_id in zip(template.items, areas, strict=True):
        item.area_id = area_id
    inspection = _schedule(people, tree, template)
    scheduling.announce_inspection(people["coordinator"], inspection)
    fieldwork.start_inspection(people["inspector"], inspection, device_time=on_site())
    for item in template.items:
        _mark(people, inspection, item, value="non_compliant", severity="major",
              description=f"Tồn tại ở {item.criterion}")
    _close(people, inspection, template)
    findings = db.session.execute(select(Finding).order_by(Finding.id)).scalars().all()
    deadline = local_today() + timedelta(days=15)
    conclusions.draft_conclusion(people["inspector"], inspection, summary="Kết luận", items=[
        {"finding_id": f.id, "action": f"Khắc phục {f.description}", "deadline": deadline} for f in findings])
    conclusions.issue_conclusion(people["leader"], inspection)
    return db.session.execute(select(RemediationAction).order_by(RemediationAction.id)).scalars().all()
