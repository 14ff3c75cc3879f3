"""Change prices… driven like a shop owner before a sale: opened on the selected products,
a rule typed, each variant's price now and after previewed, a variant that cannot take it
shown first and blocking, the prices written and the list showing them; in Vietnamese too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt

from primedist.domain.base import table_of
from primedist.domain.product import Variant
from primedist.services.catalogue import VariantDraft
from primedist.services.context import ServiceContext
from primedist.services.price_change import PriceField, PriceMode
from primedist.ui.i18n import install_language
from primedist.ui.products import price_dialog
from primedist.ui.products.page import ProductsPage
from primedist.ui.products.price_dialog import PriceChangeDialog, mode_key
from tests.factories import add_product
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")
v = table_of(Variant).c


@pytest.fixture
def products(owner_ctx: ServiceContext) -> dict[str, int]:
    shirt = add_product(owner_ctx, "Áo thun trắng", [
        VariantDraft(sku="AO-TRANG-S", option1="S", price=29_000, discount_price=25_000, stock=10),
        VariantDraft(sku="AO-TRANG-M", option1="M", price=49_000, stock=4),
    ])  # fmt: skip
    cap = add_product(owner_ctx, "Mũ lưỡi trai", [VariantDraft(sku="MU-DO", price=60_000, stock=2)])
    return {"shirt": shirt, "cap": cap}


@pytest.fixture
def page(qtbot, owner_ctx: ServiceContext, products) -> Iterator[ProductsPage]:
    p = show_widget(qtbot, ProductsPage(owner_ctx), height=760)
    qtbot.waitUntil(lambda: p.list.model.rowCount() == 2, timeout=WAIT)
    yield p
    p.shutdown()


def prices(ctx: ServiceContext, column: str = "price") -> dict[str, int | None]:
    with ctx.engine.connect() as conn:
        return {row.sku: row[1] for row in conn.execute(sa.select(v.sku, v[column]))}


def choose(dialog: PriceChangeDialog, field: PriceField, mode: PriceMode, sign: int = 1) -> None:
    dialog.field.setCurrentIndex(dialog.field.findData(field))
    dialog.mode.setCurrentIndex(dialog.mode.findData(mode_key(mode, sign)))


def table(dialog: PriceChangeDialog) -> list[tuple[str, ...]]:
    t = dialog.table
    return [tuple(t.item(r, c).text() for c in range(4)) for r in range(t.rowCount())]


def open_from_selection(qtbot, page: ProductsPage) -> PriceChangeDialog:
    lst = page.list
    assert not lst.prices_button.isEnabled()  # nothing selected
    lst.view.selectAll()
    qtbot.mouseClick(lst.prices_button, Qt.MouseButton.LeftButton)
    dialog = page.last_dialog
    assert isinstance(dialog, PriceChangeDialog)
    return dialog


def test_ten_percent_up_rounded_then_the_list_shows_it(qtbot, page, owner_ctx):
    dialog = open_from_selection(qtbot, page)
    choose(dialog, PriceField.PRICE, PriceMode.PERCENT)
    assert dialog.value_label.text() == "Percentage" and dialog.unit.text() == "%"
    dialog.value.setText("10")
    dialog.rounding.setCurrentIndex(dialog.rounding.findData(1000))
    qtbot.waitUntil(dialog.apply_button.isEnabled, timeout=WAIT)
    assert table(dialog) == [
        ("AO-TRANG-S", "Áo thun trắng — S", "29,000 VND", "32,000 VND"),
        ("AO-TRANG-M", "Áo thun trắng — M", "49,000 VND", "54,000 VND"),
        ("MU-DO", "Mũ lưỡi trai", "60,000 VND", "66,000 VND"),
    ]
    assert dialog.summary.text() == "3 of 3 variants change."
    with qtbot.waitSignal(dialog.changed, timeout=WAIT) as sig:
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert (sig.args[0].changed, sig.args[0].products) == (3, 2)
    assert prices(owner_ctx) == {"AO-TRANG-M": 54_000, "AO-TRANG-S": 32_000, "MU-DO": 66_000}
    lst = page.list
    m = lst.model
    qtbot.waitUntil(lambda: "66,000 VND" in [str(m.data(m.index(r, c))) for r in range(
        m.rowCount()) for c in range(m.columnCount())], timeout=WAIT)  # fmt: skip


def test_a_variant_that_cannot_take_it_comes_first_and_blocks(qtbot, page, owner_ctx):
    before = prices(owner_ctx)
    dialog = open_from_selection(qtbot, page)
    choose(dialog, PriceField.PRICE, PriceMode.AMOUNT, -1)
    assert dialog.value_label.text() == "Amount" and dialog.unit.text() == "VND"
    dialog.value.setText("5,000")
    qtbot.waitUntil(lambda: "cannot take" in dialog.summary.text(), timeout=WAIT)
    first = table(dialog)[0]
    assert first[0] == "AO-TRANG-S"  # listed third by name, shown first
    assert first[3].startswith("24,000 VND   ✗ the new price 24,000 is below its discount")
    assert dialog.table.item(0, 3).foreground().color().name() == "#b91c1c"
    assert dialog.summary.text() == (
        "Nothing will change: 1 of 3 variants cannot take the new price (in red). Change "
        "the rule, or choose fewer products.\nAO-TRANG-S: the new price 24,000 is below its "
        "discount price 25,000: change or remove the discount price first.")  # fmt: skip
    assert not dialog.apply_button.isEnabled()
    dialog.reject()
    assert prices(owner_ctx) == before


def test_discount_price_ways_and_a_value_that_is_no_number(qtbot, page, owner_ctx):
    dialog = open_from_selection(qtbot, page)
    choose(dialog, PriceField.DISCOUNT, PriceMode.PERCENT)
    assert dialog.mode.count() == 7  # five moves, a percentage off, remove
    dialog.value.setText("mười")
    qtbot.waitUntil(lambda: dialog.summary.text() == "“mười” is not a number.", timeout=WAIT)
    qtbot.waitUntil(lambda: table(dialog) == [  # the discount prices now, no "after"
        ("AO-TRANG-S", "Áo thun trắng — S", "25,000 VND", "—"),
        ("AO-TRANG-M", "Áo thun trắng — M", "—", "—"),
        ("MU-DO", "Mũ lưỡi trai", "—", "—"),
    ], timeout=WAIT)  # fmt: skip
    assert not dialog.apply_button.isEnabled()
    choose(dialog, PriceField.DISCOUNT, PriceMode.PERCENT_OFF)
    dialog.value.setText("20,5")  # the Vietnamese decimal comma reads too
    qtbot.waitUntil(dialog.apply_button.isEnabled, timeout=WAIT)
    assert [row[3] for row in table(dialog)] == ["23,055 VND", "38,955 VND", "47,700 VND"]
    choose(dialog, PriceField.DISCOUNT, PriceMode.REMOVE)
    assert not dialog.value.isEnabled()
    qtbot.waitUntil(lambda: dialog.summary.text() == "1 of 3 variants change.", timeout=WAIT)
    with qtbot.waitSignal(dialog.changed, timeout=WAIT):
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert set(prices(owner_ctx, "discount_price").values()) == {None}
    choose_cost = [dialog.field.itemText(i) for i in range(dialog.field.count())]
    assert choose_cost == ["Selling price", "Discount price", "Cost"]


def test_the_variants_and_their_prices_show_before_a_value_is_typed(
    qtbot, page, owner_ctx, monkeypatch
):
    dialog = open_from_selection(qtbot, page)
    now = [
        ("AO-TRANG-S", "Áo thun trắng — S", "29,000 VND", "—"),
        ("AO-TRANG-M", "Áo thun trắng — M", "49,000 VND", "—"),
        ("MU-DO", "Mũ lưỡi trai", "60,000 VND", "—"),
    ]
    qtbot.waitUntil(lambda: table(dialog) == now, timeout=WAIT)
    assert dialog.summary.text() == "Type the new price, percentage or amount."
    assert not dialog.apply_button.isEnabled()
    choose(dialog, PriceField.COST, PriceMode.SET)  # another price: its values now
    qtbot.waitUntil(lambda: [row[2] for row in table(dialog)] == ["0 VND"] * 3, timeout=WAIT)
    choose(dialog, PriceField.PRICE, PriceMode.SET)
    dialog.value.setText("50,000")
    qtbot.waitUntil(dialog.apply_button.isEnabled, timeout=WAIT)
    assert [row[3] for row in table(dialog)] == ["50,000 VND"] * 3
    # Many variants: the first ones listed (read a page at a time), all of them counted.
    monkeypatch.setattr(price_dialog, "PREVIEW_ROWS", 2)
    dialog.value.clear()
    qtbot.waitUntil(lambda: table(dialog) == now[:2], timeout=WAIT)
    assert dialog.summary.text() == (
        "Type the new price, percentage or amount. The first 2 of 3 variants are shown."
    )
    assert not dialog.apply_button.isEnabled()
    dialog.reject()


def test_from_the_row_menu_and_in_vietnamese(qtbot, page, products, owner_ctx):
    lst = page.list
    menu = lst.build_context_menu(products["cap"])
    with qtbot.waitSignal(lst.pricesRequested, timeout=WAIT) as sig:
        [a for a in menu.actions() if a.text() == "Change prices…"][0].trigger()
    assert sig.args == [[products["cap"]]]
    dialog = page.last_dialog
    assert isinstance(dialog, PriceChangeDialog)
    install_language("vi")  # while it is open: it follows
    qtbot.waitUntil(lambda: dialog.windowTitle() == "Đổi giá", timeout=WAIT)
    assert dialog.field.currentText() == "Giá bán" and dialog.unit.text() == "₫"
    choose(dialog, PriceField.PRICE, PriceMode.SET)
    assert dialog.value_label.text() == "Giá mới"
    dialog.value.setText("65.000")
    qtbot.waitUntil(dialog.apply_button.isEnabled, timeout=WAIT)
    assert table(dialog) == [("MU-DO", "Mũ lưỡi trai", "60.000 ₫", "65.000 ₫")]
    assert dialog.summary.text() == "1 / 1 phân loại được đổi giá."
    assert lst.prices_button.text() == "Đổi giá…"
    dialog.reject()


def test_products_without_variants_on_sale_say_so(qtbot, owner_ctx):
    dialog = show_widget(qtbot, PriceChangeDialog(owner_ctx, []), width=900, height=600)
    choose(dialog, PriceField.PRICE, PriceMode.PERCENT)
    dialog.value.setText("10")
    qtbot.waitUntil(lambda: dialog.summary.text() == (
        "None of the chosen products has a variant on sale."), timeout=WAIT)  # fmt: skip
    assert dialog.table.rowCount() == 0 and not dialog.apply_button.isEnabled()
    dialog.reject()
