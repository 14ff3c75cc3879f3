"""`purchase-orders cancel|close|show` after a receipt against the order brought none of
its SKUs: cancelling is refused (close it), and an ended order shows nothing to come."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK
from primedist.config import resolve_settings
from primedist.db.store import open_store
from tests.factories import make_product
from tests.test_cli_purchase_orders import delivery


@pytest.fixture
def shop(data_dir: Path) -> Path:
    engine = open_store(resolve_settings(data_dir))
    make_product(engine, "Cốc sứ Bát Tràng", [("COC-1", 45_000, 3)])
    make_product(engine, "Bát gốm", [("BAT-1", 30_000, 0)])
    engine.dispose()
    return data_dir


def test_other_goods_against_the_order_close_it(cli: Any, shop: Path, tmp_path: Path) -> None:
    d = ("--data-dir", str(shop))
    added = cli(*d, "purchase-orders", "add", "--supplier", "Gốm Minh Long", "--line", "COC-1:36")
    assert added.code == EXIT_OK, added.err
    got = cli(*d, "receive", delivery(tmp_path, "BAT-1,3,50000\n"), "--order", "DHN000001")
    assert got.code == EXIT_OK, got.err
    refused = cli(*d, "purchase-orders", "cancel", "DHN000001", "--reason", "hết hàng")
    assert refused.code == EXIT_ERROR
    assert refused.error_line() == (
        "primedist: error: Goods of DHN000001 came already: close it instead.")  # fmt: skip
    closed = cli(*d, "purchase-orders", "close", "DHN000001", "--reason", "giao nhầm hàng")
    assert closed.code == EXIT_OK, closed.err
    assert closed.out.strip() == "DHN000001 closed: giao nhầm hàng (0 of 36 units came)."
    text = cli(*d, "purchase-orders", "show", "DHN000001").out.splitlines()
    assert text[0] == "DHN000001  Gốm Minh Long  closed (giao nhầm hàng)"
    assert text[3].split()[-4:] == ["36", "0", "0", "-"]  # ordered, received, to come, cost
    assert text[4] == "1 line, 36 units (0 received, 0 to come), cost 0"
    shown = cli(*d, "purchase-orders", "show", "DHN000001", "--json").json()
    assert [ln["remaining"] for ln in shown["lines"]] == [0]
