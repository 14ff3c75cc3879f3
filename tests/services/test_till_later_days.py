"""Money that moves on a later day than it came in, on a real store: End of day's figures,
the till's expected cash and the customer's balance. A day once over stays as it was: a
customer payment or a supplier payment/return cancelled on a later day goes back on the
day of the cancel; a sale on account part paid, returned or exchanged, takes off what it
still owes first and gives back (or puts towards the new sale) what was paid with it."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from primedist.core.clock import FixedClock
from primedist.domain.enums import PaymentMethod
from primedist.services import customer_account as account
from primedist.services import end_of_day as eod
from primedist.services import exchange as ex
from primedist.services import goods_receipts as gr
from primedist.services import orders as svc
from primedist.services import supplier_returns as sr
from primedist.services import suppliers as sup
from primedist.services import till
from primedist.services.context import ServiceContext
from tests.factories import make_customers, make_product
from tests.services.test_end_of_day import DAY, at, sell

CASH = PaymentMethod.CASH
LATER = DAY + timedelta(days=2)


def method_line(report: eod.EndOfDay, method: PaymentMethod) -> eod.PaymentLine:
    return next(p for p in report.payments if p.method == method)


# --------------------------------------------------------------------------- bug 1


def test_a_payment_cancelled_on_a_later_day_is_given_back_that_day(
    owner_ctx: ServiceContext, clock: FixedClock, engine: sa.Engine
) -> None:
    """Hoa pays 300,000 in cash on DAY, the till is counted; two days later the payment is
    cancelled (entered by mistake): DAY still shows it collected and expects the same cash;
    the day of the cancel gives 300,000 back. One paid and cancelled the same day never
    counts."""
    (cup,) = make_product(engine, "Cốc", [("COC-1", 500_000, 10)])
    (hoa,) = make_customers(engine, 1)
    at(clock, 9)
    sell(owner_ctx, [(cup, 1)], PaymentMethod.ON_ACCOUNT, customer_id=hoa)
    at(clock, 15)
    paid = account.receive_payment(owner_ctx, hoa, 300_000)
    at(clock, 21)
    closed = till.close_till(owner_ctx, DAY, opening_float=0, counted=300_000)
    assert (closed.cash_collected, closed.expected, closed.difference) == (300_000, 300_000, 0)

    at(clock, 10, days=2)
    account.cancel_payment(owner_ctx, paid.entity_id, "nhập nhầm")
    same_day = account.receive_payment(owner_ctx, hoa, 100_000)
    account.cancel_payment(owner_ctx, same_day.entity_id, "nhập nhầm")

    day = eod.end_of_day(owner_ctx, DAY)
    assert (day.collected, day.refunded, day.cash_in_drawer) == (300_000, 0, 300_000)
    again = till.close_till(owner_ctx, DAY, opening_float=0, counted=300_000)
    assert (again.cash_collected, again.expected, again.difference) == (300_000, 300_000, 0)

    later = eod.end_of_day(owner_ctx, LATER)
    assert (later.collected, later.refunds, later.refunded) == (0, 1, 300_000)
    assert method_line(later, CASH).refunded == 300_000
    assert later.cash_in_drawer == -300_000
    count = till.close_till(owner_ctx, LATER, opening_float=500_000, counted=200_000)
    assert (count.cash_refunds, count.cash_collected, count.expected, count.difference) == (
        300_000, 0, 200_000, 0)  # fmt: skip
    # The cashier who cancelled gave it back: their report has it too.
    mine = eod.end_of_day(owner_ctx, LATER, user_id=owner_ctx.actor.id)
    assert mine.refunded == 300_000
    assert account.get_balance(owner_ctx, hoa).owed == 500_000


def test_supplier_cash_cancelled_on_a_later_day_moves_on_that_day(
    owner_ctx: ServiceContext, clock: FixedClock, engine: sa.Engine
) -> None:
    """A cash payment to a supplier and the cash it gave back for a return, both on DAY and
    cancelled two days later: DAY keeps them; the day of the cancel takes the payment back
    into the drawer and the return's cash out of it. Cancelled the same day: nothing."""
    (cup,) = make_product(engine, "Cốc", [("COC-1", 45_000, 0)])
    at(clock, 9)
    receipt = gr.receive_goods(owner_ctx, gr.ReceiptDraft(
        [gr.ReceiptLine(cup, 10, 30_000)], supplier="Gốm Minh Long", paid=0))  # fmt: skip
    ncc = receipt.supplier_id
    assert ncc is not None
    line = gr.receipt_lines(owner_ctx, receipt.id)[0].id
    payment = sup.pay_supplier(owner_ctx, ncc, 70_000)
    back = sr.return_to_supplier(owner_ctx, sr.ReturnDraft(receipt.id, {line: 1}, "Vỡ",
                                                           refund=30_000))  # fmt: skip
    assert eod.end_of_day(owner_ctx, DAY).supplier_cash == 70_000 - 30_000

    at(clock, 10, days=2)
    sup.cancel_payment(owner_ctx, payment.record_id, "nhập nhầm")
    sr.cancel_return(owner_ctx, back.id, "nhập nhầm")
    same_day = sup.pay_supplier(owner_ctx, ncc, 20_000)
    sup.cancel_payment(owner_ctx, same_day.record_id, "nhập nhầm")

    assert eod.end_of_day(owner_ctx, DAY).supplier_cash == 40_000
    assert till.close_till(owner_ctx, DAY, opening_float=0, counted=0).expected == -40_000
    later = eod.end_of_day(owner_ctx, LATER)
    assert (later.supplier_cash, later.cash_in_drawer) == (-40_000, 40_000)
    count = till.close_till(owner_ctx, LATER, opening_float=0, counted=40_000)
    assert (count.cash_paid_out, count.expected, count.difference) == (-40_000, 40_000, 0)
    mine = eod.end_of_day(owner_ctx, LATER, user_id=owner_ctx.actor.id)
    assert mine.supplier_cash == -40_000
    assert sup.get_supplier(owner_ctx, ncc).debt == 300_000


# --------------------------------------------------------------------------- bug 2


def test_an_exchange_of_a_part_paid_sale_on_account_counts_what_was_paid(
    owner_ctx: ServiceContext, clock: FixedClock, engine: sa.Engine
) -> None:
    """A 259,000 shirt on account, 100,000 paid at once in cash; the next day exchanged for
    a 299,000 one paid in cash: 159,000 (what was owed) comes off the account, 199,000 is
    paid at the till, and the customer owes nothing."""
    small, medium = make_product(engine, "Áo", [("AO-S", 259_000, 5), ("AO-M", 299_000, 5)])
    (hoa,) = make_customers(engine, 1)
    at(clock, 9)
    old = sell(owner_ctx, [(small, 1)], PaymentMethod.ON_ACCOUNT, customer_id=hoa,
               paid_now=100_000)  # fmt: skip
    at(clock, 9, days=1)
    line = svc.order_detail(owner_ctx, old.id).lines[0].id or 0
    draft = ex.ExchangeDraft(old.id, {line: 1}, "đổi size", svc.OrderDraft(
        lines=(svc.DraftLine(medium, 1),), payment_method=CASH, cash_received=200_000))  # fmt: skip
    quoted = ex.quote_exchange(owner_ctx, draft)
    assert (quoted.credit, quoted.owed_off, quoted.to_pay, quoted.change_due) == (
        259_000, 159_000, 199_000, 1_000)  # fmt: skip
    done = ex.exchange_order(owner_ctx, draft)
    assert (done.to_pay, done.change_due) == (199_000, 1_000)

    assert account.get_balance(owner_ctx, hoa).owed == 0
    day = eod.end_of_day(owner_ctx, DAY + timedelta(days=1))
    assert method_line(day, CASH).refunded == 100_000
    assert method_line(day, PaymentMethod.ON_ACCOUNT).refunded == 159_000
    assert (day.refunded, day.cash_in_drawer) == (259_000, 199_000)
    count = till.close_till(owner_ctx, DAY + timedelta(days=1), opening_float=0,
                            counted=199_000)  # fmt: skip
    assert (count.expected, count.difference) == (199_000, 0)
    new = svc.order_detail(owner_ctx, done.created.id)
    assert new.exchange_credit == 100_000  # what was paid with the old sale paid for it


def test_an_exchange_for_a_new_sale_on_account_keeps_it_all_on_the_account(
    owner_ctx: ServiceContext, clock: FixedClock, engine: sa.Engine
) -> None:
    small, medium = make_product(engine, "Áo", [("AO-S", 259_000, 5), ("AO-M", 299_000, 5)])
    (hoa,) = make_customers(engine, 1)
    at(clock, 9)
    old = sell(owner_ctx, [(small, 1)], PaymentMethod.ON_ACCOUNT, customer_id=hoa,
               paid_now=100_000)  # fmt: skip
    at(clock, 9, days=1)
    line = svc.order_detail(owner_ctx, old.id).lines[0].id or 0
    draft = ex.ExchangeDraft(old.id, {line: 1}, "đổi size", svc.OrderDraft(
        lines=(svc.DraftLine(medium, 1),), payment_method=PaymentMethod.ON_ACCOUNT))  # fmt: skip
    quoted = ex.quote_exchange(owner_ctx, draft)
    assert (quoted.owed_off, quoted.to_pay) == (259_000, 299_000)
    ex.exchange_order(owner_ctx, draft)
    assert account.get_balance(owner_ctx, hoa).owed == 299_000 - 100_000
    day = eod.end_of_day(owner_ctx, DAY + timedelta(days=1))
    assert (day.cash_in_drawer, day.refunded) == (0, 259_000)


# --------------------------------------------------------------------------- bug 3


def test_a_part_paid_sale_on_account_returned_gives_back_what_was_paid(
    owner_ctx: ServiceContext, clock: FixedClock, engine: sa.Engine
) -> None:
    """500,000 on account, 200,000 paid in cash at the sale; the next day all of it comes
    back: 300,000 off the account, 200,000 back in cash (a cash refund of that day); Hoa
    owes nothing and stays off the debtors list."""
    (shirt,) = make_product(engine, "Áo", [("AO-S", 100_000, 50)])
    (hoa,) = make_customers(engine, 1)
    at(clock, 9)
    sale = sell(owner_ctx, [(shirt, 5)], PaymentMethod.ON_ACCOUNT, customer_id=hoa,
                paid_now=200_000)  # fmt: skip
    at(clock, 9, days=1)
    line = svc.order_detail(owner_ctx, sale.id).lines[0].id or 0
    done = svc.return_order(owner_ctx, sale.id, {line: 5}, reason="lỗi")
    assert (done.refund_amount, done.given_back, done.given_back_method) == (500_000, 200_000,
                                                                              CASH)  # fmt: skip

    day = eod.end_of_day(owner_ctx, DAY + timedelta(days=1))
    assert method_line(day, CASH).refunded == 200_000
    assert method_line(day, PaymentMethod.ON_ACCOUNT).refunded == 300_000
    assert (day.refunded, day.cash_in_drawer) == (500_000, -200_000)
    count = till.close_till(owner_ctx, DAY + timedelta(days=1), opening_float=500_000,
                            counted=300_000)  # fmt: skip
    assert (count.cash_refunds, count.expected, count.difference) == (200_000, 300_000, 0)
    balance = account.get_balance(owner_ctx, hoa)
    assert (balance.owed, balance.sold, balance.paid) == (0, 200_000, 200_000)
    assert account.debtors(owner_ctx) == []
    refunds = [e.amount for e in account.account_entries(owner_ctx, hoa) if e.kind == "refund"]
    assert refunds == [-300_000]  # what came off the account; the cash left it as it was
    assert svc.order_detail(owner_ctx, sale.id).order.refunded_amount == 500_000
    # The day of the sale is as it was.
    first = eod.end_of_day(owner_ctx, DAY)
    assert (first.collected, first.cash_in_drawer, first.refunded) == (200_000, 200_000, 0)


def test_partial_returns_come_off_what_is_owed_first(
    owner_ctx: ServiceContext, clock: FixedClock, engine: sa.Engine
) -> None:
    """500,000 on account, 200,000 paid: 2 items back take 200,000 off what is owed (300,000
    left to pay for them); 2 more: 100,000 off, 100,000 back in cash; the last: 100,000
    back. The customer never owes below zero and gets back the 200,000 they paid."""
    (shirt,) = make_product(engine, "Áo", [("AO-S", 100_000, 50)])
    (hoa,) = make_customers(engine, 1)
    at(clock, 9)
    sale = sell(owner_ctx, [(shirt, 5)], PaymentMethod.ON_ACCOUNT, customer_id=hoa,
                paid_now=200_000)  # fmt: skip
    line = svc.order_detail(owner_ctx, sale.id).lines[0].id or 0
    at(clock, 9, days=1)
    given = []
    owed = []
    for qty in (2, 2, 1):
        given.append(svc.return_order(owner_ctx, sale.id, {line: qty}, reason="lỗi").given_back)
        owed.append(account.get_balance(owner_ctx, hoa).owed)
    assert given == [0, 100_000, 100_000]
    assert owed == [100_000, 0, 0]
    day = eod.end_of_day(owner_ctx, DAY + timedelta(days=1))
    assert method_line(day, CASH).refunded == 200_000
    assert method_line(day, PaymentMethod.ON_ACCOUNT).refunded == 300_000


def test_a_return_of_a_sale_on_account_still_owed_gives_nothing_back(
    owner_ctx: ServiceContext, clock: FixedClock, engine: sa.Engine
) -> None:
    """Nothing paid with the sale: the whole refund comes off the account, as before."""
    (shirt,) = make_product(engine, "Áo", [("AO-S", 100_000, 50)])
    (hoa,) = make_customers(engine, 1)
    at(clock, 9)
    sale = sell(owner_ctx, [(shirt, 3)], PaymentMethod.ON_ACCOUNT, customer_id=hoa)
    line = svc.order_detail(owner_ctx, sale.id).lines[0].id or 0
    done = svc.return_order(owner_ctx, sale.id, {line: 3}, reason="lỗi")
    assert (done.refund_amount, done.given_back) == (300_000, 0)
    assert account.get_balance(owner_ctx, hoa).owed == 0
    assert eod.end_of_day(owner_ctx, DAY).cash_in_drawer == 0
