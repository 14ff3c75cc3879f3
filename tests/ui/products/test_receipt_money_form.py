"""Goods receipts show money in the app's one form (`ui.formatting.money_text`): the
amount with its ₫, below zero with the minus "−" (never a hyphen): the receipts list, a
receipt's lines and what is said of them, a new receipt's lines, totals and refusals, the
receipt printed; the Excel export keeps numbers, formatted the same way. In Vietnamese, as
the shop reads it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import openpyxl
import pytest

from primedist.core.money import money_number_format
from primedist.services import goods_receipts as gr
from primedist.services import supplier_returns as sr
from primedist.services.context import ServiceContext
from primedist.ui.formatting import money_text
from primedist.ui.products.page import ProductsPage
from primedist.ui.products.receipts import COST, DRAFT_COLUMNS, GoodsReceiptsPage
from tests.printing.conftest import shop_ctx  # noqa: F401  (the shop's details printed)
from tests.printing.support import pdf_text
from tests.printing.test_goods_receipt_print import delivery
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("vietnamese", "no_crash")
#: An amount of money as the formatter writes it in Vietnamese.
MONEY = re.compile(r"−?\d{1,3}(\.\d{3})* ₫")
#: Anything that looks like an amount: a figure of thousands, with what surrounds it.
FIGURE = re.compile(r"[-−]?\d{1,3}(?:\.\d{3})+(?: ₫)?|[-−]?\d+ ₫")
AMOUNT = DRAFT_COLUMNS.index("amount")


def amounts(text: str) -> list[str]:
    found = FIGURE.findall(text)
    assert found, text
    return found


def formatter_form(text: str) -> bool:
    return all(MONEY.fullmatch(a) for a in amounts(text))


@pytest.fixture
def receipt(shop_ctx: ServiceContext) -> gr.ReceiptRow:  # noqa: F811
    """432.000 ₫ of goods, 132.000 ₫ paid; two candles (36.000 ₫) sent back, 10.000 ₫ of
    it given back."""
    row = delivery(shop_ctx, paid=132_000)
    candle = gr.receipt_lines(shop_ctx, row.id)[0]
    sr.return_to_supplier(shop_ctx, sr.ReturnDraft(row.id, {candle.id: 2}, "Vỡ",
                                                   refund=10_000))  # fmt: skip
    return row


@pytest.fixture
def receipts(qtbot, shop_ctx, receipt) -> Iterator[GoodsReceiptsPage]:  # noqa: F811
    page = show_widget(qtbot, ProductsPage(shop_ctx), height=760)
    page.show_tab(ProductsPage.RECEIPTS)
    found = page.receipts
    assert isinstance(found, GoodsReceiptsPage)
    qtbot.waitUntil(lambda: found.lines_table.rowCount() == 2 and bool(found.returns),
                    timeout=WAIT)  # fmt: skip
    yield found
    page.shutdown()


def test_the_list_and_a_receipts_lines(receipts):
    columns = GoodsReceiptsPage.COLUMNS
    row = [receipts.table.item(0, c).text() for c in range(len(columns))]
    assert row[columns.index("cost")] == "432.000 ₫" == money_text(432_000)
    assert row[columns.index("paid")] == "132.000 ₫"
    assert formatter_form(receipts.table.item(0, columns.index("paid")).toolTip())
    lines = [[receipts.lines_table.item(r, c).text() for c in (4, 5)] for r in range(2)]
    assert lines[0] == ["18.000 ₫", "432.000 ₫"]
    # The cups came without a cost: nothing shown rather than a bare 0.
    assert all(MONEY.fullmatch(t) or t == "" for t in lines[1])
    title = receipts.lines_title.text()
    assert "36.000 ₫" in title and "10.000 ₫" in title and formatter_form(title)


def test_a_new_receipts_lines_totals_and_refusals(receipts, shop_ctx):  # noqa: F811
    dialog = receipts.new_receipt()
    dialog.supplier.setText("Gốm Minh Long")
    cup = gr.find_variant(shop_ctx, "COC-1")
    assert dialog.prefill([(cup, 3, None)]) == ""
    dialog.set_cost(0, "30000")
    # The unit cost typed reads as the amount beside it does ("30.000", no ₫, before).
    assert dialog.table.item(0, COST).text() == "30.000 ₫"
    assert dialog.table.item(0, AMOUNT).text() == "90.000 ₫"
    assert "90.000 ₫" in dialog.totals.text() and formatter_form(dialog.totals.text())
    dialog.set_paid("50000")
    assert dialog.owed.text().endswith("40.000 ₫") and formatter_form(dialog.owed.text())
    refusal = dialog.prefill([(cup, 1, 35_000)])
    assert "30.000 ₫" in refusal and "35.000 ₫" in refusal and formatter_form(refusal)
    dialog.set_cost(0, "30.000 ₫")  # what the cell shows, typed back: the same cost
    assert [(ln.unit_cost, ln.cost_ok) for ln in dialog.lines] == [(30_000, True)]
    dialog.close()


def test_the_printed_receipt(qtbot, receipts, tmp_path):
    out = tmp_path / "pn.pdf"
    receipts.print_receipt(out)
    qtbot.waitUntil(out.exists, timeout=WAIT)
    text = pdf_text(out)
    # What went back is taken off with the screens' minus, never a hyphen.
    assert "−36.000 ₫" in text and "-36.000" not in text
    assert all(MONEY.fullmatch(a) for a in FIGURE.findall(text)), text


def test_the_export_keeps_numbers_shown_as_money(qtbot, receipts, tmp_path):
    target = tmp_path / "nhap.xlsx"
    receipts.export_to(target)
    qtbot.waitUntil(lambda: receipts.last_export is not None, timeout=WAIT)
    sheet = openpyxl.load_workbook(target).active
    header = [c.value for c in sheet[1]]
    cost, amount = header.index("Giá vốn") + 1, header.index("Thành tiền") + 1
    candle = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 6).value == "NEN-01")
    for column, value in ((cost, 18_000), (amount, 432_000)):
        cell = sheet.cell(candle, column)
        assert cell.value == value and isinstance(cell.value, int)  # a number, summable
        assert cell.number_format == money_number_format("vi") == '#,##0 "₫";"−"#,##0 "₫"'
    quantity = sheet.cell(candle, header.index("Số lượng") + 1)
    assert quantity.value == 24 and quantity.number_format == "General"
