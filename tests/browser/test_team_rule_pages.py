"""On a tablet and a desktop: the surprise-team refusal on the scheduling form, the scheduled
inspection's warning on the team page, the remediation list's search with a count per tab, and
the upload limit (the browser's warning first, the server's Vietnamese 413 page when sent anyway)."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from inspection.inspections import scheduling
from inspection.language.formatting import local_today
from models import ChecklistTemplate, OrgUnit, RemediationAction, Task, User, db
from models.enums import InspectionKind

from .conftest import DESKTOP, TABLET, click_and_wait, save_screenshot, sign_in


def _one(model, *where):
    return db.session.execute(select(model).where(*where).limit(1)).scalar_one()


def _user(name):
    return _one(User, User.username == name)


def test_the_surprise_refusal_and_the_scheduled_warning(new_context, demo_site):
    officer, inspector = _user("officer"), _user("inspector")
    target = _one(OrgUnit, OrgUnit.code == "TH-ANPHUOC")
    template = db.session.execute(select(ChecklistTemplate).order_by(ChecklistTemplate.id)).scalars().first()
    scheduled = scheduling.schedule_inspection(
        _user("coordinator"), ordering_unit=_one(OrgUnit, OrgUnit.code == "TH"), target=target,
        kind=InspectionKind.SCHEDULED, start_on=local_today(), template=template, lead_id=inspector.id,
        member_ids=[officer.id], title="Kiểm tra công tác một cửa xã An Phước")
    db.session.commit()
    for name, viewport in (("tablet", TABLET), ("desktop", DESKTOP)):
        _candidates_follow_the_target(new_context(viewport).new_page(), demo_site, target, officer, inspector, name)
        page = new_context(viewport, java_script_enabled=False).new_page()  # the server refuses all the same
        sign_in(page, demo_site, "leader")
        page.goto(f"{demo_site}/inspections/new?unit_id={target.id}")
        page.check("input[name=kind][value=surprise]")
        page.fill("#start_on", f"{local_today():%d/%m/%Y}")
        page.select_option("#template_id", str(template.id))
        page.select_option("#lead_id", str(inspector.id))
        page.check(f"input[name=member_ids][value='{officer.id}']")
        click_and_wait(page, "main form button[type=submit]")
        message = f"{officer.full_name} thuộc Ủy ban nhân dân xã An Phước"
        page.get_by_text(message).first.scroll_into_view_if_needed()
        assert message in page.inner_text("main")
        save_screenshot(page, f"h18-surprise-refused-{name}")
        page.goto(f"{demo_site}/inspections/{scheduled.id}/team")
        warning = page.locator(".flash-warning")
        assert f"Lưu ý: {officer.full_name} thuộc Ủy ban nhân dân xã An Phước" in warning.inner_text()
        save_screenshot(page, f"h18-team-warning-{name}")


def _candidates_follow_the_target(page, demo_site, target, officer, inspector, name):
    """The new-inspection form: once the target and the surprise kind are chosen, the commune's
    officer is not offered (lead or member); the scheduled kind offers them, marked, with the warning."""
    sign_in(page, demo_site, "leader")
    page.goto(f"{demo_site}/inspections/new")
    member = page.locator(f"input[name=member_ids][value='{officer.id}']")
    lead = page.locator(f"#lead_id option[value='{officer.id}']")
    assert member.is_visible() and not member.is_disabled()  # no target yet: everyone
    page.check("input[name=kind][value=surprise]")
    page.select_option("#unit_id", str(target.id))
    assert not member.is_visible() and member.is_disabled() and lead.is_disabled()
    assert page.locator(f"input[name=member_ids][value='{inspector.id}']").is_visible()
    page.locator("fieldset.checklist-field").scroll_into_view_if_needed()
    save_screenshot(page, f"h18-new-surprise-candidates-{name}")
    page.check("input[name=kind][value=scheduled]")
    assert member.is_visible() and not member.is_disabled() and not lead.is_disabled()
    warning = page.locator("[data-team-warning]")
    assert warning.is_visible() and officer.full_name in warning.inner_text(), warning.inner_text()
    assert "Lưu ý:" in warning.inner_text()
    member.evaluate("box => box.scrollIntoView({block: 'center'})")
    save_screenshot(page, f"h18-new-scheduled-warning-{name}")


def test_the_remediation_search_counts_and_the_upload_limit(new_context, demo_site, app):
    action = db.session.execute(select(RemediationAction).order_by(RemediationAction.id)).scalars().first()
    word = action.description.split()[0]
    task = _one(Task, Task.unit_id == _one(OrgUnit, OrgUnit.code == "TH-ANPHUOC").id)
    saved = {key: app.config[key] for key in ("MAX_UPLOAD_BYTES", "MAX_CONTENT_LENGTH")}
    app.config.update(MAX_UPLOAD_BYTES=1024 * 1024, MAX_CONTENT_LENGTH=1024 * 1024 + 64 * 1024)  # a light buffer
    try:
        _walk(new_context, demo_site, app, word, task)
    finally:
        app.config.update(saved)


def _walk(new_context, demo_site, app, word, task):
    for name, viewport in (("tablet", TABLET), ("desktop", DESKTOP)):
        page = new_context(viewport).new_page()
        sign_in(page, demo_site, "coordinator")
        page.goto(f"{demo_site}/remediation")
        page.fill("#q", word)
        click_and_wait(page, ".search-row button[type=submit]")  # the list before the search has chips too
        chips = page.inner_text("nav.chips")
        assert re.search(r"Tất cả\s*\d+", chips), chips
        save_screenshot(page, f"h18-remediation-counts-{name}")
        officer = new_context(viewport).new_page()
        sign_in(officer, demo_site, "officer")
        officer.goto(f"{demo_site}/tasks/{task.id}")
        big = {"name": "ho-so-quet.pdf", "mimeType": "application/pdf",
               "buffer": b"%PDF-" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1024)}
        file_input = officer.locator("#progress_files")
        officer.evaluate("el => { let d = el.closest('details'); if (d) d.open = true; }", file_input.element_handle())
        file_input.set_input_files(big)
        expect(officer.locator(".upload-too-large")).to_contain_text("mỗi lần gửi tối đa 1 MB")
        save_screenshot(officer, f"h18-upload-warning-{name}")
        with officer.expect_navigation():  # the task page says it too: read the answer, not the page that sent it
            officer.evaluate("el => { el.setCustomValidity(''); el.form.noValidate = true; el.form.submit(); }",
                             file_input.element_handle())
        assert "mỗi lần gửi tối đa 1 MB" in officer.inner_text("main")
        save_screenshot(officer, f"h18-413-{name}")
