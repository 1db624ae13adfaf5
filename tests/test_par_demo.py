"""The demo's Chỉ số CCHC: a published 2025 round of the communes (around 84–87 % Tốt, one Khá,
appraised at or below self), and the open 2026 round with An Phước's self-assessment half done."""

from sqlalchemy import select

from inspection.demo.seed import seed_demo
from inspection.par import results
from models import OrgUnit, ParAssessment, ParRound, ParScore, db


def test_the_demo_holds_a_published_2025_round_and_an_open_2026_one(ctx):
    seed_demo("demo")
    last, this = db.session.execute(select(ParRound).order_by(ParRound.year)).scalars().all()
    assert (last.year, last.status, this.year, this.status) == (2025, "published", 2026, "self_assessment")
    ranked = results.round_results(last)
    assert [r.band for r in ranked].count("Khá") == 1 and len(ranked) == 9
    good = [r.index for r in ranked if r.band == "Tốt"]
    assert all(80 <= index <= 90 for index in good) and 84 <= sum(good) / len(good) <= 87
    scores = db.session.execute(select(ParScore).join(ParAssessment).where(ParAssessment.round_id == last.id)).scalars()
    assert all(s.appraised_points <= s.self_points for s in scores if s.self_points is not None)
    an_phuoc = db.session.execute(select(OrgUnit).where(OrgUnit.code == "TH-ANPHUOC")).scalar_one()
    mine = db.session.execute(select(ParAssessment).where(ParAssessment.round_id == this.id,
                                                          ParAssessment.unit_id == an_phuoc.id)).scalar_one()
    own = db.session.execute(select(ParScore).where(ParScore.assessment_id == mine.id)).scalars().all()
    scored = [s for s in own if s.self_points is not None]
    assert mine.status == "draft" and 0.3 * len(own) <= len(scored) <= 0.6 * len(own)
