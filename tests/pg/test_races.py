"""Two app processes on one PostgreSQL database (several PCs of one shop), racing.

Each racer is a real second process (`tests/pg/racer.py`) that opens the database like the
app and runs the real services; the racers start each round together (a shared deadline
on the system-wide monotonic clock). Runs when PRIMEDIST_TEST_DATABASE_URL is set (the CI's
PostgreSQL pass); SQLite has one writer at a time and the app one PC.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from primedist.config import Settings
from primedist.core.clock import FixedClock
from primedist.domain.enums import OrderSource
from primedist.sandbox.shopee import SandboxConfig, ShopeeSandbox
from primedist.services import stock
from primedist.services.context import ServiceContext
from tests.conftest import PG_URL
from tests.driver_sql import driver_sql
from tests.factories import make_product, make_shop
from tests.pg.racing import Racers

pytestmark = pytest.mark.skipif(
    not PG_URL,
    reason="two app processes on one PostgreSQL database: set PRIMEDIST_TEST_DATABASE_URL",
)


def scalar(engine: Engine, sql: str, params: tuple[Any, ...] = ()) -> Any:
    with engine.connect() as conn:
        return driver_sql(conn, sql, params).scalar_one()


# --------------------------------------------------------------------------- counter sales


def test_two_pcs_selling_the_last_units_never_oversell(
    engine: Engine, settings: Settings, owner_ctx: ServiceContext
) -> None:
    (variant,) = make_product(engine, "Áo thun đua", [("RACE-1", 150_000, 0)])
    sale = ["sale", settings.database_url, str(variant), "2"]
    sold_total = 0
    with Racers(sale, sale) as pcs:
        for round_no in range(15):
            left = 3 if round_no % 2 else 2  # 3: one sale fits; 2: the last units exactly
            have = scalar(engine, "SELECT stock FROM variants WHERE id = ?", (variant,))
            stock.stock_in(owner_ctx, variant, left - have, reason=f"round {round_no}")
            answers = pcs.race({})
            sold = [a["sold"] for a in answers if "sold" in a]
            short = [a["shortage"] for a in answers if "shortage" in a]
            assert len(sold) == 1, answers
            assert len(short) == 1 and short[0].startswith("Not enough stock: RACE-1"), answers
            sold_total += 1
            now = scalar(engine, "SELECT stock FROM variants WHERE id = ?", (variant,))
            assert now == left - 2
    with engine.connect() as conn:
        orders = driver_sql(conn, "SELECT count(*) FROM orders").scalar_one()
        lowest = driver_sql(
            conn, "SELECT min(stock_after) FROM stock_movements WHERE variant_id = ?", (variant,)
        ).scalar_one()
        ledger = driver_sql(
            conn, "SELECT sum(quantity) FROM stock_movements WHERE variant_id = ?", (variant,)
        ).scalar_one()
        numbers = driver_sql(conn, "SELECT count(DISTINCT external_id) FROM orders").scalar_one()
    assert orders == numbers == sold_total
    assert lowest >= 0
    assert ledger == scalar(engine, "SELECT stock FROM variants WHERE id = ?", (variant,))


# --------------------------------------------------------------------------- syncs


@pytest.fixture
def sandbox(clock: FixedClock) -> Iterator[ShopeeSandbox]:
    # Dense orders (about 15 an hour) arriving as the clock moves; tokens outlive the test.
    config = SandboxConfig(orders=1500, history_days=2, future_days=2, seed=29,
                           access_ttl=30 * 86_400)  # fmt: skip
    box = ShopeeSandbox(config, clock=clock)
    box.start()
    yield box
    box.stop()


def linked_shop(engine: Engine, box: ShopeeSandbox) -> int:
    shop_id = make_shop(engine, "Shopee đua")
    with engine.begin() as conn:
        driver_sql(conn, "UPDATE shops SET external_shop_id = ? WHERE id = ?",
                   (str(box.config.shop_id), shop_id))  # fmt: skip
    return shop_id


def connector_spec(box: ShopeeSandbox, clock: FixedClock) -> str:
    tokens = {k: (v.isoformat() if hasattr(v, "isoformat") else v)
              for k, v in asdict(box.linked_tokens()).items()}  # fmt: skip
    return json.dumps({"url": box.url, "partner_id": str(box.config.partner_id),
                       "partner_key": box.config.partner_key, "tokens": tokens,
                       "now": clock.now().isoformat()})  # fmt: skip


def assert_orders_once_and_stock_moved_once(engine: Engine, box: ShopeeSandbox, shop: int) -> int:
    with engine.connect() as conn:
        rows = driver_sql(conn, "SELECT external_id, count(*) AS n FROM orders"
                          " WHERE shop_id = ? GROUP BY external_id", (shop,)).all()  # fmt: skip
        stored = {str(row.external_id): int(row.n) for row in rows}
        # Lines not doubled: each order's subtotal is its lines' sum.
        bad_totals = driver_sql(conn, "SELECT count(*) FROM orders o WHERE o.subtotal !="
                                " (SELECT sum(l.subtotal) FROM order_lines l WHERE"
                                " l.order_id = o.id)").scalar_one()  # fmt: skip
        # Each order's movements add up to what its stock state holds, once.
        moved_wrong = driver_sql(conn, """
            SELECT count(*) FROM orders o
            JOIN (SELECT order_id, sum(quantity - returned_quantity) AS qty FROM order_lines
                  WHERE variant_id IS NOT NULL GROUP BY order_id) l ON l.order_id = o.id
            LEFT JOIN (SELECT order_id, sum(quantity) AS on_hand, sum(reserved_change) AS res
                       FROM stock_movements GROUP BY order_id) m ON m.order_id = o.id
            WHERE NOT (
                (o.stock_state = 'reserved' AND coalesce(m.on_hand, 0) = 0
                 AND coalesce(m.res, 0) = l.qty)
             OR (o.stock_state = 'consumed' AND coalesce(m.on_hand, 0) = -l.qty
                 AND coalesce(m.res, 0) = 0)
             OR (o.stock_state IN ('released', 'none') AND coalesce(m.on_hand, 0) = 0
                 AND coalesce(m.res, 0) = 0))""").scalar_one()  # fmt: skip
        # Every variant's level is its movements' sum (no update lost between the PCs).
        off_ledger = driver_sql(
            conn,
            """
            SELECT count(*) FROM variants v LEFT JOIN
              (SELECT variant_id, sum(quantity) AS q, sum(reserved_change) AS r
               FROM stock_movements GROUP BY variant_id) m ON m.variant_id = v.id
            WHERE v.stock != coalesce(m.q, 0) OR v.reserved != coalesce(m.r, 0)""",
        ).scalar_one()
        moves = driver_sql(conn, "SELECT count(*) FROM stock_movements").scalar_one()
    assert sorted(stored) == sorted(box.order_sns())
    assert set(stored.values()) == {1}
    assert (bad_totals, moved_wrong, off_ledger) == (0, 0, 0)
    return int(moves)


def test_two_pcs_taking_the_last_of_a_debt_never_take_more_than_is_owed(
    engine: Engine, settings: Settings, owner_ctx: ServiceContext
) -> None:
    """Each PC takes 60,000 đ from a customer who owes 100,000 đ: one payment is taken,
    the other refused naming what is left (the customer's row lock)."""
    from primedist.domain.enums import PaymentMethod
    from primedist.services import customer_account as account
    from primedist.services.orders import DraftLine, OrderDraft, create_order
    from tests.factories import make_customers

    (variant,) = make_product(engine, "Cốc sứ nợ", [("NO-1", 50_000, 100)])
    (customer,) = make_customers(engine, 1, names=["Nguyễn Thị Nợ"])
    pay = ["pay", settings.database_url, str(customer), "60000"]
    with Racers(pay, pay) as pcs:
        for _round in range(8):
            create_order(owner_ctx, OrderDraft(
                lines=(DraftLine(variant, 2),), customer_id=customer,
                payment_method=PaymentMethod.ON_ACCOUNT))  # fmt: skip
            owed = account.get_balance(owner_ctx, customer).owed
            answers = pcs.race({})
            paid = [a for a in answers if "paid" in a]
            refused = [a["refused"] for a in answers if "refused" in a]
            assert len(paid) == 1 and len(refused) == 1, answers
            assert refused[0] == (f"Nguyễn Thị Nợ owes {owed - 60_000:,} đ: the payment "
                                  "cannot be more.")  # fmt: skip
            account.receive_payment(owner_ctx, customer, owed - 60_000)  # settle the round
    assert account.get_balance(owner_ctx, customer).owed == 0


def test_two_pcs_returning_the_same_item_take_it_back_once(
    engine: Engine, settings: Settings, owner_ctx: ServiceContext
) -> None:
    """Each PC returns the one unit of the same sale at once: one return is made, the
    other refused (the order's row lock); stock and refunds count it once."""
    from primedist.services.orders import DraftLine, OrderDraft, create_order, order_detail

    (variant,) = make_product(engine, "Ví da đua", [("VI-1", 80_000, 100)])
    give_back = ["return", settings.database_url]
    with Racers(give_back, give_back) as pcs:
        for _round in range(8):
            sale = create_order(owner_ctx, OrderDraft(lines=(DraftLine(variant, 1),)))
            line = order_detail(owner_ctx, sale.id).lines[0].id
            answers = pcs.race({"order": sale.id, "line": line})
            returned = [a["returned"] for a in answers if "returned" in a]
            refused = [a["refused"] for a in answers if "refused" in a]
            assert returned == [80_000] and len(refused) == 1, answers
            assert "only completed orders can be returned" in refused[0], refused
    assert scalar(engine, "SELECT stock FROM variants WHERE id = ?", (variant,)) == 100
    assert scalar(engine, "SELECT COUNT(*) FROM order_refunds") == 8
    assert scalar(engine, "SELECT MAX(returned_quantity) FROM order_lines") == 1


def test_two_pcs_saving_an_edit_of_one_order_at_once_keep_the_first(
    engine: Engine, settings: Settings, owner_ctx: ServiceContext
) -> None:
    """Both PCs open the same order's Edit, then save at once (one 2 units, the other 3):
    one edit is saved, the other refused with nothing written — never the later silently
    over the earlier (the order's row lock and its `updated_at` as loaded)."""
    from primedist.services.orders import DraftLine, OrderDraft, create_order, order_detail

    owner_ctx.clock.set(datetime.now(UTC))  # type: ignore[attr-defined]  # the racers' day
    (variant,) = make_product(engine, "Nón lá đua", [("NON-1", 60_000, 100)])
    pc_a, pc_b = (["edit", settings.database_url, quantity] for quantity in ("2", "3"))
    with Racers(pc_a, pc_b) as pcs:
        for _round in range(6):
            sale = create_order(owner_ctx, OrderDraft(
                lines=(DraftLine(variant, 1),), source=OrderSource.PHONE,
                ship_name="Hoa", ship_phone="0939921717", ship_address="12 Lê Lợi",
                ship_province="Hà Nội"))  # fmt: skip
            assert pcs.race({"open": sale.id}) == [{"opened": True}] * 2
            answers = pcs.race({"save": True})
            saved = [i for i, a in enumerate(answers) if "saved" in a]
            refused = [a["refused"] for a in answers if "refused" in a]
            assert len(saved) == 1 and len(refused) == 1, answers
            assert "was changed on another screen or PC" in refused[0], refused
            quantity = order_detail(owner_ctx, sale.id).lines[0].quantity
            assert quantity == (2, 3)[saved[0]]  # the saved edit stands
            edits = scalar(engine, "SELECT COUNT(*) FROM audit_events WHERE action = ? "
                           "AND entity_id = ?", ("order.edit", str(sale.id)))  # fmt: skip
            assert edits == 1
    reserved = scalar(engine, "SELECT reserved FROM variants WHERE id = ?", (variant,))
    assert reserved == scalar(engine, "SELECT SUM(quantity) FROM order_lines")


def test_two_pcs_syncing_one_shop_at_once_store_each_order_once(
    engine: Engine, settings: Settings, clock: FixedClock, sandbox: ShopeeSandbox
) -> None:
    shop = linked_shop(engine, sandbox)
    pc = ["sync", settings.database_url, str(shop), connector_spec(sandbox, clock)]
    outcomes: list[str] = []
    moves = 0
    with Racers(pc, pc) as pcs:
        for _round in range(8):
            answers = pcs.race({"now": clock.now().isoformat()})
            outcomes += [a["outcome"] for a in answers]
            assert {a["outcome"] for a in answers} <= {"ok", "busy"}, answers
            assert "ok" in outcomes[-2:], answers
            busy = [a["message"] for a in answers if a["outcome"] == "busy"]
            # Refused by the shop's pull lease (naming the PC), or by its advisory lock.
            assert all(m.startswith("Already syncing on ") or "running on another PC" in m
                       for m in busy), busy  # fmt: skip
            moves = assert_orders_once_and_stock_moved_once(engine, sandbox, shop)
            clock.advance(timedelta(hours=3))  # new orders arrive, open ones move on
    assert moves > 0  # orders placed after the first sync moved stock
    assert "busy" in outcomes  # the two syncs did overlap
