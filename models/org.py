"""Organisation tree: units whose levels are data, with validity dates and merge successors."""

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, String, bindparam, select, union_all
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import TimestampMixin, VersionedMixin, db


class OrgUnit(TimestampMixin, VersionedMixin, db.Model):
    """OrgUnit — đơn vị: a People's Committee, a department (phòng), a public service unit or a
    commune. A merged unit keeps its rows; `successor_id` points to the unit that took it over
    from `valid_to`, so its history rolls up to the successor."""

    __tablename__ = "org_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_folded: Mapped[str] = mapped_column(String(200), index=True)
    short_name: Mapped[str] = mapped_column(String(80), default="")
    kind: Mapped[str] = mapped_column(String(30))
    place_name: Mapped[str] = mapped_column(String(80), default="")
    # The short code of the filing line "Lưu: VT, SNV." (the drafting unit's), and the signature
    # authorities this unit's documents may be signed with: "TM,KT,TL,TUQ,Q" (empty: TM. and KT.).
    doc_code: Mapped[str] = mapped_column(String(20), default="", server_default="")
    signing_authorities: Mapped[str] = mapped_column(String(40), default="", server_default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    requires_head_confirmation: Mapped[bool] = mapped_column(Boolean, default=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    parent: Mapped["OrgUnit | None"] = relationship(
        remote_side=[id], foreign_keys=[parent_id], lazy="raise"
    )
    successor: Mapped["OrgUnit | None"] = relationship(
        remote_side=[id], foreign_keys=[successor_id], lazy="raise"
    )

    def __repr__(self) -> str:
        return f"<OrgUnit {self.code}>"


def _edges(name: str):
    """Both kinds of edge (child → parent, merged unit → successor) as one relation, so the recursive
    step is an equi-join (hashable); an OR of the two columns in the join made it quadratic."""
    unit = OrgUnit.__table__
    return union_all(
        select(unit.c.id.label("child"), unit.c.parent_id.label("parent")).where(unit.c.parent_id.is_not(None)),
        select(unit.c.id, unit.c.successor_id).where(unit.c.successor_id.is_not(None)),
    ).cte(f"{name}_edge")


def subtree_ids(root_ids, name: str = "unit"):
    """A select of the ids of `root_ids`, their descendants and every unit merged into them,
    recursively — one recursive CTE."""
    unit, edges = OrgUnit.__table__, _edges(name)
    tree = select(unit.c.id).where(unit.c.id.in_(root_ids)).cte(f"{name}_tree", recursive=True)
    tree = tree.union(select(edges.c.child).join(tree, edges.c.parent == tree.c.id))
    return select(tree.c.id)


def subtrees_by_root():
    """A select of (root, unit id) for every unit in the subtree of each root, as subtree_ids walks
    it; the roots are bound at execution as "roots" (a list), so the statement is built once."""
    unit, edges = OrgUnit.__table__, _edges("scope")
    tree = select(unit.c.id.label("root"), unit.c.id.label("id")).where(
        unit.c.id.in_(bindparam("roots", expanding=True))).cte("scope_tree", recursive=True)
    tree = tree.union(select(tree.c.root, edges.c.child).join(tree, edges.c.parent == tree.c.id))
    return select(tree.c.root, tree.c.id)


_SUBTREES = subtrees_by_root()  # built once, run on every request (inspection/security/scoping.py)


def subtree_sets(roots) -> dict[int, frozenset[int]]:
    """Each of `roots` → the ids of its subtree (subtrees_by_root), in one statement."""
    found: dict[int, set[int]] = {root: set() for root in roots}
    for root, unit_id in db.session.execute(_SUBTREES, {"roots": list(roots)}) if roots else ():
        found[root].add(unit_id)
    return {root: frozenset(ids) for root, ids in found.items()}


def ancestor_ids(unit_id: int) -> list[int]:
    """The unit, its ancestors, and (after a merge) its successor and the successor's ancestors:
    the units whose leaders and coordinators oversee it."""
    seen: list[int] = []
    todo = [unit_id]
    while todo:
        current = todo.pop()
        if current is None or current in seen:
            continue
        seen.append(current)
        unit = db.session.get(OrgUnit, current)
        if unit is not None:
            todo += [unit.parent_id, unit.successor_id]
    return seen
