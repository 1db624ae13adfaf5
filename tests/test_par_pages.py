"""Chỉ số CCHC pages: scope (another commune gets 404 on An Phước's self-assessment before and
after publication, the ranking only after), the round's progress, the self-assessment form's
refusals, the .xlsx import's per-row preview."""

import io
import re

from openpyxl import Workbook
from sqlalchemy import select

from inspection.jobs.reports import render_report
from inspection.par import imports, publication, rounds
from inspection.par.template import demo_rows
from models import Document, ParAssessment, ParIndex, ParScore, Report, db
from models.enums import Role
from tests.factories import csrf_token, sign_in
from tests.par_records import DATES, make_assessment, make_index
from tests.reports.support import pdf_text, stored_bytes


def _round(scenario):
    index = make_index(scenario.units["pc"])
    round_ = rounds.open_round(scenario.user_for(Role.COORDINATOR), index, dates=DATES)
    by_unit = {a.unit_id: a for a in db.session.execute(
        select(ParAssessment).where(ParAssessment.round_id == round_.id)).scalars()}
    return round_, by_unit[scenario.units["an_phuoc"].id], by_unit[scenario.units["tan_phuoc"].id]


def _signed_in(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


def test_another_commune_gets_404_before_and_after_publication_and_the_ranking_only_after(app, scenario):
    round_, an_phuoc, tan_phuoc = _round(scenario)
    viewer = _signed_in(app, scenario.user_for(Role.VIEWER))  # xã Tân Phước
    assert viewer.get(f"/chi-so-cchc/tu-danh-gia/{an_phuoc.id}").status_code == 404
    own = viewer.get(f"/chi-so-cchc/tu-danh-gia/{tan_phuoc.id}")
    assert own.status_code == 200 and "Kết quả đã công bố" not in own.get_data(as_text=True)
    assert viewer.get(f"/chi-so-cchc/dot/{round_.id}").status_code == 404
    round_.status = "published"
    db.session.commit()
    assert viewer.get(f"/chi-so-cchc/tu-danh-gia/{an_phuoc.id}").status_code == 404
    page = viewer.get(f"/chi-so-cchc/tu-danh-gia/{tan_phuoc.id}").get_data(as_text=True)
    assert "Kết quả đã công bố" in page and "Ủy ban nhân dân xã An Phước" in page


def test_the_round_page_shows_the_coordinator_its_progress(app, scenario):
    round_, an_phuoc, _ = _round(scenario)
    an_phuoc.status = "submitted"
    db.session.commit()
    page = _signed_in(app, scenario.user_for(Role.COORDINATOR)).get(f"/chi-so-cchc/dot/{round_.id}")
    assert page.status_code == 200 and "Đã nộp tự đánh giá 1/3" in page.get_data(as_text=True)


def test_a_hostile_score_is_refused_on_the_page_and_nothing_is_stored(app, scenario):
    _, an_phuoc, _ = _round(scenario)
    client = _signed_in(app, scenario.user_for(Role.UNIT_OFFICER))
    url = f"/chi-so-cchc/tu-danh-gia/{an_phuoc.id}"
    html = client.get(url).get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', html)[1]
    scores = db.session.execute(select(ParScore).where(ParScore.assessment_id == an_phuoc.id)).scalars().all()
    form = {"csrf_token": csrf_token(client, url), "version": version}
    for score in scores:
        form |= {f"points_{score.id}": "0", f"note_{score.id}": "Ghi chú"}
    form[f"points_{scores[2].id}"] = "1e309"
    answer = client.post(f"{url}/luu", data=form)
    assert answer.status_code == 303 and answer.headers["Location"] == url  # never left on the POST address
    page = client.get(url).get_data(as_text=True)  # the message, and every field as typed
    assert "Điểm phải là một số" in page and 'value="1e309"' in page
    assert page.count(">Ghi chú</textarea>") == len(scores)
    db.session.expire_all()
    assert all(db.session.get(ParScore, s.id).self_points is None for s in scores)


def _sheet(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append([label for _, label in imports.COLUMNS])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import_rows(broken: bool):
    rows = []
    for r in demo_rows()[:6]:
        bands = "; ".join(f"≥ {s}: {p}" for s, p in r["bands"]) if r["bands"] else None
        rows.append([r["area_code"], r["area_name"], r["criterion_code"], r["criterion_text"], r["code"], r["text"],
                     r["max_points"], r["rule"], bands, r["evidence"], "x" if r["allows_na"] else "", r["responsible"]])
    if broken:
        rows[1][6] = "NaN"
        rows[3][7] = "tùy ý"
    return rows


def test_the_index_import_previews_each_row_and_imports_only_a_clean_file(app, scenario):
    client = _signed_in(app, scenario.user_for(Role.COORDINATOR))
    fields = {"csrf_token": csrf_token(client, "/chi-so-cchc/nhap"), "year": "2027", "level": "commune",
              "title": "Bộ chỉ số CCHC cấp xã năm 2027"}
    answer = client.post("/chi-so-cchc/nhap", data=fields | {"file": (io.BytesIO(_sheet(_import_rows(True))),
                                                                      "chi-so.xlsx")})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "2 dòng có lỗi" in page
    assert "Điểm tối đa phải" in page and "Cách chấm điểm không hợp lệ" in page
    assert db.session.execute(select(ParIndex).where(ParIndex.year == 2027)).first() is None
    answer = client.post("/chi-so-cchc/nhap", data=fields | {"file": (io.BytesIO(_sheet(_import_rows(False))),
                                                                      "chi-so.xlsx")})
    token = re.search(r'name="token" value="(\d+)"', answer.get_data(as_text=True))[1]
    done = client.post("/chi-so-cchc/nhap/xac-nhan", data=fields | {"token": token})
    assert done.status_code == 303
    index = db.session.execute(select(ParIndex).where(ParIndex.year == 2027)).scalar_one()
    assert [s.code for a in index.areas for c in a.criteria for s in c.subs] == [
        "1.1.1", "1.1.2", "1.2.1", "1.3.1", "1.3.2", "1.4.1"]




def test_publishing_issues_the_numbered_decision_with_its_ranking_appendix(app, scenario):
    round_, an_phuoc, tan_phuoc = _round(scenario)
    points = {"1.1.1": 2, "1.2.1": 2, "2.1.1": 3, "9.1.1": -1}  # (2 + 2 + 3 - 1) / 9 → 66,67
    for score in db.session.execute(select(ParScore).where(ParScore.assessment_id == an_phuoc.id)).scalars():
        score.self_points = points[score.sub.code]
    round_.status = "decision"
    db.session.commit()
    publication.publish(scenario.user_for(Role.LEADER), round_, count_unsubmitted=True)
    report = db.session.get(Report, round_.decision_report_id)
    assert render_report(report.id, report.rq_job_id) == "ready"
    db.session.refresh(report)
    document = db.session.get(Document, report.document_id)
    assert document.number_text.endswith("/QĐ-UBND") and document.kind == "par_decision"
    text = " ".join(pdf_text(stored_bytes(report.attachment_id)).split())
    assert "QUYẾT ĐỊNH" in text and "công bố kết quả xác định Chỉ số cải cách hành chính năm 2026" in text
    assert f"Số: {document.number_text}" in text and "PHỤ LỤC" in text
    assert "1 Ủy ban nhân dân xã An Phước 6,00 9,00 66,67 Trung bình" in text
    assert "2 Ủy ban nhân dân xã Tân Hồng Thành 0,00 9,00 0,00 Yếu" in text


def test_publishing_with_units_not_submitted_is_refused_naming_how_many_unless_the_leader_counts_them(
        app, scenario):
    round_, an_phuoc, tan_phuoc = _round(scenario)
    an_phuoc.status = "submitted"
    round_.status = "decision"
    db.session.commit()
    leader = _signed_in(app, scenario.user_for(Role.LEADER))
    page = leader.get(f"/chi-so-cchc/dot/{round_.id}").get_data(as_text=True)
    drafts = db.session.execute(select(ParAssessment).where(ParAssessment.round_id == round_.id,
                                                            ParAssessment.status == "draft")).all()
    assert tan_phuoc.status == "draft" and len(drafts) >= 1
    assert f"{len(drafts)} đơn vị chưa nộp tự đánh giá." in page
    assert "các đơn vị chưa nộp được tính theo kết quả thẩm định" in page
    url = f"/chi-so-cchc/dot/{round_.id}/cong-bo"
    answer = leader.post(url, data={"csrf_token": csrf_token(leader, f"/chi-so-cchc/dot/{round_.id}")},
                         follow_redirects=True)
    assert f"Còn {len(drafts)} đơn vị chưa nộp tự đánh giá." in answer.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(round_), round_.id).status == "decision"
    assert db.session.execute(select(Document).where(Document.kind == "par_decision")).first() is None
    leader.post(url, data={"csrf_token": csrf_token(leader, f"/chi-so-cchc/dot/{round_.id}"),
                           "count_unsubmitted": "y"})
    db.session.expire_all()
    published = db.session.get(type(round_), round_.id)
    assert published.status == "published" and published.decision_report_id is not None


def test_an_appraiser_sees_the_round_only_once_on_its_team_and_a_stale_save_shows_the_conflict(app, scenario):
    round_, an_phuoc, _ = _round(scenario)
    score = db.session.execute(select(ParScore).where(ParScore.assessment_id == an_phuoc.id)
                               .order_by(ParScore.id)).scalars().first()  # 1.1.1, yes/no of 2 points
    score.self_points, an_phuoc.status, round_.status = 2, "submitted", "appraisal"
    db.session.commit()
    inspector = _signed_in(app, scenario.user_for(Role.INSPECTOR))  # Sở Nội vụ: not An Phước's subtree
    assert inspector.get(f"/chi-so-cchc/diem/{score.id}").status_code == 404
    rounds.add_appraiser(scenario.user_for(Role.COORDINATOR), round_, scenario.user_for(Role.INSPECTOR))
    page = inspector.get(f"/chi-so-cchc/diem/{score.id}").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', page)[1]
    form = {"csrf_token": csrf_token(inspector, f"/chi-so-cchc/diem/{score.id}"), "version": version,
            "decision": "change", "points": "0", "reason": "Kế hoạch ban hành muộn"}
    assert inspector.post(f"/chi-so-cchc/diem/{score.id}/tham-dinh", data=form).status_code == 303
    stale = inspector.post(f"/chi-so-cchc/diem/{score.id}/tham-dinh", data=form | {"points": "2", "reason": "Sửa lại"})
    assert stale.status_code == 303  # back to the score page (issue 18), never left on the POST address
    text = inspector.get(stale.headers["Location"]).get_data(as_text=True)
    assert "Xung đột dữ liệu" in text and "Sửa lại" in text  # the current value above the form as typed
    assert re.search(r'data-current>\s*0\s*<', text) and "Kế hoạch ban hành muộn" in text
    db.session.expire_all()
    assert db.session.get(ParScore, score.id).appraised_points == 0


def test_a_merged_communes_successor_sees_its_predecessors_past_assessment(app, scenario):
    past = make_assessment(scenario.units["predecessor_a"], status="final")
    past.round.status = "published"
    db.session.commit()
    successor = _signed_in(app, scenario.users["successor_officer"])
    page = successor.get(f"/chi-so-cchc/tu-danh-gia/{past.id}")
    assert page.status_code == 200 and "Ủy ban nhân dân xã Tân Hồng" in page.get_data(as_text=True)
    assert _signed_in(app, scenario.user_for(Role.VIEWER)).get(f"/chi-so-cchc/tu-danh-gia/{past.id}").status_code == 404


def test_the_self_assessment_states_a_banded_rule_with_decimal_commas(app, scenario):
    """"≥ 97,5% = 1,5", as every figure on the page: never the dot of "97.5% = 1.5"."""
    subs = [("1.2.1", "1", 2, "banded", [[97.5, 1.5], [95, 0.5]], False)]
    index = make_index(scenario.units["pc"], subs=subs)
    round_ = rounds.open_round(scenario.user_for(Role.COORDINATOR), index, dates=DATES)
    an_phuoc = db.session.execute(select(ParAssessment).where(
        ParAssessment.round_id == round_.id, ParAssessment.unit_id == scenario.units["an_phuoc"].id)).scalar_one()
    page = _signed_in(app, scenario.user_for(Role.UNIT_OFFICER)).get(f"/chi-so-cchc/tu-danh-gia/{an_phuoc.id}")
    text = page.get_data(as_text=True)
    assert "≥ 97,5% = 1,5; ≥ 95% = 0,5" in text and "97.5" not in text
