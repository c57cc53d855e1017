"""Uploads in a real browser: a path in the file name and an oversize file.

The server runs with a 1 MB upload limit so that "oversize" stays small.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import ROOT, copy_db, served, wait_idle

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

ACCOUNTS_CSV = (
    b"Account ID,Account Name,Industry,Region\nUP-1,Uploaded Path Ltd,Chemicals,EMEA\n"
)
DROPZONE = '[data-testid="stFileUploaderDropzoneInput"]'


@pytest.fixture(scope="module")
def upload_app(
    e2e_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    if not (ROOT / "pages" / "import_data.py").exists():
        pytest.skip("the Import page is not there yet")
    db = copy_db(e2e_db, tmp_path_factory.mktemp("uploads"))
    with served(db, {"STREAMLIT_SERVER_MAX_UPLOAD_SIZE": "1"}) as url:
        yield url, db


def _open_import(page: Page, url: str) -> None:
    page.goto(url)
    wait_idle(page)
    page.goto(f"{url}/import_data")
    wait_idle(page)
    expect(page.locator(DROPZONE)).to_be_attached(timeout=30_000)


def test_a_path_in_an_uploaded_name_is_cut_to_the_base_name(
    page: Page, upload_app: tuple[str, Path], console_errors: list[str]
):
    url, _db = upload_app
    _open_import(page, url)
    page.locator(DROPZONE).set_input_files(
        files=[{"name": "../../x.csv", "mimeType": "text/csv", "buffer": ACCOUNTS_CSV}]
    )
    expect(page.get_by_text("x.csv → accounts")).to_be_visible(timeout=30_000)
    # Streamlit's own file list shows the name as the browser sent it (as text);
    # everything the workbench reports uses the base name only.
    expect(page.get_by_text("../../x.csv →")).to_have_count(0)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def test_an_oversize_upload_is_refused_cleanly(
    page: Page, upload_app: tuple[str, Path]
):
    url, _db = upload_app
    _open_import(page, url)
    big = b"Account ID,Account Name\n" + b"".join(
        f"BIG-{i:07d},Oversize Ltd {i}\n".encode() for i in range(60_000)
    )
    assert len(big) > 1_048_576
    page.locator(DROPZONE).set_input_files(
        files=[{"name": "big.csv", "mimeType": "text/csv", "buffer": big}]
    )
    # Streamlit refuses it in the browser, before anything reaches the server.
    expect(page.get_by_text("1.0MB or smaller", exact=False)).to_be_visible(
        timeout=30_000
    )
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(page.get_by_text("What was recognised")).to_have_count(0)
