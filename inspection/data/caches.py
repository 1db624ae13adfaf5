"""What every value remembered between requests reads, declared next to its loader, and the
database triggers derived from those declarations here alone: the migrations install what
install_triggers() gives, and tests/test_caches.py fails when a declared table has no trigger or a
loader's statements read a table (or a column) its declaration leaves out. A migration installs what
the declarations derive when it is written, as literals (install_triggers), so an upgraded
database keeps what it was given.

Two ways a write reaches what was remembered, both seen by the database whoever writes (a
service, a bulk UPDATE, the CLI, a psql session):
- the catalog (catalog.py): one version for every catalog value, bumped at commit by deferred
  constraint triggers on the tables and columns the values declare;
- per unit (the dashboard's summary): statement triggers write the ids of the units a statement
  touched into dashboard_change, which the summary's job takes to recount those units (a table
  declared without a unit column touches every unit).

Changing a declaration changes the triggers the database needs: tests/test_caches.py fails until a
new migration calls install_triggers() with the new catalog_watch() and unit_watch() (as
f3c8a1d5e7b9 does)."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy import text

EVERY_COLUMN = None  # catalog: any change to the table matters
EVERY_UNIT = None  # per unit: a change to the table may move any unit's figures
ALL_UNITS = -1  # in dashboard_change: recount everything


@dataclass(frozen=True)
class Declaration:
    name: str
    per_unit: bool  # False: catalog-versioned
    reads: dict  # table -> columns read (catalog; EVERY_COLUMN) or the unit column (per unit; EVERY_UNIT)


DECLARED: dict[str, Declaration] = {}
_loading: ContextVar[tuple[str, ...]] = ContextVar("cache_loading", default=())


def catalog_value(name: str, **reads) -> str:
    """Declare the catalog value `name`: table=(columns read) or table=EVERY_COLUMN."""
    DECLARED[name] = Declaration(name, False, {t: None if c is None else frozenset(c) for t, c in reads.items()})
    return name


def reads_of(*names: str) -> dict:
    """The tables the catalog values `names` read together (a value drawn from them reads these)."""
    merged: dict = {}
    for name in names:
        for table, columns in DECLARED[name].reads.items():
            known = merged.get(table, frozenset())
            merged[table] = None if columns is None or known is None else known | columns
    return merged


def unit_value(name: str, **reads) -> str:
    """Declare the per-unit value `name`: table="its unit column" or table=EVERY_UNIT."""
    DECLARED[name] = Declaration(name, True, dict(reads))
    return name


@contextmanager
def loading(name: str) -> Iterator[None]:
    """Mark the statements run inside as the loader of `name` (nested loaders: of each)."""
    if name not in DECLARED:
        raise LookupError(f"cached value {name!r} declares no tables (inspection/data/caches.py)")
    token = _loading.set((*_loading.get(), name))
    try:
        yield
    finally:
        _loading.reset(token)


def now_loading() -> tuple[str, ...]:
    return _loading.get()


def catalog_watch() -> dict[str, frozenset | None]:
    """Each table the catalog's values read → the columns whose UPDATE bumps (None: any)."""
    watched: dict[str, frozenset | None] = {}
    for declared in DECLARED.values():
        for table, columns in declared.reads.items() if not declared.per_unit else ():
            known = watched.get(table, frozenset())
            watched[table] = None if columns is None or known is None else known | columns
    return watched


def unit_watch() -> dict[str, str | None]:
    """Each table a per-unit value reads → its unit column (None: every unit)."""
    watched: dict[str, str | None] = {}
    for declared in DECLARED.values():
        for table, column in declared.reads.items() if declared.per_unit else ():
            if watched.get(table, column) != column:
                column = None  # two values disagree on the unit: take every unit
            watched[table] = column
    return watched


def catalog_events(columns: frozenset | None) -> str:
    return "INSERT OR UPDATE OR DELETE" if columns is None else (
        f"INSERT OR DELETE OR UPDATE OF {', '.join(sorted(columns))}")


def install_triggers(connection, catalog: dict, units: dict) -> None:
    """Drop the triggers of both kinds and create them for `catalog` (catalog_watch()'s shape) and
    `units` (unit_watch()'s): a migration's step, with the lists derived when it was written."""
    installed = connection.execute(text(
        "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal "
        "AND tgfoid IN ('bump_catalog_version'::regproc, 'note_changed_units'::regproc)")).all()
    for table, trigger in installed:
        connection.execute(text(f'DROP TRIGGER "{trigger}" ON {table}'))
    for table, columns in sorted(catalog.items()):
        connection.execute(text(
            f"CREATE CONSTRAINT TRIGGER catalog_{table} AFTER {catalog_events(columns)} ON {table} "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_catalog_version()"))
        connection.execute(text(f"CREATE TRIGGER catalog_{table}_truncate AFTER TRUNCATE ON {table} "
                                "FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version()"))
    for table, column in sorted(units.items()):
        argument = f"'{column or ''}'"
        for event, rows in (("INSERT", "NEW TABLE AS new_rows"), ("DELETE", "OLD TABLE AS old_rows"),
                            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows")):
            connection.execute(text(
                f"CREATE TRIGGER units_{table}_{event.lower()} AFTER {event} ON {table} REFERENCING {rows} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION note_changed_units({argument})"))
        connection.execute(text(f"CREATE TRIGGER units_{table}_truncate AFTER TRUNCATE ON {table} "
                                "FOR EACH STATEMENT EXECUTE FUNCTION note_changed_units('')"))
