"""Barcode labels without Qt: the label papers, where each label sits, the Code 128
modules and which codes a paper can carry."""

from __future__ import annotations

import pytest

from primedist.errors import ValidationError
from primedist.printing.labels import (
    DOT_MM,
    MAX_LABELS,
    STOCKS,
    LabelItem,
    LabelOptions,
    StockKind,
    check_items,
    code_modules,
    code_problem,
    page_count,
    pages,
)


def item(sku: str, copies: int = 1, code: str | None = None) -> LabelItem:
    return LabelItem(1, sku, code or sku, "Áo thun", "Đỏ / XL", 129_000, 5, copies)


@pytest.mark.parametrize("stock", list(STOCKS.values()), ids=list(STOCKS))
def test_every_label_is_on_its_page(stock):
    """Labels never overlap and never leave the page."""
    cells = [stock.cell(i) for i in range(stock.per_page)]
    for x, y in cells:
        assert 0 <= x and x + stock.label_w <= stock.page_w + 1e-9
        assert 0 <= y and y + stock.label_h <= stock.page_h + 1e-9
    for i, (x, y) in enumerate(cells):
        for x2, y2 in cells[i + 1 :]:
            apart = x2 >= x + stock.label_w - 1e-9 or y2 >= y + stock.label_h - 1e-9
            assert apart, (x, y, x2, y2)


def test_rolls_are_one_row_a_page_and_sheets_are_a4():
    roll = STOCKS["roll_35x22_2"]
    assert (roll.kind, roll.columns, roll.rows, roll.page_h) == (StockKind.ROLL, 2, 1, 22)
    assert roll.cell(1)[0] - roll.cell(0)[0] == pytest.approx(35 + 2)  # the liner's gap
    sheet = STOCKS["a4_65"]
    assert (sheet.page_w, sheet.page_h, sheet.per_page) == (210, 297, 65)
    # Centred on the sheet, as the label makers cut them.
    assert sheet.left == pytest.approx(210 - sheet.cell(4)[0] - sheet.label_w)


def test_copies_fill_pages_in_order():
    items = [item("A", 3), item("B", 0), item("C", 2)]
    got = list(pages(items, LabelOptions(stock="roll_35x22_2")))
    assert [[p.item.sku for p in page] for page in got] == [["A", "A"], ["A", "C"], ["C"]]
    assert page_count(items, LabelOptions(stock="roll_35x22_2")) == 3
    assert page_count(items, LabelOptions(stock="roll_50x30_1")) == 5


def test_a_sheet_starts_after_the_labels_already_used():
    stock = STOCKS["a4_65"]
    opts = LabelOptions(stock="a4_65", skip=63)
    first, second = pages([item("A", 4)], opts)
    assert [(p.x, p.y) for p in first] == [stock.cell(63), stock.cell(64)]
    assert [(p.x, p.y) for p in second] == [stock.cell(0), stock.cell(1)]
    assert page_count([item("A", 4)], opts) == 2
    # The last label of the sheet is the last one to start at.
    (last,) = pages([item("A", 1)], LabelOptions(stock="a4_65", skip=64))
    assert (last[0].x, last[0].y) == stock.cell(64)


@pytest.mark.parametrize(("stock", "start"), [("a4_65", 66), ("a4_65", 70), ("a4_24", 25),
                                              ("a4_24", 0)])  # fmt: skip
def test_a_start_beyond_the_sheet_is_refused(stock, start):
    """Start 70 on a 65-label sheet used to print at label 65, silently."""
    opts = LabelOptions(stock=stock, skip=start - 1)
    n = STOCKS[stock].per_page
    for count in (
        lambda: page_count([item("A", 1)], opts),
        lambda: list(pages([item("A", 1)], opts)),
    ):
        with pytest.raises(ValidationError) as err:
            count()
        assert str(err.value) == (
            f"There is no label {start} on a sheet of {stock}: start at a label from 1 to {n}."
        )


def test_a_start_on_a_roll_is_refused():
    """A roll has no used labels to skip: a start label is refused, not ignored."""
    with pytest.raises(ValidationError, match="roll_35x22_2 is a roll"):
        page_count([item("A", 1)], LabelOptions(stock="roll_35x22_2", skip=5))
    (row,) = pages([item("A", 1)], LabelOptions(stock="roll_35x22_2"))
    assert (row[0].x, row[0].y) == STOCKS["roll_35x22_2"].cell(0)


def test_code_128_modules():
    bars = code_modules("SKU-00001")
    assert set(bars) == {"0", "1"}
    assert bars.startswith("11010010000")  # Start B
    assert bars.endswith("1100011101011")  # Stop
    assert len(bars) == 11 * (1 + 9 + 1) + 13
    # Digits pack two to a symbol (code set C): a 13-digit barcode is shorter than 13 letters.
    assert len(code_modules("8934563123456")) < len(code_modules("ABCDEFGHIJKLM"))


def test_module_is_whole_dots_of_a_label_printer():
    stock = STOCKS["roll_35x22_2"]
    for modules in (60, 134, 200, stock.max_modules):
        dots = stock.module_mm(modules) / DOT_MM
        assert dots == pytest.approx(round(dots)) and dots >= 1
        assert stock.module_mm(modules) * modules <= stock.bars_mm
    assert stock.module_mm(20) / DOT_MM == pytest.approx(4)  # capped: wider reads no better


def test_which_codes_a_paper_can_carry():
    narrow, wide = STOCKS["roll_35x22_2"], STOCKS["a4_24"]
    assert code_problem("SKU-00001", narrow) is None
    assert code_problem("8934563123456", narrow) is None
    assert "without accents" in code_problem("ÁO-ĐỎ", narrow)
    long_code = "ABCDEFGHIJKLMNOPQRSTUVW"
    assert "too long for 35 mm" in code_problem(long_code, narrow)
    assert code_problem(long_code, wide) is None
    assert "neither a barcode nor a SKU" in code_problem("  ", narrow)


def test_check_items_names_the_sku_and_the_limits():
    stock = STOCKS["roll_35x22_2"]
    check_items([item("A", 2), item("ÁO", 0)], stock)  # no copies: never printed, no problem
    with pytest.raises(ValidationError, match="SKU ÁO: 'ÁO' cannot be a barcode"):
        check_items([item("A", 2), item("ÁO", 1)], stock)
    with pytest.raises(ValidationError, match="no labels to print"):
        check_items([item("A", 0)], stock)
    with pytest.raises(ValidationError, match="too many for one job"):
        check_items([item("A", 1_000)] * (MAX_LABELS // 1_000 + 1), stock)
    with pytest.raises(ValidationError, match="between 0 and 1,000"):
        check_items([item("A", 1_001)], stock)
    with pytest.raises(ValidationError, match="no label paper named 'a3'"):
        page_count([item("A")], LabelOptions(stock="a3"))
