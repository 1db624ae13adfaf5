"""Lighthouse's accessibility audit at 800x1280 (a 10-inch tablet in portrait) on the pages used
most: the task list, a plan's page, the inspection list and the home page (Việc cần làm), signed in
as the coordinator."""

import pytest
from sqlalchemy import select

from models import Plan, db

from . import lighthouse
from .conftest import TABLET, sign_in

pytestmark = pytest.mark.browser


def test_task_list_plan_and_inspection_list_are_accessible(demo_site, new_context):
    context = new_context(TABLET)
    sign_in(context.new_page(), demo_site, "coordinator")
    plan_id = db.session.execute(select(Plan.id).order_by(Plan.id)).scalars().first()
    for path in ("/tasks", f"/plans/{plan_id}", "/inspections", "/"):
        result = lighthouse.run(f"{demo_site}{path}", context.cookies(), TABLET, ("accessibility",))
        print(f"{path}: accessibility {result.scores['accessibility']}")
        assert result.scores["accessibility"] >= 0.98, (path, result.failures("accessibility"))
