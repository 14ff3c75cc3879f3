"""Seller Center exports (Shopee, Lazada, TikTok Shop) into a real migrated store, through
files the tests write with the documented headers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.errors import ValidationError
from primedist.services.context import ServiceContext
from primedist.services.seller_center_import import (
    SellerCenterReport,
    detect_file_format,
    import_export,
    import_orders_file,
)
from tests.driver_sql import driver_sql
from tests.factories import make_shop
from tests.services.seller_center_files import write_lazada, write_shopee, write_tiktok

TOTAL_LINE = "Tổng số tiền Người mua thanh toán"
TOTAL_ORDER = "Tổng số tiền người mua thanh toán"


def shopee_rows(sn: str, lines: list[tuple[str, str, int, Any, Any]], *, status: str = "Hoàn thành",
                total: Any, shipping: Any = 0, **order: Any) -> list[dict[str, Any]]:  # fmt: skip
    """The rows of one order: (model SKU, name, quantity, Giá gốc, Giá ưu đãi) per line;
    the order-level columns repeat on every row (as in a real export)."""
    head = {"Mã đơn hàng": sn, "Ngày đặt hàng": "2026-11-02 10:00", "Trạng Thái Đơn Hàng": status,
            TOTAL_ORDER: total, "Phí vận chuyển mà người mua trả": shipping,
            "Người Mua": f"buyer_{sn[-3:]}", "Tên Người nhận": "Nguyễn Văn An",
            "Số điện thoại": "0901234567", "Tỉnh/Thành phố": "TP. Hồ Chí Minh",
            "Địa chỉ nhận hàng": "12 Lê Lợi, Phường Bến Thành, TP. Hồ Chí Minh",
            "Phương thức thanh toán": "Thanh toán khi nhận hàng", **order}  # fmt: skip
    return [
        {**head, "SKU phân loại hàng": sku, "Tên sản phẩm": name, "Số lượng": qty,
         "Giá gốc": price, "Giá ưu đãi": deal,
         TOTAL_LINE: 999_999}  # the line-level amount: must never be read as the order's
        for sku, name, qty, price, deal in lines
    ]  # fmt: skip


def stored(engine: Engine, shop: str) -> dict[str, dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT o.* FROM orders o JOIN shops s ON s.id = o.shop_id WHERE s.name = :n"
        ), {"n": shop}).mappings().all()  # fmt: skip
    return {r["external_id"]: dict(r) for r in rows}


def lines_of(engine: Engine, order_id: int) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in driver_sql(conn,
            "SELECT sku, quantity, unit_price, discount, subtotal FROM order_lines"
            " WHERE order_id = ? ORDER BY sku", (order_id,))]  # fmt: skip


def count(engine: Engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(driver_sql(conn, sql).scalar_one())


@pytest.fixture
def shopee_file(tmp_path: Path) -> Path:
    rows = (
        shopee_rows("2611020AAA001", [("AO-DO-M", "Áo thun", 2, "90.000", "80.000"),
                                      ("QUAN-JEAN-30", "Quần jean", 1, 250000, 250000)],
                    total="425.000", shipping="15.000",
                    **{"Thời gian hoàn thành đơn hàng": "2026-11-06 09:30",
                       "Mã vận đơn": "SPXVN0001", "Đơn Vị Vận Chuyển": "SPX Express",
                       "Mã giảm giá của Shop": "10.000", "Phí cố định": "20.000"})
        + shopee_rows("2611020BBB002", [("AO-DO-M", "Áo thun", 1, 90000, 0)],
                      status="Chờ lấy hàng", total=90000)
        + shopee_rows("2611020CCC003", [("MU-LUOI", "Mũ lưỡi trai", 3, "50.000", "")],
                      status="Đã hủy", total=0, **{"Lý do hủy": "Người mua hủy"})
    )  # fmt: skip
    return write_shopee(tmp_path / "Order.all.20261101_20261130.xlsx", rows)


def test_shopee_export_orders_lines_money_and_statuses(
    ctx: ServiceContext, engine: Engine, shopee_file: Path
) -> None:
    report = import_export(ctx, shopee_file, shop="Shopee Hà Nội")
    assert isinstance(report, SellerCenterReport)
    assert (report.orders_inserted, report.orders_rejected, report.rows_read) == (3, 0, 4)
    assert report.shop_created
    orders = stored(engine, "Shopee Hà Nội")
    assert set(orders) == {"2611020AAA001", "2611020BBB002", "2611020CCC003"}

    done = orders["2611020AAA001"]
    # Lines: 2 × 90,000 with 20,000 off, and 250,000: subtotal 410,000; + 15,000 shipping.
    assert lines_of(engine, done["id"]) == [("AO-DO-M", 2, 90000, 20000, 160000),
                                            ("QUAN-JEAN-30", 1, 250000, 0, 250000)]  # fmt: skip
    assert (done["subtotal"], done["shipping_fee"], done["total"]) == (410000, 15000, 425000)
    # The lowercase-"người" column is the order's total; the gap is vouchers (none here).
    assert done["voucher_discount"] + done["marketplace_discount"] == 0
    assert done["commission"] == 20000
    assert done["status"] == "completed" and done["payment_method"] == "cod"
    assert done["paid_amount"] == 425000
    assert (done["carrier"], done["tracking_number"]) == ("SPX Express", "SPXVN0001")
    # Local times (Asia/Ho_Chi_Minh, UTC+7) stored as UTC.
    assert str(done["created_at"]).startswith("2026-11-02 03:00")
    assert str(done["completed_at"]).startswith("2026-11-06 02:30")
    assert str(done["external_updated_at"]).startswith("2026-11-06 02:30")
    assert done["customer_id"] is not None

    assert orders["2611020BBB002"]["status"] == "pending"
    cancelled = orders["2611020CCC003"]
    assert cancelled["status"] == "cancelled" and cancelled["cancel_reason"] == "Người mua hủy"
    assert cancelled["total"] == 150000  # an export shows 0 paid for a cancelled order

    with engine.connect() as conn:
        shop = driver_sql(
            conn, "SELECT channel, status FROM shops WHERE name = 'Shopee Hà Nội'"
        ).one()
        audit = driver_sql(
            conn, "SELECT count(*) FROM audit_events WHERE action = 'orders.import_export'"
        ).scalar_one()
    assert tuple(shop) == ("shopee", "not_linked")
    assert audit == 1


def test_new_skus_take_the_exports_item_weight(
    ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    """"Cân nặng sản phẩm" as Shopee writes it (kg) or with its unit; a SKU whose first
    line has none takes a later line's; an unreadable one is no weight, not an error."""
    weights = {"AO-TRANG-S": "0,25", "QUAN-KAKI": "1.200 g", "MU-1": "", "TUI-1": "nặng"}
    rows = shopee_rows("2611030AAA001", [(sku, sku, 1, 100000, 100000) for sku in weights],
                       total=400000)  # fmt: skip
    for row in rows:
        row["Cân nặng sản phẩm"] = weights[row["SKU phân loại hàng"]]
    later = shopee_rows("2611030BBB002", [("MU-1", "MU-1", 2, 100000, 100000)], total=200000)
    later[0]["Cân nặng sản phẩm"] = 0.15  # an Excel number
    report = import_export(ctx, write_shopee(tmp_path / "w.xlsx", rows + later), shop="Shopee")
    assert (report.orders_inserted, report.orders_rejected) == (2, 0)
    with engine.connect() as conn:
        got = dict(driver_sql(conn, "SELECT sku, weight_g FROM variants").all())
    assert got == {"AO-TRANG-S": 250, "QUAN-KAKI": 1_200, "MU-1": 150, "TUI-1": None}


def test_importing_the_same_export_twice_adds_nothing(
    ctx: ServiceContext, engine: Engine, shopee_file: Path
) -> None:
    import_export(ctx, shopee_file, shop="Shopee HN")
    before = (count(engine, "SELECT count(*) FROM orders"),
              count(engine, "SELECT count(*) FROM order_lines"),
              count(engine, "SELECT count(*) FROM customers"),
              count(engine, "SELECT count(*) FROM audit_events"))  # fmt: skip
    again = import_export(ctx, shopee_file, shop="Shopee HN")
    assert (again.orders_inserted, again.orders_updated, again.orders_unchanged) == (0, 0, 3)
    after = (count(engine, "SELECT count(*) FROM orders"),
             count(engine, "SELECT count(*) FROM order_lines"),
             count(engine, "SELECT count(*) FROM customers"),
             count(engine, "SELECT count(*) FROM audit_events"))  # fmt: skip
    assert after == before


def test_a_later_export_moves_orders_forward_never_back(
    ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    first = write_shopee(tmp_path / "a.xlsx", shopee_rows(
        "SN1", [("A", "A", 1, 100000, 100000)], status="Chờ lấy hàng", total=100000))  # fmt: skip
    # The same order cancelled: an export gives no cancel time, so no newer time at all.
    later = write_shopee(tmp_path / "b.xlsx", shopee_rows(
        "SN1", [("A", "A", 1, 100000, 100000)], status="Đã hủy", total=0))  # fmt: skip
    import_export(ctx, first, shop="S")
    report = import_export(ctx, later, shop="S")
    assert report.orders_updated == 1
    assert stored(engine, "S")["SN1"]["status"] == "cancelled"
    # The older export again: the order stays cancelled.
    old = import_export(ctx, first, shop="S")
    assert (old.orders_updated, old.orders_unchanged) == (0, 1)
    assert stored(engine, "S")["SN1"]["status"] == "cancelled"


def test_a_bad_value_rejects_its_order_by_row_and_column(
    ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    rows = (shopee_rows("GOOD1", [("A", "A", 1, 100000, 100000)], total=100000)
            + shopee_rows("BAD2", [("A", "A", 1, 100000, 100000),
                                   ("B", "B", "two", 5000, 5000)], total=110000)
            + shopee_rows("BAD3", [("A", "A", 1, "12,5", "")], total=10000)
            + shopee_rows("BAD4", [("A", "A", 1, 1000, 1000)], total=1000,
                          **{"Trạng Thái Đơn Hàng": "Đang bay"}))  # fmt: skip
    path = write_shopee(tmp_path / "bad.xlsx", rows)
    report = import_export(ctx, path, shop="S")
    assert (report.orders_inserted, report.orders_rejected) == (1, 3)
    assert set(stored(engine, "S")) == {"GOOD1"}
    shown = {r.row: str(r) for r in report.rejected}
    assert shown[4] == "row 4, Số lượng: 'two' is not a number"
    assert shown[3] == "row 3: order rejected because of row 4"
    assert shown[5].startswith("row 5, Giá gốc: '12,5' is not an amount")
    assert shown[6].startswith("row 6, Trạng Thái Đơn Hàng: unknown order status 'Đang bay'")


def test_a_huge_amount_rejects_its_order_not_the_file(
    ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    """Past the order template's limits (an amount of 1,000,000,000,000 đồng, an order of
    1,000,000,000,000,000) a value rejects its order by row and column: it never reaches
    the database (an OverflowError there refused the whole file)."""
    huge = "99.999.999.999.999.999.999.999"
    rows = (shopee_rows("GOOD1", [("A", "A", 1, "90.000", "90.000")], total="90.000")
            + shopee_rows("HUGE2", [("A", "A", 1, huge, huge)], total=huge)
            + shopee_rows("HUGE3", [("A", "A", 1, 1e20, 1e20)], total=1e20)
            + shopee_rows("HUGE4", [("A", "A", 1, 1e308, 1e308)], total=1e308)
            + shopee_rows("SUM5", [("A", "A", 1_000_000, 1_000_000_000_000, 0),
                                   ("B", "B", 1_000_000, 1_000_000_000_000, 0)],
                          total=1_000_000)
            + shopee_rows("TOTAL6", [("A", "A", 1, "90.000", "90.000")], total=huge))  # fmt: skip
    report = import_export(ctx, write_shopee(tmp_path / "huge.xlsx", rows), shop="S")
    assert (report.orders_inserted, report.orders_rejected) == (1, 5)
    assert set(stored(engine, "S")) == {"GOOD1"}
    shown = {r.row: str(r) for r in report.rejected}
    limit = "is more than the limit of 1,000,000,000,000"
    assert shown[3] == f"row 3, Giá gốc: '{huge}' {limit}"
    assert shown[4] == f"row 4, Giá gốc: 100,000,000,000,000,000,000 {limit}"
    assert shown[5] == f"row 5, Giá gốc: '1e+308' {limit}"  # not its 309 digits
    assert shown[6] == ("row 6: the order's subtotal 2,000,000,000,000,000,000 is more than "
                        "the limit")  # fmt: skip
    assert shown[8] == f"row 8, {TOTAL_ORDER}: '{huge}' {limit}"


def test_lazada_units_become_quantities(
    ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    def unit(item: int, order: str, sku: str, price: int, paid: int, status: str = "delivered",
             **more: Any) -> dict[str, Any]:  # fmt: skip
        return {"orderItemId": item, "orderNumber": order, "sellerSku": sku, "itemName": sku,
                "unitPrice": price, "paidPrice": paid, "status": status,
                "createTime": "04 Jul 2022 11:46", "updateTime": "06 Jul 2022 08:00",
                "payMethod": "COD", "shippingName": "Trần Thị B", "shippingPhone": "0912345678",
                "shippingAddress": "5 Hai Bà Trưng", "shippingAddress3": "Hà Nội",
                "shippingFee": 0, **more}  # fmt: skip

    rows = [unit(1, "LZ100", "SKU-A", 100000, 90000, shippingFee=20000,
                 sellerDiscountTotal=-10000),
            unit(2, "LZ100", "SKU-A", 100000, 90000, sellerDiscountTotal=-10000),
            unit(3, "LZ100", "SKU-A", 100000, 90000, sellerDiscountTotal=-10000),
            unit(4, "LZ100", "SKU-B", 50000, 50000),
            unit(5, "LZ200", "SKU-A", 100000, 100000, status="pending"),
            unit(6, "LZ200", "SKU-B", 50000, 50000, status="canceled")]  # fmt: skip
    path = write_lazada(tmp_path / "lazada.xlsx", rows)
    assert detect_file_format(path).value == "lazada"
    report = import_orders_file(ctx, path, fmt="auto", shop="Lazada Store")
    assert report.orders_inserted == 2 and report.orders_rejected == 0
    orders = stored(engine, "Lazada Store")
    a = orders["LZ100"]
    assert lines_of(engine, a["id"]) == [("SKU-A", 3, 100000, 0, 300000),
                                         ("SKU-B", 1, 50000, 0, 50000)]  # fmt: skip
    # Paid 320,000 + 20,000 shipping; 30,000 of the gap is the seller's discount.
    assert (a["subtotal"], a["shipping_fee"], a["total"]) == (350000, 20000, 340000)
    assert a["voucher_discount"] == 30000 and a["marketplace_discount"] == 0
    assert a["status"] == "completed" and a["item_count"] == 4
    assert str(a["created_at"]).startswith("2022-07-04 04:46")
    # A cancelled unit beside a live one: the order is the live unit's.
    b = orders["LZ200"]
    assert b["status"] == "pending"
    assert lines_of(engine, b["id"]) == [("SKU-A", 1, 100000, 0, 100000)]


def test_lazada_unit_id_twice_is_refused(
    ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    row = {"orderItemId": 7, "orderNumber": "LZ9", "sellerSku": "A", "itemName": "A",
           "unitPrice": 1000, "paidPrice": 1000, "status": "pending",
           "createTime": "04 Jul 2022 11:46"}  # fmt: skip
    path = write_lazada(tmp_path / "l.xlsx", [row, row])
    report = import_export(ctx, path, shop="L", fmt="lazada")
    assert report.orders_rejected == 1 and not stored(engine, "L")
    assert "orderItemId: 7 appears twice (rows 2 and 3)" in str(report.rejected[1])


def test_lazada_unit_id_on_two_orders_rejects_the_later_order(
    ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    def unit(item: int, order: str) -> dict[str, Any]:
        return {"orderItemId": item, "orderNumber": order, "sellerSku": "A", "itemName": "A",
                "unitPrice": 1000, "paidPrice": 1000, "status": "pending",
                "createTime": "04 Jul 2022 11:46"}  # fmt: skip

    path = write_lazada(tmp_path / "l.xlsx", [unit(5, "LZ3"), unit(6, "LZ4"), unit(5, "LZ4")])
    report = import_export(ctx, path, shop="L", fmt="lazada")
    assert (report.orders_inserted, report.orders_rejected) == (1, 1)
    assert set(stored(engine, "L")) == {"LZ3"}
    shown = {r.row: str(r) for r in report.rejected}
    assert shown[4] == ("row 4, orderItemId: 5 is also on order LZ3 (row 2): each unit has "
                        "its own item id")  # fmt: skip
    assert shown[3] == "row 3: order rejected because of row 4"


def test_tiktok_description_row_is_skipped(
    ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    base = {"Order ID": "576461413038785752", "Order Status": "Đã hoàn tất",
            "Created Time": "05/11/2026 10:30:15", "Delivered Time": "08/11/2026 16:00:00",
            "Order Amount": "VND 185,000", "Shipping Fee After Discount": "15,000",
            "Payment Method": "Thanh toán khi giao hàng", "Recipient": "Lê C",
            "Phone #": "(+84)90*****67", "Province": "Đà Nẵng"}  # fmt: skip
    rows = [{**base, "Seller SKU": "TT-1", "Product Name": "Son", "Quantity": 2,
             "SKU Unit Original Price": "100,000", "SKU Seller Discount": "20,000"},
            {**base, "Seller SKU": "TT-2", "Product Name": "Kem", "Quantity": 1,
             "SKU Unit Original Price": "10,000", "SKU Seller Discount": ""}]  # fmt: skip
    path = write_tiktok(tmp_path / "tiktok.xlsx", rows)
    report = import_export(ctx, path, shop="TikTok Shop", fmt="tiktok")
    assert (report.rows_read, report.orders_inserted, report.orders_rejected) == (2, 1, 0)
    order = stored(engine, "TikTok Shop")["576461413038785752"]
    assert (order["subtotal"], order["shipping_fee"], order["total"]) == (190000, 15000, 185000)
    assert order["marketplace_discount"] == 20000  # the platform's part of the gap
    assert order["status"] == "completed"
    assert str(order["external_updated_at"]).startswith("2026-11-08 09:00")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a workbook at all", "is not a real Excel file"),
        (b"PK\x03\x04broken zip", "cannot be read as an Excel file"),
    ],
)
def test_broken_files_are_refused_and_nothing_is_written(
    ctx: ServiceContext, engine: Engine, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "Order.all.xlsx"
    path.write_bytes(content)
    with pytest.raises(ValidationError, match=message):
        import_export(ctx, path, shop="S", fmt="shopee")
    assert count(engine, "SELECT count(*) FROM shops WHERE name = 'S'") == 0


def test_unknown_and_mismatched_layouts_name_what_was_expected(
    ctx: ServiceContext, engine: Engine, tmp_path: Path, shopee_file: Path
) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("Mã đơn,Ngày,Tiền\n1,2026-01-01,5\n", encoding="utf-8")
    with pytest.raises(ValidationError) as unknown:
        import_export(ctx, odd, shop="S")
    assert "is not an order file this app knows: expected a Shopee order export" in str(
        unknown.value
    )
    assert "Mã đơn hàng" in str(unknown.value) and "orderItemId" in str(unknown.value)
    with pytest.raises(ValidationError) as wrong:
        import_export(ctx, shopee_file, shop="S", fmt="lazada")
    text = str(wrong.value)
    assert "is not a Lazada order export (it looks like a Shopee order export)" in text
    assert "'orderItemId'" in text
    # A Shopee export whose order-level total column is missing (only the line's one).
    rows = shopee_rows("X1", [("A", "A", 1, 1, 1)], total=1)
    for r in rows:
        del r[TOTAL_ORDER]
    headerless = write_shopee(tmp_path / "old.xlsx", rows)
    import openpyxl

    book = openpyxl.load_workbook(headerless)
    ws = book.active
    assert ws is not None
    for cell in ws[1]:
        if cell.value == TOTAL_ORDER:
            cell.value = "Tổng tiền"
    book.save(headerless)
    with pytest.raises(ValidationError, match=f"has no column '{TOTAL_ORDER}'"):
        import_export(ctx, headerless, shop="S")
    assert count(engine, "SELECT count(*) FROM orders") == 0


def test_shop_of_another_channel_is_refused(
    ctx: ServiceContext, engine: Engine, shopee_file: Path
) -> None:
    make_shop(engine, "Lazada VN", "lazada")
    with pytest.raises(ValidationError, match="sells on lazada: a shopee export cannot"):
        import_export(ctx, shopee_file, shop="Lazada VN")
    assert count(engine, "SELECT count(*) FROM orders") == 0


def test_template_and_export_dispatch(ctx: ServiceContext, shopee_file: Path) -> None:
    with pytest.raises(ValidationError, match="Name the shop the orders of a Shopee"):
        import_orders_file(ctx, shopee_file, fmt="auto")
    with pytest.raises(ValidationError, match="Unknown import format 'ebay'"):
        import_orders_file(ctx, shopee_file, fmt="ebay", shop="S")


def test_times_are_the_shops_local_times(ctx: ServiceContext, engine: Engine,
                                         tmp_path: Path) -> None:  # fmt: skip
    shop_id = make_shop(engine, "Shopee BKK")
    with engine.begin() as conn:
        driver_sql(conn, "UPDATE shops SET timezone = 'Asia/Bangkok' WHERE id = ?", (shop_id,))
    path = write_shopee(tmp_path / "t.xlsx", shopee_rows(
        "T1", [("A", "A", 1, 1000, 1000)], total=1000,
        **{"Ngày đặt hàng": datetime(2026, 11, 2, 7, 0)}))  # fmt: skip
    import_export(ctx, path, shop="Shopee BKK")
    created = stored(engine, "Shopee BKK")["T1"]["created_at"]
    assert str(created).startswith(str(datetime(2026, 11, 2, 0, 0, tzinfo=UTC))[:16])
