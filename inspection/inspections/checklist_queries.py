"""Checklist template pages' queries: the list, a family's versions and copies, the inspections
that use a version, criteria grouped by PAR area. Everything is scoped to what the user sees."""

from decimal import Decimal

from sqlalchemy import select
from wtforms import SelectChoice

from models import ChecklistItem, ChecklistTemplate, Inspection, Membership, OrgUnit, ParArea, User, db

from ..security import permissions, scoping
from ..web.listing import Page, paginate

SORTS = {"year": (ChecklistTemplate.year, True), "name": (ChecklistTemplate.name_folded, False)}


def list_templates(actor, *, year: int | None, q: str, sort: str, cursor: str | None, size: int) -> Page:
    """One page of the current versions the actor sees, newest year first or by name."""
    stmt = select(ChecklistTemplate).where(ChecklistTemplate.is_current.is_(True))
    if year:
        stmt = stmt.where(ChecklistTemplate.year == year)
    stmt = scoping.scope(stmt, actor, ChecklistTemplate)
    return paginate(stmt, sorts=SORTS, sort=sort, cursor=cursor, size=size,
                    search_column=ChecklistTemplate.name_folded, q=q)


def template_years(actor) -> list[int]:
    """The years of the templates the actor sees, newest first."""
    stmt = scoping.scope(select(ChecklistTemplate.year).distinct(), actor, ChecklistTemplate)
    return sorted(db.session.execute(stmt).scalars(), reverse=True)


def owner_unit_choices(actor) -> list[SelectChoice]:
    """The units where the actor keeps templates: those of their template-managing memberships."""
    roles = list(permissions.ACTIONS["template.manage"])
    stmt = (select(OrgUnit.id, OrgUnit.name).join(Membership, Membership.unit_id == OrgUnit.id)
            .where(Membership.user_id == actor.id, Membership.role.in_(roles), OrgUnit.is_active.is_(True))
            .distinct().order_by(OrgUnit.name))
    return [SelectChoice(str(r.id), r.name) for r in db.session.execute(stmt)]


def area_choices() -> list[SelectChoice]:
    """The active PAR areas in their official order."""
    stmt = select(ParArea.id, ParArea.name).where(ParArea.is_active.is_(True)).order_by(ParArea.position, ParArea.id)
    return [SelectChoice(str(r.id), r.name) for r in db.session.execute(stmt)]


def versions_of(template: ChecklistTemplate) -> list[ChecklistTemplate]:
    """Every version of the template's family, newest first."""
    stmt = select(ChecklistTemplate).where(ChecklistTemplate.family == template.family)
    return list(db.session.execute(stmt.order_by(ChecklistTemplate.version.desc())).scalars())


def inspections_using(actor, template_ids) -> list[Inspection]:
    """The inspections the actor sees that use one of these template versions."""
    stmt = select(Inspection).where(Inspection.template_id.in_(list(template_ids)))
    stmt = scoping.scope(stmt, actor, Inspection).order_by(Inspection.start_on.desc(), Inspection.id.desc())
    return list(db.session.execute(stmt).scalars())


def copies_of(actor, template: ChecklistTemplate) -> list[ChecklistTemplate]:
    """The current versions of the templates copied from any version of this family."""
    family = select(ChecklistTemplate.id).where(ChecklistTemplate.family == template.family)
    stmt = select(ChecklistTemplate).where(ChecklistTemplate.copied_from_id.in_(family),
                                           ChecklistTemplate.family != template.family,
                                           ChecklistTemplate.is_current.is_(True))
    stmt = scoping.scope(stmt, actor, ChecklistTemplate).order_by(ChecklistTemplate.year, ChecklistTemplate.id)
    return list(db.session.execute(stmt).scalars())


def items_by_area(template: ChecklistTemplate) -> list[tuple[ParArea | None, list[ChecklistItem], Decimal]]:
    """The criteria grouped by PAR area in the official order (items without an area last), with
    each group's total points."""
    groups: dict[int | None, list[ChecklistItem]] = {}
    for item in template.items:
        groups.setdefault(item.area_id, []).append(item)

    def order(entry):
        area = entry[1][0].area
        return (area is None, area.position if area else 0, entry[0] or 0)

    return [(items[0].area, items, sum((i.points or 0 for i in items), Decimal(0)))
            for _key, items in sorted(groups.items(), key=order)]


def unit_names(unit_ids) -> dict[int, str]:
    """Short names of the owner units, by id."""
    ids = {i for i in unit_ids if i is not None}
    if not ids:
        return {}
    rows = db.session.execute(select(OrgUnit.id, OrgUnit.short_name, OrgUnit.name).where(OrgUnit.id.in_(ids)))
    return {r.id: r.short_name or r.name for r in rows}


def user_names(user_ids) -> dict[int, str]:
    """Full names of the people who made versions, by id."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())
