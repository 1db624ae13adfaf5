"""The Chỉ số CCHC panel of the dashboard, scoped as the round pages are.

Who sees a round (its coordinating unit's subtree, its appraisers) gets, per coordinating unit and
index level: the open round's progress, the last published round's results by band, each unit's
index beside last year's, and the criteria where most points were lost. Who sees only their own
unit's assessments (a commune) gets their own line: index, band and rank beside the round's
average and last year's, and their own lost criteria — never another unit's assessment nor the
progress of a round they do not see.

Two statements whatever the number of units: the rounds and the user's own assessments, then every
figure in one UNION ALL (as dashboard.queries.totals does). The figures are the round page's: the
results follow results.round_results, the lost points follow_through.losses."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import (
    Integer,
    Numeric,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    not_,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import JSONB

from models import OrgUnit, ParAssessment, ParCriterion, ParIndex, ParRound, ParScore, ParSubCriterion, db

from ..security import scoping
from . import access as par_access
from .catalogue import LEVELS
from .follow_through import UNSCORED_RULES
from .results import EXTRA_RULES, UnitResult, band_of, rank
from .rounds import PHASE_LABELS
from .scoring import CENT
from .wording import STATUS_LABELS

WEAKEST = 5  # criteria shown per round
GROUPS = 4  # coordinating unit and level pairs shown
APPRAISED = ("appraised", "final")


@dataclass
class RoundRow:
    id: int
    year: int
    status: str
    bands: list
    unit_id: int
    level: str

    @property
    def phase_label(self) -> str:
        return PHASE_LABELS[self.status]


@dataclass
class Weak:
    """A criterion and the points lost on it: by every unit (`lost`, `units` of them) and by the
    user's own units (`own_lost`)."""

    code: str
    text: str
    lost: Decimal
    own_lost: Decimal
    units: int


@dataclass
class Published:
    round: RoundRow
    results: list[UnitResult]  # ranked; .previous is last year's line of the unit
    assessment_ids: dict[int, int]  # unit id → its assessment in the round
    previous: RoundRow | None = None
    previous_results: list[UnitResult] = field(default_factory=list)
    weakest: list[Weak] = field(default_factory=list)

    @property
    def average(self) -> Decimal | None:
        return average(self.results)

    @property
    def previous_average(self) -> Decimal | None:
        return average(self.previous_results)

    def by_band(self) -> list[tuple[str, int]]:
        """(band, units) in the round's order, bands no unit reached included."""
        labels = [label for _, label in sorted(self.round.bands or [], key=lambda b: -Decimal(str(b[0])))]
        return [(label, sum(1 for r in self.results if r.band == label)) for label in labels]


@dataclass
class Panel:
    """One coordinating unit and level. `sees_round`: the round pages are the user's; otherwise
    `own` names the user's own units' assessments (unit id → assessment id, per round id)."""

    level: str
    sees_round: bool
    open: RoundRow | None = None
    progress: dict = field(default_factory=dict)  # total, submitted, appraised
    published: Published | None = None
    own: dict[int, dict[int, int]] = field(default_factory=dict)
    own_status: dict[int, str] = field(default_factory=dict)  # own assessment id → status (open round)

    @property
    def level_label(self) -> str:
        return LEVELS.get(self.level, self.level)

    def own_status_label(self, assessment_id: int) -> str:
        return STATUS_LABELS[self.own_status[assessment_id]]

    def own_lines(self) -> list[UnitResult]:
        mine = self.own.get(self.published.round.id, {}) if self.published else {}
        return [r for r in self.published.results if r.unit_id in mine] if self.published else []

    def own_weakest(self) -> list[Weak]:
        lost = [w for w in self.published.weakest if w.own_lost > 0] if self.published else []
        return sorted(lost, key=lambda w: (-w.own_lost, w.code))[:WEAKEST]


def average(results: list[UnitResult]) -> Decimal | None:
    if not results:
        return None
    return (sum(r.index for r in results) / len(results)).quantize(CENT, rounding=ROUND_HALF_UP)


def list_panels(actor) -> list[Panel]:
    """The panels `actor` sees, newest rounds first (none: no round and no assessment of theirs)."""
    panels: dict[tuple, Panel] = {}
    rounds: dict[tuple, list[RoundRow]] = {}
    for row in db.session.execute(_rounds_statement(actor)):
        key = (row.unit_id, row.level)
        if key not in panels and len(panels) == GROUPS:
            continue
        panel = panels.setdefault(key, Panel(level=row.level, sees_round=bool(row.seen)))
        round_ = RoundRow(row.id, row.year, row.status, row.bands, row.unit_id, row.level)
        if not rounds.setdefault(key, []) or rounds[key][-1].id != round_.id:
            rounds[key].append(round_)
        if row.assessment_id is not None:
            panel.own.setdefault(row.id, {})[row.own_unit_id] = row.assessment_id
            panel.own_status[row.assessment_id] = row.own_status
    for key, panel in panels.items():
        _choose(panel, rounds[key])
    _fill(list(panels.values()))
    return list(panels.values())


def _rounds_statement(actor):
    """Every round the user sees (seen = true) and, of the others, those holding an assessment of
    the user's units (one row per such assessment), newest first."""
    cols = (ParRound.id, ParRound.year, ParRound.status, ParRound.bands, ParRound.unit_id, ParIndex.level)
    if scoping.is_admin(actor):
        seen, own = true(), literal(False)
    else:
        # as scope() does: a few units by their ids, many by the subtree query (a province's
        # hundreds of ids bound in each of the four places cost more CPU than the whole page)
        ids = scoping.narrow_unit_ids(actor)
        units = ids if ids is not None else scoping.visible_units_select(actor)
        seen = par_access.scope_clause(ParRound, units, actor)
        own = par_access.scope_clause(ParAssessment, units, actor)
    return (select(*cols, seen.label("seen"), ParAssessment.id.label("assessment_id"),
                   ParAssessment.unit_id.label("own_unit_id"), ParAssessment.status.label("own_status"))
            .join(ParIndex, ParIndex.id == ParRound.index_id)
            .outerjoin(ParAssessment, and_(ParAssessment.round_id == ParRound.id, not_(seen), own))
            .where(or_(seen, ParAssessment.id.is_not(None)))
            .order_by(ParRound.year.desc(), ParRound.id.desc(), ParAssessment.id))


def _choose(panel: Panel, rounds: list[RoundRow]) -> None:
    """The last published round (and the one of the year before), and a newer round still open."""
    published = next((r for r in rounds if r.status == "published"), None)
    if published is not None:
        panel.published = Published(published, [], {})
        panel.published.previous = next((r for r in rounds if r.status == "published"
                                         and r.year == published.year - 1), None)
    panel.open = next((r for r in rounds if r.status != "published"
                       and (published is None or r.year > published.year)), None)


def _fill(panels: list[Panel]) -> None:
    """Every figure of the panels, in one statement."""
    seen_open = [p.open.id for p in panels if p.open and p.sees_round]
    published = [p.published for p in panels if p.published]
    result_ids = [p.round.id for p in published] + [p.previous.id for p in published if p.previous]
    own_units = sorted({u for p in panels for units in p.own.values() for u in units})
    parts = ([_progress(seen_open)] if seen_open else []) + (
        [_results(result_ids), _losses([p.round.id for p in published], own_units)] if published else [])
    if not parts:
        return
    rows = db.session.execute(union_all(*parts)).all()
    for panel in panels:
        if panel.open and panel.sees_round:
            panel.progress = _progress_of(panel.open.id, rows)
        if panel.published:
            _published(panel.published, rows)


def _shape(kind: str, round_id, *, key=None, unit_id=None, label=None, text=None, a=None, b=None, n=None):
    """The one row shape of every part: kind, round, key, unit, label, text, a, b, n."""
    return (literal(kind).label("kind"), round_id.label("round_id"), cast(key, Integer).label("key"),
            cast(unit_id, Integer).label("unit_id"), cast(label, String).label("label"),
            cast(text, String).label("text"), cast(a, Numeric).label("a"), cast(b, Numeric).label("b"),
            cast(n, Integer).label("n"))


def _progress(round_ids: list[int]):
    a = ParAssessment
    return (select(*_shape("progress", a.round_id, label=a.status, n=func.count()))
            .where(a.round_id.in_(round_ids)).group_by(a.round_id, a.status))


def _results(round_ids: list[int]):
    """Per assessment: points and applicable maximum as results.round_results adds them (every
    sub-criterion applying to the unit's kind; a missing score is 0 points; not applicable: left out;
    bonus and penalty move the points, never the maximum)."""
    a, s, sc, u = ParAssessment, ParSubCriterion, ParScore, OrgUnit
    kinds = cast(s.unit_kinds, JSONB)
    applies = or_(func.jsonb_typeof(kinds).is_distinct_from("array"), func.jsonb_array_length(kinds) == 0,
                  func.jsonb_exists(kinds, u.kind))
    na = func.coalesce(sc.not_applicable, False)
    points = case((na, 0), else_=func.coalesce(sc.appraised_points, sc.self_points, 0))
    counted = case((or_(na, s.rule.in_(EXTRA_RULES)), 0), else_=s.max_points)
    return (select(*_shape("result", a.round_id, key=a.id, unit_id=a.unit_id, label=u.name,
                           a=func.coalesce(func.sum(points), 0), b=func.coalesce(func.sum(counted), 0)))
            .select_from(a).join(ParRound, ParRound.id == a.round_id).join(u, u.id == a.unit_id)
            .outerjoin(s, and_(s.index_id == ParRound.index_id, applies))
            .outerjoin(sc, and_(sc.assessment_id == a.id, sc.sub_id == s.id))
            .where(a.round_id.in_(round_ids)).group_by(a.round_id, a.id, a.unit_id, u.name))


def _losses(round_ids: list[int], own_units: list[int]):
    """Per criterion: the points lost by every unit (each unit's loss on it above zero, as
    follow_through.losses), by the user's own units, and how many units lost points."""
    a, s, sc, c = ParAssessment, ParSubCriterion, ParScore, ParCriterion
    lost = func.sum(s.max_points - func.coalesce(sc.appraised_points, sc.self_points, 0))
    per_unit = (select(a.round_id, a.unit_id, c.id.label("criterion_id"), c.code, c.text, lost.label("lost"))
                .select_from(sc).join(a, a.id == sc.assessment_id).join(s, s.id == sc.sub_id)
                .join(c, c.id == s.criterion_id)
                .where(a.round_id.in_(round_ids), sc.not_applicable.is_(False), s.rule.not_in(UNSCORED_RULES))
                .group_by(a.round_id, a.unit_id, c.id, c.code, c.text).having(lost > 0).subquery())
    p = per_unit.c
    own = func.sum(case((p.unit_id.in_(own_units or [0]), p.lost), else_=0))
    return (select(*_shape("loss", p.round_id, key=p.criterion_id, label=p.code, text=p.text, a=func.sum(p.lost),
                           b=own, n=func.count()))
            .group_by(p.round_id, p.criterion_id, p.code, p.text))


def _progress_of(round_id: int, rows) -> dict:
    counts = {r.label: r.n for r in rows if r.kind == "progress" and r.round_id == round_id}
    total = sum(counts.values())
    return {"total": total, "submitted": total - counts.get("draft", 0),
            "appraised": sum(counts.get(s, 0) for s in APPRAISED)}


def _ranked(round_: RoundRow, rows) -> tuple[list[UnitResult], dict[int, int]]:
    """The round's lines, index and band as results.unit_result computes them, ranked."""
    lines, assessments = [], {}
    for r in rows:
        if r.kind == "result" and r.round_id == round_.id:
            line = UnitResult(r.unit_id, r.label, points=Decimal(r.a), maximum=Decimal(r.b))
            if line.maximum:
                line.index = (line.points * 100 / line.maximum).quantize(CENT, rounding=ROUND_HALF_UP)
            line.band = band_of(line.index, round_.bands)
            lines.append(line)
            assessments[r.unit_id] = r.key
    return rank(lines), assessments


def _published(published: Published, rows) -> None:
    published.results, published.assessment_ids = _ranked(published.round, rows)
    if published.previous is not None:
        published.previous_results, _ = _ranked(published.previous, rows)
        before = {r.unit_id: r for r in published.previous_results}
        for line in published.results:
            line.previous = before.get(line.unit_id)
    weak = [Weak(r.label, r.text, Decimal(r.a), Decimal(r.b), r.n) for r in rows
            if r.kind == "loss" and r.round_id == published.round.id]
    published.weakest = sorted(weak, key=lambda w: (-w.lost, w.code))
