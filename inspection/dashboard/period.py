"""The dashboard's reporting period: whole months (a month, a quarter, a year, or a custom run
of months). Figures group work by the month of its deadline (or of the inspection's start)."""

import calendar
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

KINDS = ("month", "quarter", "year", "custom")
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
MAX_MONTHS = 60  # a custom period longer than five years is refused
TREND_MONTHS = 12


def add_months(first: date, n: int) -> date:
    """The first day of the month `n` months after the month of `first` (n may be negative)."""
    index = first.year * 12 + first.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_end(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def months_between(first: date, last: date) -> list[date]:
    """The first days of every month from `first`'s month to `last`'s month, inclusive."""
    out, current = [], first.replace(day=1)
    while current <= last:
        out.append(current)
        current = add_months(current, 1)
    return out


@dataclass(frozen=True)
class Period:
    kind: str
    first: date  # the first day of the first month
    last: date  # the last day of the last month

    @property
    def months(self) -> list[date]:
        return months_between(self.first, self.last)

    @property
    def trend_months(self) -> list[date]:
        """The months the trend chart shows: the period itself when it is long, else the
        twelve months ending with the period's last month."""
        start = min(self.first, add_months(self.last.replace(day=1), 1 - TREND_MONTHS))
        return months_between(start, self.last)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return _("Tháng %(m)s", m=f"{self.first:%m/%Y}")
        if self.kind == "quarter":
            return _("Quý %(q)s/%(y)s", q=ROMAN[(self.first.month - 1) // 3 + 1], y=self.first.year)
        if self.kind == "year":
            return _("Năm %(y)s", y=self.first.year)
        return _("Từ tháng %(a)s đến tháng %(b)s", a=f"{self.first:%m/%Y}", b=f"{self.last:%m/%Y}")


def month_period(first: date) -> Period:
    first = first.replace(day=1)
    return Period("month", first, month_end(first))


def quarter_period(year: int, quarter: int) -> Period:
    first = date(year, 3 * (quarter - 1) + 1, 1)
    return Period("quarter", first, month_end(add_months(first, 2)))


def year_period(year: int) -> Period:
    return Period("year", date(year, 1, 1), date(year, 12, 31))


def custom_period(first: date, last: date) -> Period:
    """From the month of `first` to the month of `last`; ValueError when reversed or too long."""
    first, last_first = first.replace(day=1), last.replace(day=1)
    if last_first < first:
        raise ValueError(_("Tháng kết thúc phải sau hoặc trùng tháng bắt đầu."))
    if len(months_between(first, last_first)) > MAX_MONTHS:
        raise ValueError(_("Khoảng thời gian tối đa %(n)d tháng.", n=MAX_MONTHS))
    return Period("custom", first, month_end(last_first))


def parse_month(text: str) -> date | None:
    """"2026-03" (a month picker) or "03/2026" → the first day of that month; None otherwise."""
    text = (text or "").strip()
    for sep, year_first in (("-", True), ("/", False)):
        parts = text.split(sep)
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            year, month = parts if year_first else parts[::-1]
            if 2000 <= int(year) <= 2100 and 1 <= int(month) <= 12:
                return date(int(year), int(month), 1)
    return None


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1
