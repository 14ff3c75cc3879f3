"""`primedist restore` says what the restore loses before restoring, as the app's
confirmation does (the same `backup.restore_loss`): a real backup, then real orders, a goods
receipt and a shop linked after it; with --json in its "loses" and "shops_to_link_again"."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from primedist.cli import EXIT_OK
from primedist.config import resolve_settings
from primedist.core.clock import shop_tz
from primedist.db.store import open_store
from primedist.domain.enums import Channel
from primedist.services import auth
from primedist.services import goods_receipts as gr
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from tests.cli_support import table_count
from tests.factories import give_tokens, make_product, make_shop


@pytest.fixture
def owner(data_dir: Path) -> Any:
    settings = resolve_settings(data_dir)
    ctx = ServiceContext(open_store(settings), settings=settings)
    ctx = ctx.with_actor(auth.owner_actor(ctx))
    yield ctx
    ctx.engine.dispose()


def backed_up_then_worked_on(cli: Any, data_dir: Path, owner: ServiceContext, usb: Path) -> Path:
    """A backup with one order and the Shopee shop linked; after it: 2 new orders, a goods
    receipt, and the Lazada shop linked."""
    (hat,) = make_product(owner.engine, "Mũ", [("MU-1", 100_000, 50)])
    shopee = make_shop(owner.engine, "Prime Official - Shopee")
    lazada = make_shop(owner.engine, "Prime Store - Lazada", Channel.LAZADA)
    give_tokens(owner.engine, shopee)
    svc.create_order(owner, OrderDraft(lines=(DraftLine(hat, 1),)))
    saved = usb / "before.db"
    usb.mkdir()
    assert cli("--data-dir", str(data_dir), "backup", str(saved)).code == EXIT_OK
    for _ in range(2):
        svc.create_order(owner, OrderDraft(lines=(DraftLine(hat, 1),)))
    gr.receive_goods(owner, gr.ReceiptDraft([gr.ReceiptLine(hat, 5, 60_000)]))
    give_tokens(owner.engine, lazada)
    return saved


def test_restore_says_what_it_loses_before_restoring(
    cli: Any, data_dir: Path, owner: ServiceContext, tmp_path: Path
) -> None:
    saved = backed_up_then_worked_on(cli, data_dir, owner, tmp_path / "usb")
    owner.engine.dispose()
    taken = datetime.fromtimestamp(saved.stat().st_mtime, UTC).astimezone(shop_tz())

    run = cli("--data-dir", str(data_dir), "restore", str(saved))

    assert run.code == EXIT_OK, run.err
    lines = run.out.splitlines()
    assert lines[:2] == [
        f"Restoring loses what was made or changed after {taken:%Y-%m-%d %H:%M}: "
        "2 new orders, 1 goods receipt.",
        "Shops linked since then must be authorised again after the restore: Prime Store - Lazada.",
    ]
    assert lines[2].startswith(f"Restored {saved}; the data it replaced is saved as ")
    assert len(lines) == 3  # the Lazada shop is named once
    assert table_count(data_dir, "orders") == 1  # restored indeed


def test_restore_json_gives_the_loss_and_the_shops_to_link_again(
    cli: Any, data_dir: Path, owner: ServiceContext, tmp_path: Path
) -> None:
    saved = backed_up_then_worked_on(cli, data_dir, owner, tmp_path / "usb")
    owner.engine.dispose()

    run = cli("--data-dir", str(data_dir), "restore", str(saved), "--json")

    assert run.code == EXIT_OK, run.err
    data = run.json()  # one JSON document: nothing printed before it
    assert data["loses"] == {"orders": 2, "returns": 0, "goods_receipts": 1,
                             "purchase_orders": 0, "supplier_returns": 0, "customers": 0,
                             "products": 0, "changed_orders": 0}  # fmt: skip
    assert data["shops_to_link_again"] == ["Prime Store - Lazada"]
    assert table_count(data_dir, "orders") == 1


def test_restore_of_a_backup_with_nothing_since_says_so(
    cli: Any, data_dir: Path, tmp_path: Path
) -> None:
    saved = tmp_path / "now.db"
    assert cli("--data-dir", str(data_dir), "backup", str(saved)).code == EXIT_OK

    run = cli("--data-dir", str(data_dir), "restore", str(saved))

    assert run.code == EXIT_OK, run.err
    first, restored = run.out.splitlines()
    assert first.startswith("Since ") and first.endswith(
        " no order was made or changed, and no return, goods receipt, purchase order, "
        "customer or product was added."
    )
    assert restored.startswith(f"Restored {saved}; ")
