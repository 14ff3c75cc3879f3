"""The product import and form on the codes a scan finds and the stock an export carries:
re-importing an export keeps the sales made since, a barcode is never another product's
SKU, case twins of a SKU on one shop are refused, and the stock limit is the app's one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy.engine import Engine

from primedist.domain.enums import Channel, StockMoveKind
from primedist.errors import ValidationError
from primedist.services import catalogue, product_import
from primedist.services.catalogue import ProductDraft, VariantDraft, variant_field
from primedist.services.context import ServiceContext
from primedist.services.order_import import RejectedRow
from primedist.services.orders import DraftLine, OrderDraft, create_order
from primedist.services.product_export import export_products
from primedist.services.product_import import import_products
from primedist.services.sale_lookup import find_variant_by_code
from tests.factories import make_shop
from tests.services.test_product_import import COUNTER, moves, mug, variant, write_csv

SHOPEE = "Shopee Áo"


@pytest.fixture(params=["indexed", "one pass"])
def lookups(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The any-case code look-ups both ways: by chunks of codes, and one pass over the
    variants (a big file)."""
    if request.param == "one pass":
        monkeypatch.setattr(product_import, "_SCAN_CODES", 0)


@pytest.fixture
def shopee(engine: Engine, owner_ctx: ServiceContext) -> int:
    return make_shop(engine, SHOPEE, Channel.SHOPEE)


def imported(ctx: ServiceContext, tmp_path: Path, rows: list[dict[str, Any]], name: str) -> Any:
    return import_products(ctx, write_csv(tmp_path / f"{name}.csv", rows))


# --------------------------------------------------------------------------- export round trip


def edit_export(path: Path, sku: str, **cells: Any) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        by_name = dict(zip(header, row, strict=True))
        if by_name["Mã SKU"].value == sku:
            for name, value in cells.items():
                by_name[name].value = value
    book.save(path)


def test_reimporting_an_export_keeps_the_sales_made_since(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    imported(owner_ctx, tmp_path, [mug(stock="219"), mug("Bát", "BAT-1", stock="40")], "a")
    path = export_products(owner_ctx, tmp_path / "out.xlsx", lang="vi").path
    sell = OrderDraft(lines=(DraftLine(variant(engine, "COC-1")["id"], 5),))
    create_order(owner_ctx, sell)
    report = import_products(owner_ctx, path)  # the stock column as exported: not edited
    assert report.stock_moves == 0
    assert variant(engine, "COC-1")["stock"] == 214
    # An edited stock moves the stock by what was changed (+2 found), from where it is now.
    edit_export(path, "COC-1", **{"Tồn kho": 221})
    edit_export(path, "BAT-1", **{"Tồn kho": 38})
    create_order(owner_ctx, sell)
    report = import_products(owner_ctx, path)
    assert report.stock_moves == 2
    assert variant(engine, "COC-1")["stock"] == 214 - 5 + 2
    assert moves(engine, "COC-1")[-1] == (StockMoveKind.ADJUSTMENT, 2, 211, "Import")
    assert variant(engine, "BAT-1")["stock"] == 38
    # Without the on-hand column the stock is set to the file's, as before.
    rows = [mug(stock="100")]
    imported(owner_ctx, tmp_path, rows, "b")
    assert variant(engine, "COC-1")["stock"] == 100


def test_a_stock_above_the_apps_limit_is_refused_not_a_crash(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    report = imported(owner_ctx, tmp_path, [mug(stock="1000001"), mug("Bát", "BAT-1")], "big")
    assert report.rejected == [
        RejectedRow(2, "stock", "1,000,001 is more than the limit of 1,000,000")
    ]
    assert variant(engine, "BAT-1")["stock"] == 4


# --------------------------------------------------------------------------- barcode vs SKU


def test_a_barcode_that_is_another_products_sku_is_refused(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path, lookups: None
) -> None:
    imported(owner_ctx, tmp_path, [mug("Bút bi", "BUT-01", barcode="8930001")], "a")
    # The stored SKU as another product's barcode (any case); the stored barcode as a SKU.
    report = imported(owner_ctx, tmp_path, [
        mug("Vở kẻ ngang", "VO-01", barcode="but-01"), mug("Thước", "8930001"),
        mug("Tẩy", "TAY-1", barcode="8930002")], "b")  # fmt: skip
    assert report.rejected == [
        RejectedRow(2, "barcode", "barcode 'but-01' of “Vở kẻ ngang” is SKU 'BUT-01' of “Bút "
                    "bi”: a scan of that SKU would find “Vở kẻ ngang”; give another barcode"),
        RejectedRow(3, "sku", "SKU '8930001' of “Thước” is the barcode of SKU 'BUT-01' of “Bút "
                    "bi”: a scan of it would find “Bút bi”; give another SKU"),
    ]  # fmt: skip
    # Within one file: the row whose barcode is the other row's SKU.
    rows = [mug("Bánh", "BANH-1"), mug("Kẹo", "KEO-1", barcode="BANH-1")]
    report = imported(owner_ctx, tmp_path, rows, "c")
    assert [(r.row, r.column) for r in report.rejected] == [(3, "barcode")]
    hit = find_variant_by_code(owner_ctx, "BUT-01")
    assert hit is not None and hit.sku == "BUT-01"


def test_the_form_refuses_a_barcode_that_is_another_products_sku(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    imported(owner_ctx, tmp_path, [mug("Bút bi", "BUT-01", barcode="8930001")], "a")
    draft = ProductDraft(name="Vở", variants=[VariantDraft(sku="VO-01", barcode="BUT-01",
                                                           price=12_000)])  # fmt: skip
    with pytest.raises(ValidationError) as info:
        catalogue.create_product(owner_ctx, draft)
    assert info.value.field == variant_field(0, "barcode")
    assert "is SKU BUT-01 of “Bút bi”" in info.value.user_message
    draft = ProductDraft(name="Thước", variants=[VariantDraft(sku="8930001", price=5_000)])
    with pytest.raises(ValidationError) as info:
        catalogue.create_product(owner_ctx, draft)
    assert info.value.field == variant_field(0, "sku")
    assert "is the barcode of BUT-01 of “Bút bi”" in info.value.user_message
    # Within one product: a variant's barcode that is another variant's SKU.
    draft = ProductDraft(name="Bộ", option1_name="Loại", variants=[
        VariantDraft(sku="BO-1", option1="A", price=1), VariantDraft(
            sku="BO-2", option1="B", barcode="bo-1", price=1)])  # fmt: skip
    with pytest.raises(ValidationError, match="the barcode is variant 1's SKU"):
        catalogue.create_product(owner_ctx, draft)
    # Its own SKU as its barcode is fine.
    draft = ProductDraft(name="Cọ", variants=[VariantDraft(sku="CO-1", barcode="CO-1", price=1)])
    catalogue.create_product(owner_ctx, draft)


# --------------------------------------------------------------------------- case twins


def test_a_sku_differing_only_in_case_on_the_same_shop_is_refused(
    owner_ctx: ServiceContext, engine: Engine, shopee: int, tmp_path: Path, lookups: None
) -> None:
    imported(owner_ctx, tmp_path, [mug("Áo thun", "AO-1")], "a")  # on COUNTER
    report = imported(owner_ctx, tmp_path, [mug("Áo khoác", "ao-1")], "b")
    assert report.rejected == [RejectedRow(2, "sku", (
        f"SKU 'ao-1' differs only in letter case from SKU 'AO-1' of “Áo thun” on {COUNTER}: "
        "a scan could not tell them apart"))]  # fmt: skip
    # On another shop: allowed (as the same SKU would be).
    report = imported(owner_ctx, tmp_path, [mug("Áo khoác", "ao-1", shops=SHOPEE)], "c")
    assert report.rejected == [] and report.products_created == 1
    # Within one file, on one shop: the second is refused.
    report = imported(owner_ctx, tmp_path, [mug("Quần A", "QU-1"), mug("Quần B", "qu-1")], "d")
    assert [(r.row, r.column) for r in report.rejected] == [(3, "sku")]
    # The form: the same rule.
    draft = ProductDraft(name="Áo len", variants=[VariantDraft(sku="Ao-1", price=1)],
                         shop_ids=[shopee])  # fmt: skip
    with pytest.raises(ValidationError) as info:
        catalogue.create_product(owner_ctx, draft)
    assert info.value.user_message.endswith(
        "SKU Ao-1 differs only in letter case from SKU ao-1 of “Áo khoác” on Shopee Áo: a "
        "scan could not tell them apart."
    )


def test_a_scan_finds_the_exact_sku_before_a_case_twin(
    owner_ctx: ServiceContext, engine: Engine, shopee: int, tmp_path: Path
) -> None:
    imported(owner_ctx, tmp_path, [mug("Áo khoác", "ao-1", shops=SHOPEE)], "a")
    imported(owner_ctx, tmp_path, [mug("Áo thun", "AO-1")], "b")  # another shop: allowed
    for code, name in (("AO-1", "Áo thun"), ("ao-1", "Áo khoác")):
        hit = find_variant_by_code(owner_ctx, code)
        assert hit is not None and hit.product_name == name
