"""PostgreSQL: writers take the one writer lock (`db.engine.take_writer_lock`), as SQLite's
single writer serialises them; what still clashes becomes `Busy`, never a traceback.

Two real writers race on threads, each on its own connection. A barrier holds the first
writer where the race would hurt (after planning, before its statistics, before adding a
supplier) until the second is there too, or for `HOLD` seconds when the second cannot get
there: it waits for the writer lock, the fix.
"""

from __future__ import annotations

import csv
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.db import engine as db_engine
from primedist.db.advisory import WRITER_KEY, WRITER_SPACE
from primedist.db.engine import session_scope
from primedist.errors import Busy, ValidationError
from primedist.services import customer_stats, order_effects, sku_groups, suppliers
from primedist.services.context import ServiceContext
from primedist.services.goods_receipts import (
    ReceiptDraft,
    ReceiptLine,
    receipt_lines,
    receive_goods,
)
from primedist.services.order_import import COLUMNS, _Import, import_orders
from primedist.services.supplier_returns import ReturnDraft, return_to_supplier
from tests.conftest import PG_URL
from tests.factories import make_product

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="writers on one PostgreSQL database: set PRIMEDIST_TEST_DATABASE_URL"
)

#: How long the first writer waits for the second at the barrier (under the writer's
#: busy timeout: the second, waiting for the lock, must not give up meanwhile).
HOLD = 2.0
NEW_SHOP = "Quầy Mới Đua"
COUNTER = "Cửa hàng Thử"  # the shop `setup_shop` creates


def _count(engine: Engine, sql: str, **params: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(sql), params).scalar_one())


def _orders_file(path: Path, prefix: str, phones: list[str], shop: str = NEW_SHOP) -> Path:
    """40 orders at `shop` for `phones`' customers, over 8 new SKUs."""
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.DictWriter(f, fieldnames=list(COLUMNS), extrasaction="ignore")
        out.writeheader()
        for i in range(40):
            phone = phones[i % len(phones)]
            out.writerow({
                "order_id": f"{prefix}{i:04d}", "order_date": "2026-11-02 10:00",
                "shop": shop, "channel": "offline", "status": "completed",
                "payment_method": "cash", "customer_name": f"Khách {phone[-3:]}",
                "customer_phone": phone, "sku": f"DUA-SKU-{i % 8}",
                "product_name": f"Hàng đua {i % 8}", "quantity": "1",
                "unit_price": str(10_000 + i),
            })  # fmt: skip
    return path


def _phones(n: int) -> list[str]:
    return [f"0912{i:06d}" for i in range(n)]


@contextmanager
def _held_at(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> Iterator[threading.Barrier]:
    """Make `owner.name` (a function or method) meet the other writer at a barrier first
    (when it was called the first time) or after `HOLD` seconds."""
    barrier = threading.Barrier(2)
    original: Callable[..., Any] = getattr(owner, name)

    def held(*args: Any, **kwargs: Any) -> Any:
        try:
            barrier.wait(timeout=HOLD)
        except threading.BrokenBarrierError:
            pass  # the other writer is waiting for the lock (or has gone): go on
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, held)
    yield barrier


def _at_once(*work: Callable[[], Any]) -> list[Any]:
    """Run each `work` on its own thread at the same time: their results or exceptions."""
    results: list[Any] = [None] * len(work)

    def run(i: int) -> None:
        try:
            results[i] = work[i]()
        except Exception as exc:  # noqa: BLE001 - the test looks at what each one got
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


# --------------------------------------------------------------------------- imports


def _after_planning(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each import, its plan made, waits for the other's (both planned on what is stored)."""
    original = _Import.plan
    barrier = threading.Barrier(2)

    def plan(self: _Import, drafts: Any) -> None:
        original(self, drafts)
        try:
            barrier.wait(timeout=HOLD)
        except threading.BrokenBarrierError:
            pass

    monkeypatch.setattr(_Import, "plan", plan)


def test_two_imports_at_once_add_each_new_sku_and_customer_once(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    phones = _phones(10)
    a = _orders_file(tmp_path / "a.csv", "A", phones, COUNTER)
    b = _orders_file(tmp_path / "b.csv", "B", phones, COUNTER)
    _after_planning(monkeypatch)
    reports = _at_once(lambda: import_orders(owner_ctx, a), lambda: import_orders(owner_ctx, b))
    assert not [r for r in reports if isinstance(r, Exception)], reports
    assert _count(engine, "SELECT count(*) FROM variants WHERE sku LIKE 'DUA-SKU-%'") == 8
    assert _count(engine, "SELECT count(*) FROM customer_phones WHERE phone LIKE '0912%'") == 10
    assert _count(engine, "SELECT count(*) FROM customers") == 10
    assert _count(engine, "SELECT count(*) FROM orders") == 80
    # Each customer's figures count both files' orders (8 each: 4 per file).
    assert _count(engine, "SELECT min(total_orders) FROM customers") == 8
    assert _count(engine, "SELECT max(total_orders) FROM customers") == 8


def test_the_same_file_imported_twice_at_once_is_stored_once_with_its_new_shop(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    same = _orders_file(tmp_path / "same.csv", "S", _phones(5))
    _after_planning(monkeypatch)
    reports = _at_once(lambda: import_orders(owner_ctx, same),
                       lambda: import_orders(owner_ctx, same))  # fmt: skip
    assert not [r for r in reports if isinstance(r, Exception)], reports
    assert sorted(r.orders_inserted for r in reports) == [0, 40]
    assert _count(engine, "SELECT count(*) FROM orders") == 40
    assert _count(engine, "SELECT count(*) FROM shops WHERE name = :n", n=NEW_SHOP) == 1


def test_statistics_refreshed_by_two_imports_at_once_count_both(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    phones = _phones(4)
    import_orders(owner_ctx, _orders_file(tmp_path / "first.csv", "F", phones))  # 10 each
    with _held_at(monkeypatch, order_effects, "refresh_customer_stats"):
        reports = _at_once(
            lambda: import_orders(owner_ctx, _orders_file(tmp_path / "a.csv", "A", phones)),
            lambda: import_orders(owner_ctx, _orders_file(tmp_path / "b.csv", "B", phones)),
        )
    assert not [r for r in reports if isinstance(r, Exception)], reports
    stored = _count(engine, "SELECT sum(total_orders) FROM customers")
    assert stored == _count(engine, "SELECT count(*) FROM orders") == 120


def test_a_statistics_refresh_outside_a_writing_unit_waits_for_the_writer(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    """`refresh_customer_stats` takes the lock itself: a writer that did not (a plain unit)
    still counts the orders of one committing while it computes."""
    import_orders(owner_ctx, _orders_file(tmp_path / "first.csv", "F", _phones(1)))  # 40
    with engine.connect() as holder:
        holder.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_SPACE}, {WRITER_KEY})")
        done = threading.Event()

        def refresh() -> None:
            with session_scope(engine) as session:
                conn = session.connection()
                (cid,) = conn.execute(sa.text("SELECT id FROM customers")).scalars()
                customer_stats.refresh_customer_stats(conn, [cid])
            done.set()

        worker = threading.Thread(target=refresh)
        worker.start()
        # The other writer moves half the customer's orders away and commits: the
        # refresh, waiting for it, counts what is left.
        assert not done.wait(0.5)
        holder.exec_driver_sql("UPDATE orders SET customer_id = NULL WHERE external_id >= 'F0020'")
        holder.commit()
        worker.join(timeout=30)
    assert done.is_set()
    assert _count(engine, "SELECT total_orders FROM customers") == 20


# --------------------------------------------------------------------------- receipts


def test_receipts_at_once_naming_the_same_new_supplier_add_it_once(
    owner_ctx: ServiceContext, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    (variant,) = make_product(engine, "Áo đua", [("DUA-AO", 100_000, 0)])
    draft = ReceiptDraft([ReceiptLine(variant, 10, 50_000)], supplier="NCC Mới")
    with _held_at(monkeypatch, suppliers, "add_supplier"):
        results = _at_once(*[lambda: receive_goods(owner_ctx, draft)] * 3)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert _count(engine, "SELECT count(*) FROM suppliers WHERE name_key = 'ncc moi'") == 1
    assert _count(engine, "SELECT stock FROM variants WHERE id = :v", v=variant) == 30
    assert len({r.supplier_id for r in results}) == 1


# --------------------------------------------------------------------------- the lock itself


@pytest.fixture
def quick_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db_engine, "SQLITE_BUSY_TIMEOUT_MS", 300)


def test_a_writing_unit_waits_for_the_writer_lock_then_is_busy(
    engine: Engine, quick_busy: None
) -> None:
    with engine.connect() as holder:
        holder.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_SPACE}, {WRITER_KEY})")
        with pytest.raises(Busy, match="Another task is writing"):
            with session_scope(engine, write=True) as session:
                session.execute(sa.text("SELECT 1"))
        # Readers never wait for it.
        with session_scope(engine) as session:
            assert session.execute(sa.text("SELECT count(*) FROM shops")).scalar_one() >= 0
        holder.rollback()
    with session_scope(engine, write=True) as session:  # free again
        assert session.execute(sa.text("SELECT 1")).scalar_one() == 1


def test_the_lock_wait_does_not_shorten_later_row_lock_waits(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        timeout = session.execute(sa.text("SHOW lock_timeout")).scalar_one()
    assert timeout == "0"


def test_a_duplicate_key_is_not_said_to_be_busy(engine: Engine) -> None:
    """A unique violation is a real duplicate (its caller names it), never "try again"."""
    insert = "INSERT INTO app_settings (key, value_json, updated_at) VALUES ('race', '1', now())"
    with engine.begin() as conn:
        conn.exec_driver_sql(insert)
    with pytest.raises(sa.exc.IntegrityError):
        with session_scope(engine, write=True) as session:
            session.execute(sa.text(insert))
    assert _count(engine, "SELECT count(*) FROM app_settings WHERE key = 'race'") == 1


# --------------------------------------------------------------------------- returns to a supplier


def test_goods_back_to_the_supplier_while_another_pc_sells_them_never_go_below_zero(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    """The office sends a delivery's 2 units back while the counter PC sells those 2: the
    return waits for the sale, then finds nothing left to send (stock never -2)."""
    (variant,) = make_product(engine, "Ly đua", [("DUA-LY", 60_000, 0)])
    receipt = receive_goods(owner_ctx, ReceiptDraft([ReceiptLine(variant, 2, 30_000)],
                                                    supplier="NCC Ly"))  # fmt: skip
    (line,) = receipt_lines(owner_ctx, receipt.id)
    outcome: list[object] = []
    with engine.connect() as sale:  # the other PC's sale: writer lock, then its stock row
        sale.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_SPACE}, {WRITER_KEY})")
        sale.execute(sa.text("SELECT stock FROM variants WHERE id = :v FOR UPDATE"),
                     {"v": variant})  # fmt: skip

        def send_back() -> None:
            draft = ReturnDraft(receipt.id, {line.id: 2}, "Hàng lỗi")
            try:
                outcome.append(return_to_supplier(owner_ctx, draft))
            except ValidationError as exc:
                outcome.append(exc)

        worker = threading.Thread(target=send_back)
        worker.start()
        worker.join(0.5)
        assert worker.is_alive()  # it waits for the sale
        sale.execute(sa.text("UPDATE variants SET stock = stock - 2 WHERE id = :v"),
                     {"v": variant})  # fmt: skip
        sale.commit()
        worker.join(timeout=30)
    (refused,) = outcome
    assert isinstance(refused, ValidationError), refused
    assert "0 available" in str(refused.user_message)
    assert _count(engine, "SELECT stock FROM variants WHERE id = :v", v=variant) == 0
    assert _count(engine, "SELECT count(*) FROM supplier_returns") == 0


# --------------------------------------------------------------------------- SKU groups


def test_a_listing_joining_a_group_while_another_pc_sells_it_brings_only_what_is_left(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    """The office adds a listing with 10 in stock to a group while the counter PC sells 2
    of them: the join waits for the sale and moves the 8 left (not 10: no units made up,
    and the listing's own stock is 0, not -2)."""
    (variant,) = make_product(engine, "Nón đua", [("DUA-NON", 80_000, 10)])
    group = sku_groups.create_group(owner_ctx, "NHOM-DUA", "Nón đua")
    outcome: list[object] = []
    with engine.connect() as sale:  # the other PC's sale: writer lock, then its stock row
        sale.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_SPACE}, {WRITER_KEY})")
        sale.execute(sa.text("SELECT stock FROM variants WHERE id = :v FOR UPDATE"),
                     {"v": variant})  # fmt: skip
        worker = threading.Thread(
            target=lambda: outcome.append(sku_groups.add_to_group(owner_ctx, group, [variant]))
        )
        worker.start()
        worker.join(0.5)
        assert worker.is_alive()  # it waits for the sale
        sale.execute(sa.text("UPDATE variants SET stock = stock - 2 WHERE id = :v"),
                     {"v": variant})  # fmt: skip
        sale.commit()
        worker.join(timeout=30)
    assert outcome == [1]
    assert _count(engine, "SELECT stock FROM sku_groups WHERE id = :g", g=group) == 8
    assert _count(engine, "SELECT stock FROM variants WHERE id = :v", v=variant) == 0
