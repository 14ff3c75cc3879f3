"""The range filter editors (order value; unit price, discount price and stock; total
expenses, successful orders and success rate) hint each box differently: an example of
its own and what leaving it empty means — the At most box showed a bare example amount
like the At least box above it. The money examples are written as a shop owner types
them and read back as the amounts they show; each box shows its whole hint."""

from __future__ import annotations

import re

import pytest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from primedist.core.money import parse_money
from primedist.queries.customers import CustomerFilter
from primedist.queries.orders import OrderFilter
from primedist.queries.products import ProductFilter
from primedist.ui import list_tools
from primedist.ui.customers.list_page import FilterDialog as CustomerFilterDialog
from primedist.ui.i18n import current_language
from primedist.ui.orders.tab import FilterDialog as OrderFilterDialog
from primedist.ui.products.list_page import FilterDialog as ProductFilterDialog

pytestmark = pytest.mark.usefixtures("no_crash", "app_style")

DIALOGS = {
    "order value": lambda: OrderFilterDialog("value", OrderFilter()),
    "unit price": lambda: ProductFilterDialog("price", ProductFilter()),
    "discount price": lambda: ProductFilterDialog("discount", ProductFilter()),
    "stock": lambda: ProductFilterDialog("stock", ProductFilter()),
    "expenses": lambda: CustomerFilterDialog("expenses", CustomerFilter()),
    "successful orders": lambda: CustomerFilterDialog("successful", CustomerFilter()),
    "success rate": lambda: CustomerFilterDialog("success_rate", CustomerFilter()),
}
MONEY = {"order value", "unit price", "discount price", "expenses"}
HINT = re.compile(r"e\.g\. (?P<example>\S+) \(empty: no (?P<end>minimum|maximum)\)")


def shows_whole_hint(edit: QLineEdit) -> bool:
    return edit.width() >= edit.fontMetrics().horizontalAdvance(edit.placeholderText())


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("kind", list(DIALOGS))
def test_each_box_hints_its_own_end(qtbot: QtBot, kind: str) -> None:
    dialog = DIALOGS[kind]()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    low, high = dialog.min_edit.placeholderText(), dialog.max_edit.placeholderText()
    assert low != high
    low_hint, high_hint = HINT.fullmatch(low), HINT.fullmatch(high)
    assert low_hint is not None and high_hint is not None, (low, high)
    assert (low_hint["end"], high_hint["end"]) == ("minimum", "maximum")
    if kind in MONEY:
        lowest, highest = (parse_money(h["example"], "en") for h in (low_hint, high_hint))
    else:
        lowest, highest = int(low_hint["example"]), int(high_hint["example"])
    assert 0 < lowest < highest  # an example range that reads as one
    assert shows_whole_hint(dialog.min_edit) and shows_whole_hint(dialog.max_edit)


@pytest.mark.usefixtures("vietnamese")
def test_money_examples_are_typed_as_a_vietnamese_shop_owner_types_them(qtbot: QtBot) -> None:
    dialog = OrderFilterDialog("value", OrderFilter())
    qtbot.addWidget(dialog)
    low, high = dialog.min_edit.placeholderText(), dialog.max_edit.placeholderText()
    assert "100k" in low and "2tr" in high and low != high
    assert parse_money("2tr", current_language()) == 2_000_000
    assert list_tools.example_amount(500_000, "vi") == "500k"
    assert list_tools.example_amount(2_000_000, "en") == "2,000,000"
