"""A receipt printed again later (Orders list, order detail, `primedist print`: no Payment
given) shows the cash the customer handed over and the change, as the first print did:
the order keeps the cash (`orders.cash_received`). Each order of a job its own figure; a
sale not paid in cash and a marketplace order print none; a Payment given still wins."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from primedist.cli import EXIT_OK
from primedist.config import resolve_settings
from primedist.db.store import open_store
from primedist.domain.enums import PaymentMethod
from primedist.printing.content import Payment
from primedist.printing.model import DocumentType
from primedist.services.context import ServiceContext
from primedist.services.exchange import ExchangeDraft, exchange_order
from primedist.services.orders import DraftLine, OrderDraft, create_order, order_detail
from primedist.ui.printing.jobs import print_orders
from tests.cli_support import INIT_ARGS
from tests.factories import make_orders, make_product, make_shop
from tests.printing.support import pdf_text, vietnamese_order

CASH_VI = "Tiền khách đưa"
CHANGE_VI = "Tiền thừa"


def receipt_pages(
    ctx: ServiceContext, order_ids: list[int], path: Path, payment: Payment | None = None
) -> list[str]:
    """The receipts of the orders printed as one job to a PDF, as the Orders list's
    Print ▾ → Receipt does (no Payment unless given): each order's text, one per page."""
    print_orders(ctx, order_ids, DocumentType.RECEIPT, template="receipt_80", pdf=path,
                 payment=payment)  # fmt: skip
    pages = pdf_text(path, layout=True).split("\f")
    return [page for page in pages if page.strip()]


def line_of(text: str, caption: str) -> str | None:
    """The amount printed beside the caption (None: no such line)."""
    found = re.search(rf"^\s*{caption}\s+([\d.]+ ₫)\s*$", text, re.MULTILINE)
    return found.group(1) if found else None


def cash_sale(ctx: ServiceContext, variant: int, qty: int, cash: int | None,
              method: PaymentMethod = PaymentMethod.CASH) -> int:  # fmt: skip
    draft = OrderDraft(lines=(DraftLine(variant, qty),), payment_method=method,
                       cash_received=cash)  # fmt: skip
    return create_order(ctx, draft).id


def test_a_reprint_shows_each_orders_cash_and_change(qapp, engine, shop_ctx, tmp_path):
    cup, vase = make_product(engine, "Cốc sứ", [("COC-1", 45_000, 20), ("BINH-1", 186_000, 5)])
    first = cash_sale(shop_ctx, vase, 1, 200_000)  # 14.000 back
    second = cash_sale(shop_ctx, cup, 3, 500_000)  # 135.000: 365.000 back
    exact = cash_sale(shop_ctx, cup, 1, None)  # paid exactly, no amount typed
    transfer = cash_sale(shop_ctx, cup, 2, 100_000, PaymentMethod.BANK_TRANSFER)
    pages = receipt_pages(shop_ctx, [first, second, exact, transfer], tmp_path / "r.pdf")
    assert len(pages) == 4
    assert [(line_of(p, CASH_VI), line_of(p, CHANGE_VI)) for p in pages] == [
        ("200.000 ₫", "14.000 ₫"),
        ("500.000 ₫", "365.000 ₫"),
        (None, None),
        (None, None),
    ]


def test_a_payment_given_still_wins(qapp, engine, shop_ctx, tmp_path):
    (vase,) = make_product(engine, "Bình gốm", [("BINH-1", 186_000, 5)])
    sale = cash_sale(shop_ctx, vase, 1, 200_000)
    (page,) = receipt_pages(shop_ctx, [sale], tmp_path / "r.pdf",
                            payment=Payment(cash_received=500_000))  # fmt: skip
    assert (line_of(page, CASH_VI), line_of(page, CHANGE_VI)) == ("500.000 ₫", "314.000 ₫")


def test_a_marketplace_order_prints_no_cash(qapp, engine, shop_ctx, tmp_path):
    shop = make_shop(engine, "Shopee Nến Thơm")
    ids = make_orders(engine, shop, 3, start=datetime(2026, 11, 1, tzinfo=UTC),
                      step=timedelta(hours=1))  # fmt: skip
    for page in receipt_pages(shop_ctx, ids, tmp_path / "r.pdf"):
        assert line_of(page, CASH_VI) is None and line_of(page, CHANGE_VI) is None


def test_an_exchange_reprint_gives_change_on_what_was_paid(qapp, engine, shop_ctx, tmp_path):
    """299.000 for items worth 259.000: 40.000 to pay, 50.000 handed over, 10.000 back."""
    small, large = make_product(engine, "Áo sơ mi lụa", [("SM-S", 259_000, 5),
                                                          ("SM-L", 299_000, 5)])  # fmt: skip
    old = create_order(shop_ctx, OrderDraft(lines=(DraftLine(small, 1),)))
    line = order_detail(shop_ctx, old.id).lines[0].id or 0
    done = exchange_order(shop_ctx, ExchangeDraft(old.id, {line: 1}, "Đổi size", OrderDraft(
        lines=(DraftLine(large, 1),), payment_method=PaymentMethod.CASH,
        cash_received=50_000)))  # fmt: skip
    (page,) = receipt_pages(shop_ctx, [done.created.id], tmp_path / "r.pdf")
    assert (line_of(page, CASH_VI), line_of(page, CHANGE_VI)) == ("50.000 ₫", "10.000 ₫")


def test_primedist_print_reprints_the_cash(qapp, cli, tmp_path):
    data = tmp_path / "shop"
    assert cli("--data-dir", str(data), "init", *INIT_ARGS).code == EXIT_OK
    engine = open_store(resolve_settings(data))
    from primedist.services import auth

    ctx = ServiceContext(engine, settings=resolve_settings(data))
    order = vietnamese_order(engine, ctx.with_actor(auth.owner_actor(ctx)))  # 200.000 cash
    engine.dispose()
    out = tmp_path / "receipt.pdf"
    run = cli("--data-dir", str(data), "print", "receipt", order.number, "--pdf", str(out),
              "--template", "receipt_80")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    text = pdf_text(out, layout=True)
    assert (line_of(text, CASH_VI), line_of(text, CHANGE_VI)) == ("200.000 ₫", "14.000 ₫")
