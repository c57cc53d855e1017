"""Hostile text in every text field, shown on every page of a real browser: text only.

One account (the first in every picker, because its name starts with ``<``) gets
HTML, script tags, event handlers, spreadsheet formulas, SQL, a 5,000-character
string and control characters in every free-text column of every CRM table, in a
saved plan, a relationship override, saved scenario names and the name of the
person who made an edit. Each page must render it as text: no
dialog opens (``alert`` never runs), no element is injected, no console error, no
exception, and the page does not grow sideways.
"""

from __future__ import annotations

import contextlib
import re
from typing import TYPE_CHECKING

import polars as pl
import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from e2e.conftest import listed_pages, screenshot, served, wait_idle
from workbench import demo, plans, store
from workbench.analytics import segment
from workbench.domain import LOCAL_ACTOR, Actor

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

ACCOUNT_NAME = '<img src=x onerror=alert("account")> Hostile & Co =1+1'
LONG = "W" * 4_990 + " end-long"
HOSTILE: tuple[str, ...] = (
    '<script>alert("xss-script")</script>',
    '</script><script>alert("xss-close")</script>',
    '<img src=x onerror=alert("xss-img")>',
    '<svg onload=alert("xss-svg")></svg>',
    '"><iframe src="javascript:alert(`xss-iframe`)"></iframe>',
    "=1+1",
    '+cmd|" /C calc"!A0',
    "-2+3",
    "@SUM(A1)",
    "'); DROP TABLE accounts;--",
    LONG,
    "ctl\x07\x1b[31m\ttab\rcr\nnl\x01",
    "**bold** [click](javascript:alert('xss-md')) $x^2$ :red[red]",
    "{{7*7}} ${7*7} %s %n",
)
# Controlled vocabularies and keys stay valid: the import refuses anything else in
# them, so hostile values there would test a state the app can never be in.
UNTOUCHED = {"buying_role", "attitude", "kind", "contract_type", "source"}


def _listed_pages() -> list[tuple[str, str]]:
    """(script, URL path) of every page app.py lists whose file exists."""
    return [(script, path) for script, _title, path in listed_pages()]


def _hostile_column(height: int, offset: int) -> pl.Series:
    return pl.Series(
        [HOSTILE[(offset + k) % len(HOSTILE)] for k in range(height)], dtype=pl.String
    )


def make_hostile(con: store.Connection) -> str:
    """Fill one account's rows with hostile text through store functions; return its ID."""
    frames = {table: store.read_table(con, table) for table in store.DATA_TABLES}
    accounts = frames["accounts"]
    account_id = accounts["account_id"].sort()[0]
    owner = accounts.filter(pl.col("account_id") == account_id)["owner_seller_id"][0]
    contact_ids = frames["contacts"].filter(pl.col("account_id") == account_id)[
        "contact_id"
    ]
    opportunity_ids = frames["opportunities"].filter(
        pl.col("account_id") == account_id
    )["opportunity_id"]
    chosen = {
        "accounts": pl.col("account_id") == account_id,
        "contacts": pl.col("account_id") == account_id,
        "opportunities": pl.col("account_id") == account_id,
        "activities": pl.col("account_id") == account_id,
        "nps_responses": pl.col("account_id") == account_id,
        "sellers": pl.col("seller_id") == owner,
        "opportunity_contacts": pl.col("opportunity_id").is_in(
            opportunity_ids.implode()
        ),
        "contact_influences": pl.col("from_contact_id").is_in(contact_ids.implode()),
        "contracts": pl.col("account_id") == account_id,
    }
    for offset, (table, frame) in enumerate(frames.items()):
        text_columns = [
            name
            for name, dtype in frame.schema.items()
            if dtype == pl.String and not name.endswith("_id") and name not in UNTOUCHED
        ]
        if not text_columns:
            continue
        frames[table] = frame.with_columns(
            pl.when(chosen[table])
            .then(_hostile_column(frame.height, offset + j))
            .otherwise(pl.col(name))
            .alias(name)
            for j, name in enumerate(text_columns)
        )
    frames["accounts"] = frames["accounts"].with_columns(
        pl.when(pl.col("account_id") == account_id)
        .then(pl.lit(ACCOUNT_NAME))
        .otherwise(pl.col("name"))
        .alias("name")
    )
    with store.write_transaction(con) as cur:
        store.replace_data(cur, frames)
    # Who did it is text too: a user name or an e-mail from the identity provider.
    hostile_person = Actor(name=HOSTILE[2], role="analyst")
    store.set_relationship_override(
        con, hostile_person, account_id, "partnership", HOSTILE[0]
    )
    first = (
        frames["contacts"].filter(pl.col("account_id") == account_id).row(0, named=True)
    )
    changed = store.save_contact_edits(
        con,
        hostile_person,
        pl.DataFrame(
            {
                "contact_id": [first["contact_id"]],
                "field": ["influence"],
                "new_value": ["1" if first["influence"] == 5 else "5"],
            }
        ),
    )
    assert changed == 1
    for name in (HOSTILE[2], HOSTILE[5], HOSTILE[9]):
        store.save_segment_scenario(
            con, hostile_person, name, segment.DEFAULT_THRESHOLDS.to_dict()
        )
    plan = plans.new_plan(account_id, ACCOUNT_NAME)
    plan.identify = HOSTILE[0]
    plan.differentiate = HOSTILE[1]
    plan.interact = HOSTILE[5]
    plan.customise = HOSTILE[12]
    plan.value_notes = LONG
    plans.save_plan(con, LOCAL_ACTOR, plan, based_on=0)
    return str(account_id)


def _page_text(page: Page) -> str:
    """The page's visible text plus what inputs and text areas show."""
    return str(
        page.evaluate(
            "() => [document.body.innerText, "
            "...[...document.querySelectorAll('input, textarea')].map(i => i.value)].join(' | ')"
        )
    )


@pytest.fixture
def page_problems(page: Page) -> list[str]:
    """Console errors, page errors and dialogs, except Streamlit's own URL probes.

    Opened at a page's URL, Streamlit's frontend first probes ``<page>/_stcore/…``
    and logs the 404s; that happens with any data and is not the page's doing.
    """
    problems: list[str] = []

    def on_console(message) -> None:  # type: ignore[no-untyped-def]
        if message.type != "error":
            return
        if "/_stcore/" in str(message.location.get("url", "")):
            return
        problems.append(message.text)

    def on_dialog(dialog) -> None:  # type: ignore[no-untyped-def]
        problems.append(f"dialog opened: {dialog.message}")
        dialog.dismiss()

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("dialog", on_dialog)
    return problems


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path: Path = tmp_path_factory.mktemp("hostile") / "workbench.duckdb"
    con = store.connect(path)
    try:
        demo.write_demo(con)
        make_hostile(con)
    finally:
        con.close()
    with served(path) as url:
        yield url


def test_hostile_rows_are_stored_verbatim(tmp_path: Path):
    con = store.connect(tmp_path / "h.duckdb")
    try:
        demo.write_demo(con, accounts=5, activities=500)
        account_id = make_hostile(con)
        contacts = store.read_table(con, "contacts").filter(
            pl.col("account_id") == account_id
        )
        accounts = store.read_table(con, "accounts")
    finally:
        con.close()
    assert ACCOUNT_NAME in accounts["name"].to_list()
    stored = set(contacts["name"]) | set(contacts["title"]) | set(contacts["email"])
    assert {HOSTILE[0], LONG, HOSTILE[11]} <= stored
    assert accounts.height == 5  # the SQL fragment did nothing


@pytest.mark.parametrize(("script", "path"), _listed_pages())
def test_hostile_text_is_shown_as_text_on_every_page(
    page: Page, hostile_app: str, page_problems: list[str], script: str, path: str
):
    page.goto(f"{hostile_app}/{path}")
    wait_idle(page)
    main = page.locator('[data-testid="stMain"]')
    expect(main).to_be_visible(timeout=30_000)
    # Wait for the page's own content, not just the shell.
    expect(
        page.locator('[data-testid="stHeading"], [data-testid="stMetric"]').first
    ).to_be_visible(timeout=60_000)
    wait_idle(page)
    page.wait_for_timeout(1_500)  # charts and iframes finish drawing
    name = re.sub(r"\W+", "_", path or "overview")
    screenshot(page, f"hostile_{name}")

    assert page.locator('[data-testid="stException"]').count() == 0, script
    for frame in page.frames:
        injected = frame.locator('img[src="x"], svg[onload], iframe[src^="javascript"]')
        assert injected.count() == 0, (
            f"{script}: an element was injected in {frame.url}"
        )
    # A 5,000-character word must wrap or scroll inside its element, not widen the page.
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport + 2, f"{script}: page is {width}px wide in {viewport}px"
    assert not page_problems, f"{script}: {page_problems}"


#: What a page must show as text, waited for before the page is read.
_EXPECTED_ON = {
    "pages/buying_centre.py": ACCOUNT_NAME,
    "pages/plans.py": HOSTILE[0],
}


def _text_once_shown(page: Page, needle: str | None, timeout_ms: int = 30_000) -> str:
    """The page's text once ``needle`` is in it, or as it is after ``timeout_ms``."""
    if needle is not None:
        # on a timeout the assertions below say what was missing
        with contextlib.suppress(PlaywrightTimeoutError):
            page.wait_for_function(
                "needle => [document.body.innerText, ...[...document"
                ".querySelectorAll('input, textarea')].map(i => i.value)]"
                ".join(' | ').includes(needle)",
                arg=needle,
                timeout=timeout_ms,
            )
    return _page_text(page)


def test_hostile_account_is_shown_literally_in_pickers(
    page: Page, hostile_app: str, page_problems: list[str]
):
    shown_on: list[str] = []
    script_shown_on: list[str] = []
    for script, path in _listed_pages():
        page.goto(f"{hostile_app}/{path}")
        wait_idle(page)
        expect(
            page.locator('[data-testid="stHeading"], [data-testid="stMetric"]').first
        ).to_be_visible(timeout=60_000)
        wait_idle(page)
        page.wait_for_timeout(500)
        # the pages asserted on below may still be drawing after the app is idle
        # on a slow machine: wait for what each must show, then read it once more
        text = _text_once_shown(page, _EXPECTED_ON.get(script))
        if ACCOUNT_NAME in text:
            shown_on.append(script)
        if HOSTILE[0] in text:
            script_shown_on.append(script)
    assert "pages/buying_centre.py" not in {s for s, _ in _listed_pages()} or (
        "pages/buying_centre.py" in shown_on
    ), shown_on
    assert shown_on, "the hostile account's name was shown as text on no page"
    # The plan's first section holds a script tag: the plans page shows it as text.
    if "pages/plans.py" in {s for s, _ in _listed_pages()}:
        assert "pages/plans.py" in script_shown_on, script_shown_on
    assert not page_problems, page_problems
