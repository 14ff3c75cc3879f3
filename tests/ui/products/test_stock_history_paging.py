"""Stock history of a whole product: every variant's movements in one list (a SKU column
tells them apart), newest first, a page at a time with "Load older" down to the first
movement; the picker narrows it to one variant (the one it was opened for, if any). Each
page is a keyset seek on a holder's (holder, created_at) index, never a sort of the ledger."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from sqlalchemy import event
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.base import table_of
from primedist.domain.product import StockMovement, Variant
from primedist.services import stock as stock_svc
from primedist.services.context import ServiceContext
from primedist.ui.products.stock_dialogs import HISTORY_PAGE, StockHistoryDialog
from tests.factories import make_product
from tests.ui.support import show_widget

pytestmark = pytest.mark.usefixtures("english", "quiet")

MOVES = table_of(StockMovement)
VARIANTS = table_of(Variant)
#: Stock-ins per variant: together more than a page, each alone less.
PER_VARIANT = 130
SKU, REASON = 2, 6


def two_variant_product(
    engine: Engine, ctx: ServiceContext, clock: FixedClock
) -> tuple[int, int, int]:
    """A product whose two SKUs took turns at stock in, PER_VARIANT times each (two moves a
    minute: some share their time, and the id tells their order)."""
    a, b = make_product(engine, "Áo thun", [("AO-S", 99_000, 0), ("AO-M", 99_000, 0)])
    for i in range(PER_VARIANT):
        for vid in (a, b):
            stock_svc.stock_in(ctx, vid, 1, reason=f"lô {i}")
        clock.advance(timedelta(minutes=1))
    with engine.connect() as conn:
        product_id = conn.execute(
            sa.select(VARIANTS.c.product_id).where(VARIANTS.c.id == a)
        ).scalar_one()
    return int(product_id), a, b


def ledger(engine: Engine, *variant_ids: int) -> list[int]:
    """The movement ids of these variants, newest first."""
    m = MOVES.c
    stmt = (
        sa.select(m.id).where(m.variant_id.in_(variant_ids))
        .order_by(m.created_at.desc(), m.id.desc())
    )  # fmt: skip
    with engine.connect() as conn:
        return list(conn.execute(stmt).scalars())


def shown(dialog: StockHistoryDialog, column: int) -> list[str]:
    table = dialog.table
    items = [table.item(r, column) for r in range(table.rowCount())]
    return [item.text() if item is not None else "" for item in items]


def test_the_history_pages_through_every_variant_of_the_product(
    qtbot: Any, engine: Engine, owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    product_id, a, b = two_variant_product(engine, owner_ctx, clock)
    everything = ledger(engine, a, b)
    assert len(everything) == 2 * PER_VARIANT > HISTORY_PAGE

    # As Products opens it (no variant chosen): all variants, the newest page.
    dialog = show_widget(qtbot, StockHistoryDialog(owner_ctx, product_id), 1120, 560)
    assert dialog.variants.currentText() == "All variants"
    assert [row.id for row in dialog.rows] == everything[:HISTORY_PAGE]
    assert set(shown(dialog, SKU)) == {"AO-S", "AO-M"}
    assert shown(dialog, REASON)[:2] == [f"lô {PER_VARIANT - 1}"] * 2
    assert dialog.older.isVisibleTo(dialog)
    assert f"The latest {HISTORY_PAGE} movements." in dialog.note.text()

    qtbot.mouseClick(dialog.older, Qt.MouseButton.LeftButton)
    assert [row.id for row in dialog.rows] == everything  # down to the very first ones
    assert dialog.table.rowCount() == len(everything)
    assert shown(dialog, REASON)[-2:] == ["lô 0", "lô 0"]
    assert shown(dialog, SKU)[-2:] == ["AO-M", "AO-S"]
    assert not dialog.older.isVisibleTo(dialog) and not dialog.note.isVisibleTo(dialog)


def test_the_history_narrows_to_one_variant(
    qtbot: Any, engine: Engine, owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    product_id, a, b = two_variant_product(engine, owner_ctx, clock)
    # Opened for AO-M (right-clicked): its movements only, all on one page.
    dialog = show_widget(qtbot, StockHistoryDialog(owner_ctx, product_id, variant_id=b), 1120, 560)
    assert dialog.variants.currentData() == b
    assert [row.id for row in dialog.rows] == ledger(engine, b)
    assert set(shown(dialog, SKU)) == {"AO-M"} and not dialog.older.isVisibleTo(dialog)
    # All variants, then AO-S alone.
    dialog.variants.setCurrentIndex(dialog.variants.findText("All variants"))
    assert set(shown(dialog, SKU)) == {"AO-S", "AO-M"} and len(dialog.rows) == HISTORY_PAGE
    dialog.variants.setCurrentIndex(dialog.variants.findData(a))
    assert [row.id for row in dialog.rows] == ledger(engine, a)
    assert set(shown(dialog, SKU)) == {"AO-S"}


def test_the_history_pages_of_a_group_join_its_members_rows_once(
    engine: Engine, owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    """A grouped SKU's movement is in its variant's and its group's ledger: shown once."""
    from primedist.services import sku_groups as groups_svc

    product_id, a, b = two_variant_product(engine, owner_ctx, clock)
    groups_svc.create_group(owner_ctx, "PS-1", "Áo", variant_ids=[a])
    stock_svc.stock_in(owner_ctx, a, 2, reason="sau gộp")
    seen: list[int] = []
    after = None
    while True:
        page = stock_svc.stock_history_page(owner_ctx, product_id=product_id, after=after, limit=7)
        seen += [row.id for row in page.rows]
        if not page.more:
            break
        after = (page.rows[-1].created_at, page.rows[-1].id)
    m = MOVES.c
    with engine.connect() as conn:
        gid = conn.execute(
            sa.select(VARIANTS.c.sku_group_id).where(VARIANTS.c.id == a)
        ).scalar_one()
        stmt = (
            sa.select(m.id).where(sa.or_(m.variant_id.in_([a, b]), m.sku_group_id == gid))
            .order_by(m.created_at.desc(), m.id.desc())
        )  # fmt: skip
        assert seen == list(conn.execute(stmt).scalars())
    assert len(seen) == len(set(seen)) > 2 * PER_VARIANT


@pytest.mark.skipif(
    bool(os.environ.get("PRIMEDIST_TEST_DATABASE_URL")), reason="SQLite's query plans"
)
def test_a_history_page_seeks_on_each_holders_index(
    engine: Engine, owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    """An older page of a product with a grouped SKU: each holder's keys come from a seek
    on its (holder, created_at) index, in the index's order (no sort, no table scan)."""
    from primedist.services import sku_groups as groups_svc

    product_id, a, _b = two_variant_product(engine, owner_ctx, clock)
    groups_svc.create_group(owner_ctx, "PS-1", "Áo", variant_ids=[a])
    first = stock_svc.stock_history_page(owner_ctx, product_id=product_id, limit=50)
    plans: list[str] = []

    def explain(_conn: Any, cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if "FROM stock_movements" in statement and "ORDER BY" in statement:
            rows = cursor.connection.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            plans.append("\n".join(str(row[3]) for row in rows))

    event.listen(engine, "before_cursor_execute", explain)
    try:
        after = (first.rows[-1].created_at, first.rows[-1].id)
        stock_svc.stock_history_page(owner_ctx, product_id=product_id, after=after, limit=50)
    finally:
        event.remove(engine, "before_cursor_execute", explain)
    assert len(plans) == 3, plans  # AO-S, AO-M and the group PS-1
    for holder, plan in zip(["variant_id", "variant_id", "sku_group_id"], plans, strict=True):
        index = f"ix_stock_movements_{holder}_created_at ({holder}=? AND created_at<?)"
        assert f"SEARCH stock_movements USING COVERING INDEX {index}" in plan, plan
        assert "TEMP B-TREE" not in plan, plan  # the index gives the order
