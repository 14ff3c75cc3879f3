"""Change prices… with a minus typed in an up/down way: "Down by a percentage −10" must not
raise the prices (−1 × −10 = +10 %): the value is refused, said why, and nothing can be
applied or scheduled; the same number without the minus goes down."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from primedist.domain.base import table_of
from primedist.domain.price_schedule import PriceSchedule
from primedist.domain.product import Variant
from primedist.services.catalogue import VariantDraft
from primedist.services.context import ServiceContext
from primedist.services.price_change import PriceField, PriceMode
from primedist.ui.i18n import install_language
from primedist.ui.products.price_dialog import PriceChangeDialog, mode_key
from tests.factories import add_product
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")
v = table_of(Variant).c


@pytest.fixture
def dialog(qtbot, owner_ctx: ServiceContext) -> PriceChangeDialog:
    shirt = add_product(owner_ctx, "Áo thun trắng", [
        VariantDraft(sku="AO-TRANG-S", option1="S", price=100_000, stock=10),
        VariantDraft(sku="AO-TRANG-M", option1="M", price=120_000, stock=4),
    ])  # fmt: skip
    return show_widget(qtbot, PriceChangeDialog(owner_ctx, [shirt]), width=900, height=600)


def prices(ctx: ServiceContext) -> dict[str, int]:
    with ctx.engine.connect() as conn:
        return {row.sku: row.price for row in conn.execute(sa.select(v.sku, v.price))}


def choose(dialog: PriceChangeDialog, mode: PriceMode, sign: int) -> None:
    dialog.field.setCurrentIndex(dialog.field.findData(PriceField.PRICE))
    dialog.mode.setCurrentIndex(dialog.mode.findData(mode_key(mode, sign)))


def after_column(dialog: PriceChangeDialog) -> list[str]:
    t = dialog.table
    return [t.item(r, 3).text() for r in range(t.rowCount())]


def refusal(way: str) -> str:
    return f"Type the percentage or amount without a minus sign: “{way}” already says up or down."


@pytest.mark.parametrize(("mode", "sign", "typed", "way"), [
    (PriceMode.PERCENT, -1, "-10", "Down by a percentage"),
    (PriceMode.AMOUNT, -1, "-5,000", "Down by an amount"),
    (PriceMode.PERCENT, 1, "-10", "Up by a percentage"),
    (PriceMode.AMOUNT, 1, "-5000", "Up by an amount"),
])  # fmt: skip
def test_a_minus_in_an_up_or_down_way_is_refused(
    qtbot, dialog: PriceChangeDialog, owner_ctx: ServiceContext,
    mode: PriceMode, sign: int, typed: str, way: str,
) -> None:  # fmt: skip
    before = prices(owner_ctx)
    choose(dialog, mode, sign)
    dialog.value.setText(typed)
    qtbot.waitUntil(lambda: dialog.summary.text() == refusal(way), timeout=WAIT)
    # The variants with their price now: no "after" to show.
    qtbot.waitUntil(lambda: after_column(dialog) == ["—", "—"], timeout=WAIT)
    assert not dialog.apply_button.isEnabled()
    dialog.apply()  # Enter pressed anyway: refused the same way
    assert dialog.refusal.text() == refusal(way) and dialog.isVisible()
    assert dialog.value.property("invalid") is True
    dialog.when.setCurrentIndex(1)  # nor can it be scheduled
    dialog.schedule_name.setText("Giảm giá")
    dialog.apply()
    qtbot.wait(300)
    assert not dialog.apply_button.isEnabled() and dialog.isVisible()
    assert prices(owner_ctx) == before
    with owner_ctx.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count())
                            .select_from(table_of(PriceSchedule))).scalar_one() == 0  # fmt: skip


def test_down_by_ten_percent_lowers_the_prices(
    qtbot, dialog: PriceChangeDialog, owner_ctx: ServiceContext
) -> None:
    choose(dialog, PriceMode.PERCENT, -1)
    dialog.value.setText("10")
    qtbot.waitUntil(dialog.apply_button.isEnabled, timeout=WAIT)
    with qtbot.waitSignal(dialog.changed, timeout=WAIT):
        dialog.apply()
    assert prices(owner_ctx) == {"AO-TRANG-S": 90_000, "AO-TRANG-M": 108_000}


def test_the_refusal_in_vietnamese(qtbot, dialog: PriceChangeDialog) -> None:
    install_language("vi")
    qtbot.waitUntil(lambda: dialog.windowTitle() == "Đổi giá", timeout=WAIT)
    choose(dialog, PriceMode.PERCENT, -1)
    assert dialog.mode.currentText() == "Giảm theo %"
    dialog.value.setText("-10")
    way = dialog.mode.currentText()
    qtbot.waitUntil(lambda: way in dialog.summary.text(), timeout=WAIT)
    assert not dialog.apply_button.isEnabled()
