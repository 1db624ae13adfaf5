"""The shape of the code a newcomer relies on (issue 19, STYLE.md §4): a blueprint's package lists
its route modules in its __init__.py; no module imports at its bottom (below a def or class), so
what a module needs is read at its top and no route module is registered as a side effect of another."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "app.py", ROOT / "worker.py", *(ROOT / "inspection").rglob("*.py"), *(ROOT / "models").rglob("*.py")]


def _late_imports(path: Path) -> list[str]:
    seen_definition, late = False, []
    for node in ast.parse(path.read_text(), str(path)).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            seen_definition = True
        elif seen_definition and isinstance(node, (ast.Import, ast.ImportFrom)):
            late.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return late


def test_no_module_imports_below_its_definitions():
    assert [late for path in SOURCES for late in _late_imports(path)] == []


def test_each_blueprint_package_lists_every_route_module_it_has():
    """A module holding @bp.route views is imported by its package's __init__.py by name."""
    missing = []
    for init in (ROOT / "inspection").rglob("__init__.py"):
        listed = {alias.name for node in ast.walk(ast.parse(init.read_text())) if isinstance(node, ast.ImportFrom)
                  and node.level == 1 and not node.module for alias in node.names}
        for module in init.parent.glob("*.py"):
            if module.name != "__init__.py" and ".route(" in module.read_text() and module.stem not in listed:
                missing.append(str(module.relative_to(ROOT)))
    assert missing == []


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in SOURCES}


def _imported(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The app's modules an import statement names (`from pkg import name`: pkg.name when that is
    a module, else pkg)."""
    if isinstance(node, ast.Import):
        named = [alias.name for alias in node.names]
    else:
        package = module.split(".") if MODULES[module].name == "__init__.py" else module.split(".")[:-1]
        parts = package[:len(package) - node.level + 1] if node.level else []
        base = ".".join([*parts, node.module] if node.module else parts)
        named = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
    found = []
    for name in named:
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        if name:
            found.append(name)
    return found


def _import_nodes(tree: ast.AST):
    """Every import statement of a module, at its top or inside a function (not the ones under
    `if TYPE_CHECKING:`, which never run)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", getattr(node.test, "attr", "")) == "TYPE_CHECKING":
            node.body = []
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node


def _import_graph() -> dict[str, set[str]]:
    """module → the app's modules it imports anywhere in its text. A module's import of its own
    package is left out: Python runs a package before any of its modules, and a route module takes
    the blueprint `bp` from its package, as STYLE.md §4 lays it out."""
    graph = {}
    for module, path in MODULES.items():
        own_packages = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 1)}
        graph[module] = {target for node in _import_nodes(ast.parse(path.read_text()))
                         for target in _imported(module, node) if target != module and target not in own_packages}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in graph[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while not group or group[-1] != module:
                group.append(stack.pop())
                on_stack.discard(group[-1])
            if len(group) > 1:
                groups.append(sorted(group))

    for module in graph:
        if module not in index:
            visit(module)
    return groups


def test_the_apps_modules_import_each_other_without_cycles():
    """No circle among app.py, worker.py, inspection/ and models/, counting imports made inside
    functions too: a function-local import hides a cycle, it does not break it."""
    assert _cycles(_import_graph()) == []


def test_the_cycle_finder_sees_a_cycle_through_a_function_local_import():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    tree = ast.parse("def f():\n    from ..reports import services\n")
    assert _imported("inspection.jobs.mail", next(_import_nodes(tree))) == ["inspection.reports.services"]


def _unexplained_local_imports(path: Path) -> list[str]:
    lines = path.read_text().splitlines()
    found = []
    for function in ast.walk(ast.parse("\n".join(lines))):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            said = "#" in lines[node.lineno - 1] or lines[node.lineno - 2].strip().startswith("#") \
                if isinstance(node, (ast.Import, ast.ImportFrom)) else True
            if not said:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return sorted(set(found))


def test_a_function_local_import_says_why_it_is_not_at_the_top():
    """A comment on the import's line or the line above it (heavy libraries loaded only when used,
    the blueprint's route modules loaded only when the app registers it, ...)."""
    assert [where for path in SOURCES for where in _unexplained_local_imports(path)] == []


def test_importing_the_apps_other_modules_loads_no_route_module():
    """Importing a service, query or job (a worker, the CLI, another feature) loads no page: the
    route modules come in only when create_app() registers each blueprint."""
    routes = {name for name, path in MODULES.items() if ".route(" in path.read_text()}
    others = sorted(set(MODULES) - routes - {"app", "worker"})
    script = f"import importlib, sys\nfor name in {others!r}:\n    importlib.import_module(name)\nprint(*sys.modules)"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert routes & set(out.stdout.split()) == set()


APP_LEVEL = {"build", "cli", "config", "errors", "extensions"}
CROSS_CUTTING = ("data", "files", "language", "security", "server", "web")  # packages of no feature


def test_the_top_of_inspection_holds_only_the_apps_wiring():
    """Everything else is in a feature or a cross-cutting package named for what it holds (issue 19
    §4: 29 modules stood here); a new module at the top belongs in one of them."""
    assert {path.stem for path in (ROOT / "inspection").glob("*.py")} - {"__init__"} == APP_LEVEL
    assert all((ROOT / "inspection" / package / "__init__.py").exists() for package in CROSS_CUTTING)


def test_a_shared_name_is_not_reused_inside_a_feature():
    """A module at the top of inspection/ or in a cross-cutting package has a name no other module
    there bears (rows.py, links.py, sheets.py, forms.py once stood both at the top and in features)."""
    shared = [*(ROOT / "inspection").glob("*.py"),
              *(path for package in CROSS_CUTTING for path in (ROOT / "inspection" / package).glob("*.py"))]
    names = {path.stem for path in shared} - {"__init__"}
    reused = [str(path.relative_to(ROOT)) for path in (ROOT / "inspection").rglob("*.py")
              if path.stem in names and path not in shared]
    assert reused == []
    assert len(names) == len([path for path in shared if path.stem != "__init__"])  # none twice among them


def test_every_form_of_the_app_is_an_app_form():
    """WTForms' own messages come out in the reader's language only through base_forms.AppForm."""
    import importlib

    from flask_wtf import FlaskForm

    from inspection.web.base_forms import AppForm

    for module in MODULES:
        importlib.import_module(module)
    pending, outside = list(FlaskForm.__subclasses__()), []
    while pending:
        form = pending.pop()
        pending.extend(form.__subclasses__())
        if form.__module__.split(".")[0] in ("inspection", "app") and not issubclass(form, AppForm):
            outside.append(f"{form.__module__}.{form.__qualname__}")
    assert not outside, outside
