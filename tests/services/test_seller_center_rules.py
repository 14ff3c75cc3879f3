"""Seller Center imports: the rules that keep a file from corrupting orders — ids Excel
rounded, the Lazada statuses the sync uses, versions decided by the file's own times, a
cancelled prepaid order, and a shop named for a file imported as the order template."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from primedist.connectors import lazada
from primedist.domain.enums import OrderStatus
from primedist.errors import ValidationError
from primedist.services.context import ServiceContext
from primedist.services.seller_center_import import (
    LAZADA_STATUSES,
    import_export,
    import_orders_file,
)
from tests.services.seller_center_files import (
    TIKTOK_HEADERS,
    write_lazada,
    write_shopee,
    write_tiktok,
)
from tests.services.test_seller_center_import import lines_of, shopee_rows, stored

EXACT_ID = "576461413038785752"


def tiktok_row(order: Any, sku: str, **more: Any) -> dict[str, Any]:
    return {"Order ID": order, "Order Status": "Completed", "Created Time": "05/11/2026 10:00:00",
            "Seller SKU": sku, "Product Name": sku, "Quantity": 1,
            "SKU Unit Original Price": 50000, "Order Amount": 50000, "Payment Method": "COD",
            **more}  # fmt: skip


# --------------------------------------------------------------------------- ids


def test_an_order_id_excel_rounded_is_refused_by_row_and_column(
    ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    """576461413038785999 in a number cell reads back as 576461413038786048: that order
    is refused (never stored under the wrong number); the text id next to it is fine."""
    rows = [tiktok_row(EXACT_ID, "TT-A"), tiktok_row(576461413038785999, "TT-B")]
    path = write_tiktok(tmp_path / "tiktok.xlsx", rows)
    report = import_export(ctx, path, shop="TikTok", fmt="tiktok")
    assert report.orders_inserted == 1
    assert set(stored(engine, "TikTok")) == {EXACT_ID}
    [bad] = report.rejected
    assert (bad.row, bad.column) == (4, "Order ID")  # header, description, then rows
    assert "'576461413038786048' is not an exact id" in str(bad)
    assert "export the file again" in str(bad) and "keep the column as text" in str(bad)


def test_ids_in_scientific_notation_never_merge_orders(
    ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    """Excel's "Save as CSV" writes two different orders as 5.76461E+17: each row is
    refused, not one order holding both rows' lines."""
    path = tmp_path / "tiktok.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.DictWriter(f, TIKTOK_HEADERS)
        out.writeheader()
        out.writerow({h: f"{h} of the order" for h in TIKTOK_HEADERS})
        out.writerow(tiktok_row("5.76461E+17", "TT-A"))
        out.writerow(tiktok_row("5.76461E+17", "TT-B"))
        out.writerow(tiktok_row(EXACT_ID, "TT-C"))
    report = import_export(ctx, path, shop="TikTok", fmt="tiktok")
    assert (report.orders_inserted, report.rows_read) == (1, 3)
    assert set(stored(engine, "TikTok")) == {EXACT_ID}
    assert [(r.row, r.column) for r in report.rejected] == [(3, "Order ID"), (4, "Order ID")]
    assert all("'5.76461E+17' is not an exact id" in str(r) for r in report.rejected)


def test_whole_number_ids_a_float_holds_exactly_are_kept(
    ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    unit = {"orderItemId": 3000422953926801, "orderNumber": 3000734847386080,
            "sellerSku": "A", "itemName": "A", "unitPrice": 1000, "paidPrice": 1000,
            "status": "pending", "createTime": "04 Jul 2022 11:46"}  # fmt: skip
    report = import_export(ctx, write_lazada(tmp_path / "l.xlsx", [unit]), shop="L")
    assert report.orders_inserted == 1 and not report.rejected
    assert set(stored(engine, "L")) == {"3000734847386080"}


# --------------------------------------------------------------------------- Lazada


def lazada_unit(item: int, order: str, status: str, sku: str = "A", **more: Any) -> dict[str, Any]:
    return {"orderItemId": item, "orderNumber": order, "sellerSku": sku, "itemName": sku,
            "unitPrice": 100000, "paidPrice": 100000, "status": status, "payMethod": "COD",
            "createTime": "04 Jul 2026 11:46", "updateTime": "06 Jul 2026 08:00",
            **more}  # fmt: skip


def test_lazada_statuses_mean_what_they_mean_to_the_sync(
    ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    """One table: every status the connector knows is imported as the sync stores it (a
    file imported after a sync never flips an order), plus the export's spellings."""
    assert {k: v for k, v in LAZADA_STATUSES.items() if k in lazada.STATUS_MAP} == (
        lazada.STATUS_MAP
    )
    raws = [*lazada.STATUS_MAP, "cancelled"]
    rows = [lazada_unit(n, f"LZ{n}", raw) for n, raw in enumerate(raws, 1)]
    report = import_export(ctx, write_lazada(tmp_path / "l.xlsx", rows), shop="L")
    assert (report.orders_inserted, report.orders_rejected) == (len(raws), 0)
    got = {o: row["status"] for o, row in stored(engine, "L").items()}
    want = {**lazada.STATUS_MAP, "cancelled": OrderStatus.CANCELLED}
    assert got == {f"LZ{n}": want[raw].value for n, raw in enumerate(raws, 1)}


def test_a_lazada_partial_return_keeps_the_order_completed(
    ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    """As the sync: one unit back with the seller does not make the order returned."""
    rows = [
        lazada_unit(1, "LZ1", "delivered"),
        lazada_unit(2, "LZ1", "shipped_back_success"),
        lazada_unit(3, "LZ2", "shipped_back_success"),
        lazada_unit(4, "LZ2", "canceled"),
    ]
    import_export(ctx, write_lazada(tmp_path / "l.xlsx", rows), shop="L")
    orders = stored(engine, "L")
    assert orders["LZ1"]["status"] == "completed" and orders["LZ1"]["item_count"] == 2
    assert orders["LZ2"]["status"] == "returned" and orders["LZ2"]["item_count"] == 1


# --------------------------------------------------------------------------- versions


def test_a_newer_export_wins_even_when_it_moves_the_order_back(
    ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    """A cancellation request ("Đang hủy") the buyer withdrew: the newer export, with
    later ship and completion times, completes the order; the older one then changes
    nothing."""
    line = [("A", "A", 1, 100000, 100000)]
    cod = {"Phương thức thanh toán": "Thanh toán khi nhận hàng"}
    done = {"Mã vận đơn": "SPX1", "Ngày gửi hàng": "2026-11-03 09:00",
            "Thời gian hoàn thành đơn hàng": "2026-11-08 18:00"}  # fmt: skip
    older = write_shopee(tmp_path / "a.xlsx", shopee_rows(
        "SN1", line, status="Đang hủy", total="115.000", shipping="15.000", **cod))  # fmt: skip
    newer = write_shopee(tmp_path / "b.xlsx", shopee_rows(
        "SN1", line, status="Hoàn thành", total="115.000", shipping="15.000", **cod,
        **done))  # fmt: skip
    import_export(ctx, older, shop="S")
    assert stored(engine, "S")["SN1"]["status"] == "cancelled"
    report = import_export(ctx, newer, shop="S")
    assert report.orders_updated == 1
    order = stored(engine, "S")["SN1"]
    assert (order["status"], order["tracking_number"]) == ("completed", "SPX1")
    again = import_export(ctx, older, shop="S")
    assert (again.orders_updated, again.orders_unchanged) == (0, 1)
    assert stored(engine, "S")["SN1"]["status"] == "completed"


# --------------------------------------------------------------------------- money


def test_a_cancelled_prepaid_order_was_not_paid_to_the_shop(
    ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    paid = {"Phương thức thanh toán": "Ví ShopeePay",
            "Thời gian đơn hàng được thanh toán": "2026-11-02 10:05"}  # fmt: skip
    rows = (shopee_rows("SN1", [("A", "A", 1, 100000, 100000)], status="Đã hủy", total=0,
                        **paid)
            + shopee_rows("SN2", [("A", "A", 1, 100000, 100000)], status="Chờ lấy hàng",
                          total=100000, **paid))  # fmt: skip
    import_export(ctx, write_shopee(tmp_path / "s.xlsx", rows), shop="S")
    orders = stored(engine, "S")
    assert (orders["SN1"]["total"], orders["SN1"]["paid_amount"]) == (100000, 0)
    assert orders["SN2"]["paid_amount"] == 100000
    assert lines_of(engine, orders["SN1"]["id"]) == [("A", 1, 100000, 0, 100000)]


# --------------------------------------------------------------------------- formats


def test_a_shop_named_for_an_export_read_as_the_template_suggests_its_format(
    ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    path = write_shopee(tmp_path / "shopee1.xlsx", shopee_rows(
        "SN1", [("A", "A", 1, 1000, 1000)], total=1000))  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        import_orders_file(ctx, path, fmt="template", shop="SP Import")
    assert str(caught.value) == (
        "shopee1.xlsx is a Shopee order export, not the order template: import it with "
        "--format shopee (or --format auto)"
    )
    assert not stored(engine, "SP Import")
