"""The snapshot of "Quyết định công bố kết quả xác định Chỉ số CCHC năm N" (Nghị định 30 format),
with the ranking appendix: plain data from the round's results, frozen when the decision is issued."""

from decimal import Decimal

from models import OrgUnit, ParRound, db

from ..errors import ValidationError
from ..language.formatting import local_today
from ..reports.snapshots import header, signature
from . import results

LEVEL_WORDS = {"department": "các sở, ban, ngành", "commune": "Ủy ban nhân dân các xã, phường"}


def _num(value: Decimal) -> str:
    return f"{Decimal(value):.2f}".replace(".", ",")


def snapshot(unit: OrgUnit, *, round_id) -> dict:
    """The decision of `unit` (the coordinating People's Committee) publishing round `round_id`."""
    round_ = db.session.get(ParRound, int(round_id))
    if round_ is None or round_.unit_id != unit.id:
        raise ValidationError("Đợt đánh giá không thuộc đơn vị ban hành.")
    ranked = results.round_results(round_)
    level = LEVEL_WORDS.get(round_.index.level, "các đơn vị")
    bands = {}
    for r in ranked:
        bands[r.band] = bands.get(r.band, 0) + 1
    return {"header": header(unit, "par_decision", year=local_today().year),
            "subject": f"Về việc công bố kết quả xác định Chỉ số cải cách hành chính năm {round_.year} của {level}",
            "year": round_.year, "level": level, "index_title": round_.index.title, "authority": unit.name,
            "rows": [{"rank": r.rank, "unit": r.unit_name, "points": _num(r.points), "maximum": _num(r.maximum),
                      "index": _num(r.index), "band": r.band,
                      "change": "" if r.change is None else ("+" if r.change > 0 else "") + _num(r.change)}
                     for r in ranked],
            "bands": [{"label": label, "count": count} for label, count in bands.items()],
            "total": len(ranked), "signature": signature(unit, None),
            "recipients": ["Như Điều 3;", "Sở Nội vụ;", "Lưu: VT."]}
