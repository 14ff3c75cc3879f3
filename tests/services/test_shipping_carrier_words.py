# ruff: noqa: F811  (pytest fixtures imported from the shipping tests)
"""A parcel the carrier brings back is refunded as a return by hand; the carrier's news
in the history and its refusals name statuses so the reader's language can word them;
an order's "quận 01" is GHN's "Quận 1". Through the carrier sandbox on 127.0.0.1 and a
real migrated store."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from primedist.carriers.base import Place
from primedist.carriers.places import bare_name, place_for_name
from primedist.core.messages import Message, restored
from primedist.domain.enums import OrderSource, OrderStatus, PaymentMethod
from primedist.errors import Conflict
from primedist.services import end_of_day as eod
from primedist.services import orders as order_svc
from primedist.services import shipping as svc
from primedist.services.context import ServiceContext
from tests.factories import make_product
from tests.services.test_shipping import (  # noqa: F401  (fixtures)
    draft,
    fast_factory,
    ghn_id,
    order_row,
    sandbox,
)


def paid_order(ctx: ServiceContext, engine: sa.Engine, payment: PaymentMethod, sku: str) -> int:
    """A phone order of 2 × 150,000 + 30,000 shipping (330,000), paid `payment`."""
    [variant] = make_product(engine, f"Áo {sku}", [(sku, 150_000, 10)])
    return order_svc.create_order(ctx, order_svc.OrderDraft(
        lines=(order_svc.DraftLine(variant, 2),), source=OrderSource.PHONE,
        payment_method=payment, shipping_fee=30_000, ship_name="Nguyễn Lan",
        ship_phone="0901234567", ship_address="12 Lê Lợi", ship_province="Hồ Chí Minh",
    )).id  # fmt: skip


def shipped_code(ctx: ServiceContext, order_id: int, account: int, factory) -> str:
    svc.request_shipment(ctx, order_id, draft(ctx, order_id, account))
    svc.deliver_carrier_outbox(ctx, factory=factory)
    return svc.order_shipments(ctx, order_id)[0].carrier_order_code or ""


def carrier_steps(ctx: ServiceContext, sandbox, code: str, factory, *steps: str) -> None:
    for status in steps:
        sandbox.set_status(code, status)
        svc.poll_shipments(ctx, factory=factory)


def history(engine: sa.Engine, order_id: int) -> list[tuple[str, str, str | None]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(
            "SELECT to_status, source, note FROM order_status_changes WHERE order_id = :o "
            "ORDER BY id"), {"o": order_id})]  # fmt: skip


# --------------------------------------------------------------------------- refunds


@pytest.mark.parametrize("payment", [PaymentMethod.BANK_TRANSFER, PaymentMethod.E_WALLET,
                                     PaymentMethod.CASH])  # fmt: skip
def test_a_prepaid_parcel_the_carrier_returns_is_refunded_as_one_returned_by_hand(
    owner_ctx, engine, sandbox, ghn_id, fast_factory, payment
):
    by_carrier = paid_order(owner_ctx, engine, payment, "A1")
    by_hand = paid_order(owner_ctx, engine, payment, "B1")
    code = shipped_code(owner_ctx, by_carrier, ghn_id, fast_factory)
    carrier_steps(owner_ctx, sandbox, code, fast_factory, "picked", "return", "returned")
    for status in (OrderStatus.SHIPPING, OrderStatus.RETURN_REFUND, OrderStatus.RETURNED):
        order_svc.change_status(owner_ctx, by_hand, status)
    carried, manual = order_row(engine, by_carrier), order_row(engine, by_hand)
    assert carried.status == manual.status == OrderStatus.RETURNED
    assert carried.refunded_amount == manual.refunded_amount == 330_000
    # End of day: both sales given back, nothing left as takings.
    report = eod.end_of_day(owner_ctx)
    assert (report.sales, report.refunds, report.refunded) == (660_000, 2, 660_000)
    [line] = [p for p in report.payments if p.method == payment]
    assert line.net == 0


def test_an_unpaid_cod_parcel_the_carrier_returns_still_refunds_nothing(
    owner_ctx, engine, sandbox, ghn_id, fast_factory
):
    order_id = paid_order(owner_ctx, engine, PaymentMethod.COD, "C1")
    code = shipped_code(owner_ctx, order_id, ghn_id, fast_factory)
    carrier_steps(owner_ctx, sandbox, code, fast_factory, "picked", "return", "returned")
    order = order_row(engine, order_id)
    assert order.status == OrderStatus.RETURNED and order.refunded_amount == 0


# --------------------------------------------------------------------------- words


def test_the_carriers_news_is_noted_in_english_words_from_the_carrier(
    owner_ctx, engine, sandbox, ghn_id, fast_factory
):
    order_id = paid_order(owner_ctx, engine, PaymentMethod.BANK_TRANSFER, "D1")
    code = shipped_code(owner_ctx, order_id, ghn_id, fast_factory)
    carrier_steps(owner_ctx, sandbox, code, fast_factory, "picked", "return", "returned")
    assert history(engine, order_id)[1:] == [
        ("shipping", "carrier", "GHN: Picked up"),
        ("return_refund", "carrier", "GHN: Returning to the shop"),
        ("returned", "carrier",
         f"Returned 2 item(s), refund 330,000: Returned by the carrier ({code})"),
    ]  # fmt: skip
    # The audit log keeps the reason as a message of its own (worded for its reader).
    with engine.connect() as conn:
        args = conn.execute(sa.text("SELECT summary_args FROM audit_events "
                                    "WHERE action = 'order.return'")).scalar_one()  # fmt: skip
    note = restored("", args).values["note"]  # "{order}: {note}", the return's note
    assert isinstance(note, Message)
    reason = note.values["reason"]
    assert isinstance(reason, Message)
    assert (reason.template, reason.values) == ("Returned by the carrier ({shipment})",
                                                {"shipment": code})  # fmt: skip


def test_the_carriers_statuses_are_the_panels_words():
    """The words the notes and messages use are those ui/labels translates."""
    from primedist.ui.labels import STATUS_WORDS

    assert {k: v.template for k, v in svc.STATUS_TEXT.items()} == STATUS_WORDS


def test_a_parcel_picked_up_cannot_be_cancelled_and_the_message_names_its_status(
    owner_ctx, engine, sandbox, ghn_id, fast_factory
):
    order_id = paid_order(owner_ctx, engine, PaymentMethod.COD, "E1")
    code = shipped_code(owner_ctx, order_id, ghn_id, fast_factory)
    carrier_steps(owner_ctx, sandbox, code, fast_factory, "picked")
    [ship] = svc.order_shipments(owner_ctx, order_id)
    with pytest.raises(Conflict) as caught:
        svc.request_cancel(owner_ctx, ship.id)
    reason = caught.value.user_message
    assert reason == f"Shipment {code} is Picked up: it can no longer be cancelled."
    # The status is a message of its own: the UI words it in the reader's language.
    assert isinstance(reason, Message)
    status = reason.values["status"]
    assert isinstance(status, Message) and status.template == "Picked up"


# --------------------------------------------------------------------------- places


def test_a_number_with_leading_zeros_is_the_same_place():
    assert bare_name("quận 01") == bare_name("Quận 1") == "1"
    assert bare_name("Phường 007") == "7" and bare_name("Quận 10") == "10"
    districts = [Place("1442", "Quận 1"), Place("1452", "Quận 10")]
    assert place_for_name(districts, "quận 01").code == "1442"
    assert place_for_name(districts, "Q. 010").code == "1452"
