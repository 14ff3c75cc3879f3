"""`export_products`: the product template as a typed .xlsx, and the round trip back."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.enums import Channel, Module, ProductStatus, Role
from primedist.errors import Cancelled, PermissionDenied, ValidationError
from primedist.jobs.progress import JobProgress
from primedist.queries.products import ProductFilter
from primedist.services.context import Actor, ServiceContext
from primedist.services.product_export import EXPORT_COLUMNS, export_products
from primedist.services.product_import import COLUMNS, HEADERS, import_products
from tests.conftest import FIXED_NOW, PG_URL
from tests.factories import make_shop
from tests.services.test_product_import import (
    COUNTER,
    SHOPEE,
    dump,
    grid,
    mug,
    table_rows,
    write_xlsx,
)

sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="FTS5 search tables are SQLite-only")
EVIL = '=HYPERLINK("http://evil.example","Bấm vào đây")'


def catalogue() -> list[dict[str, Any]]:
    """The grid shirt, a hidden mug with a leading-zero SKU, a formula-looking name."""
    return [
        *grid(),
        mug("Cốc sứ Bát Tràng", "00123", barcode="0893000001", status="hidden",
            description="-giảm 10%", low_stock_level="2"),
        mug(EVIL, "EVIL-1", shops=""),
    ]  # fmt: skip


def read_sheet(path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    book = openpyxl.load_workbook(path)
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return header, [dict(zip(header, row, strict=True)) for row in rows[1:]]


def xlsx_to_csv(source: Path, target: Path) -> Path:
    """What a shop owner gets with Excel's "Save as CSV UTF-8" (numbers written plainly)."""
    header, rows = read_sheet(source)
    with target.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if row[h] is None else row[h] for h in header])
    return target


@pytest.fixture
def stocked(owner_ctx: ServiceContext, engine: Engine, tmp_path: Path) -> Path:
    make_shop(engine, SHOPEE, Channel.SHOPEE)
    path = write_xlsx(tmp_path / "source.xlsx", catalogue())
    report = import_products(owner_ctx, path)
    assert (report.products_created, report.rejected) == (3, [])
    return path


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_import_export_import_is_all_unchanged(
    owner_ctx: ServiceContext, engine: Engine, stocked: Path, tmp_path: Path, lang: str
) -> None:
    before = dump(engine)
    exported = export_products(owner_ctx, tmp_path / "out.xlsx", lang=lang)
    assert exported.rows == 8
    audits_before = len(table_rows(engine, "audit_events", action="products.export"))
    assert audits_before == 1
    again = import_products(owner_ctx, exported.path)
    assert again.rejected == []
    assert (again.products_unchanged, again.variants_unchanged) == (3, 8)
    assert not again.changed
    as_csv = import_products(owner_ctx, xlsx_to_csv(exported.path, tmp_path / "out.csv"))
    assert (as_csv.products_unchanged, as_csv.variants_unchanged, as_csv.rejected) == (3, 8, [])
    after = dump(engine)
    del after["audit_events"], before["audit_events"]
    assert after == before


@pytest.mark.parametrize(("lang", "active", "hidden"),
                         [("vi", "Đang bán", "Đang ẩn"), ("en", "active", "hidden")])  # fmt: skip
def test_the_status_is_in_the_files_language_and_reads_back(
    owner_ctx: ServiceContext, engine: Engine, stocked: Path, tmp_path: Path, lang: str,
    active: str, hidden: str,
) -> None:  # fmt: skip
    before = dump(engine)
    path = export_products(owner_ctx, tmp_path / "out.xlsx", lang=lang).path
    header, rows = read_sheet(path)
    status = HEADERS["status"][0 if lang == "vi" else 1]
    by_sku = {r[header[3]]: r[status] for r in rows}
    assert (by_sku["00123"], by_sku["AO-00"]) == (hidden, active)
    again = import_products(owner_ctx, path)
    assert (again.products_unchanged, again.rejected, again.changed) == (3, [], False)
    after = dump(engine)
    del after["audit_events"], before["audit_events"]
    assert after == before


def test_text_that_starts_with_a_quote_and_a_formula_sign_comes_back_as_it_was(
    owner_ctx: ServiceContext, engine: Engine, stocked: Path, tmp_path: Path
) -> None:
    with engine.begin() as conn:  # as the product form stores what the owner typed
        conn.execute(sa.text("UPDATE products SET name = :n, description = :d WHERE id = "
                             "(SELECT min(id) FROM products)"),
                     {"n": "'=SUM sale", "d": "'-20% tuần này"})  # fmt: skip
    before = dump(engine)
    exported = export_products(owner_ctx, tmp_path / "out.xlsx", lang="vi")
    again = import_products(owner_ctx, exported.path)
    assert (again.products_unchanged, again.rejected) == (3, [])
    after = dump(engine)
    del after["audit_events"], before["audit_events"]
    assert after == before


def test_cells_are_typed_and_text_is_safe(
    owner_ctx: ServiceContext, engine: Engine, stocked: Path, tmp_path: Path
) -> None:
    path = export_products(owner_ctx, tmp_path / "out.xlsx", lang="en").path
    header, rows = read_sheet(path)
    assert header == [HEADERS[k][1] for k in EXPORT_COLUMNS]
    by_sku = {r["SKU"]: r for r in rows}
    # Newest product first (all three were created together: by id, descending).
    assert [r["SKU"] for r in rows] == [
        "EVIL-1", "00123", *(f"AO-{i}{j}" for i in range(2) for j in range(3))]  # fmt: skip
    cup = by_sku["00123"]
    assert (cup["Barcode"], cup["Status"], cup["Description"]) == (
        "0893000001", "hidden", "'-giảm 10%")  # fmt: skip
    assert (cup["Price"], cup["Cost"], cup["Stock"], cup["Low stock level"]) == (
        45_000, 20_000, 4, 2)  # fmt: skip
    assert (cup["On hand"], cup["Reserved"], cup["Available"]) == (4, 0, 4)
    assert cup["Created"] == datetime(2026, 11, 20, 10, 0)  # FIXED_NOW in shop time
    assert cup["Discount price"] is None and cup["Shops"] == COUNTER
    assert by_sku["EVIL-1"]["Product name"] == "'" + EVIL
    shirt = by_sku["AO-12"]
    options = ("Option 1 name", "Option 1", "Option 2 name", "Option 2")
    assert [shirt[k] for k in options] == ["Màu", "Xanh", "Size", "L"]
    assert shirt["Shops"] == f"{COUNTER}; {SHOPEE}"
    assert (shirt["Weight (g)"], cup["Weight (g)"]) == (240, None)  # a number; none = empty
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet.title == "Products"
    price_col = header.index("Price") + 1
    assert sheet.cell(2, price_col).number_format == "#,##0"
    assert sheet.cell(3, header.index("SKU") + 1).data_type == "s"  # "00123" stays text


def test_vietnamese_headers_by_default(
    owner_ctx: ServiceContext, stocked: Path, tmp_path: Path
) -> None:
    path = export_products(owner_ctx, tmp_path / "out.xlsx").path
    header, _rows = read_sheet(path)
    assert header[:4] == ["Tên sản phẩm", "Danh mục", "Mô tả", "Mã SKU"]
    assert openpyxl.load_workbook(path).active.title == "Sản phẩm"
    with pytest.raises(ValidationError, match="Unknown language 'fr'"):
        export_products(owner_ctx, tmp_path / "x.xlsx", lang="fr")


def test_filter_search_and_selection(
    owner_ctx: ServiceContext, engine: Engine, stocked: Path, tmp_path: Path
) -> None:
    products = {p["name"]: p["id"] for p in table_rows(engine, "products")}
    shopee = table_rows(engine, "shops", name=SHOPEE)[0]["id"]

    def skus(**kw: Any) -> list[str]:
        path = export_products(owner_ctx, tmp_path / "f.xlsx", lang="en", **kw).path
        return [r["SKU"] for r in read_sheet(path)[1]]

    assert skus(flt=ProductFilter(statuses=("hidden",))) == ["00123"]
    assert len(skus(flt=ProductFilter(shop_ids=(shopee,)))) == 6
    shirt = [f"AO-{i}{j}" for i in range(2) for j in range(3)]
    assert skus(flt=ProductFilter(price_min=100_000)) == shirt  # some variant costs more
    if not PG_URL:
        assert skus(search="coc su bat trang") == ["00123"]
    assert skus(ids=[products["Cốc sứ Bát Tràng"], products[EVIL]]) == ["00123", "EVIL-1"]
    # Archived products are never exported, even when asked for by id.
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE products SET status = :s WHERE id = :i"),
            {"s": ProductStatus.ARCHIVED.value, "i": products[EVIL]},
        )
    assert skus(ids=[products[EVIL]]) == []
    assert skus() == ["00123", *shirt]


def test_cancel_leaves_no_file_and_an_old_file_untouched(
    owner_ctx: ServiceContext, engine: Engine, stocked: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")

    class Stop(JobProgress):
        def check(self) -> None:
            if self.fraction > 0:
                raise Cancelled()

    with pytest.raises(Cancelled):
        export_products(owner_ctx, target, progress=Stop())
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out.xlsx", "source.xlsx"]
    assert table_rows(engine, "audit_events", action="products.export") == []


def test_audit_row_and_errors(
    owner_ctx: ServiceContext, ctx: ServiceContext, engine: Engine, stocked: Path,
    tmp_path: Path,
) -> None:  # fmt: skip
    report = export_products(owner_ctx, tmp_path / "out.xlsx", search="ao")
    [audit] = table_rows(engine, "audit_events", action="products.export")
    assert (audit["entity_id"], audit["summary"], audit["user_id"]) == (
        "out.xlsx", f"{report.rows} variants", owner_ctx.actor.id)  # fmt: skip
    assert audit["created_at"] == FIXED_NOW
    with pytest.raises(ValidationError, match="Export to an .xlsx file"):
        export_products(owner_ctx, tmp_path / "out.csv")
    staff = Actor(id=None, name="Nhân viên", email="nv@example.vn", role=Role.STAFF,
                  modules=frozenset({Module.ORDERS}))  # fmt: skip
    with pytest.raises(PermissionDenied):
        export_products(ctx.with_actor(staff), tmp_path / "staff.xlsx")
    assert not (tmp_path / "staff.xlsx").exists()


def test_an_edited_export_imports_the_changes(
    owner_ctx: ServiceContext, engine: Engine, stocked: Path, tmp_path: Path
) -> None:
    """The owner's workflow: export, change prices and stock in Excel, import."""
    path = export_products(owner_ctx, tmp_path / "out.xlsx", lang="en").path
    book = openpyxl.load_workbook(path)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        cells = dict(zip(header, row, strict=True))
        if cells["SKU"].value == "AO-00":
            cells["Price"].value = 120_000
            cells["Stock"].value = 25
            cells["Available"].value = 999  # read-only: ignored
    book.save(path)
    report = import_products(owner_ctx, path)
    assert (report.variants_updated, report.variants_unchanged, report.stock_moves) == (1, 7, 1)
    v = table_rows(engine, "variants", sku="AO-00")[0]
    assert (v["price"], v["stock"]) == (120_000, 25)
    assert len(COLUMNS) + 4 == len(EXPORT_COLUMNS)
