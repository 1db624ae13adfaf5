"""Chỉ số CCHC rules through the services: points as the index allows them (hostile numbers
refused, nothing stored), submission needs evidence, appraisal never of one's own unit, every
score change kept, results against a hand-computed example, computed criteria from their rows."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from flask import current_app
from sqlalchemy import func, select

from inspection.errors import Conflict, Forbidden, InvalidTransition, ValidationError
from inspection.par import amendments, appraisal, assessments, catalogue, computed, follow_through, results, rounds
from models import Feedback, ParRound, ParScore, ParScoreChange, ParSubCriterion, Task, db
from models.enums import TaskStatus
from models.feedback import ELEMENTS
from tests.factories import make_task
from tests.feedback.helpers import make_desk
from tests.par_records import add_evidence_for, round_assessments, save_points, submit_for_appraisal


def _changes() -> int:
    return db.session.execute(select(func.count()).select_from(ParScoreChange)).scalar_one()


def test_opening_the_round_freezes_the_index_and_starts_each_commune(par):
    assert par.index.frozen_at is not None
    assert {a.unit.name for a in round_assessments(par.round)} == {
        "Ủy ban nhân dân xã An Phước", "Ủy ban nhân dân xã Tân Phước", "Ủy ban nhân dân xã Tân Hồng Thành"}
    assert rounds.progress(par.round) == {"total": 3, "submitted": 0, "counts": {"draft": 3}}


@pytest.mark.parametrize("raw", ["1e309", "NaN", "-0", "99999999999999999999", "Infinity", "1,555", "0x10", "-1"])
def test_hostile_points_are_refused_with_a_message_and_nothing_is_stored(par, raw):
    before = _changes()
    with pytest.raises(ValidationError) as refused:
        save_points(par, {"1.1.1": "2", "2.1.1": raw})
    assert refused.value.message and refused.value.field == f"points_{par.scores['2.1.1'].id}"
    db.session.refresh(par.scores["1.1.1"])
    assert par.scores["1.1.1"].self_points is None and _changes() == before


@pytest.mark.parametrize(("code", "raw", "allowed"), [
    ("1.1.1", "1", False), ("1.1.1", "2", True), ("1.1.1", "0", True),  # yes/no: 0 or the maximum
    ("1.2.1", "3", False), ("1.2.1", "2", True), ("1.2.1", "4", True),  # banded: exactly a band
    ("2.1.1", "3,5", False), ("2.1.1", "2,5", True),  # typed: within the maximum
    ("9.1.1", "-2", True), ("9.1.1", "-2,5", False), ("9.1.1", "1", False),  # penalty: 0 down to -max
])
def test_each_rule_gives_only_its_points(par, code, raw, allowed):
    if allowed:
        save_points(par, {code: raw})
        assert par.scores[code].self_points == Decimal(raw.replace(",", "."))
    else:
        with pytest.raises(ValidationError):
            save_points(par, {code: raw})


def test_not_applicable_only_where_the_index_allows_it(par):
    entries = {par.scores["1.1.1"].id: {"points": "", "na": "1", "note": ""}}
    with pytest.raises(ValidationError):
        assessments.save_self_assessment(par.officer, par.an_phuoc, entries, version=par.an_phuoc.version)
    entries = {par.scores["2.1.1"].id: {"points": "", "na": "1", "note": "Không có văn bản QPPL"}}
    assessments.save_self_assessment(par.officer, par.an_phuoc, entries, version=par.an_phuoc.version)
    assert par.scores["2.1.1"].not_applicable


def test_a_score_above_zero_without_evidence_cannot_be_submitted(par):
    save_points(par, {"1.1.1": "2", "1.2.1": "4", "2.1.1": "0", "9.1.1": ""})
    with pytest.raises(ValidationError) as refused:
        assessments.submit_assessment(par.head, par.an_phuoc, version=par.an_phuoc.version)
    assert "1.1.1" in refused.value.message and "tài liệu kiểm chứng" in refused.value.message
    with pytest.raises(Forbidden):  # the officer drafts; the head submits
        assessments.submit_assessment(par.officer, par.an_phuoc, version=par.an_phuoc.version)
    add_evidence_for(par, "1.1.1")
    add_evidence_for(par, "1.2.1")
    assessments.submit_assessment(par.head, par.an_phuoc, version=par.an_phuoc.version)
    assert par.an_phuoc.status == "submitted"
    with pytest.raises(InvalidTransition):  # locked
        save_points(par, {"1.1.1": "0"})


def test_appraisal_by_the_rounds_appraiser_only_never_their_own_unit(par, scenario):
    submit_for_appraisal(par)
    score = par.scores["1.2.1"]
    with pytest.raises(Forbidden):  # not (yet) a member of the appraisal team
        appraisal.appraise_score(par.inspector, score, accept=False, points="2", reason="Tỷ lệ 96%",
                                 version=score.version)
    rounds.add_appraiser(par.coordinator, par.round, par.inspector)
    rounds.add_appraiser(par.coordinator, par.round, par.head)  # An Phước's own head on the team
    with pytest.raises(Forbidden):
        appraisal.appraise_score(par.head, score, accept=True, points="", reason="", version=score.version)
    with pytest.raises(ValidationError):  # another score needs a reason
        appraisal.appraise_score(par.inspector, score, accept=False, points="2", reason="", version=score.version)
    appraisal.appraise_score(par.inspector, score, accept=False, points="2", reason="Tỷ lệ đúng hạn 96,4%",
                             version=score.version)
    history = db.session.execute(select(ParScoreChange).where(ParScoreChange.score_id == score.id)
                                 .order_by(ParScoreChange.id)).scalars().all()
    assert [(h.stage, h.old_points, h.new_points, h.user_id) for h in history] == [
        ("self", None, Decimal(4), par.officer.id), ("appraisal", None, Decimal(2), par.inspector.id)]
    assert history[-1].reason == "Tỷ lệ đúng hạn 96,4%"


def test_a_stale_appraisal_is_a_conflict_showing_the_current_value(par):
    submit_for_appraisal(par)
    rounds.add_appraiser(par.coordinator, par.round, par.inspector)
    score = par.scores["1.1.1"]
    seen = score.version
    appraisal.appraise_score(par.inspector, score, accept=False, points="0", reason="Ban hành muộn", version=seen)
    with pytest.raises(Conflict) as conflict:
        appraisal.appraise_score(par.inspector, score, accept=True, points="", reason="", version=seen)
    assert conflict.value.current["appraised"] == "0"


def row(code, area, maximum, rule, self_points, appraised=None, na=False):
    return (SimpleNamespace(id=code, max_points=Decimal(maximum), rule=rule, area_code=area),
            SimpleNamespace(self_points=Decimal(self_points), appraised_points=None if appraised is None
                            else Decimal(appraised), not_applicable=na))


def test_results_match_a_hand_computed_example_with_not_applicable_and_penalty():
    rows = [row("1.1", "1", 2, "yes_no", 2),
            row("1.2", "1", 4, "banded", 4, appraised=2),  # lowered by the appraisers
            row("2.1", "2", 3, "typed", 0, na=True),  # not applicable: out of the maximum
            row("8.1", "8", 10, "survey", 0, appraised="8.5"),
            row("9.1", "9", 2, "penalty", -1)]  # a penalty moves the points, never the maximum
    result = results.unit_result(1, "xã An Phước", rows, [[80, "Tốt"], [70, "Khá"], [50, "Trung bình"]])
    # (2 + 2 + 8.5 - 1) / (2 + 4 + 10) × 100 = 11.5 / 16 × 100 = 71.875 → 71,88
    assert (result.points, result.maximum, result.index, result.band) == (
        Decimal("11.5"), Decimal(16), Decimal("71.88"), "Khá")
    assert result.areas["1"] == [Decimal(4), Decimal(6)] and "2" not in result.areas


def test_ranking_shares_ranks_on_ties():
    ranked = results.rank([results.UnitResult(n, name, index=Decimal(i)) for n, (name, i) in enumerate(
        [("A", "85.5"), ("B", "90"), ("C", "85.5"), ("D", "70")])])
    assert [(r.unit_name, r.rank) for r in ranked] == [("B", 1), ("A", 2), ("C", 2), ("D", 4)]


def test_a_computed_criterion_equals_the_rows_behind_it(scenario):
    unit = scenario.units["an_phuoc"]
    for n, (status, completed) in enumerate([(TaskStatus.ACCEPTED, date(2026, 3, 1)),
                                             (TaskStatus.ACCEPTED, date(2026, 3, 1)),
                                             (TaskStatus.ACCEPTED, date(2026, 6, 1)),  # late
                                             (TaskStatus.OPEN, None), (TaskStatus.CANCELLED, None)]):
        make_task(unit=unit, number=str(n + 1), deadline=date(2026, 5, 1), status=status, completed_on=completed)
    make_task(unit=unit, number="9", deadline=date(2025, 5, 1), status=TaskStatus.OPEN)  # another year
    sub = ParSubCriterion(code="1.1.2", max_points=Decimal(2), rule="banded", bands=[[100, 2], [80, 1]],
                          source="tasks_on_time")
    score = ParScore()
    computed.fill(score, sub, unit, 2026)
    assert score.computed["figure"] == "2/4 (50%)" and score.self_points == 0
    assert computed.tasks_on_time(unit, 2026)[:2] == (2, 4)


def test_results_of_a_round_rank_its_units(par):
    submit_for_appraisal(par)
    rounds.add_appraiser(par.coordinator, par.round, par.inspector)
    appraisal.appraise_score(par.inspector, par.scores["1.2.1"], accept=False, points="2", reason="Tỷ lệ 96%",
                             version=par.scores["1.2.1"].version)
    ranked = results.round_results(db.session.get(ParRound, par.round.id))
    mine = next(r for r in ranked if r.unit_id == par.an_phuoc.unit_id)
    # (2 + 2 + 3 - 1) / (2 + 4 + 3) = 6 / 9 → 66,67
    assert (mine.points, mine.maximum, mine.index, mine.rank) == (Decimal(6), Decimal(9), Decimal("66.67"), 1)
    assert [r.rank for r in ranked] == [1, 2, 2]  # the two others have nothing yet: tied


def test_the_remediation_plan_has_one_task_per_criterion_where_points_were_lost(par):
    submit_for_appraisal(par)
    rounds.add_appraiser(par.coordinator, par.round, par.inspector)
    appraisal.appraise_score(par.inspector, par.scores["1.2.1"], accept=False, points="2", reason="Tỷ lệ 96%",
                             version=par.scores["1.2.1"].version)
    with pytest.raises(InvalidTransition):  # only once the results are published
        follow_through.create_remediation_plan(par.coordinator, par.round)
    par.round.status = "published"
    plan = follow_through.create_remediation_plan(par.coordinator, par.round)
    tasks = db.session.execute(select(Task).where(Task.plan_id == plan.id).order_by(Task.position)).scalars().all()
    mine = [t for t in tasks if t.unit_id == par.an_phuoc.unit_id]
    assert [t.title for t in mine] == ["Khắc phục tiêu chí 1.2 “Tiêu chí 1.2.1” (mất 2 điểm năm 2026)"]
    assert mine[0].deadline == date(2027, 6, 30) and plan.year == 2027 and plan.status == "draft"
    assert len(tasks) == 1 + 2 * 3  # the two communes with nothing scored lose every criterion
    assert follow_through.weakest(par.round)[0]["code"] == "1.2"  # 4 + 4 + 2 points lost


def test_copying_an_index_to_next_year_keeps_its_sub_criteria(par):
    copy = catalogue.copy_index(par.coordinator, par.index, year=2027)
    assert copy.frozen_at is None and copy.copied_from_id == par.index.id
    assert [s.code for a in copy.areas for c in a.criteria for s in c.subs] == ["1.1.1", "1.2.1", "2.1.1", "9.1.1"]
    with pytest.raises(ValidationError):  # one index per unit, year and level
        catalogue.copy_index(par.coordinator, par.index, year=2027)


def test_the_daily_reminders_remind_the_units_that_have_not_submitted_once_a_day(par):
    from datetime import timedelta

    from inspection.jobs.par_reminders import remind_par
    from models import Notification

    today = par.round.self_due - timedelta(days=3)
    assert remind_par(today) == "3 PAR reminders sent"  # the three communes' drafts
    notes = db.session.execute(select(Notification).where(Notification.user_id == par.officer.id)).scalars().all()
    assert [(n.params["days"], n.params["deadline"], n.link) for n in notes] == [
        (3, "15/10/2026", f"/chi-so-cchc/tu-danh-gia/{par.an_phuoc.id}")]
    assert remind_par(today) == "0 PAR reminders sent"  # once per day
    assert remind_par(today - timedelta(days=1)) == "0 PAR reminders sent"  # 4 days before: not a reminder day


def test_a_frozen_index_is_amended_only_with_a_reason_recorded_and_the_results_follow(par):
    from models import AuditEvent

    sub = par.scores["2.1.1"].sub
    with pytest.raises(ValidationError):
        amendments.amend_sub(par.coordinator, sub, max_points="4", text=sub.text, reason=" ")
    amendments.amend_sub(par.coordinator, sub, max_points="4", text=sub.text, reason="Sửa theo Quyết định 12/QĐ-UBND")
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "par_index.amended")).scalar_one()
    assert event.after["reason"] == "Sửa theo Quyết định 12/QĐ-UBND" and event.before["max_points"] == "3.00"
    mine = next(r for r in results.round_results(par.round) if r.unit_id == par.an_phuoc.unit_id)
    assert mine.maximum == Decimal(2 + 4 + 4)  # 1.1.1, 1.2.1 and the amended 2.1.1


def _ratings(unit, rows, year):
    desk = make_desk(unit, name=f"Bộ phận một cửa {unit.id}")
    for n, values in enumerate(rows):
        db.session.add(Feedback(desk_id=desk.id, unit_id=unit.id, received_on=date(year, 1 + n % 12, 10),
                                **dict(zip(ELEMENTS, values, strict=True))))
    db.session.commit()


def test_satisfaction_is_computed_from_citizens_ratings_of_the_year_and_not_below_the_minimum_sample(scenario):
    minimum = current_app.config["FEEDBACK_MIN_SAMPLE"]
    unit, small = scenario.units["an_phuoc"], scenario.units["tan_phuoc"]
    rows = [(5, 5, 4, 4, 5), (3, 4, 5, 2, 1), (4, 4, 4, 4, 3)] * (minimum // 3 + 1)
    _ratings(unit, rows, 2026)
    _ratings(unit, [(1, 1, 1, 1, 1)] * 5, 2025)  # another year: not counted
    _ratings(small, [(5, 5, 5, 5, 5)] * (minimum - 1), 2026)
    satisfied = sum(v >= 4 for row in rows for v in row)
    sub = ParSubCriterion(code="8.1.1", max_points=Decimal(12), rule="banded",
                          bands=[[90, 12], [80, 8], [60, 4]], source="satisfaction")
    score = ParScore()
    computed.fill(score, sub, unit, 2026)
    rate = Decimal(100 * satisfied) / (5 * len(rows))
    assert score.computed["figure"].startswith(f"{satisfied}/{5 * len(rows)} (")
    assert score.self_points == next(p for start, p in [(90, 12), (80, 8), (60, 4), (0, 0)] if rate >= start)
    assert score.computed["link"]["endpoint"] == "feedback.overview" and score.computed["link"]["start"] == "01/01/2026"
    few = ParScore()
    computed.fill(few, sub, small, 2026)
    assert few.computed["empty"] and few.computed["sample"] == [minimum - 1, minimum] and few.self_points is None
