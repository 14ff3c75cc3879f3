"""What a restore would lose, read from a real backup and the current data before asking:
orders made and changed since, returns, goods receipts, customers, shops linked since;
after the restore, the shops linked before it that must be authorised again."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.enums import Channel, Role
from primedist.errors import PermissionDenied
from primedist.services import backup
from primedist.services import goods_receipts as gr
from primedist.services import orders as svc
from primedist.services.context import Actor, ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from tests.factories import give_tokens, make_customers, make_product, make_shop

PG_URL = os.environ.get("PRIMEDIST_TEST_DATABASE_URL", "")
DIALECT = sa.make_url(PG_URL).get_backend_name() if PG_URL else "sqlite"
pytestmark = pytest.mark.skipif(
    DIALECT != "sqlite",
    reason=f"SQLite only ({DIALECT}): the app restores SQLite backups (pg_restore for a server)",
)

NOTHING = {"orders": 0, "returns": 0, "goods_receipts": 0, "purchase_orders": 0,
           "supplier_returns": 0, "customers": 0, "products": 0}  # fmt: skip


def sale(ctx: ServiceContext, variant: int) -> int:
    return svc.create_order(ctx, OrderDraft(lines=(DraftLine(variant, 1),))).id


def test_what_was_made_and_changed_after_the_backup_is_counted(
    owner_ctx: ServiceContext, engine: Engine, clock: FixedClock
) -> None:
    (hat,) = make_product(engine, "Mũ", [("MU-1", 100_000, 50)])
    before = [sale(owner_ctx, hat) for _ in range(3)]
    shopee = make_shop(engine, "Prime Official - Shopee")
    lazada = make_shop(engine, "Prime Store - Lazada", Channel.LAZADA)
    give_tokens(engine, shopee)  # linked before the backup: the restore keeps it linked
    saved = backup.backup_now(owner_ctx)
    loss = backup.restore_loss(owner_ctx, saved)
    assert loss is not None and loss.nothing and loss.counts == NOTHING

    clock.advance(timedelta(minutes=20))  # the shop goes on working after the backup
    for _ in range(2):
        sale(owner_ctx, hat)
    line = svc.order_detail(owner_ctx, before[0]).lines[0].id or 0
    svc.return_order(owner_ctx, before[0], {line: 1}, reason="lỗi")  # a return, an old order
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(hat, 5, 60_000)]))
    make_customers(engine, 2)
    give_tokens(engine, lazada)

    loss = backup.restore_loss(owner_ctx, saved)
    assert loss is not None and not loss.nothing
    assert loss.counts == {**NOTHING, "orders": 2, "returns": 1, "goods_receipts": 1,
                           "customers": 2}  # fmt: skip
    assert loss.changed_orders == 1  # the returned one (the new ones are counted as new)
    assert loss.linked_since == ("Prime Store - Lazada",)
    assert set(loss.linked_now) == {shopee, lazada}

    # Restored: the shop linked since is not linked in the restored data, the other one is.
    new_ctx, _safety = backup.restore(owner_ctx, saved)
    try:
        assert backup.shops_to_link_again(new_ctx, loss.linked_now) == ["Prime Store - Lazada"]
    finally:
        new_ctx.engine.dispose()


def test_an_id_given_again_is_a_new_row_and_an_older_backup_lacks_whole_tables(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    (first,) = make_customers(engine, 1)
    (hat,) = make_product(engine, "Mũ", [("MU-1", 100_000, 50)])
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(hat, 5, 60_000)]))
    saved = backup.backup_now(owner_ctx)
    # Deleted, then another customer given the same id (SQLite reuses the highest id).
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM customer_phones WHERE customer_id = ?", (first,))
        conn.exec_driver_sql("DELETE FROM customers WHERE id = ?", (first,))
    (again,) = make_customers(engine, 1, created_at=datetime.now(UTC) + timedelta(hours=1))
    assert again == first
    loss = backup.restore_loss(owner_ctx, saved)
    assert loss is not None and loss.counts == {**NOTHING, "customers": 1}
    # A backup without a table (an older version's): all of its rows now count as new.
    older = tmp_path / "older.db"
    with closing(sqlite3.connect(saved)) as src, closing(sqlite3.connect(older)) as dst:
        src.backup(dst)
        dst.execute("DROP TABLE goods_receipt_lines")
        dst.execute("DROP TABLE goods_receipts")
        dst.commit()
    loss = backup.restore_loss(owner_ctx, older)
    assert loss is not None and loss.counts == {**NOTHING, "customers": 1, "goods_receipts": 1}


def test_staff_may_not_read_it(owner_ctx: ServiceContext) -> None:
    saved = backup.backup_now(owner_ctx)
    staff = Actor(id=None, name="Staff", email="staff@example.vn", role=Role.STAFF)
    with pytest.raises(PermissionDenied):
        backup.restore_loss(owner_ctx.with_actor(staff), saved)
    with pytest.raises(PermissionDenied):
        backup.shops_to_link_again(owner_ctx.with_actor(staff), [])
