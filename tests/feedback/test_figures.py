"""Figures against the rows behind them; who sees which figures; the export; the trend chart."""

import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from inspection.feedback import figures
from inspection.language.formatting import local_today
from models import Feedback, db
from models.enums import Role
from tests.factories import make_user, sign_in

from .helpers import make_desk, text

ROWS = [  # access, procedure, official, result, handling
    (5, 4, 3, 2, 1), (4, 4, 4, 4, 4), (1, 2, 5, 5, 3), (3, 5, 5, 4, 2),
]


def _answers(desk, rows=ROWS, on=None):
    for values in rows:
        db.session.add(Feedback(desk_id=desk.id, unit_id=desk.unit_id, received_on=on or local_today(),
                                **dict(zip(("access", "procedure", "official", "result", "handling"), values,
                                           strict=True))))
    db.session.commit()


def test_rates_means_and_counts_match_the_rows(ctx, tree):
    desk = make_desk(tree["a"])
    _answers(desk)
    _answers(make_desk(tree["b"]), [(1, 1, 1, 1, 1)])
    admin = make_user(role=Role.ADMIN, unit=tree["root"])
    found = {f.desk_id: f for f in figures.desk_figures(admin, local_today() - timedelta(days=1), local_today())}
    mine = found[desk.id]
    rows = db.session.execute(select(Feedback).where(Feedback.desk_id == desk.id)).scalars().all()
    for element in ("access", "procedure", "official", "result", "handling"):
        scores = [getattr(r, element) for r in rows]
        figure = mine.elements[element]
        assert (figure.satisfied, figure.count) == (sum(s >= 4 for s in scores), len(scores))
        assert figure.mean == sum(scores) / len(scores)
    every = [s for r in rows for s in r.scores().values()]
    assert (mine.overall.satisfied, mine.overall.count) == (sum(s >= 4 for s in every), len(every)) == (12, 20)
    assert mine.overall.rate == 60.0 and mine.answers == 4 and mine.small_sample()


def test_period_and_trend_count_only_their_days(ctx, tree):
    desk = make_desk(tree["a"])
    today = local_today()
    last_month = today.replace(day=1) - timedelta(days=1)
    _answers(desk, [(5, 5, 5, 5, 5)], on=last_month)
    _answers(desk, [(1, 1, 1, 1, 1)])
    admin = make_user(role=Role.ADMIN, unit=tree["root"])
    [this_month] = figures.desk_figures(admin, today.replace(day=1), today)
    assert this_month.overall.rate == 0 and this_month.answers == 1
    trend = figures.monthly_trend([desk.id], today, months=2)
    assert [(f.satisfied, f.count) for _m, f in trend] == [(5, 5), (0, 5)]


def test_a_unit_sees_its_own_figures_only_and_never_raw_answers(app, ctx, tree):
    mine, other = make_desk(tree["a"], name="Một cửa An Phước"), make_desk(tree["b"], name="Một cửa Tân Phước")
    _answers(mine)
    _answers(other)
    answer = db.session.execute(select(Feedback).where(Feedback.desk_id == mine.id)).scalars().first()
    client = app.test_client()
    sign_in(client, make_user(role=Role.UNIT_HEAD, unit=tree["a"]))
    page = text(client.get("/feedback"))
    assert "Một cửa An Phước" in page and "Một cửa Tân Phước" not in page
    assert client.get(f"/desks/{other.id}").status_code == 404
    assert client.get(f"/feedback/answers/{answer.id}").status_code == 404  # not shared with the unit
    answer.is_shared = True
    db.session.commit()
    assert client.get(f"/feedback/answers/{answer.id}").status_code == 200


def test_desk_page_shows_numerator_denominator_warning_and_an_svg_trend(app, ctx, tree):
    desk = make_desk(tree["a"])
    _answers(desk)
    client = app.test_client()
    sign_in(client, make_user(role=Role.COORDINATOR, unit=tree["root"]))
    page = text(client.get(f"/desks/{desk.id}"))
    assert "60,0%" in page and "(12/20)" in page and "chưa đủ tin cậy" in page
    assert "<svg" in page and "Tỷ lệ hài lòng theo tháng" in page


def test_export_holds_the_figures(app, ctx, tree):
    desk = make_desk(tree["a"], name="=HYPERLINK(\"http://x\")")
    _answers(desk)
    client = app.test_client()
    sign_in(client, make_user(role=Role.COORDINATOR, unit=tree["root"]))
    response = client.get("/feedback/export")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    row = next(r for r in rows if r[1] and "HYPERLINK" in str(r[1]))
    assert row[1].startswith("'=") and row[2] == 4
    assert row[-4:-2] == [12, 20] and row[-2] == 60.0


def test_weakest_desks_need_the_minimum_sample(app, ctx, tree, monkeypatch):
    monkeypatch.setitem(app.config, "FEEDBACK_MIN_SAMPLE", 2)
    good, bad, few = make_desk(tree["a"], name="Tốt"), make_desk(tree["b"], name="Kém"), make_desk(tree["a"], name="Ít")
    _answers(good, [(5, 5, 5, 5, 5)] * 2)
    _answers(bad, [(1, 2, 3, 4, 5)] * 2)
    _answers(few, [(1, 1, 1, 1, 1)])
    leader = make_user(role=Role.LEADER, unit=tree["pc"])
    assert [f.name for f in figures.weakest_desks(leader)] == ["Kém", "Tốt"]


def test_leaders_dashboard_names_the_weakest_desks(app, ctx, tree, monkeypatch):
    monkeypatch.setitem(app.config, "FEEDBACK_MIN_SAMPLE", 2)
    _answers(make_desk(tree["b"], name="Một cửa Tân Phước"), [(1, 2, 3, 4, 5)] * 2)
    client = app.test_client()
    sign_in(client, make_user(role=Role.LEADER, unit=tree["pc"]))
    page = text(client.get("/dashboard"))
    section = page.split('id="weakest-desks"')[1]
    assert "Một cửa Tân Phước" in section and "40,0%" in section and "(4/10" in section
