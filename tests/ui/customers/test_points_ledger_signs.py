"""The points ledger shows each entry's change with the app's signs: a plus for points
added and the minus sign (U+2212, as the account's and suppliers' signed figures), never
an ASCII hyphen, for points taken."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QTableWidget
from sqlalchemy.engine import Engine

from primedist.services.context import ServiceContext
from primedist.services.loyalty.points import adjust_points
from primedist.ui.customers.detail import CustomerDetailDialog
from tests.services.loyalty.conftest import customers_with
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet", "vietnamese")


def _text(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None
    return item.text()


def test_points_added_and_taken_show_a_plus_and_a_minus_sign(
    qtbot: Any, engine: Engine, owner_ctx: ServiceContext
) -> None:
    (cid,) = customers_with(engine, [{"points_balance": 5_000, "points_earned": 5_000}])
    adjust_points(owner_ctx, cid, -3_740, "Đổi quà")
    adjust_points(owner_ctx, cid, 31, "Tặng thêm")
    dialog = show_widget(qtbot, CustomerDetailDialog(owner_ctx, cid), 1100, 760)
    qtbot.waitUntil(lambda: dialog.points_table.rowCount() == 2, timeout=WAIT)
    table = dialog.points_table
    shown = [(_text(table, r, 2), _text(table, r, 5)) for r in range(2)]
    assert shown == [("+31", "Tặng thêm"), ("\u22123.740", "Đổi quà")]  # newest first
    assert "-" not in _text(table, 1, 2)
