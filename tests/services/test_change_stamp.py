"""The change stamp the main window's lists follow (`services.changes`): it moves with
every change another PC (or process) can make — a sale, a status change, an order
edit, a customer edit, a stock change, a sync's new orders and its status changes —
stays put when nothing changed (reading it writes nothing), and reads only the ends of
primary keys. On SQLite, or PostgreSQL when PRIMEDIST_TEST_DATABASE_URL is set."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.enums import OrderSource, OrderStatus
from primedist.domain.order import Order
from primedist.services import orders as svc
from primedist.services import stock as stock_svc
from primedist.services.changes import (
    _CUSTOMER_STAMP,
    _ORDER_STAMP,
    _STAMP,
    change_stamp,
    customer_stamp,
    order_stamp,
)
from primedist.services.context import ServiceContext
from primedist.services.customer_account import adjust_balance, receive_payment
from primedist.services.customer_delete import delete_customers
from primedist.services.customers import CustomerDraft, add_customer, update_customer
from primedist.services.order_edit import edit_start, update_order
from tests.factories import make_customers, make_orders, make_product, make_shop
from tests.services.test_sync import Market, _sandbox

audit_t = table_of(AuditEvent)
orders_t = table_of(Order)
INDEX = "ix_audit_events_entity_type_entity_id_id"


def audit_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(audit_t)).scalar_one())


def test_every_kind_of_change_elsewhere_moves_the_stamp(
    owner_ctx: ServiceContext, other_pc: ServiceContext
) -> None:
    variant = make_product(owner_ctx.engine, "Áo thun cotton", [("AT-1", 150_000, 50)])[0]
    customer = add_customer(other_pc, CustomerDraft(name="Nguyễn Thị Hoa")).customer_id
    seen = [change_stamp(owner_ctx)]
    rows = audit_rows(owner_ctx.engine)
    assert change_stamp(owner_ctx) == seen[0]  # nothing changed: the same stamp ...
    assert audit_rows(owner_ctx.engine) == rows  # ... and reading it writes nothing

    def moved() -> bool:
        seen.append(change_stamp(owner_ctx))
        return seen[-1] != seen[-2]

    draft = svc.OrderDraft(lines=(svc.DraftLine(variant, 1),), source=OrderSource.PHONE,
                           status=OrderStatus.PENDING)  # fmt: skip
    order = svc.create_order(other_pc, draft).id  # a sale at the counter PC
    assert moved()
    _loaded, at = edit_start(other_pc, order)
    update_order(other_pc, order, svc.OrderDraft(lines=(svc.DraftLine(variant, 2),),
                 source=OrderSource.PHONE), loaded_at=at)  # fmt: skip
    assert moved()
    assert svc.confirm_orders(other_pc, [order]).done
    assert moved()
    update_customer(other_pc, customer, CustomerDraft(name="Nguyễn Thị Hoà"))
    assert moved()
    stock_svc.adjust_stock(other_pc, variant, 7, reason="Đếm lại")
    assert moved()
    assert not moved()  # and still when nothing more happened


def test_a_sync_moves_it_with_new_orders_and_with_status_changes_alone(
    ctx: ServiceContext, engine: Engine, clock: FixedClock
) -> None:
    for sandbox in _sandbox(clock, orders=60, history_days=6, seed=11):
        market = Market(ctx, engine, sandbox)
        before = change_stamp(ctx)
        first = market.sync()
        assert first.outcome == "ok" and first.inserted > 0
        after_first = change_stamp(ctx)
        assert after_first[2:4] != before[2:4]  # the new orders (no audit row for them)
        clock.advance(timedelta(days=3))  # orders move on on the marketplace; none is new
        again = market.sync()
        assert again.outcome == "ok" and (again.inserted, again.updated > 0) == (0, True)
        now = change_stamp(ctx)
        assert now[:4] == after_first[:4]  # no audit row, no new order ...
        assert now[4:] != after_first[4:]  # ... their status changes moved it


def test_a_row_committed_below_the_newest_id_still_moves_it(ctx: ServiceContext) -> None:
    """PostgreSQL takes an id when the row is written: a slower PC's transaction commits
    its row below an id already seen. (Here explicit ids stand in for the two PCs.)"""
    with ctx.engine.begin() as conn:
        newest = int(conn.execute(sa.select(sa.func.max(audit_t.c.id))).scalar_one() or 0)
        row = {"action": "test.late", "created_at": ctx.clock.now()}
        conn.execute(audit_t.insert(), [{**row, "id": newest + 2}])
    seen = change_stamp(ctx)
    with ctx.engine.begin() as conn:
        conn.execute(audit_t.insert(), [{**row, "id": newest + 1}])
    now = change_stamp(ctx)
    assert now[0] == seen[0] == newest + 2 and now != seen


def test_it_reads_only_the_ends_of_the_primary_keys(ctx: ServiceContext) -> None:
    with ctx.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Enough rows for the planner to choose between the index and the table.
            conn.exec_driver_sql(
                "INSERT INTO audit_events (action, created_at)"
                " SELECT 'test.bulk', now() FROM generate_series(1, 20000)"
            )
            conn.exec_driver_sql("ANALYZE audit_events")
    with ctx.engine.connect() as conn:
        sql = _STAMP.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
        if conn.dialect.name == "sqlite":
            plan = [r[-1] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
            tables = ("audit_events", "orders", "order_status_changes")
            assert [p for p in plan if p.startswith("SEARCH")] and not [
                p for p in plan if any(p.startswith(f"SCAN {t}") for t in tables)
            ], plan
        else:
            plan = [r[0] for r in conn.exec_driver_sql(f"EXPLAIN {sql}")]
            assert not [p for p in plan if "Seq Scan on audit_events" in p], plan
            assert [p for p in plan if "Index Only Scan Backward using pk_audit_events" in p]


# One record: what an open detail follows ---------------------------------------------------
def test_an_orders_stamp_moves_with_what_its_detail_shows_and_only_that(
    owner_ctx: ServiceContext, other_pc: ServiceContext, clock: FixedClock
) -> None:
    variant = make_product(owner_ctx.engine, "Áo thun cotton", [("AT-1", 150_000, 50)])[0]
    customer = add_customer(other_pc, CustomerDraft(name="Nguyễn Thị Hoa")).customer_id
    draft = svc.OrderDraft(lines=(svc.DraftLine(variant, 1),), source=OrderSource.PHONE,
                           status=OrderStatus.PENDING, customer_id=customer)  # fmt: skip
    order = svc.create_order(other_pc, draft).id
    seen = [order_stamp(owner_ctx, order)]
    rows = audit_rows(owner_ctx.engine)

    def moved() -> bool:
        seen.append(order_stamp(owner_ctx, order))
        return seen[-1].state != seen[-2].state

    assert not moved() and audit_rows(owner_ctx.engine) == rows  # reading writes nothing
    svc.create_order(other_pc, draft)  # another order of the same customer
    assert not moved()
    clock.advance(timedelta(minutes=5))
    svc.change_status(other_pc, order, OrderStatus.CONFIRMED)
    assert moved() and seen[-1].changed_at == clock.now()
    clock.advance(timedelta(minutes=5))
    svc.set_flag(other_pc, [order], True)  # moves no time of the order's
    assert moved() and seen[-1].changed_at == seen[-2].changed_at
    svc.set_staff_note(other_pc, order, "Gọi trước khi giao")
    assert moved()
    update_customer(other_pc, customer, CustomerDraft(name="Nguyễn Thị Hoà"))  # shown on it
    assert moved()
    assert not moved() and not seen[-1].gone
    assert order_stamp(owner_ctx, order + 999).gone


def test_a_customers_stamp_moves_with_their_details_orders_and_account(
    owner_ctx: ServiceContext, other_pc: ServiceContext, clock: FixedClock
) -> None:
    variant = make_product(owner_ctx.engine, "Áo thun cotton", [("AT-1", 150_000, 50)])[0]
    customer = add_customer(other_pc, CustomerDraft(name="Nguyễn Thị Hoa")).customer_id
    other = add_customer(other_pc, CustomerDraft(name="Lê Văn Tám")).customer_id
    seen = [customer_stamp(owner_ctx, customer)]

    def moved() -> bool:
        seen.append(customer_stamp(owner_ctx, customer))
        return seen[-1].state != seen[-2].state

    assert not moved()
    update_customer(other_pc, other, CustomerDraft(name="Lê Văn Tâm"))  # someone else
    assert not moved()
    clock.advance(timedelta(minutes=5))
    update_customer(other_pc, customer, CustomerDraft(name="Nguyễn Thị Hoà"))
    assert moved() and seen[-1].changed_at == clock.now()
    draft = svc.OrderDraft(lines=(svc.DraftLine(variant, 1),), source=OrderSource.PHONE,
                           status=OrderStatus.PENDING, customer_id=customer)  # fmt: skip
    svc.create_order(other_pc, draft)  # an order of theirs: their statistics
    assert moved()
    adjust_balance(other_pc, customer, 200_000, "Nợ cũ")  # what they owe
    assert moved()
    receive_payment(other_pc, customer, 50_000)
    assert moved()
    assert not moved() and not seen[-1].gone
    assert delete_customers(other_pc, [other]).deleted
    assert customer_stamp(owner_ctx, other).gone


def test_a_records_stamp_names_the_other_pc_its_newest_audit_row_was_written_on(
    owner_ctx: ServiceContext, other_pc: ServiceContext
) -> None:
    """What an open detail says of a change: "on KHO-PC" when the record's newest audit
    row was written at another PC; not this PC (another window here), nor a row from
    before PCs were named."""
    variant = make_product(owner_ctx.engine, "Áo thun cotton", [("AT-1", 150_000, 50)])[0]
    customer = add_customer(owner_ctx, CustomerDraft(name="Nguyễn Thị Hoa")).customer_id
    draft = svc.OrderDraft(lines=(svc.DraftLine(variant, 1),), source=OrderSource.PHONE,
                           status=OrderStatus.PENDING, customer_id=customer)  # fmt: skip
    order = svc.create_order(owner_ctx, draft).id
    here = order_stamp(owner_ctx, order)
    assert here.audit_id is not None and here.pc is None  # made at this PC
    svc.change_status(other_pc, order, OrderStatus.CONFIRMED)
    there = order_stamp(owner_ctx, order)
    assert there.audit_id is not None and there.audit_id > here.audit_id
    assert there.pc == "KHO-PC"
    assert order_stamp(other_pc, order).pc is None  # as KHO-PC reads it: its own
    svc.set_staff_note(owner_ctx, order, "Gọi trước khi giao")
    assert order_stamp(owner_ctx, order).pc is None

    assert customer_stamp(owner_ctx, customer).pc is None
    update_customer(other_pc, customer, CustomerDraft(name="Nguyễn Thị Hoà"))
    assert customer_stamp(owner_ctx, customer).pc == "KHO-PC"
    with owner_ctx.engine.begin() as conn:  # as migration 0036 left the rows before it
        conn.execute(audit_t.update().values(pc=None))
    assert customer_stamp(owner_ctx, customer).pc is None


def newest_row(engine: Engine, entity_type: str, entity_id: int) -> int:
    """The id of the record's newest audit row."""
    with engine.connect() as conn:
        return int(conn.execute(
            sa.select(sa.func.max(audit_t.c.id))
            .where(audit_t.c.entity_type == entity_type, audit_t.c.entity_id == str(entity_id))
        ).scalar_one())  # fmt: skip


def test_a_customers_stamp_names_the_pc_of_their_order_changed_last(
    owner_ctx: ServiceContext, other_pc: ServiceContext, clock: FixedClock
) -> None:
    """A counter sale or an order's confirm is written as the order's audit row: the
    customer's stamp names that PC when their most recently changed order's newest row is
    newer than their own; their own newer row (here, at this PC) wins over it."""
    variant = make_product(owner_ctx.engine, "Áo thun cotton", [("AT-1", 150_000, 50)])[0]
    customer = add_customer(owner_ctx, CustomerDraft(name="Nguyễn Thị Hoa")).customer_id
    draft = svc.OrderDraft(lines=(svc.DraftLine(variant, 1),), source=OrderSource.PHONE,
                           status=OrderStatus.PENDING, customer_id=customer)  # fmt: skip
    assert customer_stamp(owner_ctx, customer).pc is None  # added at this PC

    clock.advance(timedelta(minutes=1))
    sold = svc.create_order(other_pc, draft).id  # a sale of theirs at the counter PC
    there = customer_stamp(owner_ctx, customer)
    assert (there.pc, there.audit_id) == ("KHO-PC", newest_row(owner_ctx.engine, "order", sold))
    assert customer_stamp(other_pc, customer).pc is None  # as KHO-PC reads it: its own

    clock.advance(timedelta(minutes=1))
    here = svc.create_order(owner_ctx, draft).id  # a newer order, at this PC
    assert customer_stamp(owner_ctx, customer).pc is None
    clock.advance(timedelta(minutes=1))
    assert svc.confirm_orders(other_pc, [sold]).done  # the older order changed last
    confirmed = customer_stamp(owner_ctx, customer)
    assert confirmed.pc == "KHO-PC"
    assert confirmed.audit_id == newest_row(owner_ctx.engine, "order", sold)
    assert confirmed.audit_id > newest_row(owner_ctx.engine, "order", here)

    clock.advance(timedelta(minutes=1))
    update_customer(owner_ctx, customer, CustomerDraft(name="Nguyễn Thị Hoà"))
    own = customer_stamp(owner_ctx, customer)
    assert own.pc is None  # their own change here is newer than KHO-PC's confirm
    assert own.audit_id == newest_row(owner_ctx.engine, "customer", customer)
    assert own.audit_id > confirmed.audit_id


def test_a_records_newest_audit_row_is_found_by_its_index(
    owner_ctx: ServiceContext, other_pc: ServiceContext
) -> None:
    """The stamps read at each change seen find the record's newest audit row through
    the (entity_type, entity_id, id) index, never by reading the log."""
    with owner_ctx.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(
                "INSERT INTO audit_events (action, entity_type, entity_id, created_at)"
                " SELECT 'test.bulk', 'order', i::text, now() FROM generate_series(1, 20000) i"
            )
            conn.exec_driver_sql("ANALYZE audit_events")
    keys = {"order_id": 1, "customer_id": 1, "entity_type": "order", "entity_id": "1"}
    with owner_ctx.engine.connect() as conn:
        for stmt in (_ORDER_STAMP, _CUSTOMER_STAMP):
            sql = stmt.params(keys).compile(dialect=conn.dialect,
                                            compile_kwargs={"literal_binds": True})  # fmt: skip
            if conn.dialect.name == "sqlite":
                plan = [r[-1] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
                assert [p for p in plan if p.startswith("SEARCH audit_events USING")
                        and INDEX in p], plan  # fmt: skip
                assert not [p for p in plan if p.startswith("SCAN audit_events")], plan
            else:
                plan = [r[0] for r in conn.exec_driver_sql(f"EXPLAIN {sql}")]
                assert [p for p in plan if INDEX in p], plan
                assert not [p for p in plan if "Seq Scan on audit_events" in p], plan
            conn.execute(stmt, keys).all()


def test_a_customers_order_changed_last_is_sought_among_their_newest_by_index(
    owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    """Their most recently changed order is sought among their RECENT_ORDERS newest only,
    walked down the end of their entries in the customer index (no sort, no read of the
    orders table nor of the log): a regular buyer's thousands of orders are not read at
    each change seen."""
    engine = owner_ctx.engine
    customers = make_customers(engine, 2)
    if engine.dialect.name == "postgresql":
        # Enough rows for the planner to choose between the indexes and the tables: a
        # regular buyer's 1,000 orders among 41,000 (most of buyers the shop does not know).
        shop = make_shop(engine, "Shopee Main")
        make_orders(engine, shop, 2000, start=clock.now(), step=timedelta(minutes=1),
                    customer_ids=[customers[0], None])  # fmt: skip
        names = [c.name for c in orders_t.c if c.name not in ("id", "external_id")]
        with engine.begin() as conn:
            conn.exec_driver_sql(
                f"INSERT INTO orders (external_id, {', '.join(names)})"
                f" SELECT external_id || '-' || g, {', '.join(names)}"
                " FROM orders, generate_series(1, 40) g WHERE customer_id IS NULL"
            )
            conn.exec_driver_sql(
                "INSERT INTO audit_events (action, entity_type, entity_id, created_at)"
                " SELECT 'test.bulk', 'order', i::text, now() FROM generate_series(1, 20000) i"
            )
            conn.exec_driver_sql("ANALYZE orders")
            conn.exec_driver_sql("ANALYZE audit_events")
    keys = {"customer_id": customers[0], "entity_id": str(customers[0])}
    with engine.connect() as conn:
        literal = {"literal_binds": True}
        sql = _CUSTOMER_STAMP.params(keys).compile(dialect=conn.dialect, compile_kwargs=literal)
        if conn.dialect.name == "sqlite":
            rows = list(conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
            walk = next(r[0] for r in rows if r[-1] == "CO-ROUTINE recent_orders")
            assert [r[-1] for r in rows if r[1] == walk] == [
                "SEARCH orders USING INDEX ix_orders_customer_stats (customer_id=?)"
            ], rows  # in the index's order: no sort of their orders
            plan = [r[-1] for r in rows]
            assert not [p for p in plan if p.startswith(("SCAN orders", "SCAN picked"))], plan
        else:
            plan = [r[0] for r in conn.exec_driver_sql(f"EXPLAIN {sql}")]
            assert [p for p in plan
                    if "Index Scan Backward using ix_orders_customer_stats" in p], plan  # fmt: skip
            assert not [p for p in plan if "Seq Scan on orders" in p], plan
            assert not [p for p in plan if "Seq Scan on audit_events" in p], plan
        conn.execute(_CUSTOMER_STAMP, keys).all()
