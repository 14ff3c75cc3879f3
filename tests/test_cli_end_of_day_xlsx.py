"""`primedist report end-of-day --xlsx` writes what --json and the printout have: the gross
profit (README: "also into Excel") and, with --counted, the cash count just recorded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from primedist.cli import EXIT_OK
from primedist.db.engine import make_engine
from tests.cli_support import Run
from tests.services.report_data import build


@pytest.fixture
def shop_dir(data_dir: Path) -> Path:
    engine = make_engine(f"sqlite:///{data_dir / 'primedist.db'}")
    try:
        build(engine)
    finally:
        engine.dispose()
    return data_dir


def summary(path: Path) -> dict[str, object]:
    book = openpyxl.load_workbook(path)
    return {row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True)}


def test_the_workbook_has_the_gross_profit_and_the_count(
    cli: Callable[..., Run], shop_dir: Path, tmp_path: Path
) -> None:
    base = ("--data-dir", str(shop_dir), "report", "end-of-day", "--date", "2026-11-10")
    shown = cli(*base, "--json")
    assert shown.code == EXIT_OK, shown.err
    figures = shown.json()
    assert figures["gross_profit"] is not None
    plain = tmp_path / "eod.xlsx"
    run = cli(*base, "--xlsx", str(plain), "--lang", "en")
    assert run.code == EXIT_OK, run.err
    assert summary(plain)["Gross profit"] == figures["gross_profit"]
    assert "Counted" not in summary(plain)
    counted = tmp_path / "eod-count.xlsx"
    run = cli(*base, "--counted", "600000", "--float", "100000", "--note", "Thiếu 17.000",
              "--xlsx", str(counted), "--lang", "en", "--json")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    count = run.json()["till"]
    rows = summary(counted)
    assert rows["Opening float"] == 100_000 and rows["Counted"] == 600_000
    assert rows["Expected in drawer"] == count["expected"]
    assert rows["Difference"] == count["difference"] == 600_000 - count["expected"]
    assert rows["Note"] == "Thiếu 17.000"
