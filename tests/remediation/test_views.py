"""Remediation pages through the test client on PostgreSQL: the whole flow (submit with before/after
photos, head confirmation, return with a reason, resubmission, acceptance, the inspection closing),
bad input (no evidence, another unit's action, one's own submission, a stale form, a file lying
about its type), what the unit sees, and the per-unit figures of the leader's overview."""

import io
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from inspection.files.photos import store_photo
from inspection.language.formatting import local_today
from inspection.remediation import services
from models import (
    Attachment,
    ChecklistItem,
    Finding,
    FindingPhoto,
    Inspection,
    Membership,
    RemediationAction,
    RemediationSubmission,
    db,
    utcnow,
)
from models.enums import InspectionStatus, RemediationStatus, Role
from tests.factories import PDF_BYTES, make_photo, sign_in
from tests.inspections.test_photos import png_claiming
from tests.s3 import stored_files

JPEG = make_photo(size=(640, 480))


@pytest.fixture
def before(people, actions):
    """A before photo on the first action's finding, taken by the inspector."""
    finding = db.session.get(Finding, actions[0].finding_id)
    original, display = store_photo(io.BytesIO(JPEG), "truoc-khac-phuc.jpg", unit_id=finding.unit_id,
                                    uploaded_by_id=people["inspector"].id)
    db.session.flush()
    photo = FindingPhoto(finding_id=finding.id, original_id=original.id, display_id=display.id,
                         client_uuid=str(uuid.uuid4()), device_time=utcnow(), kind="before")
    db.session.add(photo)
    db.session.commit()
    return photo


@pytest.fixture
def browser_of(app, people):
    """browser_of("officer") → a test client signed in as that person (one per person)."""
    db.session.commit()
    clients = {}

    def _for(who):
        if who not in clients:
            clients[who] = app.test_client()
            sign_in(clients[who], people[who])
        return clients[who]

    return _for


def page(client, action) -> str:
    response = client.get(f"/remediation/{action.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def hidden(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    assert match, f"no {name} on the page"
    return match.group(1)


def post(client, action, verb: str, html: str | None = None, **data):
    """POST a form of the action page, with the CSRF token and version the page carries."""
    html = html or page(client, action)
    fields = {"csrf_token": hidden(html, "csrf_token"), "version": hidden(html, "version"), **data}
    return client.post(f"/remediation/{action.id}/{verb}", data=fields, content_type="multipart/form-data")


def fresh(action) -> RemediationAction:
    db.session.expire_all()
    return db.session.get(RemediationAction, action.id)


def submit(client, action, *, note="Đã niêm yết bổ sung 3 thủ tục", photos=(JPEG,), files=(PDF_BYTES,)):
    return post(client, action, "submit", submit_note=note,
                submit_photos=[(io.BytesIO(p), f"sau-{n}.jpg") for n, p in enumerate(photos)],
                submit_files=[(io.BytesIO(f), f"bao-cao-{n}.pdf") for n, f in enumerate(files)])


def test_the_whole_flow_through_the_pages_closes_the_inspection(browser_of, actions, before):
    first, second = actions
    officer, head, inspector = browser_of("officer"), browser_of("head"), browser_of("inspector")
    listing = officer.get("/remediation").get_data(as_text=True)
    assert first.description in listing and second.description in listing

    assert submit(officer, first).status_code == 303
    assert fresh(first).status == RemediationStatus.AWAITING_HEAD
    shown = page(head, first)
    assert "Xác nhận và gửi đoàn kiểm tra" in shown
    after = db.session.execute(select(FindingPhoto).where(FindingPhoto.kind == "after")).scalar_one()
    compare = shown.split('class="rm-compare"')[1].split("</section>")[0]
    assert f"p={before.id}" in compare.split("rm-after")[0] and f"p={after.id}" in compare.split("rm-after")[1]

    assert post(head, first, "confirm").status_code == 303
    assert fresh(first).status == RemediationStatus.SUBMITTED and fresh(first).completed_on == local_today()
    assert post(inspector, first, "return", return_reason="Ảnh chưa thấy bảng niêm yết mới").status_code == 303
    returned = page(officer, first)
    assert "Ảnh chưa thấy bảng niêm yết mới" in returned and "Gửi lại kết quả khắc phục" in returned

    assert submit(officer, first, note="Chụp lại toàn bộ bảng niêm yết").status_code == 303
    assert post(head, first, "confirm").status_code == 303
    assert post(inspector, first, "accept").status_code == 303
    assert fresh(first).status == RemediationStatus.ACCEPTED
    history = page(officer, first)
    assert "Lần 1" in history and "Lần 2" in history and "Bị trả lại" in history and "Được chấp nhận" in history

    assert submit(head, second, photos=()).status_code == 303  # the head submits: confirmed at once
    assert post(browser_of("coordinator"), second, "accept").status_code == 303
    assert db.session.get(Inspection, first.inspection_id).status == InspectionStatus.CLOSED


def landed(client, response) -> str:
    """The page a refusal sent the browser back to (303, never left on the POST address)."""
    assert response.status_code == 303, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _counts():
    db.session.expire_all()
    return (db.session.execute(select(func.count(RemediationSubmission.id))).scalar_one(),
            db.session.execute(select(func.count(Attachment.id))).scalar_one())


def test_submitting_without_evidence_is_refused_and_nothing_is_saved(browser_of, actions):
    counts = _counts()
    officer = browser_of("officer")
    response = submit(officer, actions[0], photos=(), files=(), note="Đã niêm yết lại")
    shown = landed(officer, response)  # the action page, the form refilled with what was typed
    assert "Cần đính kèm tài liệu hoặc ảnh chứng minh" in shown and "Đã niêm yết lại" in shown
    assert _counts() == counts and fresh(actions[0]).status == RemediationStatus.OPEN


def _files_on_disk(app) -> int:
    return len(stored_files(app))


def test_a_file_that_lies_about_its_type_is_refused_and_nothing_is_kept(browser_of, actions, app):
    officer, counts = browser_of("officer"), _counts()
    stored = _files_on_disk(app)
    fake_pdf = submit(officer, actions[0], photos=(JPEG,), files=(b"MZ\x90\x00 not a pdf at all",))
    assert "Loại tệp không được chấp nhận" in landed(officer, fake_pdf)
    fake_photo = submit(officer, actions[0], photos=(b"<html>not a photo</html>",), files=(PDF_BYTES,))
    assert "Tệp không phải là ảnh được hỗ trợ" in landed(officer, fake_photo)
    assert _counts() == counts and fresh(actions[0]).status == RemediationStatus.OPEN
    assert _files_on_disk(app) == stored
    assert db.session.execute(select(func.count(FindingPhoto.id)).where(FindingPhoto.kind == "after")).scalar_one() == 0


@pytest.mark.parametrize("where", ["files", "photos"])
def test_an_image_over_60_megapixel_is_refused_as_evidence_file_or_photo(browser_of, actions, app, where):
    """A 400-megapixel PNG: refused as an evidence file as it is as an after photo (once stored, it
    broke every rendering of the remediation report)."""
    officer, counts, stored = browser_of("officer"), _counts(), _files_on_disk(app)
    huge = png_claiming(20_000, 20_000)
    response = submit(officer, actions[0], **({"files": (huge,)} if where == "files" else {"photos": (huge,)}))
    assert "tối đa 60 megapixel" in landed(officer, response)
    assert _counts() == counts and _files_on_disk(app) == stored


def test_another_units_action_is_not_found(browser_of, actions, before):
    outsider, action = browser_of("other"), actions[0]
    token_page = outsider.get("/remediation").get_data(as_text=True)
    assert action.description not in token_page
    for path in ("", "/photo", f"/photo?p={before.id}", "/file"):
        assert outsider.get(f"/remediation/{action.id}{path}").status_code == 404
    html = browser_of("officer").get(f"/remediation/{action.id}").get_data(as_text=True)
    response = outsider.post(f"/remediation/{action.id}/submit", data={
        "csrf_token": hidden(token_page, "csrf_token"), "version": hidden(html, "version"), "submit_note": "Xong",
        "submit_files": (io.BytesIO(PDF_BYTES), "x.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 404 and fresh(action).status == RemediationStatus.OPEN


def test_nobody_accepts_their_own_submission(browser_of, people, actions, tree):
    tree["a"].requires_head_confirmation = False
    coordinator = people["coordinator"]
    coordinator.memberships.append(Membership(role=Role.UNIT_OFFICER, unit_id=tree["a"].id))
    db.session.commit()
    client = browser_of("coordinator")
    assert submit(client, actions[0]).status_code == 303
    shown = page(client, actions[0])
    assert "Chấp nhận kết quả (đã khắc phục)" not in shown and "không tự đánh giá" in shown
    refused = post(client, actions[0], "accept", html=shown)
    assert refused.status_code == 303
    assert "Không tự đánh giá kết quả khắc phục do chính mình gửi" in client.get(
        refused.headers["Location"]).get_data(as_text=True)
    assert fresh(actions[0]).status == RemediationStatus.SUBMITTED
    assert "Chấp nhận kết quả (đã khắc phục)" in page(browser_of("inspector"), actions[0])


def test_a_stale_form_shows_the_conflict_page_with_the_current_state(browser_of, people, actions):
    action = actions[0]
    services.submit_action(people["head"], action, note="Đã sửa", attachments=[_pdf(people["head"])],
                           version=action.version)
    db.session.commit()
    inspector = browser_of("inspector")
    stale = page(inspector, action)
    returned = post(browser_of("coordinator"), action, "return", return_reason="Thiếu quyết định công bố")
    assert returned.status_code == 303
    response = post(inspector, action, "accept", html=stale)
    text = landed(inspector, response)  # the action as it is now (returned: no review form any more)
    assert "Xung đột dữ liệu" in text and "Thiếu quyết định công bố" in text and "Trả lại" in text
    assert fresh(action).status == RemediationStatus.RETURNED


def test_a_return_without_reason_answers_on_the_action_page_and_the_unit_resubmits_first(
        browser_of, people, actions):
    action = actions[0]
    services.submit_action(people["head"], action, note="Đã sửa", attachments=[_pdf(people["head"])],
                           version=action.version)
    db.session.commit()
    coordinator = browser_of("coordinator")
    refused = post(coordinator, action, "return", return_reason="")
    assert refused.status_code == 303 and refused.headers["Location"] == f"/remediation/{action.id}#return-form"
    shown = page(coordinator, action)
    assert "Nhập lý do trả lại." in shown and fresh(action).status == RemediationStatus.SUBMITTED
    assert "Nhập lý do trả lại." not in page(coordinator, action)  # once
    assert post(coordinator, action, "return", return_reason="Thiếu quyết định công bố").status_code == 303
    shown = page(browser_of("officer"), action)
    reason, form = shown.index("Thiếu quyết định công bố"), shown.index('id="submit"')
    assert reason < form < shown.index("rm-facts") and shown.count('id="submit"') == 1


def _pdf(author):
    from inspection.files import storage

    return storage.store(io.BytesIO(PDF_BYTES), "bao-cao.pdf", kind="remediation_evidence", uploaded_by_id=author.id)


def test_the_unit_sees_the_finding_and_its_photos_even_for_another_units_inspection(
        browser_of, people, actions, before, tree):
    finding = db.session.get(Finding, actions[0].finding_id)
    officer = browser_of("officer")
    shown = page(officer, actions[0])
    assert finding.description in shown and "Tiêu chí 1.1" in shown
    photo = officer.get(f"/remediation/{actions[0].id}/photo?p={before.id}")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg" and photo.data[:2] == b"\xff\xd8"
    assert db.session.get(Attachment, before.display_id).storage_key not in shown  # served by id, never by path
    extra = services.add_action(people["coordinator"], finding, unit=tree["b"], description="Phối hợp sửa máy",
                                deadline=local_today() + timedelta(days=5))
    db.session.commit()
    other = browser_of("other")
    assert finding.description in page(other, extra)
    assert other.get(f"/remediation/{extra.id}/photo?p={before.id}").status_code == 200
    assert other.get(f"/remediation/{actions[0].id}").status_code == 404


def test_the_coordinator_adds_an_action_after_the_conclusion(browser_of, actions, tree):
    coordinator, finding_id = browser_of("coordinator"), actions[0].finding_id
    form = coordinator.get(f"/remediation/findings/{finding_id}/new")
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    data = {"csrf_token": hidden(html, "csrf_token"), "unit_id": str(tree["a"].id), "description": ""}
    bad = coordinator.post(f"/remediation/findings/{finding_id}/new", data={**data, "deadline": "31/02/2030"})
    assert bad.status_code == 422 and "không có thật" in bad.get_data(as_text=True)
    day = (local_today() + timedelta(days=10)).strftime("%d/%m/%Y")
    done = coordinator.post(f"/remediation/findings/{finding_id}/new",
                            data={**data, "description": "Báo cáo kết quả bằng văn bản", "deadline": day})
    assert done.status_code == 303
    added = db.session.execute(select(RemediationAction).where(
        RemediationAction.description == "Báo cáo kết quả bằng văn bản")).scalar_one()
    assert added.finding_id == finding_id and added.unit_id == tree["a"].id
    assert browser_of("officer").get(f"/remediation/findings/{finding_id}/new").status_code == 403


def test_steps_and_an_extension_forwarded_and_decided_by_a_leader(browser_of, actions):
    action, officer = actions[0], browser_of("officer")
    due = local_today().strftime("%d/%m/%Y")
    assert post(officer, action, "steps", step_description="Mua bảng niêm yết mới", step_due_on=due).status_code == 303
    assert "Mua bảng niêm yết mới" in page(officer, action)
    new = (action.deadline + timedelta(days=10)).strftime("%d/%m/%Y")
    early = post(officer, action, "extension", new_deadline=due, extension_reason="Chờ kinh phí")
    assert "phải sau thời hạn hiện tại" in landed(officer, early)
    assert post(officer, action, "extension", new_deadline=new, extension_reason="Chờ kinh phí").status_code == 303
    coordinator = browser_of("coordinator")
    shown = page(coordinator, action)
    assert "Chuyển lãnh đạo đề nghị gia hạn" in shown
    assert post(coordinator, action, "extension/forward", html=shown, request_id=hidden(shown, "request_id"),
                opinion="agree", forward_note="Có lý do chính đáng").status_code == 303
    leader = browser_of("leader")
    shown = page(leader, action)
    assert "Quyết định gia hạn" in shown and "Đề xuất đồng ý" in shown and "Có lý do chính đáng" in shown
    assert post(leader, action, "extension/decide", html=shown, request_id=hidden(shown, "request_id"),
                decision="approve").status_code == 303
    action = fresh(action)
    assert action.deadline == action.original_deadline + timedelta(days=10)
    assert "Hạn ban đầu" in page(officer, action)


def test_the_list_filters_searches_and_hides_finished_work(browser_of, actions):
    done, open_ = actions
    done.status, done.completed_on = RemediationStatus.ACCEPTED, local_today()
    open_.deadline = local_today() - timedelta(days=1)
    db.session.commit()
    officer = browser_of("officer")
    first_visit = officer.get("/remediation").get_data(as_text=True)
    assert open_.description in first_visit and done.description not in first_visit
    assert "Quá hạn chưa hoàn thành" in first_visit
    on_time = officer.get("/remediation?timeliness=done_on_time").get_data(as_text=True)
    assert done.description in on_time and open_.description not in on_time
    unaccented = officer.get("/remediation?status=&q=ton+tai+o+tieu+chi+2").get_data(as_text=True)
    assert open_.description in unaccented and done.description not in unaccented
    assert officer.get("/remediation?status=bogus").status_code == 200  # reported and ignored


def test_an_action_is_in_the_par_area_of_its_findings_criterion_and_the_list_filters_by_it(
        browser_of, people, actions, tree):
    first, second = actions
    areas = [db.session.get(ChecklistItem, db.session.get(Finding, a.finding_id).item_id).area_id for a in actions]
    assert [first.area_id, second.area_id] == areas and None not in areas and areas[0] != areas[1]
    added = services.add_action(people["coordinator"], db.session.get(Finding, second.finding_id), unit=tree["a"],
                                description="Bổ sung sổ theo dõi hồ sơ trễ hạn", deadline=local_today())
    db.session.commit()
    assert added.area_id == areas[1]
    listed = browser_of("officer").get(f"/remediation?status=&area_id={areas[1]}").get_data(as_text=True)
    assert second.description in listed and added.description in listed and first.description not in listed


def _row(html: str, unit_name: str) -> list[str]:
    row = html.split(f"<th scope=\"row\">{unit_name}</th>")[1].split("</tr>")[0]
    return re.findall(r'class="rm-figure[^"]*" href="([^"]+)"[^>]*>(\d+)<', row)


def test_the_overview_counts_per_unit_in_scope_and_links_to_the_list(browser_of, people, actions, tree):
    first, second = actions
    first.status, first.completed_on, first.times_returned = RemediationStatus.ACCEPTED, first.deadline, 1
    second.deadline = local_today() - timedelta(days=2)
    late = services.add_action(people["coordinator"], db.session.get(Finding, first.finding_id), unit=tree["b"],
                               description="Bổ sung sổ theo dõi", deadline=local_today())
    late.status, late.completed_on = RemediationStatus.ACCEPTED, late.deadline + timedelta(days=3)
    db.session.commit()
    html = browser_of("leader").get("/remediation/overview").get_data(as_text=True)
    figures = _row(html, tree["a"].name)
    assert [n for _, n in figures] == ["2", "1", "1", "1", "0", "1"]  # total, open, overdue, on time, late, returned
    assert [n for _, n in _row(html, tree["b"].name)] == ["1", "0", "0", "0", "1", "0"]
    overdue_link = figures[2][0].replace("&amp;", "&")
    listed = browser_of("leader").get(overdue_link).get_data(as_text=True)
    assert second.description in listed and first.description not in listed
    theirs = browser_of("other").get("/remediation/overview").get_data(as_text=True)
    assert [n for _, n in _row(theirs, tree["b"].name)] == ["1", "0", "0", "0", "1", "0"]
    assert f'<th scope="row">{tree["a"].name}</th>' not in theirs  # only what unit B sees


def test_the_escalated_list_shows_what_the_leader_must_see(browser_of, actions):
    actions[0].escalation_level, actions[0].deadline = 2, local_today() - timedelta(days=20)
    db.session.commit()
    html = browser_of("leader").get("/remediation/overview").get_data(as_text=True)
    escalated = html.split('id="esc-h"')[1]
    assert actions[0].description in escalated and "quá hạn 20 ngày" in escalated
    assert actions[1].description not in escalated


def test_a_submission_needs_the_version_the_page_was_drawn_from(browser_of, actions):
    officer = browser_of("officer")
    html = page(officer, actions[0])
    response = officer.post(f"/remediation/{actions[0].id}/start", data={"csrf_token": hidden(html, "csrf_token")})
    assert "Trang đã cũ" in landed(officer, response)
    assert post(officer, actions[0], "start").status_code == 303
    assert fresh(actions[0]).status == RemediationStatus.IN_PROGRESS


def test_only_reviewers_see_the_review_and_the_head_may_send_back(browser_of, people, actions):
    action = actions[0]
    assert submit(browser_of("officer"), action).status_code == 303
    assert "Đánh giá kết quả khắc phục" not in page(browser_of("member"), action)
    head = browser_of("head")
    assert post(head, action, "return-to-officer", return_reason="Ảnh mờ, chụp lại").status_code == 303
    action = fresh(action)
    assert action.status == RemediationStatus.RETURNED and action.times_returned == 1


def test_a_search_runs_over_every_state_and_each_tab_counts_its_matches(browser_of, actions):
    """One action done and accepted, one still open, both about "Tồn tại": the search box (whose
    status field says every state) lists both; the tabs say 1 unfinished, 2 in all; a tab keeps the search."""
    done, still = actions
    done.status = RemediationStatus.ACCEPTED
    db.session.commit()
    officer = browser_of("officer")
    first = officer.get("/remediation").get_data(as_text=True)
    assert done.description not in first and still.description in first  # a first visit: the unfinished work
    assert re.search(r'<option selected value="">', first) or 'value="" selected' in first  # status: every state
    found = officer.get("/remediation?q=ton+tai&status=").get_data(as_text=True)
    assert done.description in found and still.description in found
    counts = dict(re.findall(r'>\s*([^<>]+?) <span class="chip-count">(\d+)</span>', found))
    assert (counts["Chưa hoàn thành"], counts["Tất cả"]) == ("1", "2")
    assert 'href="/remediation?status=unfinished&amp;q=ton+tai"' in found


def _inspection_options(html: str) -> list[tuple[str, bool]]:
    """(value, selected) of the list filter's inspections, in order ("" for every inspection)."""
    select_ = re.search(r'<select[^>]*name="inspection_id"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [(value, "selected" in attrs) for attrs, value in
            re.findall(r'<option([^>]*?value="([^"]*)"[^>]*)>', select_)]


@pytest.fixture
def past_years(people, actions, tree) -> list[Inspection]:
    """Two inspections of commune A one and two years before the fixture's, each with a finding
    and its open action."""
    current = db.session.get(Inspection, actions[0].inspection_id)
    past = []
    for years in (1, 2):
        earlier = timedelta(days=365 * years)
        inspection = Inspection(number=f"{years}/KT-CU", unit_id=current.unit_id, kind=current.kind,
                                ordering_unit_id=current.ordering_unit_id, status=InspectionStatus.CLOSED,
                                template_id=current.template_id, start_on=current.start_on - earlier,
                                end_on=current.end_on - earlier, title=f"Kiểm tra năm trước {years}",
                                announced_at=current.announced_at - earlier)
        db.session.add(inspection)
        db.session.flush()
        finding = Finding(inspection_id=inspection.id, unit_id=current.unit_id, severity="minor",
                          description=f"Tồn tại của năm trước {years}", client_uuid=str(uuid.uuid4()),
                          device_time=utcnow() - earlier, received_at=utcnow() - earlier,
                          recorded_by_id=people["inspector"].id)
        db.session.add(finding)
        db.session.flush()
        db.session.add(RemediationAction(inspection_id=inspection.id, finding_id=finding.id, unit_id=tree["a"].id,
                                         deadline=local_today(), original_deadline=local_today(),
                                         description=f"Việc của năm trước {years}"))
        past.append(inspection)
    db.session.commit()
    return past


@pytest.mark.parametrize(("who", "path", "text"), [("officer", "/remediation", "Việc của năm trước"),
                                                   ("leader", "/findings", "Tồn tại của năm trước")])
def test_the_inspection_filter_offers_the_newest_and_the_one_a_link_chose(
        browser_of, actions, past_years, monkeypatch, who, path, text):
    """Years of inspections give the filter the newest few, not every one of them; a notification's
    link to an older inspection's actions still filters by it, shown as chosen."""
    monkeypatch.setattr("inspection.inspections.queries.CHOICES", 2)
    current, last_year, two_years_ago = actions[0].inspection_id, *(i.id for i in past_years)
    client = browser_of(who)
    assert _inspection_options(client.get(path).get_data(as_text=True)) == [
        ("", True), (str(current), False), (str(last_year), False)]  # the newest two
    linked = client.get(f"{path}?inspection_id={two_years_ago}").get_data(as_text=True)
    assert _inspection_options(linked) == [("", False), (str(current), False), (str(last_year), False),
                                           (str(two_years_ago), True)]
    assert f"{text} 2" in linked and f"{text} 1" not in linked
    assert browser_of("other").get(f"{path}?inspection_id={two_years_ago}").status_code == 404
