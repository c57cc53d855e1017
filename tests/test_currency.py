"""The portfolio's currency: one setting per database, validated, kept by the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench import store
from workbench.api import open_workbench
from workbench.cli import main
from workbench.domain import Actor
from workbench.errors import PermissionDeniedError, RejectedInputError


def test_a_new_database_reads_the_default_currency(tmp_path: Path) -> None:
    with open_workbench(tmp_path / "w.duckdb") as wb:
        assert wb.currency() == store.DEFAULT_CURRENCY


def test_the_currency_is_set_normalised_and_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with open_workbench(path) as wb:
        assert wb.set_currency(" cny ") == "CNY"
    with open_workbench(path) as wb:
        assert wb.currency() == "CNY"


@pytest.mark.parametrize("bad", ["", "EU", "EURO", "€€€", "E1R", "'; DROP"])
def test_a_malformed_currency_is_refused_and_changes_nothing(
    tmp_path: Path, bad: str
) -> None:
    with open_workbench(tmp_path / "w.duckdb") as wb:
        wb.set_currency("TWD")
        with pytest.raises(RejectedInputError):
            wb.set_currency(bad)
        assert wb.currency() == "TWD"


def test_a_viewer_cannot_set_the_currency(tmp_path: Path) -> None:
    viewer = Actor(name="vera", role="viewer")
    with (
        open_workbench(tmp_path / "w.duckdb", actor=viewer) as wb,
        pytest.raises(PermissionDeniedError),
    ):
        wb.set_currency("USD")


def test_init_records_the_currency_and_refuses_a_typo_before_touching_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "w.duckdb")
    assert main(["init", "--empty", "--currency", "twd", "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["currency"] == "TWD"
    assert main(["init", "--currency", "dollars", "--db", db]) == 1
    assert "ISO 4217" in capsys.readouterr().err
    with open_workbench(db) as wb:
        assert wb.currency() == "TWD"
        assert wb.info()["counts"]["accounts"] == 0
