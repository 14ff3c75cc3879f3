"""`import_products`: the product template into a real migrated store (.csv and .xlsx)."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.search_keys import product_search_text, search_text
from primedist.domain import metadata
from primedist.domain.base import table_of
from primedist.domain.enums import ActivityKind, Channel, Module, ProductStatus, Role
from primedist.domain.product import SkuGroup
from primedist.errors import Cancelled, PermissionDenied, ValidationError
from primedist.io import tabular
from primedist.jobs.progress import JobProgress
from primedist.queries import spec as query_spec
from primedist.queries.products import PRODUCTS_SPEC, ProductFilter, list_state
from primedist.services.context import Actor, ServiceContext
from primedist.services.order_import import RejectedRow
from primedist.services.product_import import (
    COLUMNS,
    HEADERS,
    IMPORT_REASON,
    REQUIRED,
    ProductImportReport,
    import_products,
)
from tests.conftest import FIXED_NOW, PG_URL
from tests.factories import make_product, make_shop
from tests.services.test_catalogue import link_listings
from tests.support import CancelAt

sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="FTS5 search tables are SQLite-only")

SHOPEE = "Prime Official - Shopee"
COUNTER = "Cửa hàng Thử"  # the shop `setup_shop` creates (offline)
COLOURS = ("Đỏ", "Xanh")
SIZES = ("S", "M", "L")


def grid() -> list[dict[str, Any]]:
    """A colour × size T-shirt: one product, 6 variants (rows 2-7)."""
    return [
        {
            "product_name": "Áo thun Đặng Gia", "category": "Thời trang",
            "description": "Áo thun cotton 100%", "sku": f"AO-{i}{j}",
            "barcode": f"0893{i}{j}", "option1_name": "Màu", "option1": colour,
            "option2_name": "Size", "option2": size, "cost": "60000",
            "price": str(99_000 + 10_000 * j), "discount_price": "89000" if j == 0 else "",
            "stock": str(10 * i + j), "low_stock_level": "3", "weight_g": str(200 + 20 * j),
            "shops": f"{SHOPEE}; {COUNTER}", "status": "",
        }
        for i, colour in enumerate(COLOURS)
        for j, size in enumerate(SIZES)
    ]  # fmt: skip


def mug(name: str = "Cốc sứ", sku: str = "COC-1", **more: Any) -> dict[str, Any]:
    """A product with one variant and no options."""
    return {"product_name": name, "sku": sku, "price": "45000", "cost": "20000", "stock": "4",
            "shops": COUNTER, **more}  # fmt: skip


def write_csv(path: Path, rows: Sequence[dict[str, Any]], header: Sequence[str] = COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(col, "") for col in header])
    return path


def write_xlsx(path: Path, rows: Sequence[dict[str, Any]], header: Sequence[str] = COLUMNS) -> Path:
    """Cells as a shop owner's Excel has them: digits as numbers, text forced to text."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(header))
    for r, row in enumerate(rows, 2):
        for c, col in enumerate(header, 1):
            value = row.get(col, "")
            if value == "" or value is None:
                continue
            if col in ("cost", "price", "discount_price", "stock", "low_stock_level", "weight_g"):
                value = int(value) if str(value).isdigit() else value
            cell = sheet.cell(r, c)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, even when it starts with "="
    book.save(path)
    return path


WRITERS = {"csv": write_csv, "xlsx": write_xlsx}


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    out = {}
    with engine.connect() as conn:
        for name, table in sorted(metadata.tables.items()):
            stmt = sa.select(table).order_by(*table.primary_key.columns)
            out[name] = [tuple(r) for r in conn.execute(stmt)]
    return out


def table_rows(engine: Engine, table: str, **where: Any) -> list[dict[str, Any]]:
    t = metadata.tables[table]
    stmt = sa.select(t).where(*(t.c[k] == v for k, v in where.items())).order_by(t.c.id)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def variant(engine: Engine, sku: str) -> dict[str, Any]:
    rows = table_rows(engine, "variants", sku=sku)
    assert len(rows) == 1, rows
    return rows[0]


def moves(engine: Engine, sku: str) -> list[tuple[str, int, int, str | None]]:
    return [
        (m["kind"], m["quantity"], m["stock_after"], m["reason"])
        for m in table_rows(engine, "stock_movements", variant_id=variant(engine, sku)["id"])
    ]


def counts(report: ProductImportReport) -> tuple[int, ...]:
    r = report
    return (r.products_created, r.products_updated, r.products_unchanged,
            r.variants_created, r.variants_updated, r.variants_unchanged)  # fmt: skip


@pytest.fixture
def shopee(engine: Engine, owner_ctx: ServiceContext) -> int:
    return make_shop(engine, SHOPEE, Channel.SHOPEE)


# Happy paths ---------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_grid_product_is_one_product_with_six_variants(
    owner_ctx: ServiceContext, engine: Engine, shopee: int, tmp_path: Path, kind: str
) -> None:
    path = WRITERS[kind](tmp_path / f"p.{kind}", [*grid(), mug()])
    report = import_products(owner_ctx, path)
    assert report.rejected == []
    assert counts(report) == (2, 0, 0, 7, 0, 0)
    assert (report.rows_read, report.stock_moves, report.listings_added) == (7, 6, 3)

    products = {p["name"]: p for p in table_rows(engine, "products")}
    shirt = products["Áo thun Đặng Gia"]
    assert (shirt["category"], shirt["description"], shirt["status"]) == (
        "Thời trang", "Áo thun cotton 100%", ProductStatus.ACTIVE)  # fmt: skip
    assert (shirt["created_by_id"], shirt["created_at"]) == (owner_ctx.actor.id, FIXED_NOW)
    # Name, then each variant's SKU, barcode and option values (each colour and size once).
    assert shirt["search_text"] == (
        "ao thun dang gia ao-00 089300 do s ao-01 089301 m ao-02 089302 l "
        "ao-10 089310 xanh ao-11 089311 ao-12 089312"
    )
    # The summary columns the Products list sorts and filters on.
    assert (shirt["variant_count"], shirt["price_min"], shirt["price_max"]) == (6, 99_000, 119_000)
    assert (shirt["discount_min"], shirt["discount_max"]) == (89_000, 89_000)
    assert (shirt["stock_total"], shirt["available_total"]) == (0 + 1 + 2 + 10 + 11 + 12,) * 2
    assert shirt["low_stock"] is True  # AO-00 has 0 <= 3
    assert shirt["weight_missing"] is False  # every size weighed

    rows = table_rows(engine, "variants", product_id=shirt["id"])
    assert [(v["sku"], v["option1_name"], v["option1"], v["option2_name"], v["option2"],
             v["cost"], v["price"], v["discount_price"], v["stock"], v["low_stock_level"],
             v["weight_g"], v["barcode"], v["is_active"]) for v in rows] == [
        (f"AO-{i}{j}", "Màu", c, "Size", s, 60_000, 99_000 + 10_000 * j,
         89_000 if j == 0 else None, 10 * i + j, 3, 200 + 20 * j, f"0893{i}{j}", True)
        for i, c in enumerate(COLOURS) for j, s in enumerate(SIZES)
    ]  # fmt: skip
    # Opening stock: one STOCK_IN movement per variant with stock, reason "Import".
    assert moves(engine, "AO-11") == [("stock_in", 11, 11, IMPORT_REASON)]
    assert moves(engine, "AO-00") == []  # nothing to move
    assert all(m["user_id"] == owner_ctx.actor.id
               for m in table_rows(engine, "stock_movements"))  # fmt: skip
    # A listing per shop, a variant listing per variant and shop.
    listings = table_rows(engine, "product_listings", product_id=shirt["id"])
    counter = table_rows(engine, "shops", name=COUNTER)[0]["id"]
    assert sorted(row["shop_id"] for row in listings) == sorted([shopee, counter])
    assert len(table_rows(engine, "variant_listings")) == 6 * 2 + 1
    cup = products["Cốc sứ"]
    assert (cup["variant_count"], cup["price_min"], cup["stock_total"]) == (1, 45_000, 4)
    assert cup["weight_missing"] is True  # no weight given
    assert variant(engine, "COC-1")["option1_name"] is None
    assert variant(engine, "COC-1")["weight_g"] is None  # no weight given: not known

    audits = table_rows(engine, "audit_events", action="products.import")
    assert len(audits) == 1
    assert (audits[0]["user_id"], audits[0]["entity_id"]) == (owner_ctx.actor.id, path.name)
    assert json.loads(audits[0]["after_json"])["products_created"] == 2
    assert [e["message"] for e in table_rows(engine, "activity_events", kind=ActivityKind.IMPORT)
            ] == [f"Imported 2 new and 0 updated products from {path.name}"]  # fmt: skip


@sqlite_only
def test_imported_products_are_found_by_the_folded_search(
    owner_ctx: ServiceContext, engine: Engine, shopee: int, tmp_path: Path
) -> None:
    import_products(owner_ctx, write_csv(tmp_path / "p.csv", [*grid(), mug()]))
    shirt = table_rows(engine, "products", name="Áo thun Đặng Gia")[0]["id"]
    with engine.connect() as conn:
        for text in ("ao thun dang gia", "AO-1", "08931"):
            state = list_state(ProductFilter(), search=text)
            keys = query_spec.fetch_keys(conn, PRODUCTS_SPEC, state, after=None, limit=10).keys
            assert keys == [shirt], text


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_importing_the_same_file_twice_changes_nothing(
    owner_ctx: ServiceContext, engine: Engine, shopee: int, tmp_path: Path, kind: str
) -> None:
    path = WRITERS[kind](tmp_path / f"p.{kind}", [*grid(), mug()])
    import_products(owner_ctx, path)
    before = dump(engine)
    again = import_products(owner_ctx, path)
    assert counts(again) == (0, 0, 2, 0, 0, 7)
    assert (again.stock_moves, again.listings_added, again.rejected) == (0, 0, [])
    assert not again.changed
    assert dump(engine) == before  # not even an audit row


def test_changes_update_variants_and_move_stock_by_adjustments(
    owner_ctx: ServiceContext, engine: Engine, shopee: int, tmp_path: Path
) -> None:
    import_products(owner_ctx, write_csv(tmp_path / "p.csv", [*grid(), mug()]))
    rows = grid()
    rows[0]["price"] = "105000"  # AO-00: price
    rows[1]["stock"] = "4"  # AO-01: stock 1 → 4
    rows[2]["stock"] = ""  # AO-02: empty stock is left alone
    rows[3]["stock"] = "0"  # AO-10: 10 → 0
    rows[4]["weight_g"] = "1250"  # AO-11: 220 g → 1,250 g
    rows.append({**rows[5], "sku": "AO-13", "barcode": "", "option2": "XL", "stock": "7"})
    for row in rows:
        row["category"] = "Áo"
    report = import_products(owner_ctx, write_csv(tmp_path / "p2.csv", [*rows, mug()]))
    assert report.rejected == []
    assert counts(report) == (0, 1, 1, 1, 4, 3)
    assert report.stock_moves == 3
    assert variant(engine, "AO-00")["price"] == 105_000
    assert variant(engine, "AO-11")["weight_g"] == 1_250
    assert moves(engine, "AO-01") == [
        ("stock_in", 1, 1, IMPORT_REASON), ("adjustment", 3, 4, IMPORT_REASON)]  # fmt: skip
    assert moves(engine, "AO-10")[-1] == ("adjustment", -10, 0, IMPORT_REASON)
    assert variant(engine, "AO-02")["stock"] == 2
    assert moves(engine, "AO-13") == [("stock_in", 7, 7, IMPORT_REASON)]
    # On hand always equals the sum of the movements.
    for row in table_rows(engine, "variants"):
        ledger = table_rows(engine, "stock_movements", variant_id=row["id"])
        assert row["stock"] == sum(m["quantity"] for m in ledger), row["sku"]
    shirt = table_rows(engine, "products", name="Áo thun Đặng Gia")[0]
    assert (shirt["category"], shirt["variant_count"], shirt["price_min"]) == ("Áo", 7, 99_000)
    assert shirt["stock_total"] == 0 + 4 + 2 + 0 + 11 + 12 + 7
    assert shirt["updated_at"] == FIXED_NOW
    assert "ao-13" in shirt["search_text"]
    assert len(table_rows(engine, "variant_listings")) == 7 * 2 + 1


def test_a_column_left_out_leaves_the_field_alone_an_empty_cell_clears_it(
    owner_ctx: ServiceContext, engine: Engine, shopee: int, tmp_path: Path
) -> None:
    import_products(owner_ctx, write_csv(tmp_path / "p.csv", grid()))
    rows = [{"product_name": r["product_name"], "sku": r["sku"], "price": "150000"}
            for r in grid()]  # fmt: skip
    report = import_products(
        owner_ctx, write_csv(tmp_path / "prices.csv", rows, ["product_name", "sku", "price"])
    )
    # AO-00 keeps its discount price of 89,000 (column absent): below the new price.
    assert counts(report) == (0, 1, 0, 0, 6, 0)
    shirt = table_rows(engine, "products", name="Áo thun Đặng Gia")[0]
    assert (shirt["category"], shirt["description"]) == ("Thời trang", "Áo thun cotton 100%")
    v = variant(engine, "AO-00")
    assert (
        v["price"],
        v["discount_price"],
        v["cost"],
        v["barcode"],
        v["option1"],
        v["stock"],
        v["low_stock_level"],
        v["weight_g"],
    ) == (150_000, 89_000, 60_000, "089300", "Đỏ", 0, 3, 200)
    # Present but empty: cleared.
    cleared = [{**r, "category": "", "barcode": "", "discount_price": "",
                "low_stock_level": "", "weight_g": ""} for r in grid()]  # fmt: skip
    import_products(owner_ctx, write_csv(tmp_path / "clear.csv", cleared))
    shirt = table_rows(engine, "products", name="Áo thun Đặng Gia")[0]
    v = variant(engine, "AO-00")
    assert (shirt["category"], v["barcode"], v["discount_price"], v["low_stock_level"],
            v["weight_g"]) == (None, None, None, None, None)  # fmt: skip
    assert shirt["search_text"] == product_search_text(
        "Áo thun Đặng Gia", [(r["sku"], None, r["option1"], r["option2"]) for r in grid()]
    )


def test_a_price_below_the_stored_discount_needs_the_discount_column(
    owner_ctx: ServiceContext, engine: Engine, shopee: int, tmp_path: Path
) -> None:
    import_products(owner_ctx, write_csv(tmp_path / "p.csv", [*grid(), mug()]))
    # AO-00 (row 2) gets a higher price and a new stock; AO-10 (row 5) a price below its
    # stored discount: the whole shirt is rejected, nothing of AO-00 is written.
    rows = [{"product_name": r["product_name"], "sku": r["sku"], "price": "120000",
             "stock": "40"} for r in grid()]  # fmt: skip
    rows[3]["price"] = "50000"
    rows.append({**mug(), "stock": "9"})
    header = ["product_name", "sku", "price", "stock"]
    before = dump(engine)
    report = import_products(owner_ctx, write_csv(tmp_path / "low.csv", rows, header))
    assert [r for r in report.rejected if r.column] == [RejectedRow(
        5, "price", "50,000 is below the discount price 89,000 of SKU 'AO-10': give the "
        "discount_price column too")]  # fmt: skip
    assert counts(report) == (0, 1, 0, 0, 1, 0)  # only the mug's stock
    assert report.stock_moves == 1
    after = dump(engine)
    for table in ("variants", "stock_movements", "products", "audit_events", "activity_events"):
        after.pop(table), before.pop(table)
    assert after == before
    assert variant(engine, "AO-00")["price"] == 99_000
    assert moves(engine, "AO-00") == []
    assert variant(engine, "COC-1")["stock"] == 9


def test_option_values_need_a_name_when_the_name_column_is_there(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    rows = [mug(option1="Đỏ"), mug("Cốc B", "B-1", option1_name="Màu", option1="Đỏ")]
    report = import_products(owner_ctx, write_csv(tmp_path / "p.csv", rows))
    why = "has a value but option1_name is empty: name the option"
    assert report.rejected == [RejectedRow(2, "option1", why)]
    header = ["product_name", "sku", "price", "option1"]
    report = import_products(owner_ctx, write_csv(tmp_path / "q.csv", [mug(option1="Xanh")],
                                                  header))  # fmt: skip
    assert (report.products_created, report.rejected) == (1, [])
    assert variant(engine, "COC-1")["option1"] == "Xanh"


def test_status_hidden_and_empty_means_active(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    import_products(owner_ctx, write_csv(tmp_path / "p.csv", [mug(status="Hidden")]))
    assert table_rows(engine, "products")[0]["status"] == ProductStatus.HIDDEN
    import_products(owner_ctx, write_csv(tmp_path / "p.csv", [mug(status="")]))
    assert table_rows(engine, "products")[0]["status"] == ProductStatus.ACTIVE
    header = [c for c in COLUMNS if c != "status"]
    import_products(owner_ctx, write_csv(tmp_path / "p.csv", [mug(status="hidden")]))
    report = import_products(owner_ctx, write_csv(tmp_path / "q.csv", [mug()], header))
    assert report.products_unchanged == 1  # no status column: left as it is
    assert table_rows(engine, "products")[0]["status"] == ProductStatus.HIDDEN


def test_an_existing_product_is_found_by_name_and_gets_new_variants(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    [old] = make_product(engine, "Cốc sứ", [("COC-OLD", 40_000, 2)])
    colour = {"option1_name": "Màu"}
    rows = [mug(sku="COC-OLD", price="40000", cost="0", stock="2", option1="Trắng", **colour),
            mug(sku="COC-NEW", option1="Xanh", **colour)]  # fmt: skip
    report = import_products(owner_ctx, write_csv(tmp_path / "p.csv", rows))
    assert counts(report) == (0, 1, 0, 1, 1, 0)  # COC-OLD gets its option
    product_id = variant(engine, "COC-OLD")["product_id"]
    assert variant(engine, "COC-NEW")["product_id"] == product_id
    assert table_rows(engine, "products", id=product_id)[0]["variant_count"] == 2
    assert variant(engine, "COC-OLD")["id"] == old


@pytest.mark.parametrize(
    ("rows", "column", "reason"),
    [
        # A second variant without options: the form asks for an option to tell them apart.
        ([mug(sku="COC-NEW")], "option1_name", "several variants need an option"),
        # Options on the new variant only: the stored one has none.
        ([mug(sku="COC-NEW", option1_name="Màu", option1="Xanh")], "option1_name",
         "the option names (Màu) are not those of SKU 'COC-OLD' (none), which is not in "
         "the file"),
        # Two SKUs that differ only by case in one product.
        ([mug(sku="COC-OLD", option1_name="Màu", option1="Trắng"),
          mug(sku="coc-old", option1_name="Màu", option1="Xanh")], "sku",
         "SKU 'coc-old' differs only in letter case from SKU 'COC-OLD' of the same product"),
        # Options that differ only by case.
        ([mug(sku="COC-OLD", option1_name="Màu", option1="Đỏ"),
          mug(sku="COC-NEW", option1_name="Màu", option1="đỏ")], "option1",
         "the options 'đỏ' are already those of SKU 'COC-OLD'"),
        # An option name without a value on a row.
        ([mug(sku="COC-OLD", option1_name="Màu", option1="Đỏ"),
          mug(sku="COC-NEW", option1_name="Màu")], "option1", "give its 'Màu'"),
    ],
)  # fmt: skip
def test_a_product_the_form_could_not_save_is_rejected(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path, rows: list[dict[str, Any]],
    column: str, reason: str,
) -> None:  # fmt: skip
    make_product(engine, "Cốc sứ", [("COC-OLD", 40_000, 2)])
    before = dump(engine)
    report = import_products(owner_ctx, write_csv(tmp_path / "p.csv", rows))
    assert report.products_rejected == 1
    bad = next(r for r in report.rejected if r.column is not None)
    assert (bad.column, reason in bad.reason) == (column, True), bad
    after = dump(engine)
    del after["audit_events"], before["audit_events"]
    assert after == before


def test_an_imported_product_saves_unchanged_in_the_form(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    from primedist.services import catalogue

    rows = [mug(sku="CP-1", option1_name="Màu", option1="Đỏ"),
            mug(sku="CP-2", option1_name="Màu", option1="Xanh")]  # fmt: skip
    import_products(owner_ctx, write_csv(tmp_path / "p.csv", rows))
    pid = variant(engine, "CP-1")["product_id"]
    product = catalogue.get_product(owner_ctx, pid)
    catalogue.update_product(owner_ctx, pid, product.draft)  # the form's rules hold
    one = import_products(owner_ctx, write_csv(tmp_path / "q.csv", [rows[0]]))
    assert (one.products_unchanged, one.rejected) == (1, [])


def test_a_matched_sku_renames_its_product(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    make_product(engine, "Coc su cu", [("COC-1", 45_000, 4)])
    report = import_products(owner_ctx, write_csv(tmp_path / "p.csv", [mug()]))
    assert (report.products_updated, report.variants_updated) == (1, 1)  # cost 0 → 20,000
    [product] = table_rows(engine, "products")
    assert (product["name"], product["search_text"]) == ("Cốc sứ", search_text("Cốc sứ", "COC-1"))


def test_shops_add_listings_and_never_remove_them(
    owner_ctx: ServiceContext, engine: Engine, shopee: int, tmp_path: Path
) -> None:
    import_products(owner_ctx, write_csv(tmp_path / "p.csv", [mug(shops=COUNTER)]))
    report = import_products(owner_ctx, write_csv(tmp_path / "p.csv", [mug(shops=SHOPEE)]))
    assert (report.products_updated, report.listings_added) == (1, 1)
    assert len(table_rows(engine, "product_listings")) == 2
    assert len(table_rows(engine, "variant_listings")) == 2
    report = import_products(owner_ctx, write_csv(tmp_path / "p.csv", [mug(shops="")]))
    assert report.products_unchanged == 1
    assert all(row["is_active"] for row in table_rows(engine, "product_listings"))


def test_a_new_variant_joins_every_listing_of_its_product(
    owner_ctx: ServiceContext, engine: Engine, shopee: int, tmp_path: Path
) -> None:
    import_products(owner_ctx, write_csv(tmp_path / "p.csv", grid()))
    listings = {r["shop_id"]: r["id"] for r in table_rows(engine, "product_listings")}
    assert len(listings) == 2  # Shopee and the counter
    extra = {**grid()[0], "sku": "AO-XL", "barcode": "", "option2": "XL", "shops": ""}
    report = import_products(owner_ctx, write_csv(tmp_path / "q.csv", [extra]))
    assert (report.variants_created, report.rejected) == (1, [])
    new_id = variant(engine, "AO-XL")["id"]
    joined = {r["listing_id"] for r in table_rows(engine, "variant_listings", variant_id=new_id)}
    assert joined == set(listings.values())


def test_marketplace_listings_get_listing_upserts_and_stock_pushes(
    owner_ctx: ServiceContext, engine: Engine, shopee: int, tmp_path: Path
) -> None:
    def outbox() -> list[tuple[str, str, str]]:
        return [(m["kind"], m["intent_key"], m["status"])
                for m in table_rows(engine, "outbox_messages")]  # fmt: skip

    first = import_products(owner_ctx, write_csv(tmp_path / "p.csv", grid()))
    shopee_listing = table_rows(engine, "product_listings", shop_id=shopee)[0]["id"]
    # Only the Shopee listing is a marketplace listing (the counter is offline), and it is
    # not linked to its item yet: nothing is sent to it.
    assert first.listing_upserts == 0 and outbox() == []
    link_listings(engine, table_rows(engine, "product_listings", shop_id=shopee)[0]["product_id"])
    assert import_products(owner_ctx, write_csv(tmp_path / "p.csv", grid())).listing_upserts == 0
    rows = grid()
    rows[0]["stock"] = "30"  # stock only: a stock push, no listing upsert
    again = import_products(owner_ctx, write_csv(tmp_path / "p.csv", rows))
    assert again.listing_upserts == 0
    assert [m[0] for m in outbox() if m[2] == "pending"] == ["stock.push"]
    rows[0]["price"] = "120000"  # content: the listing is queued again
    again = import_products(owner_ctx, write_csv(tmp_path / "p.csv", rows))
    assert again.listing_upserts == 1
    assert ("listing.upsert", f"listing:{shopee_listing}", "pending") in outbox()
    assert len(outbox()) == 2  # coalesced per listing: one upsert, one push (AO-00 on Shopee)


def test_grouped_variant_stock_is_the_group_stock_and_is_pushed(
    owner_ctx: ServiceContext, engine: Engine, shopee: int, tmp_path: Path
) -> None:
    groups_t = table_of(SkuGroup)
    with engine.begin() as conn:
        gid = conn.execute(
            sa.insert(groups_t).returning(groups_t.c.id),
            {"code": "PS-1", "name": "Cốc", "stock": 9, "reserved": 2, "created_at": FIXED_NOW},
        ).scalar_one()
    make_product(engine, "Cốc A", [("COC-A", 45_000, 0)], sku_group_id=gid)
    make_product(engine, "Cốc B", [("COC-B", 45_000, 0)], sku_group_id=gid)
    rows = [mug("Cốc A", "COC-A", stock="20", cost="", shops=SHOPEE),
            mug("Cốc B", "COC-B", stock="", cost="", shops="")]  # fmt: skip
    report = import_products(owner_ctx, write_csv(tmp_path / "p.csv", rows))
    assert report.rejected == []
    assert table_rows(engine, "sku_groups")[0]["stock"] == 20
    [move] = table_rows(engine, "stock_movements")
    assert (move["kind"], move["quantity"], move["stock_after"], move["sku_group_id"]) == (
        "adjustment", 11, 20, gid)  # fmt: skip
    # Both products' summaries show the group's stock; the new Shopee listing, not linked
    # to its item yet, gets no push until it is.
    for name in ("Cốc A", "Cốc B"):
        product = table_rows(engine, "products", name=name)[0]
        assert (product["stock_total"], product["available_total"]) == (20, 18)
    assert table_rows(engine, "outbox_messages", kind="stock.push") == []
    link_listings(engine, table_rows(engine, "products", name="Cốc A")[0]["id"])
    # Both members of the group set the same stock: one movement, not two.
    rows = [mug("Cốc A", "COC-A", stock="30", cost="", shops=SHOPEE),
            mug("Cốc B", "COC-B", stock="30", cost="", shops="")]  # fmt: skip
    report = import_products(owner_ctx, write_csv(tmp_path / "p.csv", rows))
    assert (report.stock_moves, report.variants_updated, report.variants_unchanged) == (1, 1, 1)
    assert table_rows(engine, "sku_groups")[0]["stock"] == 30
    ledger = table_rows(engine, "stock_movements", sku_group_id=gid)
    assert [(m["quantity"], m["stock_after"]) for m in ledger] == [(11, 20), (10, 30)]
    [push] = table_rows(engine, "outbox_messages", kind="stock.push")  # linked: the group's
    assert json.loads(push["payload_json"])["available"] == 28
    # Two rows of one group that disagree: the later product is rejected.
    rows = [mug("Cốc A", "COC-A", stock="5", cost=""), mug("Cốc B", "COC-B", stock="6", cost="")]
    report = import_products(owner_ctx, write_csv(tmp_path / "p.csv", rows))
    assert report.rejected == [RejectedRow(3, "stock", "SKU 'COC-B' shares the stock of SKU "
                                           "group 'PS-1' with SKU 'COC-A' on row 2, which "
                                           "gives 5")]  # fmt: skip
    assert table_rows(engine, "sku_groups")[0]["stock"] == 5


def test_formulas_stay_text_and_the_export_guard_comes_off(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    evil = '=HYPERLINK("http://evil.example","Bấm vào đây")'
    rows = [mug(evil, "X-1", description="'-giảm giá"), mug("'+Áo", "X-2")]
    for kind, writer in WRITERS.items():
        report = import_products(owner_ctx, writer(tmp_path / f"f.{kind}", rows))
        assert report.rejected == []
    names = sorted(p["name"] for p in table_rows(engine, "products"))
    assert names == ["+Áo", evil]
    assert table_rows(engine, "products", name=evil)[0]["description"] == "-giảm giá"


def test_vietnamese_and_english_headers(
    owner_ctx: ServiceContext, engine: Engine, shopee: int, tmp_path: Path
) -> None:
    vi = [HEADERS[c][0] for c in COLUMNS]
    rows = [{HEADERS[k][0]: v for k, v in row.items()} for row in grid()]
    report = import_products(owner_ctx, write_xlsx(tmp_path / "vi.xlsx", rows, vi))
    assert (report.variants_created, report.rejected) == (6, [])
    en = [HEADERS[c][1].upper() for c in COLUMNS]
    rows = [{HEADERS[k][1].upper(): v for k, v in row.items()} for row in grid()]
    report = import_products(owner_ctx, write_csv(tmp_path / "en.csv", rows, en))
    assert (report.variants_unchanged, report.rejected) == (6, [])
    unaccented = ["Ten san pham", "Ma SKU", "Gia ban"]
    rows = [{"Ten san pham": "Cốc", "Ma SKU": "C-9", "Gia ban": "1000"}]
    assert import_products(owner_ctx, write_csv(tmp_path / "u.csv", rows, unaccented)
                           ).variants_created == 1  # fmt: skip


# Bad values: the whole product is rejected, the others imported ----------------------------
def rejected(
    ctx: ServiceContext, tmp_path: Path, rows: list[dict[str, Any]], good: str = "OK-1"
) -> list[RejectedRow]:
    """Import `rows` plus a good new product on the last row; returns the rejected rows."""
    report = import_products(ctx, write_csv(tmp_path / "bad.csv", [*rows, mug(good, good)]))
    assert report.products_created == 1, report.rejected  # the good product went in
    assert report.rejected
    return report.rejected


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("price", "12.5", "'12.5' is not a whole number"),
        ("price", "1,5", "'1,5' is not a whole number"),  # no whole đồng
        ("stock", "12.000", "'12.000' has a thousands separator: write the plain number (12000)"),
        ("stock", "-3", "-3 must not be negative"),
        ("price", "", "is empty (a value is required)"),
        ("price", "abc", "'abc' is not a number"),
        ("discount_price", "150000", "150,000 is above the price 109,000"),
        ("low_stock_level", "2.5", "'2.5' is not a whole number"),
        ("weight_g", "0", "0 must be at least 1"),
        ("weight_g", "1000001", "1,000,001 is more than the limit of 1,000,000"),
        ("weight_g", "0.35", "'0.35' is not a whole number"),
        ("sku", "", "is empty (a value is required)"),
        ("sku", "X" * 65, "is 65 characters long: the limit is 64"),
        ("status", "sold out", "unknown value 'sold out' (use active or hidden)"),
        ("option1", "Đỏ", "the options 'Đỏ / S' are already on row 2 of this product"),
    ],
)
def test_a_bad_value_rejects_its_whole_product(
    owner_ctx: ServiceContext, engine: Engine, shopee: int, tmp_path: Path, column: str,
    value: str, reason: str,
) -> None:  # fmt: skip
    rows = grid()
    rows[1][column] = value
    if column == "option1":
        rows[1]["option2"] = "S"
    assert rejected(owner_ctx, tmp_path, rows) == [
        RejectedRow(2, None, "product rejected because of row 3"),
        RejectedRow(3, column, reason),
        *(RejectedRow(r, None, "product rejected because of row 3") for r in range(4, 8)),
    ]
    assert table_rows(engine, "products", name="Áo thun Đặng Gia") == []


def test_rows_of_one_product_must_agree(
    owner_ctx: ServiceContext, shopee: int, tmp_path: Path
) -> None:
    rows = grid()
    rows[4]["category"] = "Giày"
    bad = [r for r in rejected(owner_ctx, tmp_path, rows) if r.column]
    assert bad == [RejectedRow(6, "category", "'Giày' differs from 'Thời trang' on row 2 of the "
                               "same product (product-level columns must agree)")]  # fmt: skip
    rows = grid()
    rows[2]["shops"] = f"{COUNTER};{SHOPEE}"  # the same shops in another order: agrees
    rows[3]["status"] = "ACTIVE"  # "" = active
    for row in rows:
        row["status"] = row["status"] or "active"
    assert import_products(owner_ctx, write_csv(tmp_path / "ok.csv", rows)).rejected == []


def test_an_unknown_shop_is_a_row_error_not_a_new_shop(
    owner_ctx: ServiceContext, engine: Engine, shopee: int, tmp_path: Path
) -> None:
    bad = rejected(owner_ctx, tmp_path, [mug(shops=f"{SHOPEE}; Lazada mới")])
    assert bad == [RejectedRow(2, "shops", f"no shop is named 'Lazada mới' (shops: {COUNTER}, "
                               f"{SHOPEE}); add the shop in Settings first")]  # fmt: skip
    assert len(table_rows(engine, "shops")) == 2
    # Shop names are matched without regard to case.
    ok = import_products(owner_ctx, write_csv(tmp_path / "p.csv", [mug(shops=SHOPEE.upper())]))
    assert (ok.products_created, ok.rejected) == (1, [])


def test_a_sku_twice_in_the_file_rejects_both_products(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    rows = [mug("Cốc A", "DUP"), mug("Cốc B", "DUP")]
    assert rejected(owner_ctx, tmp_path, rows) == [
        RejectedRow(2, "sku", "SKU 'DUP' appears again on row 3"),
        RejectedRow(3, "sku", "SKU 'DUP' is also on row 2 (once per file)"),
    ]
    rows = [mug("Cốc A", "A-1", barcode="893"), mug("Cốc B", "B-1", barcode="893")]
    assert [r.column for r in rejected(owner_ctx, tmp_path, rows, "OK-2")] == [
        "barcode", "barcode"]  # fmt: skip


def test_a_sku_on_two_stored_products_is_ambiguous(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    make_product(engine, "Cốc Shopee", [("COC-1", 45_000, 0)])
    make_product(engine, "Cốc Lazada", [("COC-1", 46_000, 0)])
    [bad] = rejected(owner_ctx, tmp_path, [mug()])
    assert (bad.row, bad.column) == (2, "sku")
    assert bad.reason.startswith("SKU 'COC-1' is on 2 active variants (products ")


def test_skus_of_two_stored_products_under_one_name(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    make_product(engine, "Cốc A", [("A-1", 45_000, 0)])
    make_product(engine, "Cốc B", [("B-1", 45_000, 0)])
    bad = rejected(owner_ctx, tmp_path, [mug("Cốc", "A-1"), mug("Cốc", "B-1")])
    assert bad[1] == RejectedRow(
        3, "sku", "SKU 'B-1' belongs to another product than the SKU on row 2: the rows of one "
        "product name must be one product")  # fmt: skip


def test_a_barcode_of_another_variant_is_refused(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    make_product(engine, "Bình", [("BINH-1", 45_000, 0)], barcodes=["8930001"])
    [bad] = rejected(owner_ctx, tmp_path, [mug(barcode="8930001")])
    assert bad == RejectedRow(2, "barcode", "barcode '8930001' is already on SKU 'BINH-1'")


def test_rows_without_a_product_name_are_rejected_alone(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    assert rejected(owner_ctx, tmp_path, [mug(name="  ")]) == [
        RejectedRow(2, "product_name", "is empty (a value is required)")]  # fmt: skip


# File-level errors: nothing written ------------------------------------------------------
def file_error(ctx: ServiceContext, engine: Engine, path: Path) -> ValidationError:
    before = dump(engine)
    with pytest.raises(ValidationError) as info:
        import_products(ctx, path)
    assert dump(engine) == before
    return info.value


@pytest.mark.parametrize("missing", REQUIRED)
def test_missing_required_column(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path, missing: str
) -> None:
    header = [c for c in COLUMNS if c != missing]
    err = file_error(owner_ctx, engine, write_csv(tmp_path / "p.csv", [mug()], header))
    assert err.column == missing
    assert err.user_message == (
        f"column {missing!r}: p.csv has no such column in its header (row 1); the required "
        "columns are: product_name, sku, price"
    )


def test_a_column_named_twice(owner_ctx: ServiceContext, engine: Engine, tmp_path: Path) -> None:
    header = [*COLUMNS, "Mã SKU"]
    err = file_error(owner_ctx, engine, write_csv(tmp_path / "p.csv", [mug()], header))
    assert (err.row, err.column) == (1, "sku")
    twice = "appears twice in the header of p.csv (columns D and R); keep one"
    assert twice in err.user_message


def test_empty_files_fake_excel_and_limits(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert file_error(owner_ctx, engine, empty).user_message == "empty.csv is empty"
    header_only = write_xlsx(tmp_path / "header.xlsx", [])
    assert file_error(owner_ctx, engine, header_only).user_message == (
        "header.xlsx has a header but no data rows")  # fmt: skip
    fake = tmp_path / "products.xlsx"
    fake.write_bytes(write_csv(tmp_path / "p.csv", [mug()]).read_bytes())
    assert "products.xlsx is not a real Excel file" in file_error(
        owner_ctx, engine, fake).user_message  # fmt: skip
    path = write_csv(tmp_path / "p.csv", [mug(sku=f"S{i}") for i in range(4)])
    monkeypatch.setattr(tabular, "MAX_DATA_ROWS", 3)
    assert file_error(owner_ctx, engine, path).user_message == (
        "p.csv has more than 3 data rows: split it into smaller files")  # fmt: skip
    monkeypatch.setattr(tabular, "MAX_DATA_ROWS", 1_000_000)
    monkeypatch.setattr(tabular, "MAX_FILE_BYTES", 100)
    assert "the limit is 0 MB; split it into smaller files" in file_error(
        owner_ctx, engine, path).user_message  # fmt: skip
    assert file_error(owner_ctx, engine, tmp_path / "none.csv").user_message == (
        f"File not found: {tmp_path / 'none.csv'}")  # fmt: skip


# Permission, cancel, progress ---------------------------------------------------------------
def test_staff_without_products_access_is_refused(
    ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "p.csv", [mug(shops="")])
    staff = Actor(id=None, name="Nhân viên", email="nv@example.vn", role=Role.STAFF,
                  modules=frozenset({Module.ORDERS}))  # fmt: skip
    before = dump(engine)
    with pytest.raises(PermissionDenied, match="Nhân viên has no access to products"):
        import_products(ctx.with_actor(staff), path)
    assert dump(engine) == before
    allowed = Actor(id=None, name="Kho", email="kho@example.vn", role=Role.STAFF,
                    modules=frozenset({Module.PRODUCTS}))  # fmt: skip
    assert import_products(ctx.with_actor(allowed), path).products_created == 1


@pytest.mark.parametrize("at", [0.0, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9])
def test_cancel_leaves_nothing(
    owner_ctx: ServiceContext, engine: Engine, shopee: int, tmp_path: Path, at: float
) -> None:
    import_products(owner_ctx, write_csv(tmp_path / "first.csv", grid()))
    before = dump(engine)
    rows = grid()
    rows[0]["stock"] = "50"  # an adjustment, an update and new products
    rows += [mug(f"Cốc {i}", f"C-{i}") for i in range(30)]
    progress = CancelAt(at)
    with pytest.raises(Cancelled):
        import_products(owner_ctx, write_csv(tmp_path / "p.csv", rows), progress=progress)
    assert dump(engine) == before
    if not PG_URL:
        with engine.connect() as conn:
            triggers = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='trigger'")
            assert len(list(triggers)) == 9
    report = import_products(owner_ctx, write_csv(tmp_path / "p.csv", rows))
    assert counts(report) == (30, 1, 0, 30, 1, 5)


def test_progress_moves_forward_to_done(owner_ctx: ServiceContext, tmp_path: Path) -> None:
    seen: list[float] = []
    import_products(owner_ctx, write_csv(tmp_path / "p.csv", [mug(shops="")]),
                    progress=JobProgress(lambda f, _m: seen.append(f)))  # fmt: skip
    assert seen == sorted(seen)
    assert seen[-1] == 1.0


def test_report_json_and_summary(owner_ctx: ServiceContext, tmp_path: Path) -> None:
    rows = [mug(shops=""), mug("Xấu", "B-1", price="1.5", shops="")]
    report = import_products(owner_ctx, write_csv(tmp_path / "p.csv", rows))
    data = report.to_json()
    assert data["rows_rejected"] == [
        {"row": 3, "column": "price", "reason": "'1.5' is not a whole number"}]  # fmt: skip
    assert {k: data[k] for k in ("file", "rows_read", "products_created", "products_rejected",
                                 "variants_created", "stock_moves")} == {
        "file": "p.csv", "rows_read": 2, "products_created": 1, "products_rejected": 1,
        "variants_created": 1, "stock_moves": 1}  # fmt: skip
    assert report.summary().startswith(
        "Imported p.csv: 2 rows; products 1 new, 0 updated, 0 unchanged, 1 rejected; "
        "variants 1 new, 0 updated, 0 unchanged; 1 stock movements; 1 rows rejected ("
    )
