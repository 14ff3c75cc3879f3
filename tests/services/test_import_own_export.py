"""An orders export given back to the order import is refused as what it is (one row per
order, no product lines) and points to the order template; the product and customer
exports, which are in their import's columns, still import back unchanged."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from primedist.errors import ValidationError
from primedist.services.context import ServiceContext
from primedist.services.customer_export import export_customers
from primedist.services.customer_import import import_customers
from primedist.services.order_export import export_orders
from primedist.services.order_import import import_orders
from primedist.services.product_export import export_products
from primedist.services.product_import import import_products
from primedist.services.seller_center_import import detect_file_format, import_orders_file
from tests.factories import make_customers, make_orders, make_product, make_shop

START = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)


def refusal(name: str) -> str:
    return (
        f"{name} is an orders export from this app (one row per order, no product lines): "
        "it cannot be imported back. To import orders, fill in the order template (primedist "
        "import template orders FILE, or Template… beside Import on the Orders tab)."
    )


def order_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT COUNT(*) FROM orders")).scalar_one())


@pytest.fixture
def orders_export(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> Callable[[str], Path]:
    """`orders_export(lang)`: the real export of 12 orders, in Vietnamese or English."""
    shop = make_shop(engine, "Shopee Chính Hãng", "shopee")
    make_orders(engine, shop, 12, start=START, step=timedelta(hours=7))

    def write(lang: str) -> Path:
        return export_orders(owner_ctx, tmp_path / f"o-{lang}.xlsx", lang=lang).path

    return write


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_order_import_refuses_an_orders_export_naming_it(
    owner_ctx: ServiceContext, engine: Engine, orders_export: Callable[[str], Path], lang: str
) -> None:
    path = orders_export(lang)
    before = order_count(engine)
    for run in (
        lambda: import_orders(owner_ctx, path),  # the template (the command's default)
        lambda: import_orders_file(owner_ctx, path, fmt="template"),
        lambda: import_orders_file(owner_ctx, path, fmt="auto"),  # the Orders tab's Import
        lambda: import_orders_file(owner_ctx, path, fmt="template", shop="Shopee Chính Hãng"),
        lambda: detect_file_format(path),
    ):
        with pytest.raises(ValidationError) as caught:
            run()
        assert str(caught.value) == refusal(path.name)
        assert caught.value.column is None  # no column to blame: the whole file is wrong
    assert order_count(engine) == before


def test_an_orders_export_saved_again_as_csv_is_recognised(
    owner_ctx: ServiceContext, orders_export: Callable[[str], Path], tmp_path: Path
) -> None:
    # Opened in Excel, a column deleted, saved as CSV: still the orders export.
    rows = [[c.value for c in row] for row in load_workbook(orders_export("vi")).active.iter_rows()]
    path = tmp_path / "don hang.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(row[:-1] for row in rows)  # without "Ghi chú nội bộ"
    with pytest.raises(ValidationError) as caught:
        import_orders(owner_ctx, path)
    assert str(caught.value) == refusal("don hang.csv")


def test_a_template_lacking_a_column_is_still_refused_for_that_column(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    path = tmp_path / "t.csv"
    path.write_text("order_id,order_date,shop,status,quantity,unit_price\nA1,2026-05-01,S,"
                    "completed,1,1000\n", encoding="utf-8")  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        import_orders(owner_ctx, path)
    assert caught.value.column == "sku" and "has no such column" in str(caught.value)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_products_export_still_imports_back_unchanged(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path, lang: str
) -> None:
    make_product(engine, "Áo thun cotton", [("AO-DO-M", 150_000, 20), ("AO-DO-L", 155_000, 12)])
    path = export_products(owner_ctx, tmp_path / f"p-{lang}.xlsx", lang=lang).path
    report = import_products(owner_ctx, path)
    assert (report.products_unchanged, report.variants_unchanged) == (1, 2)
    assert not report.rejected and not report.ignored_columns


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_customers_export_still_imports_back_unchanged(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path, lang: str
) -> None:
    make_customers(engine, 3)
    path = export_customers(owner_ctx, tmp_path / f"k-{lang}.xlsx", lang=lang).path
    report = import_customers(owner_ctx, path, on_duplicate="update")
    assert (report.unchanged, report.imported, report.updated) == (3, 0, 0)
    assert not report.rejected
