"""`primedist receive FILE --paid AMOUNT` with no supplier: the missing supplier is the
error said, even when the list has no costs (so any amount is more than it costs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from primedist.cli import EXIT_OK
from primedist.config import resolve_settings
from primedist.db.store import open_store
from tests.factories import make_product


def test_paid_without_supplier_names_the_missing_supplier(
    cli: Any, data_dir: Path, tmp_path: Path
) -> None:
    """A delivery list without costs (cost 0) paid with no supplier: the supplier is what
    is missing, not a smaller amount."""
    engine = open_store(resolve_settings(data_dir))
    make_product(engine, "Đèn ngủ", [("DEN-1", 150_000, 0)], barcodes=["8937653246047"])
    engine.dispose()
    delivery = tmp_path / "f5.csv"
    delivery.write_text("sku,quantity\n8937653246047,2\n", encoding="utf-8")
    got = cli("--data-dir", str(data_dir), "receive", str(delivery), "--paid", "1000")
    assert got.code != EXIT_OK
    assert got.err.strip() == ("primedist: error: Name the supplier the 1,000 was paid to: a "
                               "receipt without one records nothing paid.")  # fmt: skip
