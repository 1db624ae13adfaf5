"""The dashboard's Chỉ số CCHC panel and the weakest criteria seeding next year's inspection focus.

The province's leaders and coordinator see the open round's progress, the last published round's
units by band, each unit's index beside last year's and the weakest criteria: every linked figure
opens the round page filtered to exactly that many rows, and the indices are the ranking's. A
commune sees its own line only (another commune's name never appears; its links open its own
assessment). The coordinator turns the weakest criteria into a checklist template."""

import re
from decimal import Decimal
from html import unescape
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from inspection.par import panel_queries, results, rounds
from models import AuditEvent, ChecklistTemplate, ParAssessment, ParRound, db
from models.enums import Role
from tests.factories import csrf_token, sign_in
from tests.par_records import DATES, make_index
from tests.querycount import statement_budget

# per unit: (1.1.1 yes/no of 2, 1.2.1 banded of 4, 2.1.1 typed of 3, 9.1.1 penalty of 2) → index of 9 points
SCORES = {
    2025: {"an_phuoc": (2, 2, 3, 0), "tan_phuoc": (2, 4, 2, 0), "successor": (0, 0, 0, 0)},  # 77,78 88,89 0
    2026: {"an_phuoc": (2, 4, 3, 0), "tan_phuoc": (2, 2, 2, 0), "successor": (0, 2, 2, -1)},  # 100 66,67 33,33
}
LINK = re.compile(r'href="([^"]+)" data-par-count="(\d+)"')


def _open(scenario, year: int) -> ParRound:
    return rounds.open_round(scenario.user_for(Role.COORDINATOR), make_index(scenario.units["pc"], year=year),
                             dates=DATES)


def _assessments(round_) -> dict[int, ParAssessment]:
    return {a.unit_id: a for a in db.session.execute(
        select(ParAssessment).where(ParAssessment.round_id == round_.id)).scalars()}


def _published(scenario, year: int) -> ParRound:
    """A published round whose scores are SCORES[year]: self scores, and the appraisal lowering one."""
    round_ = _open(scenario, year)
    for key, points in SCORES[year].items():
        assessment = _assessments(round_)[scenario.units[key].id]
        assessment.status = "final"
        for score in sorted(assessment_scores(assessment), key=lambda s: s.sub.code):
            score.self_points = Decimal(points[["1.1.1", "1.2.1", "2.1.1", "9.1.1"].index(score.sub.code)])
            if score.sub.code == "2.1.1" and score.self_points:  # the appraisal's word counts, not the self score
                score.self_points, score.appraised_points = score.self_points + 1, score.self_points
    round_.status = "published"
    db.session.flush()
    return round_


def assessment_scores(assessment):
    from models import ParScore
    return db.session.execute(select(ParScore).where(ParScore.assessment_id == assessment.id)).scalars().all()


@pytest.fixture
def years(scenario):
    """2025 and 2026 published; 2027 open: An Phước submitted, Tân Phước appraised, the third in draft."""
    before, last, current = _published(scenario, 2025), _published(scenario, 2026), _open(scenario, 2027)
    by_unit = _assessments(current)
    by_unit[scenario.units["an_phuoc"].id].status = "submitted"
    by_unit[scenario.units["tan_phuoc"].id].status = "appraised"
    db.session.commit()
    return before, last, current


def _client(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


def _panel(client) -> str:
    response = client.get("/dashboard")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    start = html.index('class="card par-panel"')
    return html[start:html.index("</section>", start)]


def _rows_behind(client, href: str) -> int:
    """The rows the round page shows for a filtered link: its units, its ranking or the units that
    lost points on a criterion."""
    html = client.get(href).get_data(as_text=True)
    anchor = href.rsplit("#", 1)[1]
    part = html[html.index(f'id="{anchor}"'):]
    if "criterion=" in href:
        part = part[part.index('class="table numeric par-losses"'):]
    body = part[part.index("<tbody>"):part.index("</tbody>")]
    return body.count("<tr")


def test_the_coordinators_figures_open_as_many_rows_and_equal_the_ranking(app, scenario, years):
    before, last, current = years
    client = _client(app, scenario.user_for(Role.COORDINATOR))
    panel = _panel(client)
    assert "Đã nộp tự đánh giá 2/3" in panel  # the open round's progress, as its page says it
    links = [(unquote(unescape(h)), int(n)) for h, n in LINK.findall(panel)]
    expected = {f"/chi-so-cchc/dot/{current.id}?status=submitted#units-h": 2,
                f"/chi-so-cchc/dot/{current.id}#units-h": 3,
                f"/chi-so-cchc/dot/{current.id}?status=appraised#units-h": 1,
                f"/chi-so-cchc/dot/{current.id}?status=draft#units-h": 1,
                f"/chi-so-cchc/dot/{last.id}?band=Tốt#results-h": 1,
                f"/chi-so-cchc/dot/{last.id}?band=Trung+bình#results-h": 1,
                f"/chi-so-cchc/dot/{last.id}?band=Yếu#results-h": 1}
    assert expected.items() <= dict(links).items()
    for href, shown in links:
        assert _rows_behind(client, href) == shown, href
    ranked = results.round_results(db.session.get(ParRound, last.id))
    for line in ranked:  # each unit's line: last year's index, this year's, its band
        row = re.search(re.escape(line.unit_name) + r"</a></th>\s*<td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>",
                        panel)
        previous = f"{line.previous.index:.2f}".replace(".", ",") if line.previous else None
        assert row and row.groups()[1:] == (f"{line.index:.2f}".replace(".", ","), line.band), line.unit_name
        assert previous is None or row.group(1) == previous
    average = panel_queries.average(ranked)
    assert average == Decimal("66.67") and "66,67" in re.search(r'data-par="average".*?</tr>', panel, re.S).group(0)


def test_the_weakest_criteria_are_the_round_pages_with_their_units(app, scenario, years):
    _, last, _ = years
    client = _client(app, scenario.user_for(Role.LEADER))
    panel = _panel(client)
    # 1.2 lost 2 + 0 + 2 = 4 points at two units; 1.1: 2 at one; 2.1: 1 + 1 = 2 at two (the penalty is no loss)
    weakest = re.findall(r"<b>([\d.]+)</b>[^<]*— <a[^>]*data-par-count=\"(\d+)\">mất ([\d,]+) điểm", panel)
    assert weakest == [("1.2", "2", "4"), ("1.1", "1", "2"), ("2.1", "2", "2")]
    page = client.get(f"/chi-so-cchc/dot/{last.id}?criterion=1.2").get_data(as_text=True)
    losses = page[page.index("par-losses"):page.index("</table>", page.index("par-losses"))]
    assert "Ủy ban nhân dân xã Tân Phước" in losses and "Ủy ban nhân dân xã Tân Hồng Thành" in losses
    assert "Ủy ban nhân dân xã An Phước" not in losses and ">4</td>" in losses


def test_a_commune_sees_its_own_line_and_nothing_of_another_commune(app, scenario, years):
    _, last, current = years
    head = _client(app, scenario.user_for(Role.UNIT_HEAD))  # xã An Phước
    panel = _panel(head)
    own = _assessments(last)[scenario.units["an_phuoc"].id]
    assert "Ủy ban nhân dân xã An Phước" in panel and "Tân Phước" not in panel and "Tân Hồng Thành" not in panel
    assert "/chi-so-cchc/dot/" not in panel and "2/3" not in panel  # the round's pages are not the commune's
    assert "100,00 · Tốt" in panel and "1/3 đơn vị" in panel and "77,78" in panel  # last year's own index
    assert "Đã nộp tự đánh giá" in panel  # its own assessment in the open round
    for href in set(re.findall(r'href="([^"]+)"', panel)):
        assert head.get(unescape(href)).status_code == 200, href
    assert f"/chi-so-cchc/tu-danh-gia/{own.id}" in panel
    viewer = _panel(_client(app, scenario.user_for(Role.VIEWER)))  # xã Tân Phước
    assert "Ủy ban nhân dân xã Tân Phước" in viewer and "An Phước" not in viewer and "66,67 · Trung bình" in viewer
    # its own lost criteria, its own points: 2 on 1.2 (of the two units' 4), 1 on 2.1
    assert re.findall(r"<b>([\d.]+)</b>[^<]*— <a[^>]*>mất ([\d,]+) điểm", viewer) == [("1.2", "2"), ("2.1", "1")]
    other = _assessments(current)[scenario.units["tan_phuoc"].id]
    assert head.get(f"/chi-so-cchc/tu-danh-gia/{other.id}").status_code == 404


def test_the_panel_keeps_the_dashboards_statement_budget(app, scenario, years):
    for role in (Role.LEADER, Role.UNIT_HEAD):
        client = _client(app, scenario.user_for(role))
        client.get("/dashboard")
        with statement_budget(app, 10):
            assert client.get("/dashboard").status_code == 200


def test_the_weakest_criteria_become_next_years_checklist_template(app, scenario, years):
    _, last, current = years
    coordinator = _client(app, scenario.user_for(Role.COORDINATOR))
    path = f"/chi-so-cchc/dot/{last.id}/bo-tieu-chi-kiem-tra"
    token = csrf_token(coordinator, f"/chi-so-cchc/dot/{last.id}")
    response = coordinator.post(path, data={"csrf_token": token})
    assert response.status_code == 303 and "/templates/" in response.headers["Location"]
    template = db.session.execute(select(ChecklistTemplate).order_by(ChecklistTemplate.id.desc())).scalars().first()
    assert template.year == 2027 and template.unit_id == scenario.units["pc"].id and "năm 2026" in template.name
    assert [(i.code, i.criterion) for i in template.items] == [
        ("1.2", "Tiêu chí 1.2.1"), ("1.1", "Tiêu chí 1.1.1"), ("2.1", "Tiêu chí 2.1.1")]
    assert "Ủy ban nhân dân xã Tân Phước (2)" in template.items[0].guidance
    assert "mất 4 điểm tại 2 đơn vị" in template.items[0].guidance
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "par_round.checklist_seeded")).scalar_one()
    assert event.after["template_id"] == template.id
    page = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tiêu chí 1.2.1" in page
    # an open round has no published weakest criteria; a commune's head may not do it
    refused = coordinator.post(f"/chi-so-cchc/dot/{current.id}/bo-tieu-chi-kiem-tra", data={"csrf_token": token})
    assert refused.status_code == 303 and db.session.execute(
        select(ChecklistTemplate).where(ChecklistTemplate.year == 2028)).first() is None
    head = _client(app, scenario.user_for(Role.UNIT_HEAD))
    assert head.post(path, data={"csrf_token": csrf_token(head, "/")}).status_code in (403, 404)
