"""`primedist print labels SKU:N` with an N that is no whole number (`AT-M:abc`, `AT-M:`,
`AT-M:2.5`) is a usage error saying what N is, exit 2, nothing printed: not "No product
has the SKU or barcode AT-M:abc". A SKU that has a colon itself still prints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from primedist.cli import EXIT_OK, EXIT_USAGE
from primedist.config import resolve_settings
from primedist.db.store import open_store
from tests.factories import make_product
from tests.printing.test_cli_labels import shop  # noqa: F401


@pytest.mark.parametrize("count", ["abc", "", "2.5"])
def test_a_count_that_is_no_whole_number_is_a_usage_error(
    qapp: Any,
    cli: Any,
    shop: tuple[Path, int],  # noqa: F811
    tmp_path: Path,
    count: str,
) -> None:
    data, _product = shop
    out = tmp_path / "labels.pdf"
    run = cli("--data-dir", str(data), "print", "labels", "COC-1:2", f"AT-M:{count}", "--pdf",
              str(out))  # fmt: skip
    assert run.code == EXIT_USAGE
    assert run.error_line() == (
        f"primedist: error: AT-M:{count}: N in SKU:N must be a whole number of labels, "
        f"not '{count}' (see `primedist --help`)"
    )
    assert not out.exists()


def test_a_sku_with_a_colon_of_its_own_still_prints(
    qapp: Any,
    cli: Any,
    shop: tuple[Path, int],  # noqa: F811
    tmp_path: Path,
) -> None:
    data, _product = shop
    engine = open_store(resolve_settings(data))
    make_product(engine, "Kẹo dẻo", [("KEO:DO", 20_000, 4)])
    engine.dispose()
    out = tmp_path / "labels.pdf"
    run = cli("--data-dir", str(data), "print", "labels", "KEO:DO", "KEO:DO:2", "--pdf",
              str(out), "--json")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    assert run.json()["labels"] == 3
