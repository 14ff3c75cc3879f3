"""Sales on account and customer payments through the services on a real migrated database:
what a customer owes follows sales, payments, cancels, returns, edits and merges; End of
day and the till count the cash collected."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.base import table_of
from primedist.domain.customer import CustomerPayment
from primedist.domain.enums import Module, OrderStatus, PaymentMethod, Role
from primedist.domain.order import Order
from primedist.errors import NotFound, PermissionDenied, ValidationError
from primedist.services import customer_account as account
from primedist.services import end_of_day as eod
from primedist.services import order_edit, till
from primedist.services import orders as svc
from primedist.services.context import Actor, ServiceContext
from primedist.services.customers import merge_customers
from primedist.services.orders import DraftLine, OrderDraft
from tests.factories import make_customers, make_product

payments_t = table_of(CustomerPayment)
DAY = date(2026, 11, 20)  # FIXED_NOW's day in the shop's time zone


@pytest.fixture
def variants(engine: Engine, owner_ctx: ServiceContext) -> list[int]:
    """AO-S 99,000 đ and AO-M 120,000 đ, plenty in stock."""
    return make_product(engine, "Áo thun", [("AO-S", 99_000, 50), ("AO-M", 120_000, 50)])


@pytest.fixture
def buyers(engine: Engine, owner_ctx: ServiceContext) -> list[int]:
    return make_customers(engine, 3, names=["Nguyễn Thị Hoa", "Trần Văn Bình", "Lê Đức"])


def on_account(variants: list[int], customer_id: int | None, paid_now: int = 0,
               qty: int = 1, **kw: object) -> OrderDraft:  # fmt: skip
    return OrderDraft(lines=(DraftLine(variants[0], qty),), customer_id=customer_id,
                      payment_method=PaymentMethod.ON_ACCOUNT, paid_now=paid_now,
                      **kw)  # type: ignore[arg-type]  # fmt: skip


def owed(ctx: ServiceContext, customer_id: int) -> int:
    return account.get_balance(ctx, customer_id).owed


def payment_rows(engine: Engine) -> list[tuple[int, int, int | None, bool]]:
    """(customer, amount, order, standing) of every payment, by id."""
    p = payments_t.c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(p.customer_id, p.amount, p.order_id, p.cancelled_at).order_by(p.id)
        ).all()
    return [(int(r[0]), int(r[1]), r[2], r[3] is None) for r in rows]


def audit_actions(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [str(a) for a in conn.scalars(sa.text("SELECT action FROM audit_events"))]


# --------------------------------------------------------------------------- the sale


def test_a_sale_on_account_with_part_paid_at_once(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int], buyers: list[int]
) -> None:
    hoa = buyers[0]
    created = svc.create_order(owner_ctx, on_account(variants, hoa, paid_now=30_000, qty=2))
    assert created.total == 198_000
    with engine.connect() as conn:
        method, paid = conn.execute(
            sa.select(Order.payment_method, Order.paid_amount).where(Order.id == created.id)
        ).one()
    assert (method, paid) == (PaymentMethod.ON_ACCOUNT, 30_000)
    balance = account.get_balance(owner_ctx, hoa)
    assert (balance.sold, balance.paid, balance.orders, balance.owed) == (198_000, 30_000, 1,
                                                                          168_000)
    assert payment_rows(engine) == [(hoa, 30_000, created.id, True)]
    entries = account.account_entries(owner_ctx, hoa)
    assert sorted((e.kind, e.amount, e.reference) for e in entries) == [
        ("payment", -30_000, "PT000001"), ("sale", 198_000, created.external_id)]
    # Nobody else owes anything; the quote says what this sale leaves owed.
    assert owed(owner_ctx, buyers[1]) == 0
    quote = svc.quote_order(owner_ctx, on_account(variants, hoa, paid_now=9_000))
    assert (quote.owed, quote.problems) == (90_000, ())


def test_a_sale_on_account_needs_a_customer_and_something_owed(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int], buyers: list[int]
) -> None:
    walk_in = svc.quote_order(owner_ctx, on_account(variants, None))
    assert walk_in.problems == ("A sale on account needs a customer: choose who owes it.",)
    with pytest.raises(ValidationError, match="needs a customer") as refused:
        svc.create_order(owner_ctx, on_account(variants, None))
    assert refused.value.field == "customer"
    for paid_now in (99_000, 150_000, -1):
        with pytest.raises(ValidationError, match="Paid now must be less than the total 99") as e:
            svc.create_order(owner_ctx, on_account(variants, buyers[0], paid_now=paid_now))
        assert e.value.field == "paid_now"
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(Order)).scalar_one() == 0
    assert payment_rows(engine) == []


# --------------------------------------------------------------------------- payments


def test_receiving_payments_until_nothing_is_owed(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int], buyers: list[int]
) -> None:
    hoa = buyers[0]
    svc.create_order(owner_ctx, on_account(variants, hoa, qty=2))  # 198,000 owed
    entry = account.receive_payment(owner_ctx, hoa, 100_000, PaymentMethod.BANK_TRANSFER,
                                    "  chuyển khoản Vietcombank  ")  # fmt: skip
    assert (entry.kind, entry.amount, entry.method, entry.note) == (
        "payment", -100_000, PaymentMethod.BANK_TRANSFER, "chuyển khoản Vietcombank")
    assert owed(owner_ctx, hoa) == 98_000
    with pytest.raises(ValidationError, match="Hoa owes 98,000 đ: the payment cannot be more") as e:
        account.receive_payment(owner_ctx, hoa, 980_000)
    assert e.value.field == "amount"
    account.receive_payment(owner_ctx, hoa, 98_000)
    assert owed(owner_ctx, hoa) == 0
    with pytest.raises(ValidationError, match="owes nothing"):
        account.receive_payment(owner_ctx, hoa, 1)
    assert [r[1] for r in payment_rows(engine)] == [100_000, 98_000]
    assert audit_actions(engine).count("customer.payment") == 2


@pytest.mark.parametrize(
    ("amount", "method", "note", "field"),
    [
        (0, PaymentMethod.CASH, "", "amount"),
        (-5, PaymentMethod.CASH, "", "amount"),
        (10_000, PaymentMethod.ON_ACCOUNT, "", "method"),
        (10_000, PaymentMethod.COD, "", "method"),
        (10_000, PaymentMethod.CASH, "x" * 256, "note"),
    ],
)
def test_a_bad_payment_is_refused_naming_its_field(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int], buyers: list[int],
    amount: int, method: PaymentMethod, note: str, field: str,
) -> None:  # fmt: skip
    svc.create_order(owner_ctx, on_account(variants, buyers[0]))
    with pytest.raises(ValidationError) as refused:
        account.receive_payment(owner_ctx, buyers[0], amount, method, note)
    assert refused.value.field == field
    assert payment_rows(engine) == []


def test_cancelling_a_payment_puts_the_debt_back(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int], buyers: list[int]
) -> None:
    hoa = buyers[0]
    svc.create_order(owner_ctx, on_account(variants, hoa))
    paid = account.receive_payment(owner_ctx, hoa, 40_000)
    staff = owner_ctx.with_actor(Actor(None, "Lan", "lan@x.vn", Role.STAFF,
                                       frozenset({Module.CUSTOMERS, Module.ORDERS})))  # fmt: skip
    with pytest.raises(PermissionDenied):
        account.cancel_payment(staff, paid.entity_id, "nhầm")
    with pytest.raises(ValidationError, match="Say why"):
        account.cancel_payment(owner_ctx, paid.entity_id, "  ")
    assert owed(owner_ctx, hoa) == 59_000
    account.cancel_payment(owner_ctx, paid.entity_id, "Nhập nhầm số tiền")
    assert owed(owner_ctx, hoa) == 99_000
    with pytest.raises(ValidationError, match="PT000001 was cancelled already"):
        account.cancel_payment(owner_ctx, paid.entity_id, "again")
    with pytest.raises(NotFound):
        account.cancel_payment(owner_ctx, 999, "gone")
    cancelled = next(e for e in account.account_entries(owner_ctx, hoa) if e.kind == "payment")
    assert not cancelled.standing and cancelled.cancel_reason == "Nhập nhầm số tiền"
    assert "customer.payment_cancel" in audit_actions(engine)


def test_a_deleted_customer_s_payment_stays(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int], buyers: list[int]
) -> None:
    from primedist.services.customer_delete import delete_customers

    hoa = buyers[0]
    svc.create_order(owner_ctx, on_account(variants, hoa))
    paid = account.receive_payment(owner_ctx, hoa, owed(owner_ctx, hoa))  # nothing owed now
    delete_customers(owner_ctx, [hoa])
    # Cancelling it would make a debt nobody can see or collect any more.
    with pytest.raises(NotFound, match=f"Customer {hoa} no longer exists"):
        account.cancel_payment(owner_ctx, paid.entity_id, "nhầm")
    assert [row[3] for row in payment_rows(engine)] == [True]
    assert hoa not in [d.customer_id for d in account.debtors(owner_ctx)]


def test_customers_access_is_needed(
    owner_ctx: ServiceContext, variants: list[int], buyers: list[int]
) -> None:
    svc.create_order(owner_ctx, on_account(variants, buyers[0]))
    cashier = owner_ctx.with_actor(Actor(None, "Mai", "mai@x.vn", Role.STAFF,
                                         frozenset({Module.ORDERS})))  # fmt: skip
    for call in (lambda: account.get_balance(cashier, buyers[0]),
                 lambda: account.account_entries(cashier, buyers[0]),
                 lambda: account.receive_payment(cashier, buyers[0], 1_000),
                 lambda: account.debtors(cashier)):  # fmt: skip
        with pytest.raises(PermissionDenied):
            call()


# --------------------------------------------------------------------------- what changes it


def test_a_cancelled_sale_stops_counting_and_gives_its_payment_back(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int], buyers: list[int]
) -> None:
    hoa = buyers[0]
    kept = svc.create_order(owner_ctx, on_account(variants, hoa))
    gone = svc.create_order(owner_ctx, on_account(variants, hoa, paid_now=20_000, qty=2,
                                                  status=OrderStatus.CONFIRMED))  # fmt: skip
    assert owed(owner_ctx, hoa) == 99_000 + 198_000 - 20_000
    svc.change_status(owner_ctx, gone.id, OrderStatus.CANCELLED, reason="Khách đổi ý")
    assert owed(owner_ctx, hoa) == 99_000
    assert payment_rows(engine) == [(hoa, 20_000, gone.id, False)]
    sales = [e for e in account.account_entries(owner_ctx, hoa) if e.kind == "sale"]
    assert {(e.reference, e.standing) for e in sales} == {(kept.external_id, True),
                                                          (gone.external_id, False)}


def test_a_return_lowers_what_is_owed_by_its_refund(
    owner_ctx: ServiceContext, variants: list[int], buyers: list[int]
) -> None:
    hoa = buyers[0]
    created = svc.create_order(owner_ctx, on_account(variants, hoa, qty=3))
    line = svc.order_detail(owner_ctx, created.id).lines[0]
    svc.return_order(owner_ctx, created.id, {line.id or 0: 1}, reason="Lỗi")
    assert owed(owner_ctx, hoa) == 198_000
    refund = next(e for e in account.account_entries(owner_ctx, hoa) if e.kind == "refund")
    assert (refund.amount, refund.reference) == (-99_000, created.external_id)
    svc.return_order(owner_ctx, created.id, {line.id or 0: 2}, reason="Trả hết")
    assert owed(owner_ctx, hoa) == 0


def test_editing_a_sale_on_account_moves_and_retakes_its_payment(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int], buyers: list[int]
) -> None:
    hoa, binh = buyers[0], buyers[1]
    created = svc.create_order(owner_ctx, on_account(variants, hoa, paid_now=10_000, qty=2,
                                                     status=OrderStatus.CONFIRMED))  # fmt: skip
    draft = order_edit.order_draft(owner_ctx, created.id)
    assert (draft.payment_method, draft.paid_now) == (PaymentMethod.ON_ACCOUNT, 10_000)
    # Another customer owes it, paid the same at once: the payment goes with the sale.
    order_edit.update_order(owner_ctx, created.id, OrderDraft(**{**draft.__dict__,
                                                                 "customer_id": binh}))
    assert (owed(owner_ctx, hoa), owed(owner_ctx, binh)) == (0, 188_000)
    assert payment_rows(engine) == [(binh, 10_000, created.id, True)]
    # Paid more at once: the old payment gives way to the new amount.
    draft = order_edit.order_draft(owner_ctx, created.id)
    order_edit.update_order(owner_ctx, created.id, OrderDraft(**{**draft.__dict__,
                                                                 "paid_now": 50_000}))
    assert owed(owner_ctx, binh) == 148_000
    assert [r[1:] for r in payment_rows(engine)] == [(10_000, created.id, False),
                                                     (50_000, created.id, True)]
    # Paid in cash after all: nothing owed, the payment taken with it given back.
    draft = order_edit.order_draft(owner_ctx, created.id)
    order_edit.update_order(owner_ctx, created.id, OrderDraft(
        **{**draft.__dict__, "payment_method": PaymentMethod.CASH, "paid_now": 0}))
    assert owed(owner_ctx, binh) == 0
    assert not any(r[3] for r in payment_rows(engine))


def test_merging_customers_adds_their_accounts(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int], buyers: list[int]
) -> None:
    hoa, binh = buyers[0], buyers[1]
    svc.create_order(owner_ctx, on_account(variants, hoa))
    svc.create_order(owner_ctx, on_account(variants, binh, paid_now=9_000, qty=2))
    account.receive_payment(owner_ctx, binh, 50_000)
    report = merge_customers(owner_ctx, hoa, [binh])
    assert report.moved["payments"] == 2
    assert owed(owner_ctx, hoa) == 99_000 + 198_000 - 9_000 - 50_000
    assert {r[0] for r in payment_rows(engine)} == {hoa}


def test_debtors_who_owe_most_first(
    owner_ctx: ServiceContext, variants: list[int], buyers: list[int]
) -> None:
    hoa, binh, duc = buyers
    svc.create_order(owner_ctx, on_account(variants, hoa))
    svc.create_order(owner_ctx, on_account(variants, binh, qty=3))
    svc.create_order(owner_ctx, on_account(variants, duc, qty=2))
    account.receive_payment(owner_ctx, duc, 198_000)  # paid up
    listed = account.debtors(owner_ctx)
    assert [(d.customer_id, d.owed, d.orders) for d in listed] == [(binh, 297_000, 1),
                                                                   (hoa, 99_000, 1)]
    assert listed[0].name == "Trần Văn Bình" and listed[0].code


# --------------------------------------------------------------------------- the day's cash


def test_end_of_day_and_the_till_count_debts_collected(
    owner_ctx: ServiceContext, clock: FixedClock, variants: list[int], buyers: list[int]
) -> None:
    hoa, binh = buyers[0], buyers[1]
    svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(variants[1], 1),)))  # 120,000 cash
    svc.create_order(owner_ctx, on_account(variants, hoa, paid_now=20_000, qty=2))
    svc.create_order(owner_ctx, on_account(variants, binh))
    clock.advance(timedelta(hours=1))
    account.receive_payment(owner_ctx, binh, 50_000, PaymentMethod.BANK_TRANSFER)
    account.receive_payment(owner_ctx, binh, 30_000)
    cancelled = account.receive_payment(owner_ctx, binh, 5_000)
    account.cancel_payment(owner_ctx, cancelled.entity_id, "nhầm")
    report = eod.end_of_day(owner_ctx, DAY)
    lines = {p.method: p for p in report.payments}
    assert (lines[PaymentMethod.ON_ACCOUNT].orders, lines[PaymentMethod.ON_ACCOUNT].total) == (
        2, 297_000)
    assert report.on_account == 297_000 and report.sales == 417_000
    assert lines[PaymentMethod.CASH].collected == 20_000 + 30_000
    assert lines[PaymentMethod.BANK_TRANSFER].collected == 50_000
    assert report.collected == 100_000
    assert report.cash_in_drawer == 120_000 + 50_000
    count = till.close_till(owner_ctx, DAY, opening_float=200_000, counted=370_000)
    assert (count.cash_sales, count.cash_collected, count.expected, count.difference) == (
        120_000, 50_000, 370_000, 0)
    # Another day's report does not see them.
    assert eod.end_of_day(owner_ctx, DAY + timedelta(days=1)).collected == 0


def test_exporting_those_who_owe_with_what_they_owe(
    owner_ctx: ServiceContext, variants: list[int], buyers: list[int], tmp_path
) -> None:
    import openpyxl

    from primedist.queries.customers import CustomerFilter
    from primedist.services.customer_export import export_customers

    svc.create_order(owner_ctx, on_account(variants, buyers[1], paid_now=9_000, qty=2))
    target = tmp_path / "cong-no.xlsx"
    export_customers(owner_ctx, target, flt=CustomerFilter(owes_money=True),
                     columns=["code", "name", "owed"])  # fmt: skip
    rows = list(openpyxl.load_workbook(target).active.iter_rows(values_only=True))
    assert rows[0] == ("Mã khách hàng", "Tên khách hàng", "Còn nợ")
    assert rows[1][1:] == ("Trần Văn Bình", 189_000) and len(rows) == 2


def test_an_opening_debt_and_an_amount_written_off(
    engine: Engine, owner_ctx: ServiceContext, variants: list[int], buyers: list[int]
) -> None:
    """A debt from before the app makes a customer owe with no sale on account; a write-off
    lowers it; both are listed, counted everywhere what is owed is, and move with a merge."""
    from primedist.queries.customers import debt_totals

    hoa, binh = buyers[0], buyers[1]
    opening = account.adjust_balance(owner_ctx, hoa, 500_000, "  Nợ cũ trong sổ tay  ")
    assert (opening.kind, opening.reference, opening.amount, opening.note) == (
        "adjustment", "DCK000001", 500_000, "Nợ cũ trong sổ tay")
    assert owed(owner_ctx, hoa) == 500_000
    assert [(d.customer_id, d.owed, d.orders) for d in account.debtors(owner_ctx)] == [
        (hoa, 500_000, 0)]
    account.receive_payment(owner_ctx, hoa, 200_000)
    account.adjust_balance(owner_ctx, hoa, -50_000, "Bớt cho khách quen")
    assert account.get_balance(owner_ctx, hoa).adjusted == 450_000
    assert owed(owner_ctx, hoa) == 250_000
    with engine.connect() as conn:
        assert debt_totals(conn) == (1, 250_000)
    svc.create_order(owner_ctx, on_account(variants, binh))
    report = merge_customers(owner_ctx, binh, [hoa])
    assert report.moved["adjustments"] == 2 and owed(owner_ctx, binh) == 250_000 + 99_000
    staff = owner_ctx.with_actor(Actor(None, "Lan", "lan@x.vn", Role.STAFF,
                                       frozenset({Module.CUSTOMERS})))  # fmt: skip
    with pytest.raises(PermissionDenied):
        account.adjust_balance(staff, binh, 1_000, "x")
    for amount, reason, field in ((0, "x", "amount"), (1_000, " ", "reason"),
                                  (10**12, "x", "amount")):  # fmt: skip
        with pytest.raises(ValidationError) as refused:
            account.adjust_balance(owner_ctx, binh, amount, reason)
        assert refused.value.field == field
    assert "customer.adjust" in audit_actions(engine)
