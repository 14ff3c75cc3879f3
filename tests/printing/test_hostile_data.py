"""Names stored with ESC/POS commands, NUL, line breaks and bidi overrides in them (data
from before the services cleaned names, or written around them): the printing layer
drops those characters (`template.plain`). The filled documents and the chat text are
those of the same order with the names clean, and the ESC/POS job sent to a receipt
printer holds only its own commands (raster, cut): none of the data's ESC or GS bytes."""

from __future__ import annotations

import unicodedata

import pytest

from primedist.domain.base import table_of
from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.domain.order import Order, OrderLine
from primedist.printing.content import Payment
from primedist.printing.documents import order_documents, order_messages
from primedist.printing.model import DocumentType, parse_host_port
from primedist.services.orders import DraftLine, OrderDraft, create_order
from primedist.ui.printing.jobs import print_orders
from tests.factories import make_product
from tests.printing.support import Capture, decode_escpos, stack

#: ESC @ (reset), ESC p (open the drawer), GS V (cut), ESC ! (big text), a bidi override,
#: NUL and a line break, inside the names a receipt prints.
CUSTOMER = "\x1b@\x1bp\x00\x19\xfaTrần\x1dV\x00 Thị\u202e Lan\x00"
PRODUCT = "\x1b!\x30Nến\x1bE\x01 thơm\r\n\x1b[31mđỏ\x07"
SHIP_NAME = "\u202eLan\x1bd\x05 Trần"
NOTE = "Gói quà\x1b@ giúp em\r\nnhé\x00"
#: The same names as the services store them (`core.text.clean_line`/`clean_text`): ESC
#: and NUL dropped, GS (a separator, as Python sees it) and the line break a space.
CLEAN = {CUSTOMER: "@púTrần V Thị Lan", PRODUCT: "!0NếnE thơm đỏ", SHIP_NAME: "Land Trần",
         NOTE: "Gói quà@ giúp em\nnhé"}  # fmt: skip

orders_t, lines_t = table_of(Order), table_of(OrderLine)


@pytest.fixture
def hostile_order(engine, shop_ctx) -> int:
    """A counter sale whose stored customer, recipient, product name and note hold
    printer commands, as written straight into the database."""
    candle = make_product(engine, PRODUCT, [("NEN-01", 45_000, 20)])[0]
    draft = OrderDraft(lines=(DraftLine(candle, 2),), source=OrderSource.COUNTER,
                       payment_method=PaymentMethod.CASH, cash_received=100_000)  # fmt: skip
    order_id = create_order(shop_ctx, draft).id
    with engine.begin() as conn:
        conn.execute(orders_t.update().where(orders_t.c.id == order_id).values(
            buyer_name=CUSTOMER, ship_name=SHIP_NAME, buyer_note=NOTE))  # fmt: skip
        conn.execute(lines_t.update().where(lines_t.c.order_id == order_id).values(
            product_name=PRODUCT))  # fmt: skip
    return order_id


def clean_names(engine, order_id: int) -> None:
    """The order's names as the services would have stored them."""
    with engine.begin() as conn:
        conn.execute(
            orders_t.update()
            .where(orders_t.c.id == order_id)
            .values(buyer_name=CLEAN[CUSTOMER], ship_name=CLEAN[SHIP_NAME], buyer_note=CLEAN[NOTE])
        )
        conn.execute(lines_t.update().where(lines_t.c.order_id == order_id).values(
            product_name=CLEAN[PRODUCT]))  # fmt: skip


def controls(text: str) -> set[str]:
    """The control and format characters of `text` (a template's own line breaks aside)."""
    return {c for c in text if unicodedata.category(c) in ("Cc", "Cf") and c not in "\n\r\t"}


def test_the_names_clean_as_the_services_clean_them() -> None:
    from primedist.core.text import clean_line, clean_text

    assert {k: clean_text(k) if k is NOTE else clean_line(k) for k in CLEAN} == CLEAN


@pytest.mark.parametrize("template", ["receipt_80", "receipt_58", "invoice_a4", "packing_slip"])
def test_documents_carry_none_of_the_datas_control_characters(
    engine, shop_ctx, hostile_order, template
):
    (doc,) = order_documents(shop_ctx, [hostile_order], template)
    assert controls(doc.html) == set()
    assert "Trần" in doc.html and "!0NếnE thơm đỏ" in doc.html
    clean_names(engine, hostile_order)
    (same,) = order_documents(shop_ctx, [hostile_order], template)
    assert doc.html == same.html


def test_the_chat_text_carries_none_of_them(engine, shop_ctx, hostile_order):
    text = order_messages(shop_ctx, [hostile_order])
    assert controls(text) == set()
    assert "1. !0NếnE thơm đỏ × 2" in text and "Ghi chú: Gói quà@ giúp em\nnhé" in text
    clean_names(engine, hostile_order)
    assert order_messages(shop_ctx, [hostile_order]) == text


def test_the_escpos_job_holds_no_esc_or_gs_from_the_data(qapp, engine, shop_ctx, hostile_order):
    printer = Capture()
    try:
        target = parse_host_port(f"127.0.0.1:{printer.port}")
        cash = Payment(cash_received=100_000)
        print_orders(shop_ctx, [hostile_order], DocumentType.RECEIPT, template="receipt_80",
                     target=target, payment=cash)  # fmt: skip
        clean_names(engine, hostile_order)
        print_orders(shop_ctx, [hostile_order], DocumentType.RECEIPT, template="receipt_80",
                     target=target, payment=cash)  # fmt: skip
        hostile_job, clean_job = printer.wait(2)
    finally:
        printer.close()
    # Every ESC and GS outside the raster's dots is one the decoder knows (init, raster,
    # cut): an unknown command raises, and stray bytes would be text.
    decoded = decode_escpos(hostile_job)
    assert decoded.text == b"" and decoded.cuts == 1 and decoded.drawer_kicks == 0
    # The data's ESC @, ESC p, GS V printed nothing of their own: the same dots as the
    # order with its names clean, and the same bytes.
    assert stack(decoded.images).tobytes() == stack(decode_escpos(clean_job).images).tobytes()
    assert hostile_job == clean_job
