"""A payment slip printed again later (from the account or `primedist print`) says what was
owed right after its own payment, as the account's line of it does, not what is owed
today: phiếu chi to a supplier, phiếu thu from a customer."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from primedist.cli import EXIT_OK
from primedist.config import resolve_settings
from primedist.db.store import open_store
from primedist.domain.enums import PaymentMethod
from primedist.services import auth, orders, suppliers
from primedist.services import customer_account as account
from primedist.services import goods_receipts as receipts
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.printing.jobs import print_customer_payment, print_supplier_payment
from tests.cli_support import INIT_ARGS
from tests.factories import make_customers, make_product
from tests.printing.support import pdf_text

SUPPLIER_OWED = "Còn nợ nhà cung cấp"
CUSTOMER_OWED = "Còn nợ"


def figure(pdf: Path, label: str) -> int:
    """The amount in đồng printed after `label` (the roll wraps lines anywhere)."""
    text = " ".join(pdf_text(pdf).split())
    found = re.findall(re.escape(label) + r" ([\d.]+) ₫", text)
    assert len(found) == 1, text
    return int(found[0].replace(".", ""))


def on_credit(ctx: ServiceContext) -> int:
    """A goods receipt of 600.000 ₫ from a supplier, nothing paid. The supplier's id."""
    pot = make_product(ctx.engine, "Nồi đất Bát Tràng", [("NOI-1", 90_000, 0)])[0]
    row = receipts.receive_goods(ctx, receipts.ReceiptDraft(
        [receipts.ReceiptLine(pot, 10, 60_000)], supplier="Công ty Đức Minh", paid=0))  # fmt: skip
    assert row.supplier_id is not None
    return row.supplier_id


def on_account(ctx: ServiceContext) -> int:
    """A customer's sale of 135.000 ₫ on account, 35.000 ₫ paid with it (PT000001). The
    customer's id."""
    cup = make_product(ctx.engine, "Cốc sứ", [("COC-1", 45_000, 20)])[0]
    (cid,) = make_customers(ctx.engine, 1, names=["Nguyễn Thị Hoa"])
    orders.create_order(ctx, OrderDraft(lines=(DraftLine(cup, 3),), customer_id=cid,
                                        payment_method=PaymentMethod.ON_ACCOUNT,
                                        paid_now=35_000))  # fmt: skip
    return cid


def test_each_supplier_voucher_reprints_its_own_balance(qapp, shop_ctx, tmp_path):
    sid = on_credit(shop_ctx)
    out = tmp_path / "pc.pdf"
    first_prints = []
    for amount in (200_000, 150_000, 160_000):  # PC000001…3, a day apart
        shop_ctx.clock.advance(timedelta(days=1))
        paid = suppliers.pay_supplier(shop_ctx, sid, amount)
        print_supplier_payment(shop_ctx, paid.record_id, pdf=out)  # at the moment of paying
        first_prints.append(figure(out, SUPPLIER_OWED))
    assert first_prints == [400_000, 250_000, 90_000]
    shop_ctx.clock.advance(timedelta(days=1))
    suppliers.adjust_balance(shop_ctx, sid, 30_000, "Phí vận chuyển")  # later: 120.000 ₫ owed
    assert suppliers.get_supplier(shop_ctx, sid).debt == 120_000
    ledger = {e.code: e.balance for e in suppliers.supplier_ledger(shop_ctx, sid)}
    for code, owed in (("PC000001", 400_000), ("PC000002", 250_000), ("PC000003", 90_000)):
        assert ledger[code] == owed  # the account's line of it
        print_supplier_payment(shop_ctx, suppliers.payment_id_by_code(shop_ctx, code), pdf=out)
        assert figure(out, SUPPLIER_OWED) == owed, code


def test_a_cancelled_voucher_reprints_the_balance_it_left(qapp, shop_ctx, tmp_path):
    """A cancelled payment changed nothing: its slip says the balance of its place in the
    account, and the later slips no longer count it."""
    sid = on_credit(shop_ctx)
    for amount in (200_000, 150_000, 160_000):  # at the same moment: in the order paid
        suppliers.pay_supplier(shop_ctx, sid, amount)
    suppliers.cancel_payment(shop_ctx, 2, "Chi nhầm")
    out = tmp_path / "pc.pdf"
    for payment_id, owed in ((1, 400_000), (2, 400_000), (3, 240_000)):
        print_supplier_payment(shop_ctx, payment_id, pdf=out)
        assert figure(out, SUPPLIER_OWED) == owed, payment_id


def test_each_customer_receipt_reprints_its_own_balance(qapp, shop_ctx, tmp_path):
    cid = on_account(shop_ctx)
    for amount in (30_000, 30_000):  # PT000002, PT000003, a day apart
        shop_ctx.clock.advance(timedelta(days=1))
        account.receive_payment(shop_ctx, cid, amount, PaymentMethod.BANK_TRANSFER)
    assert account.get_balance(shop_ctx, cid).owed == 40_000
    out = tmp_path / "pt.pdf"
    for payment_id, owed in ((1, 100_000), (2, 70_000), (3, 40_000)):
        print_customer_payment(shop_ctx, payment_id, pdf=out)
        assert figure(out, CUSTOMER_OWED) == owed, payment_id


def test_the_command_line_reprints_the_balance_after_each_slip(qapp, cli, tmp_path):
    data = tmp_path / "shop"
    assert cli("--data-dir", str(data), "init", *INIT_ARGS).code == EXIT_OK
    engine = open_store(resolve_settings(data))
    base = ServiceContext(engine, settings=resolve_settings(data))
    owner = base.with_actor(auth.owner_actor(base))
    sid = on_credit(owner)
    for amount in (200_000, 150_000, 160_000):
        suppliers.pay_supplier(owner, sid, amount, PaymentMethod.BANK_TRANSFER)
    cid = on_account(owner)
    account.receive_payment(owner, cid, 30_000)
    account.receive_payment(owner, cid, 30_000)
    engine.dispose()
    out = tmp_path / "slip.pdf"
    for code, owed in (("PC000001", 400_000), ("PC000002", 250_000), ("PC000003", 90_000)):
        run = cli("--data-dir", str(data), "print", "supplier-payment", code, "--pdf", str(out))
        assert run.code == EXIT_OK, run.err
        assert figure(out, SUPPLIER_OWED) == owed, code
    for code, owed in (("PT000001", 100_000), ("PT000002", 70_000), ("PT000003", 40_000)):
        run = cli("--data-dir", str(data), "print", "customer-payment", code, "--pdf", str(out))
        assert run.code == EXIT_OK, run.err
        assert figure(out, CUSTOMER_OWED) == owed, code
