"""How the store runs its statements: a statement whose rows are fetched runs once.

``con.sql(...)`` makes a relation: DuckDB binds the statement to learn its
columns, then runs it when the rows are asked for. For a statement whose rows
are fetched as tuples the binding is work for nothing (0.2 ms a statement,
and a statement that reads a CSV file sniffs the file twice). The store
fetches such rows from ``execute``; a relation is made only for a frame
(:func:`workbench.store._base._frame`), which reads its columns' names and types.
"""

from __future__ import annotations

import ast
from pathlib import Path

import duckdb

from workbench.store.imports import staging

PACKAGE = Path(__file__).resolve().parents[1] / "workbench"
_FETCHES = {"fetchall", "fetchone", "fetchmany"}


def _relations_fetched(path: Path) -> list[int]:
    """Return the line of each ``….sql(…).fetch…()`` in a module.

    Written as one expression, the store's way; a relation kept in a name and
    fetched later is not followed (the store keeps none).
    """
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _FETCHES
            and isinstance(node.func.value, ast.Call)
            and isinstance(node.func.value.func, ast.Attribute)
            and node.func.value.func.attr == "sql"
        ):
            found.append(node.lineno)
    return found


def test_no_statement_is_bound_only_to_fetch_its_rows() -> None:
    offending = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line in _relations_fetched(path)
    ]
    assert offending == []


def test_the_check_finds_a_relation_fetched(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(
        "def count(cur):\n"
        "    return cur.sql('SELECT 1', params={}).fetchall()\n"
        "def frame(cur):\n"
        "    return cur.sql('SELECT 1')\n"
        "def rows(cur):\n"
        "    return cur.execute('SELECT 1').fetchall()\n",
        encoding="utf-8",
    )
    assert _relations_fetched(module) == [2]


def test_a_csv_file_counted_by_execute_reads_as_before(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text('id,name\n1,"Wang, Li"\n2,"Quote ""here"""\n3,\n', encoding="utf-8")
    con = duckdb.connect()
    try:
        rows = staging.import_csv_rows(con, str(path), n_columns=2, delimiter=",")
        ragged = staging.import_csv_rows(con, str(path), n_columns=1, delimiter=",")
    finally:
        con.close()
    assert rows == 3
    assert ragged is None  # more fields than the header says: Python reads it
