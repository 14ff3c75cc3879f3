"""`import_orders`: the generic order template into a real migrated store (.csv and .xlsx)."""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Self

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.core.search_keys import search_text
from primedist.domain import metadata
from primedist.domain.customer import customer_code
from primedist.domain.enums import (
    ActivityKind,
    Channel,
    Module,
    OrderSource,
    OrderStatus,
    PaymentMethod,
    Role,
    ShopStatus,
    StockState,
)
from primedist.errors import Cancelled, PermissionDenied, ValidationError
from primedist.io import tabular
from primedist.jobs.progress import JobProgress
from primedist.services.context import Actor, ServiceContext
from primedist.services.order_import import (
    COLUMNS,
    ON_ACCOUNT_NEEDS_CUSTOMER,
    REQUIRED,
    ImportReport,
    RejectedRow,
    import_orders,
)
from tests.conftest import FIXED_NOW, PG_URL
from tests.factories import make_customers, make_orders, make_shop
from tests.support import CancelAt

sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="FTS5 search tables are SQLite-only")
deferral_sqlite_only = pytest.mark.skipif(
    bool(PG_URL), reason="dropping the indexes for a big load is SQLite-only (db/bulk.py)"
)

SHOPEE = "Prime Official - Shopee"
COUNTER = "Cửa hàng Thử"  # the shop `setup_shop` creates (offline)
HOA = "Nguyễn Thị Hoa"

BASE: dict[str, Any] = {
    "order_id": "DH001",
    "order_date": "2026-01-05 10:30",
    "shop": SHOPEE,
    "channel": "shopee",
    "status": "completed",
    "payment_method": "",
    "customer_name": HOA,
    "customer_phone": "0939 921 717",
    "buyer_id": "hoa.nt",
    "province": "TP. Hồ Chí Minh",
    "shipping_provider": "SPX Express",
    "shipping_fee": "15000",
    "discount": "10000",
    "sku": "AO-TRANG-M",
    "product_name": "Áo thun trắng M",
    "quantity": "2",
    "unit_price": "120000",
}
ORDER_B: dict[str, Any] = {
    **BASE,
    "order_id": "DH002",
    "order_date": "06/01/2026 08:00",
    "shop": COUNTER,
    "channel": "",
    "status": "pending",
    "payment_method": "cash",
    "customer_name": "Trần Văn Bình",
    "customer_phone": "0912345678",
    "buyer_id": "",
    "province": "Hà Nội",
    "shipping_provider": "",
    "shipping_fee": "",
    "discount": "0",
    "quantity": "1",
}
ORDER_C: dict[str, Any] = {
    **ORDER_B,
    "order_id": "DH003",
    "status": "completed",
    "customer_name": "Khách lẻ",
    "customer_phone": "",
    "province": "",
    "sku": "NON-LA",
    "product_name": "",
    "unit_price": "45000",
}


def sample() -> list[dict[str, Any]]:
    """Order A (2 lines, rows 2-3), order B (row 4), order C (name-only buyer, row 5)."""
    return [
        dict(BASE),
        {**BASE, "sku": "QUAN-JEAN-30", "product_name": "Quần jean 30", "quantity": "1",
         "unit_price": "350000"},
        dict(ORDER_B),
        dict(ORDER_C),
    ]  # fmt: skip


def write_csv(path: Path, rows: Sequence[dict[str, Any]], header: Sequence[str] = COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(col, "") for col in header])
    return path


def write_xlsx(path: Path, rows: Sequence[dict[str, Any]], header: Sequence[str] = COLUMNS) -> Path:
    """Cells as a seller's Excel has them: numbers as numbers, text forced to text."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(header))
    for r, row in enumerate(rows, 2):
        for c, col in enumerate(header, 1):
            value = row.get(col, "")
            if value == "" or value is None:
                continue
            cell = sheet.cell(r, c)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, even when it starts with "="
    book.save(path)
    return path


def typed(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The sample as typed Excel cells: dates, numbers, a phone that lost its leading 0."""
    out = []
    for row in rows:
        new = dict(row)
        for col in ("shipping_fee", "discount", "quantity", "unit_price"):
            if new[col] != "":
                new[col] = int(new[col])
        out.append(new)
    out[0]["order_date"] = out[1]["order_date"] = datetime(2026, 1, 5, 10, 30)
    out[2]["order_date"] = "06/01/2026 08:00"
    out[2]["customer_phone"] = 912345678
    out[3]["order_date"] = datetime(2026, 1, 6, 8, 0)
    return out


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    out = {}
    with engine.connect() as conn:
        for name, table in sorted(metadata.tables.items()):
            stmt = sa.select(table).order_by(*table.primary_key.columns)
            out[name] = [tuple(r) for r in conn.execute(stmt)]
    return out


def counts(engine: Engine) -> dict[str, int]:
    return {name: len(rows) for name, rows in dump(engine).items()}


def rows(engine: Engine, sql: str, *params: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.exec_driver_sql(sql, params) if params else conn.exec_driver_sql(sql))


def order(engine: Engine, external_id: str) -> dict[str, Any]:
    t = metadata.tables["orders"]
    with engine.connect() as conn:
        row = conn.execute(sa.select(t).where(t.c.external_id == external_id)).mappings().one()
    return dict(row)


def table_rows(engine: Engine, table: str, **where: Any) -> list[dict[str, Any]]:
    t = metadata.tables[table]
    stmt = sa.select(t).where(*(t.c[k] == v for k, v in where.items())).order_by(t.c.id)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def local(*args: int) -> datetime:
    """A shop-local (UTC+7) wall time as the aware UTC instant the store keeps."""
    return datetime(*args, tzinfo=UTC) - timedelta(hours=7)


# Happy paths ---------------------------------------------------------------------------
def check_sample_stored(engine: Engine, report: ImportReport, owner_id: int | None) -> None:
    assert (report.orders_inserted, report.orders_updated, report.orders_unchanged) == (3, 0, 0)
    assert (report.rows_read, report.lines, report.rejected) == (4, 4, [])
    assert (report.shops_created, report.products_created, report.customers_created) == (1, 3, 3)

    a = order(engine, "DH001")
    shopee = table_rows(engine, "shops", name=SHOPEE)[0]
    # made by the import, so not linked until it is authorised
    assert (shopee["channel"], shopee["status"]) == (Channel.SHOPEE, ShopStatus.NOT_LINKED)
    assert a["shop_id"] == shopee["id"]
    assert a["created_at"] == local(2026, 1, 5, 10, 30)
    assert a["completed_at"] == a["created_at"]
    assert a["updated_at"] == FIXED_NOW
    assert (a["status"], a["payment_method"]) == (OrderStatus.COMPLETED, PaymentMethod.COD)
    assert (a["source"], a["stock_state"]) == (OrderSource.IMPORT, StockState.NONE)
    assert (a["buyer_name"], a["buyer_phone"]) == (HOA, "0939921717")
    assert (a["ship_province"], a["province_code"], a["carrier"]) == (
        "TP. Hồ Chí Minh", "79", "SPX Express")  # fmt: skip
    assert (a["subtotal"], a["shipping_fee"], a["seller_discount"]) == (590_000, 15_000, 10_000)
    assert a["total"] == 595_000  # 2 x 120,000 + 350,000 + 15,000 - 10,000
    assert a["item_count"] == 3
    assert a["created_by_id"] == owner_id
    assert a["search_text"] == search_text("DH001", HOA, phones=["0939 921 717"])

    lines = table_rows(engine, "order_lines", order_id=a["id"])
    assert [(ln["sku"], ln["product_name"], ln["quantity"], ln["unit_price"], ln["discount"],
             ln["subtotal"]) for ln in lines] == [
        ("AO-TRANG-M", "Áo thun trắng M", 2, 120_000, 0, 240_000),
        ("QUAN-JEAN-30", "Quần jean 30", 1, 350_000, 0, 350_000),
    ]  # fmt: skip
    variants = {v["sku"]: v for v in table_rows(engine, "variants")}
    assert [ln["variant_id"] for ln in lines] == [
        variants["AO-TRANG-M"]["id"], variants["QUAN-JEAN-30"]["id"]]  # fmt: skip
    assert (variants["QUAN-JEAN-30"]["price"], variants["QUAN-JEAN-30"]["stock"]) == (350_000, 0)
    products = {p["id"]: p for p in table_rows(engine, "products")}
    assert products[variants["AO-TRANG-M"]["product_id"]]["name"] == "Áo thun trắng M"
    assert products[variants["NON-LA"]["product_id"]]["name"] == "NON-LA"  # no product_name

    b = order(engine, "DH002")
    assert b["shop_id"] == table_rows(engine, "shops", name=COUNTER)[0]["id"]
    assert b["created_at"] == local(2026, 1, 6, 8, 0)
    assert (b["status"], b["payment_method"], b["completed_at"]) == (
        OrderStatus.PENDING, PaymentMethod.CASH, None)  # fmt: skip
    assert (b["subtotal"], b["shipping_fee"], b["total"], b["province_code"]) == (
        120_000, 0, 120_000, "01")  # fmt: skip
    assert b["carrier"] is None

    history = table_rows(engine, "order_status_changes")
    assert [(h["order_id"], h["from_status"], h["to_status"], h["source"], h["user_id"],
             h["changed_at"]) for h in history] == [
        (a["id"], None, OrderStatus.COMPLETED, "import", owner_id, FIXED_NOW),
        (b["id"], None, OrderStatus.PENDING, "import", owner_id, FIXED_NOW),
        (order(engine, "DH003")["id"], None, OrderStatus.COMPLETED, "import", owner_id,
         FIXED_NOW),
    ]  # fmt: skip

    hoa = table_rows(engine, "customers", id=a["customer_id"])[0]
    assert (hoa["name"], hoa["code"], hoa["source"]) == (HOA, customer_code(hoa["id"]), "import")
    assert hoa["search_text"] == search_text(HOA, hoa["code"], phones=["0939921717"])
    assert (hoa["total_orders"], hoa["successful_orders"], hoa["total_expenses"]) == (
        1, 1, 595_000)  # fmt: skip
    assert (hoa["last_order_at"], hoa["channels"]) == (a["created_at"], "shopee")
    assert [(p["phone"], p["is_primary"]) for p in
            table_rows(engine, "customer_phones", customer_id=hoa["id"])] == [
        ("0939921717", True)]  # fmt: skip
    assert [(i["channel"], i["buyer_id"], i["shop_id"]) for i in
            table_rows(engine, "customer_identities", customer_id=hoa["id"])] == [
        (Channel.SHOPEE, "hoa.nt", shopee["id"])]  # fmt: skip
    binh = table_rows(engine, "customers", id=b["customer_id"])[0]
    assert (binh["name"], binh["total_orders"], binh["successful_orders"], binh["channels"]) == (
        "Trần Văn Bình", 1, 0, "offline")  # fmt: skip
    walk_in = table_rows(engine, "customers", id=order(engine, "DH003")["customer_id"])[0]
    assert walk_in["name"] == "Khách lẻ"
    assert table_rows(engine, "customer_phones", customer_id=walk_in["id"]) == []

    audits = table_rows(engine, "audit_events", action="orders.import")
    assert len(audits) == 1
    assert (audits[0]["user_id"], audits[0]["entity_type"]) == (owner_id, "file")
    assert '"orders_inserted": 3' in audits[0]["after_json"]
    activity = table_rows(engine, "activity_events", kind=ActivityKind.IMPORT)
    assert [e["message"] for e in activity] == [
        f"Imported 3 new and 0 updated orders from {audits[0]['entity_id']}"]  # fmt: skip


def test_csv_stores_every_value(owner_ctx: ServiceContext, engine: Engine, tmp_path: Path) -> None:
    report = import_orders(owner_ctx, write_csv(tmp_path / "orders.csv", sample()))
    check_sample_stored(engine, report, owner_ctx.actor.id)
    assert report.file == "orders.csv"


@deferral_sqlite_only
def test_a_big_first_import_builds_the_order_indexes_after_loading(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the threshold lowered, the sample is a "big" import into an empty store: the
    order indexes are dropped for the load and built again, and every value is the same."""
    from primedist.db import bulk

    monkeypatch.setattr(bulk, "DEFER_MIN_ROWS", 3)
    with engine.connect() as conn:
        indexes = sorted(conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'orders' AND type = 'index'"
        ).all())  # fmt: skip
    dropped: list[str] = []

    def seen(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        if sql.startswith("DROP INDEX"):
            dropped.append(sql.split('"')[1])

    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        report = import_orders(owner_ctx, write_csv(tmp_path / "orders.csv", sample()))
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    assert {name for name, sql in indexes if sql} == set(dropped)
    check_sample_stored(engine, report, owner_ctx.actor.id)
    with engine.connect() as conn:
        after = sorted(conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'orders' AND type = 'index'"
        ).all())  # fmt: skip
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    assert after == indexes


def test_xlsx_with_typed_cells_stores_the_same(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    report = import_orders(owner_ctx, write_xlsx(tmp_path / "orders.xlsx", typed(sample())))
    check_sample_stored(engine, report, owner_ctx.actor.id)
    # 912345678 (a number cell that lost its 0) is the same phone.
    assert order(engine, "DH002")["buyer_phone"] == "0912345678"


def test_header_case_order_extra_columns_semicolons_and_bom(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    header = ["Unit Price", "  SKU", "Quantity", "Order ID", "Shop", "STATUS", "Order Date",
              "Ghi chú"]  # fmt: skip
    path = tmp_path / "orders.csv"
    body = ";".join(header) + "\n120000;AO;2;X1;Shop Một;Completed;05/01/2026;bỏ qua\n"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode())
    report = import_orders(owner_ctx, path)
    assert (report.orders_inserted, report.rejected) == (1, [])
    x1 = order(engine, "X1")
    assert (x1["total"], x1["status"], x1["customer_id"], x1["payment_method"]) == (
        240_000, OrderStatus.COMPLETED, None, PaymentMethod.COD)  # fmt: skip
    made = table_rows(engine, "shops", name="Shop Một")[0]
    assert (made["channel"], made["status"]) == (Channel.OFFLINE, ShopStatus.ACTIVE)


def test_a_shop_name_typed_with_combining_marks_is_the_same_shop(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    data = sample()
    data[2]["shop"] = unicodedata.normalize("NFD", COUNTER)  # order B: the counter shop
    assert data[2]["shop"] != COUNTER
    report = import_orders(owner_ctx, write_csv(tmp_path / "o.csv", data))
    assert (report.orders_inserted, report.shops_created) == (3, 1)  # only Shopee is new
    counter = table_rows(engine, "shops", name=COUNTER)
    assert order(engine, "DH002")["shop_id"] == counter[0]["id"]


def test_ids_read_back_by_key_when_not_provably_sequential(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The PostgreSQL path (ids found by order number and placeholder code) gives the same."""
    from primedist.services import order_import

    monkeypatch.setattr(order_import._Import, "_sequential_ids", lambda *_a: None)
    report = import_orders(owner_ctx, write_csv(tmp_path / "orders.csv", sample()))
    check_sample_stored(engine, report, owner_ctx.actor.id)


def test_report_json(owner_ctx: ServiceContext, tmp_path: Path) -> None:
    data = sample()
    data[3]["quantity"] = "0"
    report = import_orders(owner_ctx, write_csv(tmp_path / "orders.csv", data))
    out = report.to_json()
    assert out["rows_rejected"] == [
        {"row": 5, "column": "quantity", "reason": "0 must be at least 1"}
    ]
    assert {k: out[k] for k in ("orders_inserted", "orders_rejected", "lines", "rows_read")} == {
        "orders_inserted": 2, "orders_rejected": 1, "lines": 3, "rows_read": 4}  # fmt: skip
    assert report.summary().startswith("Imported orders.csv: 4 rows; orders 2 new")


# Idempotency and updates ---------------------------------------------------------------
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_importing_the_same_file_twice_changes_nothing(
    owner_ctx: ServiceContext, engine: Engine, clock: FixedClock, tmp_path: Path, kind: str
) -> None:
    path = (
        write_csv(tmp_path / "o.csv", sample())
        if kind == "csv"
        else write_xlsx(tmp_path / "o.xlsx", typed(sample()))
    )
    first = import_orders(owner_ctx, path)
    assert first.orders_inserted == 3
    before = dump(engine)
    clock.advance(timedelta(days=1))
    again = import_orders(owner_ctx, path)
    assert dump(engine) == before
    assert (again.orders_inserted, again.orders_updated, again.orders_unchanged) == (0, 0, 3)
    assert (again.lines, again.customers_created, again.products_created, again.shops_created,
            again.customers_linked) == (0, 0, 0, 0, 0)  # fmt: skip
    assert not again.changed


def test_a_changed_file_updates_orders_and_adds_history(
    owner_ctx: ServiceContext, engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    import_orders(owner_ctx, write_csv(tmp_path / "o.csv", sample()))
    a_before = order(engine, "DH001")
    b_before = order(engine, "DH002")
    c_before = order(engine, "DH003")
    old_lines = table_rows(engine, "order_lines", order_id=a_before["id"])
    customers_before = counts(engine)["customers"]
    clock.advance(timedelta(hours=5))
    later = clock.now()

    data = sample()
    for row in data[:2]:
        row["status"] = "returned"
    data[1]["quantity"] = "2"  # lines change too
    data[3]["status"] = "cancelled"  # only the status of C changes
    report = import_orders(owner_ctx, write_csv(tmp_path / "o2.csv", data))
    assert (report.orders_inserted, report.orders_updated, report.orders_unchanged) == (0, 2, 1)
    assert report.lines == 2  # A's lines replaced; C's kept

    a = order(engine, "DH001")
    assert (a["status"], a["completed_at"], a["updated_at"]) == (OrderStatus.RETURNED, None, later)
    assert (a["subtotal"], a["total"], a["item_count"]) == (940_000, 945_000, 4)
    assert a["customer_id"] == a_before["customer_id"]
    lines = table_rows(engine, "order_lines", order_id=a["id"])
    assert [(ln["sku"], ln["quantity"], ln["subtotal"]) for ln in lines] == [
        ("AO-TRANG-M", 2, 240_000), ("QUAN-JEAN-30", 2, 700_000)]  # fmt: skip
    assert not {ln["id"] for ln in lines} & {ln["id"] for ln in old_lines}
    history = table_rows(engine, "order_status_changes", order_id=a["id"])
    assert [(h["from_status"], h["to_status"], h["changed_at"]) for h in history] == [
        (None, OrderStatus.COMPLETED, FIXED_NOW),
        (OrderStatus.COMPLETED, OrderStatus.RETURNED, later),
    ]  # fmt: skip
    assert order(engine, "DH002") == b_before  # unchanged: not even updated_at
    c = order(engine, "DH003")
    assert (c["status"], c["updated_at"], c["customer_id"]) == (
        OrderStatus.CANCELLED, later, c_before["customer_id"])  # fmt: skip
    assert [ln["id"] for ln in table_rows(engine, "order_lines", order_id=c["id"])] == [
        ln["id"] for ln in table_rows(engine, "order_lines", order_id=c_before["id"])]  # fmt: skip
    # A name-only buyer is not created again when the order is updated.
    assert counts(engine)["customers"] == customers_before
    hoa = table_rows(engine, "customers", id=a["customer_id"])[0]
    assert (hoa["total_orders"], hoa["successful_orders"], hoa["returned_orders"],
            hoa["total_expenses"], hoa["updated_at"]) == (1, 0, 1, 0, later)  # fmt: skip
    audits = table_rows(engine, "audit_events", action="orders.import")
    assert len(audits) == 2


def test_status_case_does_not_count_as_a_change(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    import_orders(owner_ctx, write_csv(tmp_path / "o.csv", sample()))
    before = dump(engine)
    data = sample()
    for row in data:
        row["status"] = row["status"].upper()
        row["order_date"] = row["order_date"].replace("2026-01-05 10:30", "05/01/2026 10:30:00")
    report = import_orders(owner_ctx, write_csv(tmp_path / "o2.csv", data))
    assert report.orders_unchanged == 3
    assert dump(engine) == before


def test_an_order_that_moves_stock_is_not_changed(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    import_orders(owner_ctx, write_csv(tmp_path / "o.csv", sample()))
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE orders SET stock_state = 'reserved' WHERE external_id = 'DH001'"
        )
    before = dump(engine)
    data = sample()
    data[0]["status"] = data[1]["status"] = "cancelled"
    report = import_orders(owner_ctx, write_csv(tmp_path / "o2.csv", data))
    assert report.rejected == [
        RejectedRow(2, None, "this order moves stock (it was made in the app): change it there, "
                    "not by import"),
        RejectedRow(3, None, "order rejected because of row 2"),
    ]  # fmt: skip
    assert (report.orders_updated, report.orders_unchanged, report.orders_rejected) == (0, 2, 1)
    assert dump(engine) == before


def test_updating_a_synced_order_keeps_its_other_discounts(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    shop_id = make_shop(engine, "Lazada Store", Channel.LAZADA)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    (oid,) = make_orders(engine, shop_id, 1, start=start, step=timedelta(hours=1), seed=5,
                         totals=[500_000])  # fmt: skip
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE orders SET voucher_discount = 20000, points_discount = 1000, "
                "seller_discount = 0, marketplace_discount = 0, shop_promotion = 0, "
                "total = subtotal + shipping_fee - 21000 WHERE id = :id"
            ),
            {"id": oid},
        )
    stored = table_rows(engine, "orders", id=oid)[0]
    row = {**BASE, "order_id": stored["external_id"], "shop": "Lazada Store",
           "status": "completed", "unit_price": "300000", "quantity": "1", "shipping_fee": "0",
           "discount": "5000"}  # fmt: skip
    report = import_orders(owner_ctx, write_csv(tmp_path / "o.csv", [row]))
    assert (report.orders_updated, report.rejected) == (1, [])
    o = table_rows(engine, "orders", id=oid)[0]
    assert (o["subtotal"], o["voucher_discount"], o["points_discount"], o["seller_discount"]) == (
        300_000, 20_000, 1_000, 5_000)  # fmt: skip
    assert o["total"] == 300_000 - 20_000 - 1_000 - 5_000
    assert o["source"] == OrderSource.MARKETPLACE  # where it came from stays
    # A price that the stored discounts would take below zero is refused.
    row["unit_price"], row["discount"] = "15000", "0"
    report = import_orders(owner_ctx, write_csv(tmp_path / "o2.csv", [row]))
    assert report.rejected == [
        RejectedRow(2, "discount", "with the order's stored marketplace, voucher, promotion and "
                    "points discounts the total would be -6,000"),
    ]  # fmt: skip
    assert table_rows(engine, "orders", id=oid)[0] == o


def test_refunds_and_returned_items_are_protected(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    import_orders(owner_ctx, write_csv(tmp_path / "o.csv", sample()))
    a_id = order(engine, "DH001")["id"]
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE orders SET refunded_amount = 100000 WHERE external_id = 'DH002'"
        )
        conn.execute(
            sa.text(
                "UPDATE order_lines SET returned_quantity = 1"
                " WHERE order_id = :id AND sku = 'AO-TRANG-M'"
            ),
            {"id": a_id},
        )
    before = dump(engine)
    data = sample()
    data[1]["quantity"] = "3"  # A: lines would be replaced, but one was returned
    data[2]["unit_price"] = "50000"  # B: the total would go below what was refunded
    report = import_orders(owner_ctx, write_csv(tmp_path / "o2.csv", data))
    assert report.rejected == [
        RejectedRow(2, "sku", "the order has returned items: its lines cannot be replaced by "
                    "import"),
        RejectedRow(3, None, "order rejected because of row 2"),
        RejectedRow(4, "discount", "the order total would be 50,000, less than the 100,000 already "
                    "refunded"),
    ]  # fmt: skip
    assert dump(engine) == before
    data = sample()
    data[0]["status"] = data[1]["status"] = "return_refund"  # lines unchanged: allowed
    report = import_orders(owner_ctx, write_csv(tmp_path / "o3.csv", data))
    assert (report.orders_updated, report.rejected) == (1, [])
    lines = table_rows(engine, "order_lines", order_id=a_id)
    assert [ln["returned_quantity"] for ln in lines] == [1, 0]  # kept


# Customers, products, shops ------------------------------------------------------------
def test_customer_found_by_phone_in_another_format_gets_the_buyer_id(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    (cid,) = make_customers(engine, 1, names=["Lê Văn Cũ"])
    phone = table_rows(engine, "customer_phones", customer_id=cid)[0]["phone"]  # 08xxxxxxxx
    spaced = f"+84 {phone[1:4]} {phone[4:7]} {phone[7:]}"
    row = {**BASE, "customer_name": "Le Van Cu", "customer_phone": spaced, "buyer_id": "cu.le"}
    report = import_orders(owner_ctx, write_csv(tmp_path / "o.csv", [row]))
    assert (report.customers_created, report.customers_linked) == (0, 1)
    a = order(engine, "DH001")
    assert (a["customer_id"], a["buyer_phone"], a["buyer_name"]) == (cid, phone, "Le Van Cu")
    identities = table_rows(engine, "customer_identities")
    assert [(i["customer_id"], i["channel"], i["buyer_id"]) for i in identities] == [
        (cid, Channel.SHOPEE, "cu.le")
    ]
    cust = table_rows(engine, "customers", id=cid)[0]
    assert (cust["name"], cust["total_orders"], cust["total_expenses"]) == ("Lê Văn Cũ", 1, 245_000)


def test_customer_found_by_buyer_id_before_phone(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    first, second = make_customers(engine, 2)
    second_phone = table_rows(engine, "customer_phones", customer_id=second)[0]["phone"]
    shop_id = make_shop(engine, SHOPEE, Channel.SHOPEE)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(metadata.tables["customer_identities"]),
            [{"customer_id": first, "channel": Channel.SHOPEE, "shop_id": shop_id,
              "buyer_id": "hoa.nt"}],
        )  # fmt: skip
    row = {**BASE, "customer_phone": second_phone}  # the phone is someone else's
    report = import_orders(owner_ctx, write_csv(tmp_path / "o.csv", [row]))
    assert (report.customers_created, report.customers_linked, report.shops_created) == (0, 0, 0)
    assert order(engine, "DH001")["customer_id"] == first
    assert len(table_rows(engine, "customer_phones", customer_id=first)) == 1  # not added


def test_one_new_customer_per_phone_within_a_file(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    data = [
        {**BASE, "buyer_id": ""},
        {**BASE, "order_id": "DH009", "customer_phone": "+84939921717", "buyer_id": "",
         "status": "cancelled"},
    ]  # fmt: skip
    report = import_orders(owner_ctx, write_csv(tmp_path / "o.csv", data))
    assert report.customers_created == 1
    ids = {order(engine, x)["customer_id"] for x in ("DH001", "DH009")}
    assert len(ids) == 1
    cust = table_rows(engine, "customers", id=ids.pop())[0]
    assert (cust["total_orders"], cust["successful_orders"], cust["cancelled_orders"]) == (2, 1, 1)


def test_masked_invalid_and_missing_buyers(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    data = [
        {**BASE, "order_id": "M1", "customer_phone": "84*****89", "buyer_id": ""},
        {**BASE, "order_id": "M2", "customer_name": "Số Sai", "customer_phone": "12345",
         "buyer_id": ""},
        {**BASE, "order_id": "M3", "customer_name": "", "customer_phone": "", "buyer_id": ""},
        {**BASE, "order_id": "M4", "customer_name": "", "customer_phone": "84*****11",
         "buyer_id": ""},
    ]  # fmt: skip
    report = import_orders(owner_ctx, write_csv(tmp_path / "o.csv", data))
    # A phone that is no phone would be dropped unseen: its order is rejected.
    assert report.rejected == [RejectedRow(3, "customer_phone", "'12345' is not a phone number")]
    assert (report.orders_inserted, report.customers_created) == (3, 1)
    m1, m3, m4 = (order(engine, x) for x in ("M1", "M3", "M4"))
    assert m1["buyer_phone"] == "84*****89" and m1["customer_id"] is not None
    assert (m3["customer_id"], m4["customer_id"], m4["buyer_phone"]) == (None, None, "84*****11")
    assert table_rows(engine, "customer_phones") == []


def test_existing_skus_are_linked_not_created(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        pid = conn.execute(
            sa.insert(metadata.tables["products"]).returning(metadata.tables["products"].c.id),
            [{"name": "Áo có sẵn", "search_text": "ao co san", "created_at": now,
              "updated_at": now}],
        ).scalar_one()  # fmt: skip
        vt = metadata.tables["variants"]
        for price in (99_000, 88_000):  # two variants share the SKU: the first one wins
            conn.execute(sa.insert(vt), [{"product_id": pid, "sku": "AO-TRANG-M", "price": price,
                                          "cost": price // 2, "created_at": now,
                                          "updated_at": now}])  # fmt: skip
    first_variant = min(v["id"] for v in table_rows(engine, "variants"))
    report = import_orders(owner_ctx, write_csv(tmp_path / "o.csv", sample()[:2]))
    assert report.products_created == 1  # QUAN-JEAN-30 only
    lines = table_rows(engine, "order_lines")
    assert lines[0]["variant_id"] == first_variant
    assert lines[0]["product_name"] == "Áo thun trắng M"  # the file's snapshot
    # Each line costs what a unit of its variant costs now (a new product: nothing yet).
    assert [line["unit_cost"] for line in lines] == [49_500, 0]


def test_a_sku_in_another_letter_case_is_the_stored_one(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    """A scan and a receipt find `AO-TRANG-M` by `ao-trang-m`: the import links the line to
    it (named as stored) instead of making a twin product; new SKUs of one file that differ
    only in case become one product."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        pid = conn.execute(
            sa.insert(metadata.tables["products"]).returning(metadata.tables["products"].c.id),
            [{"name": "Áo có sẵn", "search_text": "ao co san", "created_at": now,
              "updated_at": now}],
        ).scalar_one()  # fmt: skip
        conn.execute(sa.insert(metadata.tables["variants"]),
                     [{"product_id": pid, "sku": "AO-TRANG-M", "price": 99_000,
                       "created_at": now, "updated_at": now}])  # fmt: skip
    variant = table_rows(engine, "variants")[0]["id"]
    data = [
        {**BASE, "sku": "ao-trang-m"},
        {**BASE, "sku": "Mu-Luoi", "product_name": "Mũ lưỡi trai"},
        {**BASE, "order_id": "DH002", "sku": "MU-LUOI", "product_name": "Mũ lưỡi trai"},
        {**BASE, "order_id": "DH003", "sku": "mu-luoi", "product_name": "Mũ lưỡi trai"},
    ]
    report = import_orders(owner_ctx, write_csv(tmp_path / "o.csv", data))
    assert (report.orders_inserted, report.products_created, report.rejected) == (3, 1, [])
    assert [v["sku"] for v in table_rows(engine, "variants")] == ["AO-TRANG-M", "MU-LUOI"]
    new_variant = table_rows(engine, "variants")[1]["id"]
    lines = {(r[0], r[1], r[2]) for r in rows(
        engine, "SELECT o.external_id, l.sku, l.variant_id FROM order_lines l"
        " JOIN orders o ON o.id = l.order_id")}  # fmt: skip
    assert lines == {
        ("DH001", "AO-TRANG-M", variant),
        ("DH001", "MU-LUOI", new_variant),
        ("DH002", "MU-LUOI", new_variant),
        ("DH003", "MU-LUOI", new_variant),
    }
    # The same file again changes nothing: its spellings still name the stored SKUs.
    before = dump(engine)
    again = import_orders(owner_ctx, write_csv(tmp_path / "o2.csv", data))
    assert (again.orders_unchanged, again.orders_updated, again.products_created) == (3, 0, 0)
    assert dump(engine) == before


@sqlite_only
def test_imported_rows_are_searchable(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    import_orders(owner_ctx, write_csv(tmp_path / "o.csv", sample()))

    def match(table: str, query: str) -> list[int]:
        return [r[0] for r in rows(engine, f"SELECT rowid FROM {table} WHERE {table} MATCH ?",
                                   query)]  # fmt: skip

    assert match("orders_fts", '"dh001"') == [order(engine, "DH001")["id"]]
    hoa_id = order(engine, "DH001")["customer_id"]
    assert match("customers_fts", '"nguyen" "thi" "hoa"') == [hoa_id]
    assert match("customers_fts", f'"{customer_code(hoa_id).lower()}"') == [hoa_id]
    assert len(match("products_fts", '"quan" "jean"')) == 1
    rows(engine, "SELECT 1")  # and the index is consistent with its tables:
    with engine.begin() as conn:
        for fts in ("orders_fts", "customers_fts", "products_fts"):
            conn.exec_driver_sql(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)")
    assert len(rows(engine, "SELECT name FROM sqlite_master WHERE type = 'trigger'")) == 9
    # An update goes through the restored triggers.
    data = sample()
    data[2]["customer_name"] = "Đặng Văn Đạt"
    import_orders(owner_ctx, write_csv(tmp_path / "o2.csv", data))
    assert match("orders_fts", '"dang" "van" "dat"') == [order(engine, "DH002")["id"]]
    assert match("orders_fts", '"tran" "van" "binh"') == []


def test_formula_looking_text_is_stored_verbatim(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    evil = '=HYPERLINK("http://evil.example","Bấm vào đây")'
    data = [{**BASE, "order_id": "F1", "customer_name": evil, "product_name": "=1+1",
             "sku": "@SUM(A1)", "shipping_provider": "+cmd"}]  # fmt: skip
    import_orders(owner_ctx, write_csv(tmp_path / "o.csv", data))
    import_orders(owner_ctx, write_xlsx(tmp_path / "o.xlsx", [{**data[0], "order_id": "F2"}]))
    for external_id in ("F1", "F2"):
        o = order(engine, external_id)
        assert (o["buyer_name"], o["carrier"]) == (evil, "+cmd")
        line = table_rows(engine, "order_lines", order_id=o["id"])[0]
        assert (line["product_name"], line["sku"]) == ("=1+1", "@SUM(A1)")
    assert [c["name"] for c in table_rows(engine, "customers")] == [evil]
    assert [p["name"] for p in table_rows(engine, "products")] == ["=1+1"]


# Rejected rows -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("quantity", "0", "0 must be at least 1"),
        ("quantity", "two", "'two' is not a number"),
        ("quantity", "1.5", "'1.5' is not a whole number"),
        ("quantity", "2000000", "2,000,000 is more than the limit of 1,000,000"),
        ("unit_price", "12.5", "'12.5' is not a whole number"),
        ("unit_price", "350.5", "'350.5' is not a whole number"),
        ("quantity", "1.000", "'1.000' has a thousands separator: write the plain number"),
        ("unit_price", "-1", "-1 must not be negative"),
        ("unit_price", "", "is empty (a value is required)"),
        ("sku", "  ", "is empty (a value is required)"),
        ("sku", "S" * 65, "is 65 characters long: the limit is 64"),
        ("product_name", "p" * 256, "is 256 characters long: the limit is 255"),
        ("order_date", "31/02/2026", "'31/02/2026' is not a real date and time"),
        ("order_date", "hôm qua", "'hôm qua' is not a date (use YYYY-MM-DD or DD/MM/YYYY"),
        ("order_date", "0001-01-01", "'0001-01-01' is not a possible date (the year must be"),
        # The usual form, read by a shortcut: the same messages.
        ("order_date", "2026-02-30 10:00:00", "'2026-02-30 10:00:00' is not a real date"),
        ("order_date", "0001-01-01 00:00:00", "'0001-01-01 00:00:00' is not a possible date"),
        ("order_date", "2099-01-01 10:00:00", "'2099-01-01 10:00:00' is in the future"),
        ("order_date", "", "is empty (a value is required)"),
        ("status", "done", "unknown value 'done' (use one of: pending, confirmed, shipping"),
        ("status", "", "is empty (a value is required)"),
        ("payment_method", "bitcoin", "unknown value 'bitcoin' (use one of: cod, cash"),
        ("channel", "amazon", "unknown value 'amazon' (use one of: shopee, lazada"),
        ("customer_name", "x" * 121, "is 121 characters long: the limit is 120"),
        ("customer_phone", "0" * 33, "is 33 characters long: the limit is 32"),
        ("buyer_id", "b" * 65, "is 65 characters long: the limit is 64"),
        ("shipping_fee", "abc", "'abc' is not a number"),
        ("status", "cancelled",
         "'cancelled' differs from 'completed' on row 2 of the same order"),
        ("shipping_fee", "20000", "'20000' differs from '15000' on row 2 of the same order"),
        ("order_date", "05/01/2026 10:31",
         "'05/01/2026 10:31' differs from '05/01/2026 10:30' on row 2 of the same order"),
        ("customer_phone", "0939921717",
         "'0939921717' differs from '0939 921 717' on row 2 of the same order"),
    ],
)  # fmt: skip
def test_a_bad_line_rejects_its_whole_order_only(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path, column: str, value: str,
    reason: str,
) -> None:  # fmt: skip
    data = sample()
    data[1][column] = value  # row 3: the second line of order A
    report = import_orders(owner_ctx, write_csv(tmp_path / "o.csv", data))
    assert len(report.rejected) == 2
    assert report.rejected[0] == RejectedRow(2, None, "order rejected because of row 3")
    bad = report.rejected[1]
    assert (bad.row, bad.column) == (3, column)
    assert reason in bad.reason, bad.reason
    assert (report.orders_inserted, report.orders_rejected, report.lines) == (2, 1, 2)
    assert [r[0] for r in rows(engine, "SELECT external_id FROM orders ORDER BY id")] == [
        "DH002", "DH003"]  # fmt: skip
    # Nothing of order A: no Shopee shop, no Hoa, no jeans.
    assert table_rows(engine, "shops", name=SHOPEE) == []
    assert table_rows(engine, "variants", sku="QUAN-JEAN-30") == []
    assert [c["name"] for c in table_rows(engine, "customers")] == ["Trần Văn Bình", "Khách lẻ"]


def test_ids_excel_rounded_are_refused_not_merged(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    """Two TikTok ids stored as Excel numbers read back as one rounded number, and a CSV
    Excel saved writes them 5.76461E+17: such a row is refused by its column, never filed
    under the rounded id (two orders merged into one)."""
    data = [
        {**BASE, "order_id": 576461413038785999},
        {**BASE, "order_id": 576461413038786000, "sku": "QUAN-JEAN-30"},
        {**BASE, "order_id": "DH010", "buyer_id": 576461413038785999},
        {**BASE, "order_id": "DH011", "sku": 123456789012345678},
        {**BASE, "order_id": "DH012", "buyer_id": 12345678, "sku": 12345},  # exact: kept
        {**BASE, "order_id": "2024E001"},  # a code, not a number Excel wrote
    ]
    report = import_orders(owner_ctx, write_xlsx(tmp_path / "o.xlsx", data))
    advice = ("is not an exact id: Excel stored it as a number and dropped digits; format "
              "the column as text and type the ids again")  # fmt: skip
    assert report.rejected == [
        RejectedRow(2, "order_id", f"'576461413038786048' {advice}"),
        RejectedRow(3, "order_id", f"'576461413038786048' {advice}"),
        RejectedRow(4, "buyer_id", f"'576461413038786048' {advice}"),
        RejectedRow(5, "sku", f"'123456789012345696' {advice}"),
    ]
    assert sorted(r[0] for r in rows(engine, "SELECT external_id FROM orders")) == [
        "2024E001", "DH012"]  # fmt: skip
    assert table_rows(engine, "variants", sku="12345") != []
    with (tmp_path / "o.csv").open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(COLUMNS)
        for sku in ("AO-TRANG-M", "QUAN-JEAN-30"):
            out.writerow([{**BASE, "order_id": "5.76461E+17", "sku": sku}.get(c, "")
                          for c in COLUMNS])  # fmt: skip
    report = import_orders(owner_ctx, tmp_path / "o.csv")
    assert report.rejected == [RejectedRow(r, "order_id", f"'5.76461E+17' {advice}")
                               for r in (2, 3)]  # fmt: skip
    assert report.orders_inserted == 0


@pytest.mark.parametrize("phone", ["+84 939 921 717 ext 5", "😀", "0939 921 717 / 0912 345 678"])
def test_a_phone_that_is_no_phone_rejects_its_order(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path, phone: str
) -> None:
    """Dropped unseen, the order would lose its buyer's phone: rejected by its column, as
    the customer import does; a masked marketplace phone and a phone Excel stored as a
    number (its leading 0 lost) are fine."""
    data = [
        {**BASE, "customer_phone": phone},
        {**BASE, "order_id": "DH002", "customer_phone": "84*****89", "buyer_id": ""},
        {**BASE, "order_id": "DH003", "customer_phone": 912345678, "buyer_id": ""},
    ]
    report = import_orders(owner_ctx, write_xlsx(tmp_path / "o.xlsx", data))
    assert report.rejected == [RejectedRow(2, "customer_phone", f"{phone!r} is not a phone number")]
    assert (order(engine, "DH002")["buyer_phone"], order(engine, "DH003")["buyer_phone"]) == (
        "84*****89", "0912345678")  # fmt: skip
    assert rows(engine, "SELECT 1 FROM orders WHERE external_id = 'DH001'") == []


def test_an_order_on_account_needs_its_customer(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    """Owed by nobody, an on-account order would sit on no account and in no "customers
    owe" total: rejected by its row (a masked phone alone finds no one); with a customer it
    is that customer's debt."""
    on_account = {**BASE, "payment_method": "on_account", "status": "completed"}
    data = [
        {**on_account, "customer_name": "", "customer_phone": "", "buyer_id": ""},
        {**on_account, "order_id": "DH002", "customer_name": "", "customer_phone": "84*****89",
         "buyer_id": ""},
        {**on_account, "order_id": "DH003"},
    ]  # fmt: skip
    report = import_orders(owner_ctx, write_csv(tmp_path / "o.csv", data))
    reason = str(ON_ACCOUNT_NEEDS_CUSTOMER)
    assert report.rejected == [RejectedRow(2, "customer_name", reason),
                               RejectedRow(3, "customer_name", reason)]  # fmt: skip
    assert rows(engine, "SELECT external_id FROM orders") == [("DH003",)]
    assert order(engine, "DH003")["customer_id"] is not None


def test_a_number_too_long_to_read_is_shown_as_written(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    data = [
        {**BASE, "unit_price": 1e308},
        {**BASE, "order_id": "DH002", "shipping_fee": -1e300},
        {**BASE, "order_id": "DH003", "unit_price": 1e20},
    ]
    report = import_orders(owner_ctx, write_xlsx(tmp_path / "o.xlsx", data))
    assert report.rejected == [
        RejectedRow(2, "unit_price", "'1e+308' is more than the limit of 1,000,000,000,000"),
        RejectedRow(3, "shipping_fee", "'-1e+300' must not be negative"),
        RejectedRow(4, "unit_price",
                    "100,000,000,000,000,000,000 is more than the limit of 1,000,000,000,000"),
    ]  # fmt: skip


def test_a_true_cell_is_not_the_quantity_1_of_an_earlier_identical_line(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    data = typed(sample())  # row 3: QUAN-JEAN-30 × 1 at 350,000
    data.append({**data[1], "order_id": "DH009", "quantity": True})  # row 6
    report = import_orders(owner_ctx, write_xlsx(tmp_path / "o.xlsx", data))
    assert report.rejected == [RejectedRow(6, "quantity", "TRUE is not a number")]
    assert report.orders_inserted == 3
    assert rows(engine, "SELECT 1 FROM orders WHERE external_id = 'DH009'") == []


def test_a_bad_first_line_names_it_and_the_others_follow(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    data = sample()
    data[0]["order_date"] = "2026-13-01"
    report = import_orders(owner_ctx, write_csv(tmp_path / "o.csv", data))
    assert report.rejected == [
        RejectedRow(2, "order_date", "'2026-13-01' is not a real date and time"),
        RejectedRow(3, None, "order rejected because of row 2"),
    ]


def test_of_several_bad_cells_the_first_in_column_order_is_named(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    """Order-level cells an earlier order shared are parsed once; a row with more than one
    bad cell still names the first by the template's column order (the date before the
    channel, the status before the date), whatever was parsed before."""
    data = [
        {**BASE, "order_id": "G1", "order_date": "2026-01-05 10:30:00"},
        {**BASE, "order_id": "G2", "order_date": "hôm qua", "channel": "amazon"},
        {**BASE, "order_id": "G3", "order_date": "hôm qua", "status": "done"},
        {**BASE, "order_id": "G4", "customer_phone": "không có", "shipping_fee": "abc"},
        {**BASE, "order_id": "G5", "order_date": "2026-01-05 10:31:00"},
    ]
    report = import_orders(owner_ctx, write_csv(tmp_path / "o.csv", data))
    assert [(r.row, r.column) for r in report.rejected] == [
        (3, "order_date"), (4, "status"), (5, "customer_phone")]  # fmt: skip
    assert (report.orders_inserted, report.orders_rejected) == (2, 3)


def test_discount_above_subtotal_and_shipping_rejects_the_order(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    data = sample()
    data[2]["discount"] = "120001"  # order B: 120,000 + 0 shipping
    report = import_orders(owner_ctx, write_csv(tmp_path / "o.csv", data))
    assert report.rejected == [
        RejectedRow(4, "discount", "120,001 is more than the order's subtotal 120,000 plus "
                    "shipping 0"),
    ]  # fmt: skip
    assert report.orders_inserted == 2
    data[2]["discount"] = "120000"  # a free order is fine
    report = import_orders(owner_ctx, write_csv(tmp_path / "o2.csv", data))
    assert (report.orders_inserted, report.rejected) == (1, [])
    assert order(engine, "DH002")["total"] == 0


def test_rows_without_a_key_are_rejected_alone(owner_ctx: ServiceContext, tmp_path: Path) -> None:
    data = sample()
    data.insert(1, {**BASE, "order_id": " "})
    data.append({**BASE, "order_id": "DH100", "shop": "s" * 121})
    report = import_orders(owner_ctx, write_csv(tmp_path / "o.csv", data))
    assert report.rejected == [
        RejectedRow(3, "order_id", "is empty (a value is required)"),
        RejectedRow(7, "shop", "is 121 characters long: the limit is 120"),
    ]
    assert report.orders_inserted == 3


def test_all_rows_rejected_writes_nothing(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    before = dump(engine)
    data = sample()
    for row in data:
        row["status"] = "??"
    report = import_orders(owner_ctx, write_csv(tmp_path / "o.csv", data))
    assert [r.row for r in report.rejected] == [2, 3, 4, 5]
    assert report.orders_rejected == 3
    assert dump(engine) == before  # no audit row either


# File-level errors: nothing written ------------------------------------------------------
def file_error(ctx: ServiceContext, engine: Engine, path: Path) -> ValidationError:
    before = dump(engine)
    with pytest.raises(ValidationError) as info:
        import_orders(ctx, path)
    assert dump(engine) == before
    return info.value


def test_missing_file(owner_ctx: ServiceContext, engine: Engine, tmp_path: Path) -> None:
    err = file_error(owner_ctx, engine, tmp_path / "none.csv")
    assert err.user_message == f"File not found: {tmp_path / 'none.csv'}"


def test_empty_and_header_only_files(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert file_error(owner_ctx, engine, empty).user_message == "empty.csv is empty"
    header = write_csv(tmp_path / "header.csv", [])
    assert "header.csv has a header but no data rows" in file_error(
        owner_ctx, engine, header).user_message  # fmt: skip
    header_x = write_xlsx(tmp_path / "header.xlsx", [])
    assert "no data rows" in file_error(owner_ctx, engine, header_x).user_message


@pytest.mark.parametrize("missing", REQUIRED)
def test_missing_required_column(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path, missing: str
) -> None:
    header = [c for c in COLUMNS if c != missing]
    err = file_error(owner_ctx, engine, write_csv(tmp_path / "o.csv", sample(), header))
    assert err.column == missing
    assert err.user_message.startswith(f"column {missing!r}: o.csv has no such column")


def test_duplicate_header(owner_ctx: ServiceContext, engine: Engine, tmp_path: Path) -> None:
    header = [*COLUMNS, "Quantity"]
    err = file_error(owner_ctx, engine, write_csv(tmp_path / "o.csv", sample(), header))
    assert (err.row, err.column) == (1, "quantity")
    assert "appears twice in the header" in err.user_message


def test_a_csv_renamed_xlsx_and_a_broken_workbook(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    fake = tmp_path / "orders.xlsx"
    fake.write_bytes(write_csv(tmp_path / "o.csv", sample()).read_bytes())
    assert "is not a real Excel file" in file_error(owner_ctx, engine, fake).user_message
    real = write_xlsx(tmp_path / "real.xlsx", sample())
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(real.read_bytes()[:1_500])
    assert "cannot be read as an Excel file" in file_error(owner_ctx, engine, broken).user_message
    legacy = tmp_path / "old.xls"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert "cannot be read as an Excel file" in file_error(owner_ctx, engine, legacy).user_message


def test_unsupported_extension(owner_ctx: ServiceContext, engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "orders.json"
    path.write_text("{}")
    assert "unsupported file type '.json'" in file_error(owner_ctx, engine, path).user_message


def test_not_utf8(owner_ctx: ServiceContext, engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    text = write_csv(tmp_path / "u.csv", sample()).read_text(encoding="utf-8")
    path.write_bytes(text.replace("Nguyễn Thị Hoa", "Nguyen Thi Hoa").replace(
        "Áo thun trắng M", "Ao thun").replace("Quần", "Quan").replace("Trần Văn Bình", "Binh")
        .replace("Khách lẻ", "Khach").replace("Hồ Chí Minh", "HCM").replace("Hà Nội", "Ha Noi")
        .replace("Cửa hàng Thử", "Cua hang").encode("ascii") + b"DH9,caf\xe9\n")  # fmt: skip
    assert "is not UTF-8 text" in file_error(owner_ctx, engine, path).user_message


def test_size_and_row_limits(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_csv(tmp_path / "o.csv", sample())
    monkeypatch.setattr(tabular, "MAX_DATA_ROWS", 3)
    assert file_error(owner_ctx, engine, path).user_message == (
        "o.csv has more than 3 data rows: split it into smaller files")  # fmt: skip
    monkeypatch.setattr(tabular, "MAX_DATA_ROWS", 1_000_000)
    monkeypatch.setattr(tabular, "MAX_FILE_BYTES", 100)
    assert "the limit is 0 MB" in file_error(owner_ctx, engine, path).user_message


# Permission, cancel, progress -------------------------------------------------------------
def test_staff_without_orders_access_is_refused(
    ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "o.csv", sample())
    staff = Actor(id=None, name="Nhân viên", email="nv@example.vn", role=Role.STAFF,
                  modules=frozenset({Module.PRODUCTS}))  # fmt: skip
    before = dump(engine)
    with pytest.raises(PermissionDenied, match="Nhân viên has no access to orders"):
        import_orders(ctx.with_actor(staff), path)
    with pytest.raises(PermissionDenied):  # refused before the file is even looked at
        import_orders(ctx.with_actor(staff), tmp_path / "missing.csv")
    assert dump(engine) == before
    allowed = Actor(id=None, name="Kho", email="kho@example.vn", role=Role.STAFF,
                    modules=frozenset({Module.ORDERS}))  # fmt: skip
    assert import_orders(ctx.with_actor(allowed), path).orders_inserted == 3


@pytest.mark.parametrize("at", [0.0, 0.5, 0.6, 0.8, 0.93])
def test_cancel_leaves_nothing(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path, at: float
) -> None:
    import_orders(owner_ctx, write_csv(tmp_path / "first.csv", sample()[:1]))
    before = dump(engine)
    data = sample()
    data[0]["status"] = data[1]["status"] = "shipping"  # an update as well as inserts
    data += [{**BASE, "order_id": f"N{i}", "buyer_id": f"b{i}", "customer_phone": ""}
             for i in range(30)]  # fmt: skip
    progress = CancelAt(at)
    with pytest.raises(Cancelled):
        import_orders(owner_ctx, write_csv(tmp_path / "o.csv", data), progress=progress)
    assert dump(engine) == before
    if at >= 0.6:
        assert any(m.startswith("Writing") for m in progress.messages)
    if not PG_URL:
        assert len(rows(engine, "SELECT name FROM sqlite_master WHERE type = 'trigger'")) == 9
    # The store is fine afterwards: the same file imports.
    report = import_orders(owner_ctx, write_csv(tmp_path / "o.csv", data))
    assert (report.orders_inserted, report.orders_updated) == (32, 1)


def test_progress_moves_forward_to_done(owner_ctx: ServiceContext, tmp_path: Path) -> None:
    seen: list[float] = []
    import_orders(owner_ctx, write_csv(tmp_path / "o.csv", sample()),
                  progress=JobProgress(lambda f, _m: seen.append(f)))  # fmt: skip
    assert seen == sorted(seen)
    assert seen[-1] == 1.0


class _NewerDatetime(datetime):
    """`datetime` as newer Pythons read ISO text (CPython's `fromisoformat` learned ISO 8601's
    24:00:00, midnight at the end of the day; 3.11 to 3.13 refuse it)."""

    @classmethod
    def fromisoformat(cls, date_string: str, /) -> Self:
        if date_string[10:] in (" 24:00:00", "T24:00:00"):
            return cls.fromisoformat(date_string[:10]) + timedelta(days=1)
        return super().fromisoformat(date_string)


def test_24_00_is_no_real_time_whichever_python_reads_the_file(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shortcut for the usual date form (`fromisoformat`) leaves 24:00:00 to the full
    parse: on a newer Python it would file the order at midnight of the next day."""
    from primedist.services import order_import

    monkeypatch.setattr(order_import, "datetime", _NewerDatetime)
    data = [{**BASE, "order_id": f"M{i}", "order_date": when}
            for i, when in enumerate(("2026-01-05 24:00:00", "2026-01-05T24:00:00"))]  # fmt: skip
    report = import_orders(owner_ctx, write_csv(tmp_path / "o.csv", data))
    assert [(r.row, r.column, r.reason) for r in report.rejected] == [
        (2, "order_date", "'2026-01-05 24:00:00' is not a real date and time"),
        (3, "order_date", "'2026-01-05T24:00:00' is not a real date and time"),
    ]
    assert counts(engine)["orders"] == 0


def test_dates_in_the_shop_time_zone(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    data = [
        {**BASE, "order_id": "T1", "order_date": "2026-01-01 00:30:15"},
        {**BASE, "order_id": "T2", "order_date": "01/01/2026"},
    ]
    import_orders(owner_ctx, write_csv(tmp_path / "o.csv", data))
    xlsx_rows = [
        {**BASE, "order_id": "T3", "order_date": date(2026, 1, 1)},
        {**BASE, "order_id": "T4", "order_date": datetime(2026, 1, 1, 0, 30, 15)},
    ]
    import_orders(owner_ctx, write_xlsx(tmp_path / "o.xlsx", xlsx_rows))
    assert order(engine, "T1")["created_at"] == datetime(2025, 12, 31, 17, 30, 15, tzinfo=UTC)
    assert order(engine, "T2")["created_at"] == datetime(2025, 12, 31, 17, 0, tzinfo=UTC)
    assert order(engine, "T3")["created_at"] == order(engine, "T2")["created_at"]
    assert order(engine, "T4")["created_at"] == order(engine, "T1")["created_at"]
