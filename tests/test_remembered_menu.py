"""The menu is drawn once per page endpoint, set of roles and language, and remembered
(templates/base.html, catalog.remembered_html): each page still marks its own item, each user
sees the items of their roles, in their language."""

import re

from models import db
from models.enums import Role
from tests.factories import Person, make_user


def current_item(person, url: str) -> str:
    nav = re.search(r'<nav id="mainnav".*?</nav>', person.text(url), re.S).group(0)
    return re.search(r'aria-current="page">([^<]+)</a>', nav).group(1)


def test_each_page_marks_its_own_item_and_each_user_sees_their_roles_items(app, tree):
    officer = Person(app, make_user(role=Role.UNIT_OFFICER, unit=tree["a"]))
    inspector = Person(app, make_user(role=Role.INSPECTOR, unit=tree["dept"]))
    english = Person(app, make_user(role=Role.UNIT_OFFICER, unit=tree["b"], locale="en"))
    db.session.commit()
    for _ in range(2):  # drawn, then remembered
        assert current_item(officer, "/tasks") == "Nhiệm vụ"
        assert current_item(officer, "/plans") == "Kế hoạch"
        assert current_item(officer, "/remediation") == "Khắc phục"
        assert "Kiểm tra hôm nay" not in officer.text("/tasks")
        assert "Kiểm tra hôm nay" in inspector.text("/tasks")
        assert current_item(english, "/tasks") == "Tasks" and "Nhiệm vụ" not in english.text("/tasks")
