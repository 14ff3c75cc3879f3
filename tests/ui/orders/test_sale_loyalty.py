"""Create order with loyalty: the customer's level price applied and shown, points capped,
and a voucher refusal explained on the screen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.services.context import ServiceContext
from primedist.services.loyalty import levels
from primedist.services.loyalty.vouchers import VoucherDraft, save_voucher
from primedist.services.sale_lookup import get_customer
from primedist.ui.orders.sale import LinesModel, SaleDialog
from tests.factories import make_product
from tests.services.loyalty.conftest import customers_with
from tests.ui.orders.test_sale_dialog import (
    SHIRT_M,
    SHIRT_S,
    field,
    save_with_f9,
    saved_order,
    scan,
    settle,
)

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(autouse=True)
def no_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    """No modal question may block a test: the answer is Yes."""
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)


@pytest.fixture
def dialog(qtbot, owner_ctx: ServiceContext, engine: Engine) -> SaleDialog:
    """The sale screen over AO-S 99,000 đ and AO-M 120,000 đ (the sale tests' barcodes)."""
    make_product(engine, "Áo thun cotton", [("AO-S", 99_000, 10), ("AO-M", 120_000, 3)],
                 barcodes=[SHIRT_S, SHIRT_M])  # fmt: skip
    d = SaleDialog(owner_ctx)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


def cell(dialog: SaleDialog, row: int, role: int = 0) -> object:
    model = dialog.model
    return model.data(model.index(row, LinesModel.PRICE), role)


def test_the_level_price_is_applied_and_shown(
    qtbot, dialog: SaleDialog, engine: Engine, owner_ctx: ServiceContext
) -> None:
    wholesale = levels.save_level(owner_ctx, name="Sỉ", code="SI")
    levels.set_level_price(owner_ctx, wholesale, "ao-s", 80_000)
    (cid,) = customers_with(engine, [{"level_id": wholesale}])
    scan(qtbot, dialog, SHIRT_S)
    scan(qtbot, dialog, SHIRT_M)
    settle(qtbot, dialog)
    assert cell(dialog, 0) == "99,000"  # walk-in: list price, nothing to show
    hit = get_customer(owner_ctx, cid)
    assert hit is not None
    dialog.set_customer(hit)
    settle(qtbot, dialog)
    assert cell(dialog, 0) == "80,000 · Sỉ"
    assert cell(dialog, 0, 3) == "Price of the level Sỉ (list price 99,000)"  # ToolTipRole
    assert cell(dialog, 1) == "120,000"  # no level price for AO-M
    order, saved = saved_order(engine, save_with_f9(qtbot, dialog))
    assert [ln.unit_price for ln in saved] == [80_000, 120_000]
    assert order.customer_id == cid


def shirt_at_level(
    qtbot, dialog: SaleDialog, engine: Engine, owner_ctx: ServiceContext,
    level: tuple[str, str], price: int,
) -> None:  # fmt: skip
    """A customer of the group `level` (name, code; AO-S at `price`) buys a shirt S."""
    name, code = level
    group = levels.save_level(owner_ctx, name=name, code=code)
    levels.set_level_price(owner_ctx, group, "AO-S", price)
    (cid,) = customers_with(engine, [{"level_id": group}])
    hit = get_customer(owner_ctx, cid)
    assert hit is not None
    dialog.set_customer(hit)
    scan(qtbot, dialog, SHIRT_S)
    settle(qtbot, dialog)


def test_a_typed_price_replaces_the_level_price(
    qtbot, dialog: SaleDialog, engine: Engine, owner_ctx: ServiceContext
) -> None:
    shirt_at_level(qtbot, dialog, engine, owner_ctx, ("VIP", "VIP"), 85_000)
    assert cell(dialog, 0) == "85,000 · VIP"
    assert dialog.model.setData(dialog.model.index(0, LinesModel.PRICE), "90.000")
    settle(qtbot, dialog)
    assert cell(dialog, 0) == "90,000"


def test_the_level_price_is_readable_whole(
    qtbot, dialog: SaleDialog, engine: Engine, owner_ctx: ServiceContext
) -> None:
    """At the screen's default size the unit price cell showed "275,00…" instead of
    "275,000 · VIP": the column grows to the price with its level."""
    shirt_at_level(qtbot, dialog, engine, owner_ctx, ("Đại lý cấp 1", "DL1"), 89_000)
    assert cell(dialog, 0) == "89,000 · Đại lý cấp 1"
    view = dialog.lines
    index = dialog.model.index(0, LinesModel.PRICE)
    needed = view.sizeHintForIndex(index).width()
    assert view.columnWidth(LinesModel.PRICE) >= needed
    text = str(cell(dialog, 0))
    assert view.fontMetrics().horizontalAdvance(text) < view.visualRect(index).width()
    view.setColumnWidth(LinesModel.PRICE, 300)  # widened by hand: a new line keeps it
    scan(qtbot, dialog, SHIRT_M)
    settle(qtbot, dialog)
    assert view.columnWidth(LinesModel.PRICE) == 300


def test_voucher_refusals_and_the_points_cap_are_explained(
    qtbot, dialog: SaleDialog, engine: Engine, owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    save_voucher(owner_ctx, VoucherDraft("TET", value=10_000, ends_at=clock.now()))
    save_voucher(owner_ctx, VoucherDraft("LON", value=10_000, min_order_value=200_000))
    (cid,) = customers_with(engine, [{"points_balance": 500}])
    scan(qtbot, dialog, SHIRT_S)  # 99,000 đ
    voucher = field(dialog, "voucherCode")
    qtbot.keyClicks(voucher, "tet")
    settle(qtbot, dialog)
    assert "Voucher TET has expired" in dialog.problems_label.text()
    voucher.clear()
    qtbot.keyClicks(voucher, "lon")
    settle(qtbot, dialog)
    assert "order below 200,000" in dialog.problems_label.text()
    voucher.clear()
    clock.advance(timedelta(seconds=1))
    hit = get_customer(owner_ctx, cid)
    assert hit is not None
    dialog.set_customer(hit)
    qtbot.keyClicks(field(dialog, "points"), "60")
    settle(qtbot, dialog)
    assert "at most 50% of this order" in dialog.problems_label.text()
    field(dialog, "points").clear()
    qtbot.keyClicks(field(dialog, "points"), "49")
    settle(qtbot, dialog)
    assert dialog.problems_label.text() == ""


def test_an_order_discount_over_the_goods_is_the_only_problem_said(
    qtbot, dialog: SaleDialog, engine: Engine, owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    """The voucher and points are weighed against the goods once the order discount is
    right: a refused discount says nothing of them ("order below 0 đ", "at most … (0 đ)")."""
    save_voucher(owner_ctx, VoucherDraft("GIAM20", value=20_000))
    (cid,) = customers_with(engine, [{"points_balance": 500}])
    clock.advance(timedelta(seconds=1))
    hit = get_customer(owner_ctx, cid)
    assert hit is not None
    dialog.set_customer(hit)
    scan(qtbot, dialog, SHIRT_S)  # 99,000 đ
    qtbot.keyClicks(field(dialog, "voucherCode"), "GIAM20")
    qtbot.keyClicks(field(dialog, "points"), "5")
    qtbot.keyClicks(field(dialog, "orderDiscount"), "200000")
    settle(qtbot, dialog)
    assert dialog.problems_label.text() == "The order discount must be between 0 and 99,000."
    field(dialog, "orderDiscount").clear()
    qtbot.keyClicks(field(dialog, "orderDiscount"), "9000")
    settle(qtbot, dialog)
    assert dialog.problems_label.text() == ""
    assert dialog.quote is not None and dialog.quote.voucher_discount == 20_000
    assert dialog.quote.points_discount > 0
