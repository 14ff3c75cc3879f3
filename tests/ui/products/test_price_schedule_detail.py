"""Scheduled prices shows what a change will do before a sale: the selected change's
variants with their price before, during and after it; a waiting change edited in the
Change prices form; a new one scheduled from there on the products selected in the list;
and the Products list marks a product whose price a schedule changes next."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from primedist.core.clock import FixedClock, shop_tz
from primedist.services import price_change as pc
from primedist.services import price_schedule as ps
from primedist.services.catalogue import VariantDraft
from primedist.services.context import ServiceContext
from primedist.ui.products.page import ProductsPage
from primedist.ui.products.price_dialog import PriceChangeDialog
from primedist.ui.products.price_schedules import PriceSchedulesDialog
from tests.conftest import FIXED_NOW
from tests.factories import add_product
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")
TEN_OFF = pc.PriceRule(pc.PriceField.PRICE, pc.PriceMode.PERCENT, Decimal(-10), 1000)


@pytest.fixture
def page(qtbot, owner_ctx: ServiceContext) -> Iterator[ProductsPage]:
    add_product(owner_ctx, "Áo thun trắng", [
        VariantDraft(sku="AO-TRANG-S", option1="S", price=100_000, stock=10),
        VariantDraft(sku="AO-TRANG-M", option1="M", price=120_000, stock=4),
    ])  # fmt: skip
    add_product(owner_ctx, "Quần jean", [VariantDraft(sku="QJ-01", price=300_000, stock=3)])
    p = show_widget(qtbot, ProductsPage(owner_ctx), height=760)
    qtbot.waitUntil(lambda: p.list.model.rowCount() == 2, timeout=WAIT)
    yield p
    p.shutdown()


def product_id(page: ProductsPage, name: str) -> int:
    model = page.list.model
    row = next(r for r in range(model.rowCount())
               if model.index(r, model.col["name"]).data() == name)  # fmt: skip
    key = model.key_at(row)
    assert key is not None
    return key


def cells(table, row: int) -> list[str]:
    return [table.item(row, c).text() if not table.isColumnHidden(c) else ""
            for c in range(table.columnCount())]  # fmt: skip


def test_the_detail_lists_each_price_and_a_waiting_change_is_edited(
    qtbot, page: ProductsPage, owner_ctx: ServiceContext
) -> None:
    start = FIXED_NOW + timedelta(days=2)
    shirt = product_id(page, "Áo thun trắng")
    ps.schedule_prices(owner_ctx, "Sale cuối tuần", [shirt], TEN_OFF, start,
                       start + timedelta(days=2))  # fmt: skip
    page.list.view.clearSelection()
    dialog = page.open_schedules()
    assert isinstance(dialog, PriceSchedulesDialog)
    assert not dialog.new_button.isEnabled()  # no products selected in the list
    dialog.table.selectRow(0)
    items = dialog.item_table
    qtbot.waitUntil(lambda: items.rowCount() == 2, timeout=WAIT)
    assert cells(items, 0) == ["AO-TRANG-S", "Áo thun trắng — S", "100,000 VND", "90,000 VND",
                               "100,000 VND"]  # fmt: skip
    assert cells(items, 1)[2:] == ["120,000 VND", "108,000 VND", "120,000 VND"]
    assert "2 variants" in dialog.detail_title.text()

    # Edit: the form shows the change; 20 % off instead, saved, the detail follows.
    assert dialog.edit_button.isEnabled()
    qtbot.mouseClick(dialog.edit_button, Qt.MouseButton.LeftButton)
    edit = dialog.findChild(PriceChangeDialog)
    assert edit is not None and edit.editing is not None
    assert edit.schedule_name.text() == "Sale cuối tuần" and edit.value.text() == "10"
    assert edit.when.currentIndex() == 1 and not edit.when.isEnabled()
    assert edit.starts.dateTime().toPython().date() == start.astimezone(shop_tz()).date()
    edit.value.setText("20")
    qtbot.waitUntil(edit.apply_button.isEnabled, timeout=WAIT)
    assert edit.apply_button.text() == "Save"
    with qtbot.waitSignal(edit.scheduled, timeout=WAIT):
        qtbot.mouseClick(edit.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: items.rowCount() == 2 and items.item(0, 3).text() == "80,000 VND",
                    timeout=WAIT)  # fmt: skip
    (row,) = ps.list_schedules(owner_ctx)
    assert row.rule.value == Decimal(-20) and row.name == "Sale cuối tuần"
    dialog.close()


def test_a_running_change_cannot_be_edited_and_shows_what_it_wrote(
    qtbot, page: ProductsPage, owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    shirt = product_id(page, "Áo thun trắng")
    ps.schedule_prices(owner_ctx, "Xả hàng", [shirt], TEN_OFF, FIXED_NOW + timedelta(hours=1))
    clock.advance(timedelta(hours=2))
    ps.run_due(owner_ctx)
    dialog = page.open_schedules()
    assert isinstance(dialog, PriceSchedulesDialog)
    dialog.finished_check.setChecked(True)  # no end: done at its start
    dialog.table.selectRow(0)
    qtbot.waitUntil(lambda: dialog.item_table.rowCount() == 2, timeout=WAIT)
    assert cells(dialog.item_table, 0)[2:4] == ["100,000 VND", "90,000 VND"]
    assert dialog.item_table.isColumnHidden(4)  # no end: no price after it
    assert not dialog.edit_button.isEnabled()
    dialog.close()


def test_new_schedule_for_the_selected_products_and_the_list_marks_them(
    qtbot, page: ProductsPage, owner_ctx: ServiceContext
) -> None:
    model = page.list.model
    shirt, jeans = product_id(page, "Áo thun trắng"), product_id(page, "Quần jean")
    row = next(r for r in range(model.rowCount()) if model.key_at(r) == jeans)
    page.list.view.selectRow(row)
    dialog = page.open_schedules()
    assert isinstance(dialog, PriceSchedulesDialog)
    assert dialog.new_button.isEnabled()
    qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)
    new = dialog.findChild(PriceChangeDialog)
    assert new is not None and new.product_ids == [jeans]
    assert new.is_scheduled() and new.apply_button.text() == "Schedule"
    new.schedule_name.setText("Black Friday")
    new.value.setText("250000")
    qtbot.waitUntil(new.apply_button.isEnabled, timeout=WAIT)
    with qtbot.waitSignal(new.scheduled, timeout=WAIT):
        qtbot.mouseClick(new.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=WAIT)
    assert dialog.table.item(0, 0).text() == "Black Friday"
    dialog.close()

    page.list.refresh()
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=WAIT)
    price = model.col["price"]
    starts = (FIXED_NOW.astimezone(shop_tz()) + timedelta(days=1)).strftime("%d/%m")
    by_key = {model.key_at(r): r for r in range(model.rowCount())}
    tip = model.index(by_key[jeans], price).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == f"Price changes on {starts} (Black Friday)"
    assert model.index(by_key[jeans], price).data(Qt.ItemDataRole.DecorationRole) is not None
    assert model.index(by_key[shirt], price).data(Qt.ItemDataRole.ToolTipRole) is None
    assert model.index(by_key[shirt], price).data(Qt.ItemDataRole.DecorationRole) is None
