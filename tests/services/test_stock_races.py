"""A sale committing while a stock-take, a product import or a stock adjustment works out
its change: the sale is kept and on hand stays its opening stock plus the movements.

Each slow unit is paused (in a second thread) after it has read the stock it works from;
a sale is made meanwhile. On PostgreSQL the unit has locked the stock rows by then (the
sale waits for its commit); on SQLite it holds the write lock since it began
(`uow(write=True)`). Both backends run (PRIMEDIST_TEST_DATABASE_URL: PostgreSQL).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.db.engine import retry_when_busy
from primedist.domain.base import table_of
from primedist.domain.enums import StockMoveKind
from primedist.domain.product import SkuGroup, StockMovement, Variant
from primedist.queries.stocktake import count_sheet
from primedist.services import orders as orders_svc
from primedist.services import product_import as pi
from primedist.services import stock as svc
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from tests.conftest import FIXED_NOW
from tests.factories import make_product

PAUSE = 0.6  # seconds the slow unit waits once it has read the stock


def on_hand(engine: Engine, variant_id: int) -> int:
    v, g = table_of(Variant).c, table_of(SkuGroup).c
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.select(sa.func.coalesce(g.stock, v.stock))
                .select_from(table_of(Variant)
                             .outerjoin(table_of(SkuGroup), g.id == v.sku_group_id))
                .where(v.id == variant_id)
            ).scalar_one()
        )  # fmt: skip


def moves(engine: Engine, variant_id: int) -> list[tuple[StockMoveKind, int, int]]:
    m = table_of(StockMovement).c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(m.kind, m.quantity, m.stock_after).where(m.variant_id == variant_id)
            .order_by(m.id)
        )  # fmt: skip
        return [(StockMoveKind(k), q, a) for k, q, a in rows]


def ledger_holds(engine: Engine, variant_id: int, opening: int) -> None:
    """On hand = opening stock + Σ movements, and each movement's stock_after follows."""
    now = opening
    for _kind, quantity, after in moves(engine, variant_id):
        now += quantity
        assert after == now, moves(engine, variant_id)
    assert on_hand(engine, variant_id) == now


@contextmanager
def paused_after_first(module: Any, name: str) -> Iterator[None]:
    """Patch `module.name` (a chunking generator) to pause after its first call's rows."""
    original = getattr(module, name)
    calls = {"n": 0}

    def slow(*args: Any, **kwargs: Any) -> Iterator[Any]:
        calls["n"] += 1
        first = calls["n"] == 1
        yield from original(*args, **kwargs)
        if first:
            time.sleep(PAUSE)

    setattr(module, name, slow)
    try:
        yield
    finally:
        setattr(module, name, original)


def race(slow: Callable[[], object], sale: Callable[[], object]) -> list[BaseException]:
    """Run `slow` in a thread; once it has started (and paused), make the sale."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            slow()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(PAUSE / 3)
    try:
        sale()
    except BaseException as exc:  # noqa: BLE001
        errors.append(exc)
    thread.join(30)
    assert not thread.is_alive()
    return errors


def sell(ctx: ServiceContext, variant_id: int, quantity: int) -> None:
    """A counter sale; tried again while SQLite is busy with the other unit (the sale
    reads before it writes: it cannot wait for the other's write lock)."""
    draft = OrderDraft(lines=(DraftLine(variant_id, quantity),))
    retry_when_busy(lambda: orders_svc.create_order(ctx, draft), attempts=20, pause=0.1)


@pytest.fixture
def shirt(engine: Engine, owner_ctx: ServiceContext) -> int:
    (vid,) = make_product(engine, "Áo đua", [("RACE-AO", 150_000, 20)])
    return vid


# --------------------------------------------------------------------------- point 1


def test_a_sale_during_a_stocktake_is_kept(
    engine: Engine, owner_ctx: ServiceContext, shirt: int
) -> None:
    with paused_after_first(svc, "_chunks"):
        errors = race(lambda: svc.apply_stocktake(owner_ctx, {shirt: 22}, reason="đếm"),
                      lambda: sell(owner_ctx, shirt, 3))  # fmt: skip
    assert errors == []
    # The count (22) first, then the sale that waited for it: 19; the ledger holds.
    assert on_hand(engine, shirt) == 19
    assert [(k, q) for k, q, _a in moves(engine, shirt)] == [
        (StockMoveKind.STOCKTAKE, 2), (StockMoveKind.SALE, -3)]  # fmt: skip
    ledger_holds(engine, shirt, 20)


def test_a_sale_during_an_adjustment_is_kept_and_the_audit_tells_the_truth(
    engine: Engine, owner_ctx: ServiceContext, shirt: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = svc.move_stock

    def slow_move(*args: Any, **kwargs: Any) -> Any:
        time.sleep(PAUSE)  # the adjustment has read the old on hand
        return original(*args, **kwargs)

    monkeypatch.setattr(svc, "move_stock", slow_move)
    errors = race(lambda: svc.adjust_stock(owner_ctx, shirt, 100, reason="đếm lại"),
                  lambda: sell(owner_ctx, shirt, 3))  # fmt: skip
    assert errors == []
    adjust = [m for m in moves(engine, shirt) if m[0] == StockMoveKind.ADJUSTMENT]
    assert adjust == [(StockMoveKind.ADJUSTMENT, 80, 100)]  # set to 100, as the audit says
    assert on_hand(engine, shirt) == 97
    ledger_holds(engine, shirt, 20)


def test_a_sale_during_a_product_import_is_kept(
    engine: Engine, owner_ctx: ServiceContext, shirt: int, tmp_path: Path
) -> None:
    path = tmp_path / "p.csv"
    path.write_text("product_name,sku,price,stock\nÁo đua,RACE-AO,150000,25\n", encoding="utf-8")
    with paused_after_first(pi, "chunks"):
        errors = race(lambda: pi.import_products(owner_ctx, path),
                      lambda: sell(owner_ctx, shirt, 3))  # fmt: skip
    assert errors == []
    # Whichever went first (PostgreSQL: the sale may commit before the import locks the
    # row), the file's 25 was set and the 3 sold stay sold.
    kinds = {k: (q, a) for k, q, a in moves(engine, shirt)}
    assert set(kinds) == {StockMoveKind.ADJUSTMENT, StockMoveKind.SALE}
    assert kinds[StockMoveKind.ADJUSTMENT][1] == 25 and kinds[StockMoveKind.SALE][0] == -3
    ledger_holds(engine, shirt, 20)


# --------------------------------------------------------------------------- point 2


def test_a_stocktake_counts_as_of_the_sheet_and_keeps_later_sales(
    engine: Engine, owner_ctx: ServiceContext, shirt: int
) -> None:
    gid = _group(engine, "PRIME-RACE", 12)
    (member,) = make_product(engine, "Bình đua", [("BN-RACE", 90_000, 0)], sku_group_id=gid)
    with engine.connect() as conn:
        sheet = {r.variant_id: r for r in count_sheet(conn)}
    counted = {shirt: sheet[shirt].on_hand, member: sheet[member].on_hand - 1}  # 1 bottle missing
    seen = {vid: sheet[vid].on_hand for vid in counted}
    sell(owner_ctx, shirt, 3)  # sold after the sheet was loaded: stays sold
    sell(owner_ctx, member, 2)
    result = svc.apply_stocktake(owner_ctx, counted, reason="Kiểm kho", seen=seen)
    assert result == svc.StocktakeResult(lines=2, changed=1, difference_qty=-1,
                                         difference_value=0)  # fmt: skip
    assert on_hand(engine, shirt) == 17  # 20 - 3 sold, nothing found missing
    assert on_hand(engine, member) == 9  # 12 - 2 sold - 1 missing
    assert moves(engine, member)[-1] == (StockMoveKind.STOCKTAKE, -1, 9)
    ledger_holds(engine, shirt, 20)
    # Without the seen figures the count is the new on hand, as before.
    svc.apply_stocktake(owner_ctx, {shirt: 15}, reason="Kiểm kho")
    assert on_hand(engine, shirt) == 15
    ledger_holds(engine, shirt, 20)


def _group(engine: Engine, code: str, stock: int) -> int:
    groups = table_of(SkuGroup)
    with engine.begin() as conn:
        return int(
            conn.execute(
                sa.insert(groups).returning(groups.c.id),
                {"code": code, "name": code, "stock": stock, "reserved": 0,
                 "created_at": FIXED_NOW},
            ).scalar_one()
        )  # fmt: skip
