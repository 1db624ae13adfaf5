"""Scores the product already knows, filled in for the unit with the figure, the rule applied and
a link to the rows behind it. The unit may not change them, only explain them."""

from datetime import date

from flask import current_app
from sqlalchemy import and_, func, select

from models import Inspection, OrgUnit, RemediationAction, Task, db
from models.enums import InspectionStatus, TaskStatus

from ..feedback import figures as feedback_figures
from ..language.i18n import N_
from .scoring import band_points, percent, shown

SOURCE_LABELS = {
    "tasks_on_time": N_("Nhiệm vụ của đơn vị có hạn trong năm hoàn thành đúng hạn"),
    "remediation": N_("Hành động khắc phục sau kiểm tra có hạn trong năm đã được chấp nhận"),
    "subunits_inspected": N_("Đơn vị trực thuộc được kiểm tra trong năm"),
    "satisfaction": N_("Mức độ hài lòng từ khảo sát người dân"),
    "feedback_handled": N_("Phản ánh, kiến nghị xử lý đúng hạn"),
}


def _year(column, year: int):
    return column.between(date(year, 1, 1), date(year, 12, 31))


def tasks_on_time(unit: OrgUnit, year: int) -> tuple[int, int, dict]:
    counted = and_(Task.unit_id == unit.id, _year(Task.deadline, year), Task.status != TaskStatus.CANCELLED)
    on_time = (Task.status == TaskStatus.ACCEPTED) & (Task.completed_on <= Task.deadline)
    done, total = db.session.execute(select(func.count().filter(on_time), func.count()).where(counted)).one()
    return done, total, {"endpoint": "plans.task_list", "unit_id": unit.id, "due_from": f"01/01/{year}",
                         "due_to": f"31/12/{year}"}


def remediation(unit: OrgUnit, year: int) -> tuple[int, int, dict]:
    counted = and_(RemediationAction.unit_id == unit.id, _year(RemediationAction.deadline, year),
                   RemediationAction.status != "cancelled")
    accepted = RemediationAction.status == "accepted"
    done, total = db.session.execute(select(func.count().filter(accepted), func.count()).where(counted)).one()
    return done, total, {"endpoint": "remediation.action_list", "unit_id": unit.id, "status": "all"}


def subunits_inspected(unit: OrgUnit, year: int) -> tuple[int, int, dict]:
    children = select(OrgUnit.id).where(OrgUnit.parent_id == unit.id, OrgUnit.is_active)
    inspected = select(func.count(func.distinct(Inspection.unit_id))).where(
        Inspection.unit_id.in_(children), _year(Inspection.start_on, year), Inspection.started_at.is_not(None),
        Inspection.status != InspectionStatus.CANCELLED)
    total = db.session.execute(select(func.count()).select_from(children.subquery())).scalar_one()
    return db.session.execute(inspected).scalar_one(), total, {"endpoint": "inspections.inspection_list",
                                                                 "unit_id": unit.id}


def satisfaction(unit: OrgUnit, year: int) -> tuple[int, int, dict]:
    """Citizens' ratings of 4–5 out of all ratings at the unit's desks in the year; (0, 0) below the
    minimum sample, with the number of answers and the minimum in the link's `sample`."""
    found = feedback_figures.unit_figures([unit.id], date(year, 1, 1), date(year, 12, 31))
    link = {"endpoint": "feedback.overview", "start": f"01/01/{year}", "end": f"31/12/{year}"}
    if found.small_sample():
        return 0, 0, link | {"sample": [found.answers, current_app.config["FEEDBACK_MIN_SAMPLE"]]}
    overall = found.overall
    return overall.satisfied, overall.count, link


FIGURES = {"tasks_on_time": tasks_on_time, "remediation": remediation, "subunits_inspected": subunits_inspected,
           "satisfaction": satisfaction}


def fill(score, sub, unit: OrgUnit, year: int) -> None:
    """Set a computed sub-criterion's self score from the product's rows (nothing for the others,
    nor when there is nothing to count: the unit scores it then, with evidence)."""
    figure = FIGURES.get(sub.source)
    if figure is None:
        return
    done, total, link = figure(unit, year)
    if not total:
        sample = link.pop("sample", None)
        score.computed = {"figure": "0/0", "rule": "", "link": link, "source": sub.source, "empty": True}
        if sample:
            score.computed["sample"] = sample
        return
    rate = percent(done, total)
    score.self_points = band_points(sub, rate) if sub.rule == "banded" else (sub.max_points if rate >= 100 else 0)
    figure_text = f"{done}/{total} ({shown(rate)}%)"
    rule = "; ".join(f"≥ {shown(start)}% = {shown(points)}" for start, points in sub.bands or [])
    score.computed = {"figure": figure_text, "source": sub.source, "link": link, "rule": rule or "100% = max"}
