"""An order first imported from a Shopee export, then synced by the API, is one order:
the export is written from the Shopee sandbox's own orders (same order numbers), and the
sync over real HTTP on 127.0.0.1 then finds them in the store. A Lazada export imported
after the sync reads every status as the sync did."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.connectors.base import RemoteOrder
from primedist.core.clock import FixedClock, shop_tz, to_local
from primedist.domain.enums import PaymentMethod
from primedist.sandbox.lazada import LazadaSandbox, LazadaSandboxConfig
from primedist.sandbox.shopee import SandboxConfig, ShopeeSandbox
from primedist.services.context import ServiceContext
from primedist.services.seller_center_import import import_export
from tests.services.seller_center_files import write_lazada, write_shopee
from tests.services.test_sync import Market
from tests.services.test_sync_lazada import LazadaMarket

#: The status text a Shopee VN export shows for each API status.
EXPORT_STATUS = {
    "UNPAID": "Chưa thanh toán", "READY_TO_SHIP": "Chờ lấy hàng", "PROCESSED": "Chờ lấy hàng",
    "RETRY_SHIP": "Chờ lấy hàng", "SHIPPED": "Đang giao", "TO_CONFIRM_RECEIVE": "Đã giao",
    "COMPLETED": "Hoàn thành", "IN_CANCEL": "Đang hủy", "CANCELLED": "Đã hủy",
    "TO_RETURN": "Trả hàng/Hoàn tiền",
}  # fmt: skip


def export_rows(order: RemoteOrder) -> list[dict[str, Any]]:
    tz = shop_tz()
    head = {
        "Mã đơn hàng": order.external_id,
        "Ngày đặt hàng": f"{to_local(order.created_at, tz):%Y-%m-%d %H:%M}",
        "Trạng Thái Đơn Hàng": EXPORT_STATUS[order.raw_status],
        "Tổng số tiền người mua thanh toán": f"{order.total:,}".replace(",", "."),
        "Phí vận chuyển mà người mua trả": order.shipping_fee,
        "Mã vận đơn": "SPXVN" + order.external_id if order.raw_status == "PROCESSED" else None,
        "Người Mua": order.buyer.username,
        "Tên Người nhận": order.buyer.name,
        "Số điện thoại": order.buyer.phone,
    }
    return [
        {**head, "SKU phân loại hàng": ln.sku, "Tên sản phẩm": ln.product_name,
         "Số lượng": ln.quantity, "Giá gốc": ln.unit_price,
         "Giá ưu đãi": ln.unit_price - ln.discount // ln.quantity}
        for ln in order.lines
    ]  # fmt: skip


def test_orders_imported_from_excel_then_synced_stay_one_order(
    ctx: ServiceContext, engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    config = SandboxConfig(orders=120, history_days=12, seed=21, timeout_delay=1.0)
    with ShopeeSandbox(config, clock=clock) as sandbox:
        market = Market(ctx, engine, sandbox)
        connector = market.connector()
        sns = sandbox.order_sns()
        remote = connector.order_details(sns[:40]) + connector.order_details(sns[40:80])
        connector.close()
        rows = [row for order in remote for row in export_rows(order)]
        path = write_shopee(tmp_path / "Order.all.20261101_20261120.xlsx", rows)
        imported = import_export(ctx, path, shop="Shopee Sandbox")
        assert (imported.orders_inserted, imported.orders_rejected) == (80, 0)
        assert set(market.stored()) == set(sns[:80])
        ids_before = dict(_ids(engine, market.shop_id))

        report = market.sync()
        assert report.outcome == "ok", report.message
        assert report.inserted == len(sns) - 80  # only the orders the file did not have
        market.assert_in_step()  # every order once, with the platform's status
        ids_after = dict(_ids(engine, market.shop_id))
        assert {sn: ids_after[sn] for sn in ids_before} == ids_before  # same rows kept

        again = import_export(ctx, path, shop="Shopee Sandbox")  # the file after the API
        assert (again.orders_inserted, again.orders_updated) == (0, 0)
        market.assert_in_step()


def lazada_rows(order: RemoteOrder, *, later: timedelta) -> list[dict[str, Any]]:
    """The order as a Lazada export shows it: one row per unit, its update time `later`
    than the API's (a newer file, so its statuses are applied, not skipped)."""
    tz = shop_tz()
    head = {
        "orderNumber": order.external_id, "status": order.raw_status,
        "createTime": f"{to_local(order.created_at, tz):%d %b %Y %H:%M}",
        "updateTime": f"{to_local(order.updated_at + later, tz):%d %b %Y %H:%M}",
        "payMethod": "COD" if order.payment_method == PaymentMethod.COD else "Credit Card",
        "shippingName": order.buyer.name, "shippingPhone": order.buyer.phone,
    }  # fmt: skip
    units = [(ln, n) for ln in order.lines for n in range(ln.quantity)]
    return [
        {**head, "orderItemId": f"{order.external_id}{k:03d}", "sellerSku": ln.sku,
         "itemName": ln.product_name, "unitPrice": ln.unit_price,
         "paidPrice": ln.unit_price - ln.discount // ln.quantity,
         "shippingFee": order.shipping_fee if k == 0 else 0}
        for k, (ln, _n) in enumerate(units)
    ]  # fmt: skip


def test_a_lazada_export_after_the_sync_flips_no_status(
    ctx: ServiceContext, engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    config = LazadaSandboxConfig(orders=150, history_days=12, seed=21, timeout_delay=1.0)
    with LazadaSandbox(config, clock=clock) as sandbox:
        market = LazadaMarket(ctx, engine, sandbox)
        assert market.sync().outcome == "ok"
        connector = market.connector()
        ids = sandbox.order_ids()
        remote = [
            o for n in range(0, len(ids), 50) for o in connector.order_details(ids[n : n + 50])
        ]
        connector.close()
        assert {"returned", "canceled", "delivered"} <= {o.raw_status for o in remote}
        rows = [row for o in remote for row in lazada_rows(o, later=timedelta(minutes=1))]
        report = import_export(ctx, write_lazada(tmp_path / "lazada.xlsx", rows),
                               shop="Lazada Sandbox")  # fmt: skip
        assert (report.orders_inserted, report.orders_rejected) == (0, 0)
        assert report.orders_updated > 0  # the file is newer: its statuses were read
        market.assert_in_step()  # every status still the one the sync stored


def _ids(engine: Engine, shop_id: int) -> list[tuple[str, int]]:
    query = sa.text("SELECT external_id, id FROM orders WHERE shop_id = :s")
    with engine.connect() as conn:
        return [(str(e), int(i)) for e, i in conn.execute(query, {"s": shop_id})]
