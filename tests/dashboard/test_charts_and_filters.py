"""The dashboard's charts (server SVG, readable without colour, no inline styles) and its filters
(periods; bad input gets a Vietnamese message and the default period)."""

import re
from datetime import date

import pytest

from inspection.dashboard.period import custom_period, month_period, quarter_period, year_period
from inspection.web.charts import Line, Value, bar_chart, line_chart
from tests.dashboard.conftest import text_of


def test_the_line_chart_names_every_point_and_leaves_gaps_for_months_without_data():
    svg = str(line_chart("Tỷ lệ đúng hạn", ["01/2026", "02/2026", "03/2026", "04/2026"],
                         [Line("Nhiệm vụ", "#1f4e8c", [80.0, None, 50.0, 100.0], ["4/5 (80,0%)", "—", "1/2 (50,0%)",
                                                                                 "3/3 (100,0%)"])]))
    assert "<title" in svg and "<desc" in svg and "style=" not in svg
    assert "01/2026: 4/5 (80,0%)" in svg and "02/2026: —" not in svg  # the description skips the gap
    assert svg.count("<circle") == 3 and svg.count("<polyline") == 1  # one segment: 03–04; 01 stands alone
    assert "03/2026 — Nhiệm vụ: 1/2 (50,0%)" in svg


def test_the_bar_chart_scales_to_its_maximum_and_captions_each_bar():
    svg = str(bar_chart("Thấp nhất", [Value("Xã A", 50.0, "1/2 (50,0%)"), Value("Xã B", 100.0, "2/2 (100,0%)")],
                        label_width=250, width=720))
    widths = [float(w) for w in re.findall(r'<rect x="250" y="[\d.]+" width="([\d.]+)"', svg)]
    assert widths[1] == pytest.approx(2 * widths[0]) and "style=" not in svg
    assert "Xã A: 1/2 (50,0%)" in svg


@pytest.mark.parametrize(("period", "first", "last", "label"), [
    (month_period(date(2026, 2, 14)), date(2026, 2, 1), date(2026, 2, 28), "Tháng 02/2026"),
    (quarter_period(2026, 4), date(2026, 10, 1), date(2026, 12, 31), "Quý IV/2026"),
    (year_period(2024), date(2024, 1, 1), date(2024, 12, 31), "Năm 2024"),
    (custom_period(date(2025, 11, 1), date(2026, 2, 1)), date(2025, 11, 1), date(2026, 2, 28),
     "Từ tháng 11/2025 đến tháng 02/2026"),
])
def test_periods_are_whole_months(app, period, first, last, label):
    with app.test_request_context():
        assert (period.first, period.last, period.label) == (first, last, label)
    assert period.trend_months[-1] == last.replace(day=1) and len(period.trend_months) >= 12


@pytest.mark.parametrize(("query", "message", "fallback"), [
    ("period=month&month=13/2026", "Tháng “13/2026” không hợp lệ", "month"),
    ("period=custom&start=2026-05&end=2026-02", "Tháng kết thúc phải sau hoặc trùng tháng bắt đầu", "year"),
    ("period=custom&start=2026-05", "Chọn cả tháng bắt đầu và tháng kết thúc", "year"),
    ("period=custom&start=2010-01&end=2026-01", "Khoảng thời gian tối đa 60 tháng", "year"),
    ("period=quarter&quarter=5", "Lựa chọn không hợp lệ", "quarter"),
    ("period=tuan", "Lựa chọn không hợp lệ", "year"),
    ("period=year&year=1890", "Năm từ 2000 đến 2100", "year"),
    ("area_id=abc", "Lựa chọn không hợp lệ", "year"),
])
def test_bad_filters_are_explained_and_the_current_period_is_shown(app, client, demo, demo_login, query, message,
                                                                    fallback):
    from inspection.language.formatting import local_today

    today = local_today()
    with app.test_request_context():
        expected = {"month": month_period(today), "quarter": quarter_period(today.year, (today.month - 1) // 3 + 1),
                    "year": year_period(today.year)}[fallback].label
    demo_login("leader")
    response = client.get(f"/dashboard?{query}")
    page = text_of(response.get_data(as_text=True))
    assert response.status_code == 200 and message in page
    assert f"Tổng quan công tác cải cách hành chính {expected}" in page
