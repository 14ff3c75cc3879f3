"""Purchasing and stock-take fixes on screen: the stock-take's confirmation shows what each
changed line becomes (refusing lines below 0, warning of lines below what orders hold) and
the sheet's SKU column fits its SKUs; a delivery list imported onto typed lines never
re-prices them nor caps silently; the receipts page's message has a line of its own (and
follows the language); cancelling money is the owner's or a manager's, and says what money
goes; the demo's stock reasons read in the reader's language."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt

from primedist.domain.base import table_of
from primedist.domain.enums import Module, Role
from primedist.domain.goods_receipt import MAX_RECEIPT_QUANTITY
from primedist.domain.product import StockMovement, Variant
from primedist.services import goods_receipts as gr
from primedist.services import supplier_returns as sr
from primedist.services.context import Actor, ServiceContext
from primedist.ui.i18n import install_language
from primedist.ui.products import stocktake
from primedist.ui.products.receipts import SEARCH_MIN_WIDTH, GoodsReceiptDialog, GoodsReceiptsPage
from primedist.ui.products.stocktake import ApplyStocktakeDialog, Outcome, StocktakePage, Totals
from tests.factories import make_product
from tests.services.test_permissions import staff
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")


# --------------------------------------------------------------------------- stock-take


def test_the_confirmation_shows_what_each_line_becomes(qtbot) -> None:
    fine = Outcome("AO-S", "Áo", on_hand=10, difference=-2, reserved=0)
    short = Outcome("MU-1", "Mũ", on_hand=5, difference=-3, reserved=4)  # 2 left, 4 held
    dialog = ApplyStocktakeDialog(Totals(2, 2, -5, 0), outcomes=[fine, short])
    qtbot.addWidget(dialog)
    table = dialog.outcomes
    rows = [[table.item(r, c).text() for c in range(6)] for r in range(table.rowCount())]
    assert rows == [["MU-1", "Mũ", "5", "-3", "2", "4"], ["AO-S", "Áo", "10", "-2", "8", ""]]
    assert table.item(0, 4).toolTip() == "Below the 4 held for open orders"
    assert table.item(1, 4).toolTip() == ""
    assert not dialog.short.isHidden() and dialog.short.text().startswith("1 lines end below")
    assert dialog.below_zero.isHidden()
    qtbot.keyClicks(dialog.reason, "Kiem ke")
    assert dialog.ok.isEnabled()  # a warning only


def test_the_confirmation_refuses_lines_that_would_end_below_zero(qtbot) -> None:
    gone = Outcome("DEN-S", "Đèn", on_hand=2, difference=-39, reserved=0)
    dialog = ApplyStocktakeDialog(Totals(1, 1, -39, 0), outcomes=[gone])
    qtbot.addWidget(dialog)
    assert dialog.outcomes.item(0, 4).text() == "-37"
    assert dialog.outcomes.item(0, 4).toolTip() == "Below 0: count it again"
    assert not dialog.below_zero.isHidden()
    qtbot.keyClicks(dialog.reason, "Kiem ke")
    assert not dialog.ok.isEnabled()


@pytest.fixture
def sheet_page(qtbot, owner_ctx: ServiceContext) -> StocktakePage:
    return show_widget(qtbot, StocktakePage(owner_ctx), width=1280, height=700)


def load(qtbot, page: StocktakePage) -> None:
    with qtbot.waitSignal(page.sheetLoaded, timeout=WAIT):
        qtbot.mouseClick(page.load_button, Qt.MouseButton.LeftButton)


def test_apply_passes_the_stock_now_and_what_orders_hold(
    qtbot, monkeypatch, owner_ctx: ServiceContext, sheet_page: StocktakePage
) -> None:
    (lamp,) = make_product(owner_ctx.engine, "Đèn", [("ASML0001-DEN-S", 99_000, 40)])
    v = table_of(Variant).c
    with owner_ctx.engine.begin() as conn:
        conn.execute(sa.update(table_of(Variant)).where(v.id == lamp).values(reserved=3))
    load(qtbot, sheet_page)
    sheet_page.model.set_count(0, 1)
    from primedist.services.stock import stock_out

    stock_out(owner_ctx, lamp, 38, reason="bán khi đang đếm")  # 2 left
    asked: list[list[Outcome]] = []
    monkeypatch.setattr(stocktake, "ask_apply",
                        lambda _p, _t, _m=0, outcomes=(): asked.append(list(outcomes)))  # fmt: skip
    far_below: list[object] = []  # 1 counted of 40: the owner is asked first, says Yes
    monkeypatch.setattr(stocktake, "confirm_far_below",
                        lambda _p, lines: far_below.append(list(lines)) or True)  # fmt: skip
    qtbot.mouseClick(sheet_page.apply_button, Qt.MouseButton.LeftButton)
    assert far_below == [[("ASML0001-DEN-S", 1, 40)]]
    assert asked == [[Outcome("ASML0001-DEN-S", "Đèn", 2, -39, 3)]]
    assert asked[0][0].after == -37
    with owner_ctx.engine.connect() as conn:
        assert conn.execute(sa.select(v.stock).where(v.id == lamp)).scalar() == 2


def test_the_sku_column_fits_the_longest_sku(
    qtbot, owner_ctx: ServiceContext, sheet_page: StocktakePage
) -> None:
    make_product(owner_ctx.engine, "Đèn", [("ASML0001-DEN-S", 99_000, 4),
                                           ("ASML0001-DEN-XXL-TRANG", 99_000, 4)])  # fmt: skip
    load(qtbot, sheet_page)
    view = sheet_page.view
    needed = view.fontMetrics().horizontalAdvance("ASML0001-DEN-XXL-TRANG")
    assert view.columnWidth(0) > needed + 8  # not elided ("ASML0001-DEN…")
    assert view.columnWidth(2) > view.columnWidth(0)  # the product still has room


# --------------------------------------------------------------------------- receipts


@pytest.fixture
def goods(owner_ctx: ServiceContext) -> dict[str, int]:
    reu, cup = make_product(owner_ctx.engine, "Rèm", [("ASML0001-REU-M", 99_000, 0),
                                                      ("COC-1", 45_000, 0)])  # fmt: skip
    return {"reu": reu, "cup": cup}


@pytest.fixture
def dialog(qtbot, owner_ctx: ServiceContext, goods: dict[str, int]) -> GoodsReceiptDialog:
    widget = GoodsReceiptDialog(owner_ctx)
    qtbot.addWidget(widget)
    return widget


def lines(dialog: GoodsReceiptDialog) -> list[tuple[str, int, int | None]]:
    return [(ln.hit.sku, ln.quantity, ln.unit_cost) for ln in dialog.lines]


def test_a_list_at_another_cost_never_reprices_typed_units(qtbot, owner_ctx, dialog, tmp_path):
    reu = gr.find_variant(owner_ctx, "ASML0001-REU-M")
    cup = gr.find_variant(owner_ctx, "COC-1")
    dialog.prefill([(reu, 10, 50_000)])
    path = tmp_path / "giao.csv"
    path.write_text("sku,quantity,unit_cost\nCOC-1,3,20000\nASML0001-REU-M,5,60000\n")
    dialog.import_from(path)
    qtbot.waitUntil(lambda: not dialog._busy, timeout=WAIT)
    # Nothing added, not even the cups: all or none.
    assert lines(dialog) == [("ASML0001-REU-M", 10, 50_000)]
    assert dialog.problem.text() == (
        "SKU ASML0001-REU-M is on the receipt already at a unit cost of 50,000 VND and comes "
        "again at 60,000 VND: give one. Nothing was added."
    )
    assert not dialog.problem.isHidden()
    # A cost on one side only is refused as the list's reader refuses it.
    refusal = dialog.prefill([(cup, 1, None), (reu, 5, None)])
    assert "with a unit cost on one only: give it on both or on neither" in refusal
    assert lines(dialog) == [("ASML0001-REU-M", 10, 50_000)]
    # The same cost joins the line.
    assert dialog.prefill([(cup, 3, 20_000), (reu, 5, 50_000)]) == ""
    assert lines(dialog) == [("ASML0001-REU-M", 15, 50_000), ("COC-1", 3, 20_000)]


def test_more_than_the_limit_in_all_is_refused_not_capped(owner_ctx, dialog):
    reu = gr.find_variant(owner_ctx, "ASML0001-REU-M")
    dialog.prefill([(reu, 10, None)])
    refusal = dialog.prefill([(reu, MAX_RECEIPT_QUANTITY - 5, None)])
    assert (
        refusal == "SKU ASML0001-REU-M: 1,000,005 in all is more than 1,000,000. Nothing was added."
    )
    assert lines(dialog) == [("ASML0001-REU-M", 10, None)]
    assert dialog.problem.text() == refusal


@pytest.fixture
def receipts(qtbot, owner_ctx: ServiceContext) -> Iterator[GoodsReceiptsPage]:
    yield show_widget(qtbot, GoodsReceiptsPage(owner_ctx), width=1280)


def test_the_message_has_its_own_line_and_follows_the_language(qtbot, receipts) -> None:
    class Printed:
        where = "Máy in hóa đơn ở quầy thu ngân tầng một (HP LaserJet Pro M404dn)"

    receipts._printed(Printed())
    qtbot.wait(10)
    assert receipts.status.text() == f"Printed to {Printed.where}"
    assert receipts.status.isVisible()
    assert receipts.search.width() >= SEARCH_MIN_WIDTH
    assert receipts.status.geometry().top() > receipts.search.geometry().bottom()
    install_language("vi")
    qtbot.waitUntil(lambda: receipts.status.text() != f"Printed to {Printed.where}", timeout=WAIT)
    assert receipts.status.text().endswith(Printed.where)


def receipt_with(owner_ctx: ServiceContext, cup: int, paid: int | None) -> gr.ReceiptRow:
    return gr.receive_goods(
        owner_ctx,
        gr.ReceiptDraft([gr.ReceiptLine(cup, 10, 30_000)], supplier="Gốm Minh Long", paid=paid),
    )


def test_cancelling_a_paid_receipt_names_its_payment(qtbot, owner_ctx, goods, receipts):
    receipt_with(owner_ctx, goods["cup"], None)  # 300,000 paid with it
    receipts.refresh()
    qtbot.waitUntil(lambda: receipts.current() is not None, timeout=WAIT)
    box = receipts.ask_cancel()
    assert box is not None
    assert "the 300,000 VND paid to the supplier with it is cancelled too" in box.labelText()
    assert "the supplier owes it back to the shop" in box.labelText()
    box.reject()


def test_staff_cannot_cancel_money_from_the_page(qtbot, owner_ctx, goods):
    paid = receipt_with(owner_ctx, goods["cup"], None)
    (line,) = gr.receipt_lines(owner_ctx, paid.id)
    back = sr.return_to_supplier(owner_ctx, sr.ReturnDraft(paid.id, {line.id: 2}, "Vỡ",
                                                           refund=60_000))  # fmt: skip
    lan = staff(owner_ctx, Module.PRODUCTS)
    page = show_widget(qtbot, GoodsReceiptsPage(lan), width=1280)
    qtbot.waitUntil(lambda: bool(page.cancel_return_actions), timeout=WAIT)
    (separator, action) = page.cancel_return_actions
    assert not action.isEnabled() and "the owner or a manager" in action.text()
    assert page.ask_cancel_return(back) is None
    assert (
        page.message.text()
        == "Money came back with TH000001: only the owner or a manager may cancel it."
    )
    # The receipt: its returns first anyway; once they are gone, still the payment.
    sr.cancel_return(owner_ctx, back.id, "nhầm")
    page.refresh()
    qtbot.waitUntil(lambda: page.current() is not None and not page.standing_returns()
                    and bool(page.returns), timeout=WAIT)  # fmt: skip
    assert not page.cancel_receipt_action.isEnabled()
    assert "the owner or a manager" in page.cancel_receipt_action.text()
    assert page.ask_cancel() is None
    assert page.message.text() == (
        "300,000 VND was paid to the supplier with PN000001: only the owner or a manager may "
        "cancel it."
    )
    # A manager may.
    minh = owner_ctx.with_actor(Actor(None, "Minh", "minh@x.vn", Role.MANAGER))
    manager_page = show_widget(qtbot, GoodsReceiptsPage(minh), width=1280)
    qtbot.waitUntil(lambda: manager_page.current() is not None and bool(manager_page.returns),
                    timeout=WAIT)  # fmt: skip
    assert manager_page.cancel_receipt_action.isEnabled()


# --------------------------------------------------------------------------- demo


def test_the_demos_stock_reasons_read_in_the_readers_language(ctx: ServiceContext) -> None:
    from primedist.services import demo
    from primedist.ui.products.stock_dialogs import FIXED_REASONS, reason_label

    owner_ctx = ctx.with_actor(demo.ensure_demo_owner(ctx))
    demo.generate_demo(owner_ctx, orders=400, customers=60, seed=3)
    m = table_of(StockMovement).c
    with ctx.engine.connect() as conn:
        reasons = set(conn.execute(
            sa.select(m.reason).where(m.kind.in_(["stock_in", "stocktake"])).distinct()
        ).scalars())  # fmt: skip
    assert demo.OPENING_REASON in reasons
    # Each worded by the UI (a goods receipt's by its prefix).
    assert {r for r in reasons if not r.startswith("Goods receipt ")} <= set(FIXED_REASONS)
    assert reason_label(demo.OPENING_REASON) == "Opening stock"
    assert reason_label(demo.SOLD_OUT_REASON) == "Counted: none left"


def test_staff_cannot_cancel_a_return_with_money_back_from_the_suppliers_page(
    qtbot, owner_ctx, goods
):
    from primedist.ui.products.suppliers import SuppliersPage

    paid = receipt_with(owner_ctx, goods["cup"], None)
    (line,) = gr.receipt_lines(owner_ctx, paid.id)
    sr.return_to_supplier(owner_ctx, sr.ReturnDraft(paid.id, {line.id: 2}, "Vỡ", refund=60_000))
    plain = receipt_with(owner_ctx, goods["cup"], None)
    (line,) = gr.receipt_lines(owner_ctx, plain.id)
    sr.return_to_supplier(owner_ctx, sr.ReturnDraft(plain.id, {line.id: 1}, "Mẻ"))
    page = show_widget(qtbot, SuppliersPage(staff(owner_ctx, Module.PRODUCTS)), width=1280)
    qtbot.waitUntil(lambda: len(page.ledger) == 7, timeout=WAIT)  # + 2 payments, 1 refund

    def select(kind: str, code: str) -> None:
        row = next(i for i, e in enumerate(page.ledger) if e.kind == kind and e.code == code)
        page.ledger_table.selectRow(row)

    select("return", "TH000001")  # its 60,000 came back
    assert not page.cancel_payment_button.isEnabled()
    assert "only the owner or a manager" in page.cancel_payment_button.toolTip()
    select("refund", "TH000001")
    assert not page.cancel_payment_button.isEnabled()
    select("return", "TH000002")  # goods only: staff may
    assert page.cancel_payment_button.isEnabled()
