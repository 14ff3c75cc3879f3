"""The invoice's "Ship to" line with any of the recipient's name, phone and address
missing (an imported order often has only a province): no stray comma, and goods sent
with no recipient named go to the buyer. Rendered by Qt into a PDF and read back."""

from __future__ import annotations

import pytest

from primedist.domain.base import table_of
from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.domain.order import Order
from primedist.printing.documents import order_documents, order_messages
from primedist.services.orders import DraftLine, OrderDraft, create_order
from primedist.ui.printing import render
from tests.factories import make_product
from tests.printing.support import pdf_text

orders_t = table_of(Order)

BUYER = "Nguyễn Thị Hoa"
PROVINCE = "TP. Hồ Chí Minh"


def order_with(engine, ctx, **stored: str | None) -> int:
    """A sale whose buyer and recipient fields are then stored as `stored` says."""
    candle = make_product(engine, "Nến thơm", [("NEN-01", 45_000, 20)])[0]
    draft = OrderDraft(lines=(DraftLine(candle, 1),), source=OrderSource.COUNTER,
                       payment_method=PaymentMethod.CASH, cash_received=100_000)  # fmt: skip
    order_id = create_order(ctx, draft).id
    with engine.begin() as conn:
        conn.execute(orders_t.update().where(orders_t.c.id == order_id).values(**stored))
    return order_id


def ship_to_line(ctx, order_id: int, tmp_path, lang: str = "vi") -> str:
    docs = order_documents(ctx, [order_id], "invoice_a4", lang=lang)
    text = pdf_text(render.print_to_pdf(docs, tmp_path / "invoice.pdf"))
    label = "Giao đến:" if lang == "vi" else "Ship to:"
    lines = [" ".join(line.split()) for line in text.splitlines() if label in line]
    assert len(lines) == 1, text
    return lines[0]


def test_an_imported_order_with_only_a_province_ships_to_the_buyer(
    qapp, engine, shop_ctx, tmp_path
):
    order_id = order_with(engine, shop_ctx, buyer_name=BUYER, ship_name=None, ship_phone=None,
                          ship_address=None, ship_province=PROVINCE)  # fmt: skip
    assert ship_to_line(shop_ctx, order_id, tmp_path) == f"Giao đến: {BUYER}, {PROVINCE}"


@pytest.mark.parametrize(
    ("ship_name", "ship_phone", "expected"),
    [
        ("Trần Thu Hà", "0901234567", "Trần Thu Hà, 0901234567, 12 Lê Lợi, TP. Hồ Chí Minh"),
        ("Trần Thu Hà", None, "Trần Thu Hà, 12 Lê Lợi, TP. Hồ Chí Minh"),
        (None, "0901234567", "0901234567, 12 Lê Lợi, TP. Hồ Chí Minh"),
        (None, None, "12 Lê Lợi, TP. Hồ Chí Minh"),
    ],
)
def test_no_stray_comma_whatever_is_missing(
    qapp, engine, shop_ctx, tmp_path, ship_name, ship_phone, expected
):
    # No buyer name either: nothing to fall back on, and nothing made up.
    order_id = order_with(engine, shop_ctx, buyer_name=None, ship_name=ship_name,
                          ship_phone=ship_phone, ship_address="12 Lê Lợi",
                          ship_province=PROVINCE)  # fmt: skip
    assert ship_to_line(shop_ctx, order_id, tmp_path, "en") == f"Ship to: {expected}"


def test_a_counter_sale_with_nowhere_to_send_names_no_recipient(engine, shop_ctx):
    order_id = order_with(engine, shop_ctx, buyer_name=BUYER)
    [doc] = order_documents(shop_ctx, [order_id], "invoice_a4", lang="vi")
    assert "Giao đến" not in doc.html
    assert "Giao đến" not in order_messages(shop_ctx, [order_id], lang="vi")
