"""An order as a message for the customer's chat (Zalo, Messenger…): what it says, in
Vietnamese and English, never the staff note; several orders one after the other."""

from __future__ import annotations

from datetime import UTC

from primedist.core.clock import format_datetime, shop_tz
from primedist.printing.documents import order_messages
from primedist.services.orders import order_detail
from tests.printing.support import STAFF_NOTE, vietnamese_order


def test_a_counter_sale_as_a_chat_message(engine, shop_ctx):
    sale = vietnamese_order(engine, shop_ctx)
    created = order_detail(shop_ctx, sale.id).order.created_at
    when = format_datetime(created.replace(tzinfo=created.tzinfo or UTC), shop_tz(), "vi")
    assert order_messages(shop_ctx, [sale.id]) == "\n".join([
        f"Đơn hàng {sale.number} · Nến Thơm Sài Gòn",
        when,
        "",
        "1. Nến thơm tinh dầu × 2: 90.000 ₫",
        "2. Bình xịt phòng × 1: 96.000 ₫",
        "",
        "Tổng tiền hàng: 186.000 ₫",
        "Tổng cộng: 186.000 ₫ (Tiền mặt)",
        "Giao đến: Trần Thị Bích Ngọc · 0939921717 · 12 Lý Tự Trọng, Phường Bến Nghé, "
        "Thành phố Hồ Chí Minh",
        "Ghi chú: Gói quà giúp em nhé",
        "",
        "Cảm ơn quý khách và hẹn gặp lại!",
    ])  # fmt: skip
    english = order_messages(shop_ctx, [sale.id], lang="en")
    assert english.startswith(f"Order {sale.number} · Nến Thơm Sài Gòn\n")
    assert "Total: 186,000 VND (Cash)" in english and "Ship to: Trần Thị Bích Ngọc" in english
    assert STAFF_NOTE not in english


def test_several_orders_one_after_the_other(engine, shop_ctx):
    first, second = (vietnamese_order(engine, shop_ctx, note="") for _ in range(2))
    text = order_messages(shop_ctx, [first.id, second.id])
    one, two = text.split("\n\nĐơn hàng ")
    assert one.startswith(f"Đơn hàng {first.number}") and two.startswith(second.number)
    assert "Ghi chú" not in text
