"""The cash drawer opens only for money just taken in cash: `print_orders` kicks it only
when asked (once, with the first of one job per order), never for a reprint or a bulk
print, and never from the command line (a receipt or a cash payment reprinted)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from primedist.cli import EXIT_OK
from primedist.config import resolve_settings
from primedist.db.store import open_store
from primedist.domain.enums import PaymentMethod
from primedist.printing.model import DocumentType, parse_host_port
from primedist.printing.store import load_profile, save_profile
from primedist.services import auth
from primedist.services import customer_account as account
from primedist.services.context import ServiceContext
from primedist.ui.printing.jobs import print_customer_payment, print_orders
from tests.cli_support import INIT_ARGS
from tests.printing.support import Capture, decode_escpos, vietnamese_order
from tests.printing.test_customer_payment_print import owing


@pytest.fixture
def printer():
    capture = Capture()
    yield capture
    capture.close()


def kicking_drawer(ctx: ServiceContext, printer: Capture) -> None:
    """The receipt on the ESC/POS printer, set to open the drawer for a sale."""
    profile = load_profile(ctx, DocumentType.RECEIPT)
    target = parse_host_port(f"127.0.0.1:{printer.port}")
    save_profile(ctx, replace(profile, target=target, open_drawer=True))


def kicks(jobs: list[bytes]) -> list[int]:
    return [decode_escpos(job).drawer_kicks for job in jobs]


def test_a_reprint_and_a_bulk_print_never_open_the_drawer(qapp, engine, printer, shop_ctx):
    ids = [vietnamese_order(engine, shop_ctx).id for _ in range(3)]
    kicking_drawer(shop_ctx, printer)
    print_orders(shop_ctx, ids[:1], DocumentType.RECEIPT)  # the order detail's Print
    print_orders(shop_ctx, ids, DocumentType.RECEIPT, one_job=False)  # 3 jobs
    assert kicks(printer.wait(4)) == [0, 0, 0, 0]


def test_the_sale_just_made_opens_it_once(qapp, engine, printer, shop_ctx):
    ids = [vietnamese_order(engine, shop_ctx).id for _ in range(3)]
    kicking_drawer(shop_ctx, printer)
    print_orders(shop_ctx, ids[:1], DocumentType.RECEIPT, open_drawer=True)
    assert kicks(printer.wait(1)) == [1]
    print_orders(shop_ctx, ids, DocumentType.RECEIPT, one_job=False, open_drawer=True)
    assert kicks(printer.wait(4)) == [1, 1, 0, 0]  # with the first job only
    # A printer set not to kick it is not kicked, asked or not.
    save_profile(shop_ctx, replace(load_profile(shop_ctx, DocumentType.RECEIPT),
                                   open_drawer=False))  # fmt: skip
    print_orders(shop_ctx, ids[:1], DocumentType.RECEIPT, open_drawer=True)
    assert kicks(printer.wait(5))[-1] == 0


def test_the_command_line_reprint_never_opens_the_drawer(qapp, cli, tmp_path, printer):
    data = tmp_path / "shop"
    assert cli("--data-dir", str(data), "init", *INIT_ARGS).code == EXIT_OK
    engine = open_store(resolve_settings(data))
    ctx = ServiceContext(engine, settings=resolve_settings(data))
    ctx = ctx.with_actor(auth.owner_actor(ctx))
    order = vietnamese_order(engine, ctx)  # a cash sale
    paid = account.receive_payment(ctx, owing(ctx), 60_000, PaymentMethod.CASH)
    kicking_drawer(ctx, printer)
    engine.dispose()
    run = cli("--data-dir", str(data), "print", "receipt", order.number)
    assert run.code == EXIT_OK, run.err
    run = cli("--data-dir", str(data), "print", "customer-payment", paid.reference)
    assert run.code == EXIT_OK, run.err
    assert kicks(printer.wait(2)) == [0, 0]


def test_a_cash_payment_printed_in_the_app_still_opens_it(qapp, shop_ctx, printer):
    """The customer's account's Print receipt on a cash payment, as the README says."""
    paid = account.receive_payment(shop_ctx, owing(shop_ctx), 60_000, PaymentMethod.CASH)
    kicking_drawer(shop_ctx, printer)
    print_customer_payment(shop_ctx, paid.entity_id)
    assert kicks(printer.wait(1)) == [1]
