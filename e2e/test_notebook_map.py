"""The buying-centre map as Jupyter shows it: drawn offline, hostile text inert.

Jupyter puts an object's ``_repr_html_`` into the notebook page; this test does the
same in Chromium, with no network, and watches for dialogs and outside requests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.sync_api import expect

from e2e.conftest import SCREENSHOTS
from workbench.api import open_workbench

if TYPE_CHECKING:
    from playwright.sync_api import Page

# Breaks out of an attribute, out of the iframe, and runs a script if any of it
# reached the page as markup (checked: an unescaped iframe title opens a dialog).
HOSTILE = '"><img src=x onerror=alert(1)></iframe><script>alert(2)</script>'


def test_inline_map_draws_offline_and_runs_no_injected_script(page: Page):
    with open_workbench(":memory:") as wb:
        wb.load_demo(accounts=6, activities=1500)
        account = str(wb.accounts()["account_id"][0])
        wb.connection.execute(
            "UPDATE accounts SET name = $n WHERE account_id = $a",
            {"n": HOSTILE, "a": account},
        )
        wb.connection.execute(
            "UPDATE contacts SET name = $n, title = $n WHERE account_id = $a",
            {"n": HOSTILE, "a": account},
        )
        shown = wb.buying_centre(account, height_px=500)._repr_html_()

    dialogs: list[str] = []
    outside: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if request.url.startswith(("http:", "https:"))
            else None
        ),
    )
    page.set_content(
        f"<html><head><title>notebook</title></head><body>{shown}</body></html>"
    )
    frame = page.frame_locator("iframe").first
    expect(frame.locator("#mynetwork canvas")).to_be_visible(timeout=15_000)
    page.wait_for_timeout(1_000)  # let the layout settle and any injected code run
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "notebook_map.png"))
    assert dialogs == []
    assert outside == []
    assert page.title() == "notebook"
    # one iframe: the hostile "</iframe>" in the data closed nothing
    assert page.locator("iframe").count() == 1
