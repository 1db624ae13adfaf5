"""The shape of the code a newcomer relies on (issue 19, STYLE.md §4): a blueprint's package lists
its route modules in its __init__.py; no module imports at its bottom (below a def or class), so
what a module needs is read at its top and no route module is registered as a side effect of another."""

import ast
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
