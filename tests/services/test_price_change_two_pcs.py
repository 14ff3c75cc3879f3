# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""Bulk price changes on two PCs at once, on a real migrated store: a change applies its
rule to the prices as they are when it writes — never "old price + 10 %" from a price
another PC changed after the preview, or while the change ran (which would silently undo
the other PC's change)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.base import table_of
from primedist.domain.product import Variant
from primedist.services import price_change as pc
from primedist.services import price_schedule as ps
from primedist.services.context import ServiceContext
from tests.factories import make_product
from tests.services.test_order_edit_two_screens import pc_b  # noqa: F401  (fixture)

UP_10_PERCENT = pc.PriceRule(pc.PriceField.PRICE, pc.PriceMode.PERCENT, Decimal(10))
UP_5000 = pc.PriceRule(pc.PriceField.PRICE, pc.PriceMode.AMOUNT, Decimal(5000))
HOUR = timedelta(hours=1)


def product_at(engine: Engine, price: int) -> tuple[int, int]:
    """A product with one variant at `price`: (product id, variant id)."""
    (vid,) = make_product(engine, "Áo thun", [("AO-1", price, 5)])
    return _product_of(engine, vid), vid


def _product_of(engine: Engine, vid: int) -> int:
    return _variant_column(engine, vid, "product_id")


def price_of(engine: Engine, vid: int) -> int:
    return _variant_column(engine, vid, "price")


def _variant_column(engine: Engine, vid: int, column: str) -> int:
    v = table_of(Variant).c
    with engine.connect() as conn:
        return int(conn.execute(sa.select(v[column]).where(v.id == vid)).scalar_one())


def in_thread(work: Callable[[], Any], errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            work()
        except BaseException as exc:  # noqa: BLE001  (said by the test's assert)
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_change_saved_on_another_pc_after_the_preview_is_built_on(
    owner_ctx: ServiceContext, pc_b: ServiceContext, engine: Engine
) -> None:
    pid, vid = product_at(engine, 100_000)
    (row,) = pc.preview_prices(owner_ctx, [pid], UP_10_PERCENT)
    assert (row.old, row.new) == (100_000, 110_000)
    pc.change_prices(pc_b, [pid], UP_5000)  # another PC, while the dialog stays open
    pc.change_prices(owner_ctx, [pid], UP_10_PERCENT)
    assert price_of(engine, vid) == 115_500  # (100,000 + 5,000) + 10 %


def test_a_change_saved_on_another_pc_while_one_runs_is_not_written_over(
    owner_ctx: ServiceContext, pc_b: ServiceContext, engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """PC A has read the prices (+10 %) when PC B saves +5,000 đ: B's change waits for A's
    and builds on it (before: B's landed between A's read and write — on PostgreSQL A
    then wrote 110,000 over it; on SQLite A failed with "try again")."""
    pid, vid = product_at(engine, 100_000)
    read, go = threading.Event(), threading.Event()
    real_planned = pc.planned

    def planned_then_pause(conn: sa.Connection, ids: Any, rule: pc.PriceRule) -> Any:
        rows = real_planned(conn, ids, rule)
        if conn.engine is owner_ctx.engine:  # PC A: B saves now
            read.set()
            go.wait(10)
        return rows

    monkeypatch.setattr(pc, "planned", planned_then_pause)
    errors: list[BaseException] = []
    on_a = in_thread(lambda: pc.change_prices(owner_ctx, [pid], UP_10_PERCENT), errors)
    assert read.wait(10)
    on_b = in_thread(lambda: pc.change_prices(pc_b, [pid], UP_5000), errors)
    on_b.join(1.0)  # B saves at once if nothing holds it back
    go.set()
    on_a.join(20)
    on_b.join(20)
    assert not on_a.is_alive() and not on_b.is_alive()
    assert errors == []
    assert price_of(engine, vid) == 115_000  # 100,000 + 10 %, then + 5,000


def test_a_change_saved_on_another_pc_while_a_scheduled_one_starts_is_not_written_over(
    owner_ctx: ServiceContext, pc_b: ServiceContext, engine: Engine, clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """The scheduler's start of a price change (+10 %) has read the prices when PC B saves
    +5,000 đ: B waits for it and builds on it, as for a change made by hand."""
    pid, vid = product_at(engine, 100_000)
    ps.schedule_prices(owner_ctx, "Tăng giá", [pid], UP_10_PERCENT, clock.now() + HOUR, None)
    clock.advance(HOUR)
    read, go = threading.Event(), threading.Event()
    real_planned = pc.planned

    def planned_then_pause(conn: sa.Connection, ids: Any, rule: pc.PriceRule) -> Any:
        rows = real_planned(conn, ids, rule)
        if conn.engine is owner_ctx.engine:  # the scheduler's PC: B saves now
            read.set()
            go.wait(10)
        return rows

    monkeypatch.setattr(pc, "planned", planned_then_pause)
    errors: list[BaseException] = []
    on_a = in_thread(lambda: ps.run_due(owner_ctx), errors)
    assert read.wait(10)
    on_b = in_thread(lambda: pc.change_prices(pc_b, [pid], UP_5000), errors)
    on_b.join(1.0)
    go.set()
    on_a.join(20)
    on_b.join(20)
    assert not on_a.is_alive() and not on_b.is_alive()
    assert errors == []
    assert price_of(engine, vid) == 115_000
