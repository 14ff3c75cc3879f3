"""Amounts in an import file as a shop owner types them in Excel: "189.000" (a đồng has no
decimals, so a dot or comma before three digits groups thousands), "189,000", "189.000 đ",
"189k" — read as the product form and the sale screen read them; no whole đồng refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from primedist.io.tabular import parse_amount
from primedist.services.context import ServiceContext
from primedist.services.order_import import RejectedRow, import_orders
from primedist.services.product_import import import_products
from tests.services import test_order_import as orders
from tests.services.test_product_import import mug, table_rows, variant, write_csv, write_xlsx

TYPED = [
    ("189.000", 189_000),
    ("189,000", 189_000),
    ("1.234.567", 1_234_567),
    ("1,234,567", 1_234_567),
    ("189000", 189_000),
    ("189.000 đ", 189_000),
    ("189.000₫", 189_000),
    ("189k", 189_000),
    ("189 000", 189_000),
]


@pytest.mark.parametrize(("text", "amount"), [*TYPED, (189_000, 189_000), (189_000.0, 189_000)])
def test_parse_amount_reads_what_the_product_form_reads(text: object, amount: int) -> None:
    assert parse_amount(text) == amount  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "reason"),
    [("189.5", "'189.5' is not a whole number"), ("1.5", "'1.5' is not a whole number"),
     ("1,5", "'1,5' is not a whole number"), (189.5, "189.5 is not a whole number"),
     ("1.234,567", "has a thousands separator"), ("abc", "'abc' is not a number")],
)  # fmt: skip
def test_parse_amount_refuses_what_is_no_whole_dong(text: object, reason: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_amount(text)  # type: ignore[arg-type]
    assert reason in str(info.value)


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_the_money_columns_take_thousands_separators_and_signs(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path, kind: str
) -> None:
    rows = [
        mug(f"Cốc {i}", f"C-{i}", price=text, cost="80.000", discount_price="")
        for i, (text, _amount) in enumerate(TYPED)
    ]
    rows.append(mug("Áo", "AO-1", price="1,234,567", cost="50k", discount_price="999.000 đ"))
    writer = write_xlsx if kind == "xlsx" else write_csv
    report = import_products(owner_ctx, writer(tmp_path / f"p.{kind}", rows))
    assert report.rejected == []
    for i, (_text, amount) in enumerate(TYPED):
        got = variant(engine, f"C-{i}")
        assert (got["price"], got["cost"]) == (amount, 80_000)
    shirt = variant(engine, "AO-1")
    assert (shirt["price"], shirt["cost"], shirt["discount_price"]) == (1_234_567, 50_000, 999_000)


def test_an_excel_number_cell_is_taken_as_it_is(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    rows = [mug("Cốc", "C-1", price=189_000.0), mug("Bát", "B-1", price=189.5)]
    report = import_products(owner_ctx, write_xlsx(tmp_path / "p.xlsx", rows))
    assert variant(engine, "C-1")["price"] == 189_000
    assert report.rejected == [RejectedRow(3, "price", "189.5 is not a whole number")]


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [("price", "189.5", "'189.5' is not a whole number"),
     ("cost", "1.5", "'1.5' is not a whole number"),
     ("discount_price", "2,5", "'2,5' is not a whole number")],
)  # fmt: skip
def test_an_amount_with_decimals_is_refused_naming_row_and_column(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path, column: str, value: str,
    reason: str,
) -> None:  # fmt: skip
    rows: list[dict[str, Any]] = [{**mug("Cốc", "C-1", price="10.000"), column: value}]
    report = import_products(owner_ctx, write_xlsx(tmp_path / "p.xlsx", rows))
    assert report.rejected == [RejectedRow(2, column, reason)]
    assert table_rows(engine, "products") == []


def test_the_order_import_reads_its_amounts_the_same_way(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    line = {**orders.BASE, "unit_price": "189.000", "shipping_fee": "15.000 đ",
            "discount": "10k", "quantity": "2"}  # fmt: skip
    report = import_orders(owner_ctx, orders.write_xlsx(tmp_path / "o.xlsx", [line]))
    assert report.rejected == []
    got = orders.order(engine, "DH001")
    assert (got["subtotal"], got["shipping_fee"], got["seller_discount"]) == (
        378_000, 15_000, 10_000)  # fmt: skip
    bad = {**line, "order_id": "DH009", "unit_price": "189.5"}
    report = import_orders(owner_ctx, orders.write_xlsx(tmp_path / "bad.xlsx", [bad]))
    assert report.rejected == [RejectedRow(2, "unit_price", "'189.5' is not a whole number")]
