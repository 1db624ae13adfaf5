"""The rows of the dashboard's "by unit" tables: each unit directly under the viewer's unit(s),
with its sub-units rolled up, plus the viewer's own unit. A unit merged into another counts as
its successor (the successor's history includes its predecessors')."""

from dataclasses import dataclass, field

from .queries import UnitInfo

COMMUNE_KINDS = frozenset({"commune", "ward", "township", "special_zone"})


@dataclass
class Row:
    unit_id: int
    name: str
    kind: str
    is_root: bool
    unit_ids: set[int] = field(default_factory=set)  # every unit whose records the row counts

    @property
    def exact(self) -> bool:
        """True when the row counts one unit only, so a list filtered by that unit shows its rows."""
        return self.unit_ids == {self.unit_id}


def canonical(unit_id: int, tree: dict[int, UnitInfo]) -> int:
    """Follow merges: the unit that carries `unit_id`'s history (within the units in `tree`)."""
    seen = set()
    while unit_id in tree and tree[unit_id].successor_id in tree and unit_id not in seen:
        seen.add(unit_id)
        unit_id = tree[unit_id].successor_id
    return unit_id


def row_unit(unit_id: int, roots: set[int], tree: dict[int, UnitInfo]) -> int:
    """The unit whose row counts `unit_id`'s records: a root, or a root's direct sub-unit."""
    current = canonical(unit_id, tree)
    for _ in range(len(tree) + 1):
        if current in roots:
            return current
        parent = tree[current].parent_id if current in tree else None
        if parent is None or parent not in tree or canonical(parent, tree) in roots:
            return current
        current = canonical(parent, tree)
    return current


def subtree(roots: set[int], tree: dict[int, UnitInfo]) -> set[int]:
    """`roots`, their descendants and the units merged into them, recursively (as `subtree_ids`)."""
    below: dict[int, list[int]] = {}
    for uid, info in tree.items():
        for up in (info.parent_id, info.successor_id):
            if up is not None:
                below.setdefault(up, []).append(uid)
    found, todo = set(), [r for r in roots if r in tree]
    while todo:
        uid = todo.pop()
        if uid not in found:
            found.add(uid)
            todo += below.get(uid, [])
    return found


def build_rows(roots: set[int], tree: dict[int, UnitInfo]) -> tuple[dict[int, Row], dict[int, int]]:
    """The rows by unit id, and for every unit under `roots` the id of its row."""
    roots = {canonical(r, tree) for r in roots}
    owner = {uid: row_unit(uid, roots, tree) for uid in subtree(roots, tree)}
    rows: dict[int, Row] = {}
    for uid, row_id in owner.items():
        if row_id not in rows:
            info = tree[row_id]
            rows[row_id] = Row(row_id, info.short_name or info.name, info.kind, row_id in roots)
        rows[row_id].unit_ids.add(uid)
    return rows, owner


def top_units(tree: dict[int, UnitInfo]) -> set[int]:
    """Units with no parent in `tree` and not merged into another: the roots of everything."""
    return {uid for uid, info in tree.items()
            if (info.parent_id is None or info.parent_id not in tree) and info.successor_id not in tree}
