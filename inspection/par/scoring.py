"""Points as the index allows them: parsed from what a user typed, checked against the
sub-criterion's rule (never above the maximum, never negative but for penalties, a banded rule
gives exactly one of its bands). Hostile numbers get a clear message; nothing is stored."""

import re
from decimal import ROUND_HALF_UP, Decimal

from ..errors import ValidationError
from ..language.i18n import N_
from .wording import say as gettext

POINTS = re.compile(r"^(-?)(\d{1,4})(?:[.,](\d{1,2}))?$")
CENT = Decimal("0.01")
RULES = ("yes_no", "banded", "typed", "bonus", "penalty", "survey")
RULE_LABELS = {"yes_no": N_("Đạt / không đạt"), "banded": N_("Theo mức"), "typed": N_("Chấm trong điểm tối đa"),
               "bonus": N_("Điểm thưởng"), "penalty": N_("Điểm trừ"), "survey": N_("Điều tra xã hội học")}
NOT_A_NUMBER = N_("Điểm phải là một số không quá 4 chữ số, tối đa 2 chữ số thập phân (ví dụ 1,5).")
SIGNED_ZERO = N_("Điểm 0 không mang dấu trừ.")
YES_NO = N_("Tiêu chí %(code)s chỉ chấm 0 hoặc %(max)s điểm.")
BANDED = N_("Tiêu chí %(code)s chấm theo mức: %(levels)s điểm.")
RANGE = N_("Điểm của tiêu chí %(code)s phải từ %(low)s đến %(high)s.")


def parse_points(raw: str, field: str | None = None) -> Decimal | None:
    """The points typed ("1,5", "2", "-0,5"); None for an empty box."""
    text = (raw or "").strip()
    if not text:
        return None
    match = POINTS.match(text)
    if not match:
        raise ValidationError(gettext(NOT_A_NUMBER), field=field)
    sign, whole, cents = match.groups()
    value = Decimal(f"{whole}.{cents or '0'}")
    if sign and value == 0:
        raise ValidationError(gettext(SIGNED_ZERO), field=field)
    return -value if sign else value


def shown(value: Decimal | None) -> str:
    """Points with a decimal comma and no trailing zeros ("1,5", "2", "-0,25")."""
    if value is None:
        return ""
    text = f"{Decimal(value).quantize(CENT):f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def band_levels(sub) -> list[Decimal]:
    return sorted({Decimal(str(points)) for _, points in sub.bands or []} | {Decimal(0)}, reverse=True)


def check_points(sub, value: Decimal, field: str | None = None) -> Decimal:
    """`value` if the rule of `sub` allows it, else a ValidationError saying what it allows."""
    top = Decimal(sub.max_points)
    names = {"code": sub.code, "max": shown(top)}
    if sub.rule == "yes_no" and value not in (0, top):
        raise ValidationError(gettext(YES_NO, **names), field=field)
    if sub.rule == "banded" and value not in band_levels(sub):
        levels = "; ".join(shown(v) for v in band_levels(sub))
        raise ValidationError(gettext(BANDED, levels=levels, **names), field=field)
    low, high = (-top, Decimal(0)) if sub.rule == "penalty" else (Decimal(0), top)
    if not low <= value <= high:
        raise ValidationError(gettext(RANGE, low=shown(low), high=shown(high), **names), field=field)
    return value


def band_points(sub, percent: Decimal) -> Decimal:
    """The points a banded rule gives a figure ([[from %, points], ...], highest first)."""
    for start, points in sorted(sub.bands or [], key=lambda b: Decimal(str(b[0])), reverse=True):
        if percent >= Decimal(str(start)):
            return Decimal(str(points))
    return Decimal(0)


def percent(numerator: Decimal, denominator: Decimal) -> Decimal:
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(CENT, rounding=ROUND_HALF_UP)
