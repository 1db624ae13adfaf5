"""Every remembered value declares the tables its loader reads (inspection/data/caches.py): the database
has the triggers derived from those declarations, and what each loader's statements read —
tables and, where a declaration names columns, columns — is within its declaration. Rows remembered
on their values alone are drawn by macros that cannot see a page's context."""

import re

import pytest
from jinja2 import meta, nodes
from sqlalchemy import Column, Table, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.sql import Select, visitors
from sqlalchemy.sql.dml import UpdateBase

from inspection.dashboard import summary
from inspection.data import caches, catalog
from models import db
from models.enums import PlanStatus, Role, TaskStatus
from tests.factories import Person, make_plan, make_task, make_user


def _triggers() -> dict[str, dict]:
    """Each trigger of the two cache functions: its table, events, columns and argument."""
    rows = db.session.execute(text(
        "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal "
        "AND tgfoid IN ('bump_catalog_version'::regproc, 'note_changed_units'::regproc)")).all()
    found = {}
    for name, definition in rows:
        events, table, function, argument = re.search(
            r"AFTER (.+?) ON (?:public\.)?(\w+) .*EXECUTE FUNCTION (\w+)\((.*)\)", definition).groups()
        columns = re.search(r"UPDATE OF ([\w, ]+)", events)
        found[name] = {"table": table, "events": set(re.findall(r"INSERT|UPDATE|DELETE|TRUNCATE", events)),
                       "columns": set(columns.group(1).split(", ")) if columns else None,
                       "function": function, "argument": argument.strip("'"),
                       "deferred": "DEFERRABLE INITIALLY DEFERRED" in definition}
    return found


def test_every_declared_table_has_its_trigger(ctx):
    triggers = _triggers()
    for table, columns in caches.catalog_watch().items():
        row = triggers.pop(f"catalog_{table}")
        assert (row["table"], row["function"], row["deferred"]) == (table, "bump_catalog_version", True)
        assert row["events"] == {"INSERT", "UPDATE", "DELETE"} and row["columns"] == (
            None if columns is None else set(columns)), table
        assert triggers.pop(f"catalog_{table}_truncate")["events"] == {"TRUNCATE"}
    for table, column in caches.unit_watch().items():
        for event_name in ("insert", "update", "delete", "truncate"):
            row = triggers.pop(f"units_{table}_{event_name}")
            assert (row["table"], row["function"], row["events"]) == (table, "note_changed_units",
                                                                    {event_name.upper()})
            assert row["argument"] == ("" if event_name == "truncate" else column or ""), table
    assert triggers == {}  # nothing watched that no value declares


def _columns_of(element):
    """The base tables' columns behind a column of a table, an alias, a subquery or a CTE."""
    return [c for c in getattr(element, "proxy_set", ()) if isinstance(c, Column) and isinstance(c.table, Table)]


def reads(statement) -> dict[str, set[str]]:
    """The tables a statement reads (not the one it writes) with the columns it names of each."""
    written = statement.table if isinstance(statement, UpdateBase) else None
    found: dict[str, set[str]] = {}
    for element in visitors.iterate(statement):
        if isinstance(element, Table) and element is not written:
            found.setdefault(element.name, set())
        named = [*_columns_of(element)]
        if isinstance(element, Select):  # a whole entity selected names every column it loads
            named += [c for column in element.selected_columns for c in _columns_of(column)]
        for column in named:
            if column.table is not written:
                found.setdefault(column.table.name, set()).add(column.name)
    return found


@pytest.fixture
def loaders(app):
    """What the statements run inside each declared loader read, by the loader's name."""
    seen: dict[str, dict[str, set[str]]] = {}

    def note(_conn, statement, *_args):
        names = caches.now_loading()
        if names:
            assert not isinstance(statement, str), f"{names} run textual SQL: its tables cannot be told"
            for name in names:
                for table, columns in reads(statement).items():
                    seen.setdefault(name, {}).setdefault(table, set()).update(columns)

    catalog._remembered.clear()
    event.listen(Engine, "before_execute", note)
    yield seen
    event.remove(Engine, "before_execute", note)
    catalog._remembered.clear()


def test_each_loader_reads_only_the_tables_and_columns_it_declares(app, ctx, tree, loaders):
    plan = make_plan(unit=tree["a"], number="40/KH-UBND", status=PlanStatus.ISSUED)
    task = make_task(unit=tree["a"], plan=plan, status=TaskStatus.AWAITING_HEAD, support_units=[tree["b"]])
    users = [make_user(role=role, unit=tree[unit]) for role, unit in
             ((Role.UNIT_HEAD, "a"), (Role.UNIT_OFFICER, "b"), (Role.LEADER, "pc"), (Role.ADMIN, "pc"))]
    db.session.commit()
    for user in users:
        person = Person(app, user)
        for url in ("/tasks", "/tasks?timeliness=overdue", "/plans", "/", f"/tasks/{task.id}", "/dashboard"):
            person.get(url)
    summary.refresh_summary()

    # every loader ran a statement of its own (the menu reads nothing; the filter panel reads what
    # the choices read, remembered by then)
    assert set(loaders) == set(caches.DECLARED) - {catalog.NAV, "task_filters"}
    for name, tables in loaders.items():
        allowed = caches.DECLARED[name].reads
        assert set(tables) <= set(allowed), (name, set(tables) - set(allowed))
        for table, columns in tables.items():
            if not caches.DECLARED[name].per_unit and allowed[table] is not None:
                assert columns <= allowed[table], (name, table, columns - allowed[table])


# what a page's request carries and a row's key does not (the language, the day and url_for's
# mount point are in the key: inspection/web/rows.py)
REQUEST_BOUND = {"request", "session", "g", "config", "csrf_token", "csrf_meta_tag", "get_flashed_messages",
                 "remembered", "remembered_html"}


def _remembered_macros(env) -> list[tuple[str, str]]:
    """(template, macro name) of every macro a template passes to remembered()."""
    found = []
    for name in env.list_templates(extensions=["html"]):
        ast = env.parse(env.loader.get_source(env, name)[0])
        for call in ast.find_all(nodes.Call):
            if isinstance(call.node, nodes.Name) and call.node.name == "remembered":
                found.append((name, call.args[0].name))
    return found


def _undeclared(env, template: str, macro: str | None = None) -> set[str]:
    """The names `template` (or one macro of it) reads that are neither its own nor env's globals."""
    ast = env.parse(env.loader.get_source(env, template)[0])
    if macro is not None:
        ast = nodes.Template([next(m for m in ast.find_all(nodes.Macro) if m.name == macro)])
        ast.set_environment(env)
    return meta.find_undeclared_variables(ast)


def test_the_remembered_row_macros_take_no_context(app):
    """A row is remembered on its values (inspection/web/rows.py): its macro comes from a template
    imported without context, which imports without context too and reads nothing but its
    arguments and the app's globals that are not the request's."""
    env = app.jinja_env.overlay()
    env.globals = {k: v for k, v in app.jinja_env.globals.items() if k not in REQUEST_BOUND}
    macros = _remembered_macros(env)
    assert ("plans/task_list.html", "task_row") in macros
    for page, macro in macros:
        imports = [i for i in env.parse(env.loader.get_source(env, page)[0]).find_all(nodes.FromImport)
                   if macro in [n if isinstance(n, str) else n[0] for n in i.names]]
        assert len(imports) == 1 and not imports[0].with_context, (page, macro)
        source = imports[0].template.value
        assert _undeclared(env, source) == set(), source
        for used in env.parse(env.loader.get_source(env, source)[0]).find_all(nodes.FromImport):
            assert not used.with_context, source
            for name in used.names:
                assert _undeclared(env, used.template.value, name if isinstance(name, str) else name[0]) == set()
