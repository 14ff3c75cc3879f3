"""A Lazada order some of whose units come back (each unit has its own status): the sync
records them as a local partial return does — the order stays completed, its line's
returned quantity and the order's refund are the platform's, the returned units go back on
the shelf — and a second sync changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine

from primedist.connectors.lazada import map_order
from primedist.core.clock import FixedClock
from primedist.sandbox.lazada import LazadaSandbox, LazadaSandboxConfig
from primedist.services.context import ServiceContext
from tests.driver_sql import driver_sql
from tests.services.test_sync_lazada import LazadaMarket, assert_lazada_in_step


def test_map_order_carries_the_returned_unit_and_its_refund() -> None:
    header = {"order_id": "123", "created_at": "2026-12-01 10:00:00 +0700",
              "updated_at": "2026-12-05 10:00:00 +0700", "statuses": ["delivered", "returned"],
              "shipping_fee": "20000", "payment_method": "COD",
              "address_shipping": {"first_name": "An", "phone": "0901234567"}}  # fmt: skip
    unit = {"sku": "A", "name": "Ao", "item_price": "100000", "paid_price": "90000"}
    items = [dict(unit, order_item_id="1", status="delivered"),
             dict(unit, order_item_id="2", status="returned")]  # fmt: skip
    order = map_order(header, items)
    assert order.status.value == "completed"
    assert [(ln.sku, ln.quantity, ln.returned_quantity) for ln in order.lines] == [("A", 2, 1)]
    assert (order.total, order.paid_amount, order.refunded_amount) == (220000, 220000, 90000)
    # Every unit back: the order's status says it, not the lines.
    whole = map_order(header | {"statuses": ["returned"]},
                      [dict(i, status="returned") for i in items])  # fmt: skip
    assert whole.status.value == "return_refund"
    assert [ln.returned_quantity for ln in whole.lines] == [0] and whole.refunded_amount == 0


def _order(conn: Any, shop_id: int, oid: str) -> tuple[Any, ...]:
    return tuple(driver_sql(conn,
        "SELECT id, status, total, paid_amount, refunded_amount FROM orders"
        " WHERE shop_id = ? AND external_id = ?", (shop_id, oid)).one())  # fmt: skip


def _lines(conn: Any, order_id: int) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in driver_sql(conn,
        "SELECT variant_id, quantity, returned_quantity FROM order_lines WHERE order_id = ?"
        " ORDER BY id", (order_id,))]  # fmt: skip


def _moves(conn: Any, order_id: int) -> list[int]:
    sql = "SELECT id FROM stock_movements WHERE order_id = ? ORDER BY id"
    return [r[0] for r in driver_sql(conn, sql, (order_id,))]


def _stock(conn: Any, variant_id: int) -> int:
    return int(driver_sql(conn, "SELECT stock FROM variants WHERE id = ?", (variant_id,)).one()[0])


def test_a_partial_return_restocks_the_units_and_records_the_refund(
    ctx: ServiceContext, engine: Engine, clock: FixedClock
) -> None:
    config = LazadaSandboxConfig(orders=80, history_days=10, seed=5)
    with LazadaSandbox(config, clock=clock) as sandbox:
        market = LazadaMarket(ctx, engine, sandbox)
        assert market.sync().outcome == "ok"
        oid = next(o for o, st in sorted(market.stored().items())
                   if st == "completed" and sandbox.units(o) >= 2)  # fmt: skip
        with engine.connect() as conn:
            order_id, _status, total, paid, refunded = _order(conn, market.shop_id, oid)
            lines = _lines(conn, order_id)
            variant = lines[-1][0]
            stock_before = _stock(conn, variant)
        assert refunded == 0 and all(r == 0 for _v, _q, r in lines)
        clock.advance(timedelta(minutes=5))
        sandbox.return_units(oid, 1)  # the order's last unit comes back
        report = market.sync()
        assert report.outcome == "ok", report.message
        with engine.connect() as conn:
            after = _order(conn, market.shop_id, oid)
            new_lines = _lines(conn, order_id)
            unit_price = int(driver_sql(conn,
                "SELECT unit_price FROM order_lines WHERE order_id = ? ORDER BY id DESC",
                (order_id,)).all()[0][0])  # fmt: skip
            moves = driver_sql(conn,
                "SELECT kind, quantity FROM stock_movements WHERE order_id = ? AND variant_id = ?"
                " ORDER BY id", (order_id, variant)).all()  # fmt: skip
            assert _stock(conn, variant) == stock_before + 1
            all_moves = _moves(conn, order_id)
        # Still completed (the other units were kept), the same lines, one unit returned.
        assert after == (order_id, "completed", total, paid, unit_price)
        assert new_lines == [*lines[:-1], (variant, lines[-1][1], 1)]
        assert tuple(moves[-1]) == ("return", 1)
        assert_lazada_in_step(engine, sandbox)
        # Syncing again (and again after a later update of the order) changes nothing.
        clock.advance(timedelta(minutes=5))
        index = sandbox._index(oid)
        assert index is not None
        sandbox.timeline.replace_future(index, sandbox._now(),
                                        [(sandbox._now(), "COMPLETED")])  # fmt: skip
        assert market.sync().outcome == "ok"
        with engine.connect() as conn:
            assert _order(conn, market.shop_id, oid) == after
            assert _lines(conn, order_id) == new_lines
            assert _stock(conn, variant) == stock_before + 1
            assert _moves(conn, order_id) == all_moves
