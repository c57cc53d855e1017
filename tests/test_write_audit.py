"""Every public writer takes an actor and checks the role before it writes.

A static audit of the library: any public function that opens
``store.write_transaction`` must take ``actor`` and call ``require(actor, …)``
before the transaction. Statements that change data elsewhere must run on a cursor
handed in by such a writer (their first parameter is ``cur``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Writers that need no role: the demo builder writes a brand-new file (or one the
# local user asked to replace from the command line); run_in_write is the generic
# helper the writers themselves use.
NO_ACTOR = {
    ("demo/__init__.py", "write_demo"),
    ("store/connection.py", "run_in_write"),
}
# The sign-in throttle's memory is written before anybody is signed in (there is
# no actor yet) and holds no workbench data; it has its own lock and transaction.
SIGN_IN_MEMORY = {
    ("store/sign_in.py", "record_sign_in_failure"),
    ("store/sign_in.py", "forget_sign_in_failures"),
}
CHANGES_DATA = re.compile(
    r"\b(INSERT INTO|UPDATE \w+ SET|DELETE FROM|DROP TABLE|IMPORT DATABASE)\b"
)


def _functions() -> list[tuple[str, ast.FunctionDef]]:
    found = []
    for path in sorted((ROOT / "workbench").rglob("*.py")):
        tree = ast.parse(path.read_text())
        found += [
            (path.relative_to(ROOT / "workbench").as_posix(), node)
            for node in tree.body
            if isinstance(node, ast.FunctionDef)
        ]
    return found


def _writers() -> list[tuple[str, ast.FunctionDef]]:
    return [
        (name, node)
        for name, node in _functions()
        if "write_transaction(" in ast.unparse(node)
        and node.name != "write_transaction"
        and not node.name.startswith("_")
        and (name, node.name) not in NO_ACTOR
    ]


def _require_line(node: ast.FunctionDef) -> int | None:
    for call in ast.walk(node):
        if (
            isinstance(call, ast.Call)
            and getattr(call.func, "id", getattr(call.func, "attr", "")) == "require"
            and call.args
            and isinstance(call.args[0], ast.Name)
            and call.args[0].id == "actor"
        ):
            return call.lineno
    return None


def _transaction_line(node: ast.FunctionDef) -> int:
    return min(
        call.lineno
        for call in ast.walk(node)
        if isinstance(call, ast.Call)
        and getattr(call.func, "attr", getattr(call.func, "id", ""))
        == "write_transaction"
    )


def test_the_audit_finds_the_writers():
    names = {node.name for _, node in _writers()}
    assert {"save_contact_edits", "set_relationship_override", "save_plan"} <= names


@pytest.mark.parametrize(
    ("module", "writer"),
    [(m, n) for m, n in _writers()],
    ids=lambda v: getattr(v, "name", v),
)
def test_every_public_writer_checks_the_role_first(
    module: str, writer: ast.FunctionDef
):
    params = [a.arg for a in writer.args.args + writer.args.kwonlyargs]
    assert "actor" in params, f"{module}:{writer.name} takes no actor"
    line = _require_line(writer)
    assert line is not None, f"{module}:{writer.name} never calls require(actor, …)"
    assert line < _transaction_line(writer), (
        f"{module}:{writer.name} checks the role only after opening the transaction"
    )


def test_other_data_changes_run_on_a_cursor_from_a_writer():
    loose = [
        f"{module}:{node.name}"
        for module, node in _functions()
        if CHANGES_DATA.search(ast.unparse(node))
        and "write_transaction(" not in ast.unparse(node)
        and [a.arg for a in node.args.args][:1] != ["cur"]
        and node.name
        not in {
            "migrate",
            "import_database_file",
            "build_database_from_tables",
            "_load_tables",
        }
        and (module, node.name) not in SIGN_IN_MEMORY
    ]
    assert not loose, loose
