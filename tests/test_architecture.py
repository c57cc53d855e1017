"""The layers of docs/architecture.md, checked on the import graph of the code."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "workbench"

#: The layers built on the data and analysis layers (docs/architecture.md).
COMPOSITION = ("workbench.plans", "workbench.api", "workbench.app", "workbench.cli")

#: What each part of the library must never import (its own layer or higher ones).
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "domain": ("workbench",),
    "vocabulary": ("workbench.store", "workbench.ingest", "workbench.analytics"),
    "account_types": ("workbench.store", "workbench.ingest", "workbench.analytics"),
    "contact_states": ("workbench.store", "workbench.ingest", "workbench.analytics"),
    "errors": ("workbench",),
    "throttle": ("workbench",),
    "store": (
        "workbench.ingest",
        "workbench.analytics",
        "workbench.charts",
        *COMPOSITION,
        "workbench.demo",
    ),
    "ingest": ("workbench.analytics", "workbench.charts", *COMPOSITION),
    "analytics": (
        "workbench.store",
        "workbench.ingest",
        "workbench.charts",
        *COMPOSITION,
    ),
    "charts": (
        "workbench.store",
        "workbench.ingest",
        "workbench.api",
        "workbench.app",
        "workbench.cli",
    ),
    "plans": ("workbench.api", "workbench.app", "workbench.cli", "workbench.ingest"),
    "api": ("workbench.app", "workbench.cli"),
    "cli": ("workbench.app",),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Return every module the file imports, at any depth of the file."""
    known = _known_modules()
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # imports for type checkers only never run, so they make no cycle
    typing_only = {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
        for statement in node.body
        for child in ast.walk(statement)
    }
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                # ``from workbench import store`` imports the module workbench.store;
                # ``from workbench.store import connect`` imports workbench.store
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in known else node.module)
    return found


def _library_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@functools.cache
def _known_modules() -> frozenset[str]:
    return frozenset(_module_name(path) for path in _library_files())


def _graph() -> nx.DiGraph:
    known = _known_modules()
    graph = nx.DiGraph()
    for path in _library_files():
        name = _module_name(path)
        if name == "workbench":
            continue  # the root only re-exports open_workbench, lazily
        graph.add_node(name)
        for target in _imports(path):
            # a package's own __init__ runs before any of its modules: not an edge
            if target in known and not name.startswith(target + ".") and target != name:
                graph.add_edge(name, target)
    return graph


def _part(module: str) -> str:
    return module.split(".")[1] if module.count(".") >= 1 else module


def _crosses(target: str, forbidden: str) -> bool:
    return target == forbidden or target.startswith(forbidden + ".")


def test_the_library_has_no_import_cycle() -> None:
    graph = _graph()
    cycles = [c for c in nx.simple_cycles(graph) if len(c) > 1]
    assert cycles == []


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_each_layer_imports_only_layers_below_it(part: str) -> None:
    offending = []
    for path in _library_files():
        module = _module_name(path)
        if _part(module) != part:
            continue
        for target in _imports(path):
            if not target.startswith("workbench"):
                continue
            if _part(target) == part:
                continue
            if any(_crosses(target, f) for f in FORBIDDEN[part]):
                offending.append(f"{module} imports {target}")
    assert offending == []


@pytest.mark.parametrize(
    ("library", "home"),
    [("duckdb", "workbench.store"), ("streamlit", "workbench.app")],
)
def test_only_one_package_imports_the_engine(library: str, home: str) -> None:
    offending = [
        _module_name(path)
        for path in _library_files()
        if any(_crosses(t, library) for t in _imports(path))
        and not _crosses(_module_name(path), home)
    ]
    assert offending == []


def test_pages_import_only_the_app_package_and_charts() -> None:
    offending = []
    for path in sorted((ROOT / "pages").glob("*.py")):
        for target in _imports(path):
            if not target.startswith("workbench"):
                continue
            if target in {"workbench"}:
                continue
            if not (
                _crosses(target, "workbench.app")
                or _crosses(target, "workbench.charts")
            ):
                offending.append(f"{path.name} imports {target}")
    assert offending == []
