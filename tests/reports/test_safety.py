"""What a PDF may fetch, and who can get which document: the URL fetcher serves only the app's
own files and the snapshot's photos; user text is escaped; a surprise inspection not yet started
appears in nothing its target unit can request or download; a merged commune's successor
reports its predecessors' remediation."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from inspection.errors import Forbidden, NotFound, ValidationError
from inspection.language.formatting import local_today
from inspection.reports import services
from inspection.reports.builders import build_snapshot
from inspection.reports.pdf import AppURLFetcher, RefusedURL, render_html
from inspection.security import scoping
from models import Document, Finding, Inspection, RemediationAction, Report, db, utcnow
from models.enums import Role
from tests.factories import csrf_token, sign_in

from .support import pdf_text, run_jobs, stored_bytes, walk_to_draft

PLANTED = '<img src="file:///etc/passwd"><img src="http://example.com/x.png"> Máy lấy số hỏng'


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "http://example.com/x.png", "https://example.com/font.ttf",
    "data:image/png;base64,iVBORw0KGgo=", "app://static/fonts/../../app.py", "app://pdf/../../instance/secret_key",
    "app://static/css/app.css", "app://pdf/inspection_minutes.html", "app://photo/1", "app://photo/../1",
    "ftp://example.com/x",
])
def test_the_fetcher_refuses_everything_but_the_apps_own_files(app, url):
    with app.app_context(), pytest.raises((RefusedURL, ValueError)):
        AppURLFetcher(photos={}).fetch(url)


def test_the_fetcher_serves_the_bundled_font_and_stylesheet(app):
    with app.app_context():
        font = AppURLFetcher().fetch("app://static/fonts/LiberationSerif-Regular.ttf")
        assert font.read()[:4] == b"\x00\x01\x00\x00"  # a TrueType font
        css = AppURLFetcher().fetch("app://pdf/document.css")
        assert b"size: A4" in css.read()


def test_urls_planted_in_user_text_are_printed_never_fetched(demo):
    inspection = walk_to_draft(demo, photos=0)
    finding = db.session.execute(select(Finding).where(Finding.inspection_id == inspection.id)).scalar_one()
    finding.description = PLANTED
    db.session.commit()
    html = render_html("minutes", build_snapshot("minutes", "inspection", inspection))
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html and '<img src="file:' not in html
    report = services.request_report(demo.user("inspector"), "minutes", inspection)
    run_jobs()
    db.session.refresh(report)
    text = " ".join(pdf_text(stored_bytes(report.attachment_id)).split())
    assert '<img src="file:///etc/passwd"><img src="http://example.com/x.png"> Máy lấy số hỏng' in text
    assert "root:x:0:0" not in text


def test_a_photo_changed_in_storage_is_not_rendered(demo):
    inspection = walk_to_draft(demo, photos=1)
    report = services.request_report(demo.user("inspector"), "minutes", inspection)
    photo_id = next(iter(report.snapshot["findings"][0]["photos"]))["photo_id"]
    fetcher = AppURLFetcher(photos={photo_id: "0" * 64})  # the snapshot knew another file
    with pytest.raises(OSError, match="đã thay đổi"):
        fetcher._photo(f"app://photo/{photo_id}")


def _surprise(scenario) -> Inspection:
    return scenario.inspections["surprise_an_phuoc"]


def test_an_unstarted_surprise_inspection_is_in_no_document_its_unit_can_get(scenario, client):
    surprise, officer = _surprise(scenario), scenario.user_for(Role.UNIT_OFFICER)
    leader = scenario.user_for(Role.LEADER)
    with pytest.raises(ValidationError, match="chưa bắt đầu"):  # nothing to render before it starts
        services.request_report(leader, "minutes", surprise)
    for role in (Role.UNIT_OFFICER, Role.UNIT_HEAD, Role.VIEWER):
        with pytest.raises((Forbidden, NotFound)):
            services.request_report(scenario.user_for(role), "minutes", surprise)
    # rows about it (as if rendered by the ordering body) stay out of the unit's reach
    report = Report(kind="minutes", subject_type="inspection", subject_id=surprise.id, status="ready",
                    rq_job_id=str(uuid.uuid4()), input_hash="a" * 64, template_version="t", snapshot={})
    document = Document(kind="minutes", subject_type="inspection", subject_id=surprise.id,
                        unit_id=surprise.ordering_unit_id, type_code="BB", year=2026, number=7,
                        number_text="07/BB-ĐKT", status="issued", title=surprise.title, snapshot={})
    db.session.add_all([report, document])
    db.session.commit()
    for role in (Role.UNIT_OFFICER, Role.UNIT_HEAD, Role.VIEWER):
        user = scenario.user_for(role)
        assert db.session.execute(scoping.scope(select(Report.id), user, Report)).first() is None
        assert db.session.execute(scoping.scope(select(Document.id), user, Document)).first() is None
    assert db.session.execute(scoping.scope(select(Report.id), leader, Report)).scalar() == report.id
    sign_in(client, officer)
    for path in (f"/reports/{report.id}", f"/reports/{report.id}/download", f"/documents/{document.id}/pdf",
                 f"/reports/inspections/{surprise.id}"):
        assert client.get(path).status_code == 404, path
    token = csrf_token(client, "/documents")
    assert client.post(f"/reports/inspections/{surprise.id}/request",
                       data={"csrf_token": token, "kind": "minutes"}).status_code == 404
    register = client.get("/documents").get_data(as_text=True)
    assert "07/BB-ĐKT" not in register and surprise.title not in register
    unit_report = services.request_report(officer, "remediation_report", scenario.units["an_phuoc"],
                                          params={"start": "2020-01-01", "end": "2030-12-31"})
    assert surprise.title not in str(unit_report.snapshot)


def _predecessor_action(scenario) -> RemediationAction:
    """A remediation action of an inspection of xã Tân Hồng, before it merged into xã Tân Hồng Thành."""
    from tests.scenario import new_inspection_of

    predecessor = scenario.units["predecessor_a"]
    inspection = new_inspection_of(predecessor, "concluded")
    inspection.ordering_unit_id, inspection.started_at = scenario.units["pc"].id, utcnow()
    finding = Finding(inspection_id=inspection.id, unit_id=predecessor.id, severity="minor",
                      description="Bảng niêm yết thủ tục đặt sai vị trí", description_folded="bang niem yet",
                      client_uuid=str(uuid.uuid4()), device_time=utcnow(),
                      recorded_by_id=scenario.user_for(Role.INSPECTOR).id)
    db.session.add(finding)
    db.session.flush()
    deadline = local_today() - timedelta(days=3)
    action = RemediationAction(inspection_id=inspection.id, finding_id=finding.id, unit_id=predecessor.id,
                               description="Di chuyển bảng niêm yết", deadline=deadline, original_deadline=deadline,
                               status="accepted", completed_on=deadline - timedelta(days=1))
    db.session.add(action)
    db.session.commit()
    return action


def test_a_successor_reports_the_remediation_of_the_communes_merged_into_it(scenario):
    _predecessor_action(scenario)
    officer = scenario.users["successor_officer"]
    year = local_today().year
    report = services.request_report(officer, "remediation_report", scenario.units["successor"],
                                     params={"start": f"{year - 1}-01-01", "end": f"{year}-12-31"})
    rows = [row for group in report.snapshot["groups"] for row in group["rows"]]
    assert [(r["finding"], r["unit"], r["timeliness"]) for r in rows] == [
        ("Bảng niêm yết thủ tục đặt sai vị trí", "Ủy ban nhân dân xã Tân Hồng", "Hoàn thành đúng hạn")]
    assert report.snapshot["totals"]["rate"] == "1/1 (100,0%)"
    other = services.request_report(scenario.user_for(Role.UNIT_OFFICER), "remediation_report",
                                    scenario.units["an_phuoc"], params={"start": f"{year - 1}-01-01",
                                                                        "end": f"{year}-12-31"})
    assert other.snapshot["groups"] == []
