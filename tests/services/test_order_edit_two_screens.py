# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""Two screens or PCs editing the same order, on a real migrated store: each sale screen
opens the order (`edit_start`) on its own connection; the first save stands and the later
one is refused with nothing written, saying who changed the order and when — it never
silently undoes the first. One screen alone saves as before, again and again."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.config import Settings
from primedist.core.clock import FixedClock
from primedist.db.engine import make_engine
from primedist.domain.audit import AuditEvent
from primedist.domain.customer import Customer
from primedist.domain.enums import Module, OrderSource, PaymentMethod
from primedist.domain.order import Order
from primedist.domain.product import StockMovement
from primedist.errors import Conflict
from primedist.services import order_edit as edit
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine
from tests.services.test_order_edit import lines, phone_order
from tests.services.test_orders import (
    customer_id,  # noqa: F401  (fixture)
    stock,
    variants,  # noqa: F401  (fixture)
)
from tests.services.test_permissions import staff


@pytest.fixture
def pc_b(
    owner_ctx: ServiceContext, settings: Settings, clock: FixedClock
) -> Iterator[ServiceContext]:
    """A second PC on the same database: its own engine (connections) and clock."""
    engine = make_engine(settings.database_url)
    yield ServiceContext(engine, clock=FixedClock(clock.now()), settings=settings).with_actor(
        owner_ctx.actor
    )
    engine.dispose()


def written(engine: Engine, order_id: int, variant_ids: list[int]) -> tuple[object, ...]:
    """All an edit writes: the order, its lines, stock, moves, points, audit rows."""
    o = Order.__table__.c  # type: ignore[attr-defined]
    with engine.connect() as conn:
        order = conn.execute(sa.select(o.total, o.item_count, o.updated_at, o.points_used)
                             .where(o.id == order_id)).one()  # fmt: skip
        counts = [conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                  for t in (StockMovement.__table__, AuditEvent.__table__)]  # type: ignore[attr-defined]  # fmt: skip
        points = conn.execute(sa.select(sa.func.sum(Customer.points_balance))).scalar_one()
    return (tuple(order), lines(engine, order_id), [stock(engine, v) for v in variant_ids],
            counts, points)  # fmt: skip


def test_the_later_save_of_two_screens_is_refused_and_writes_nothing(
    owner_ctx: ServiceContext, pc_b: ServiceContext, engine: Engine, variants: list[int],
    customer_id: int,
) -> None:  # fmt: skip
    order_id = svc.create_order(owner_ctx, svc.OrderDraft(
        lines=(DraftLine(variants[0], 2),), customer_id=customer_id,
        source=OrderSource.PHONE, payment_method=PaymentMethod.COD, ship_name="Hoa",
        ship_phone="0939921717", ship_address="12 Lê Lợi", ship_province="Hà Nội",
    )).id  # fmt: skip
    on_a, a_loaded = edit.edit_start(owner_ctx, order_id)
    on_b, b_loaded = edit.edit_start(pc_b, order_id)
    # PC A adds a product and saves five minutes later.
    owner_ctx.clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
    added = replace(on_a, lines=(*on_a.lines, DraftLine(variants[1], 1)))
    edit.update_order(owner_ctx, order_id, added, loaded_at=a_loaded)
    after_a = written(engine, order_id, variants)
    assert [ln[:2] for ln in lines(engine, order_id)] == [("AO-S", 2), ("AO-M", 1)]
    # PC B, opened before that save, changes a quantity: refused, A's product stays.
    pc_b.clock.advance(timedelta(minutes=6))  # type: ignore[attr-defined]
    first = on_b.lines[0]
    changed = replace(on_b, lines=(replace(first, quantity=3),))
    with pytest.raises(Conflict) as refused:
        edit.update_order(pc_b, order_id, changed, loaded_at=b_loaded)
    external_id = svc.order_detail(owner_ctx, order_id).order.external_id
    assert refused.value.user_message == (
        f"Order {external_id} was changed on another screen or PC since you opened it (by "
        "Chủ Thử at 20/11/2026 10:05): nothing was saved. Close it and open it again to see "
        "the changes."
    )
    assert written(engine, order_id, variants) == after_a
    # Opened again, B sees A's product and its change saves.
    again, loaded = edit.edit_start(pc_b, order_id)
    assert again.lines == (*on_a.lines, DraftLine(variants[1], 1, 120_000, 0))
    first = again.lines[0]
    edit.update_order(pc_b, order_id, replace(again, lines=(replace(first, quantity=3),
                                                            *again.lines[1:])),
                      loaded_at=loaded)  # fmt: skip
    assert [ln[:2] for ln in lines(engine, order_id)] == [("AO-S", 3), ("AO-M", 1)]


def test_a_change_nobody_audited_is_named_by_its_time_only(
    owner_ctx: ServiceContext, pc_b: ServiceContext, variants: list[int]
) -> None:
    order_id = phone_order(owner_ctx, variants)
    draft, loaded = edit.edit_start(pc_b, order_id)
    owner_ctx.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    # A user without an account (the system) writes the staff note.
    svc.set_staff_note(staff(owner_ctx, Module.ORDERS), order_id, "Gọi trước khi giao")
    with pytest.raises(Conflict) as refused:
        edit.update_order(pc_b, order_id, draft, loaded_at=loaded)
    assert "since you opened it (at 20/11/2026 10:01): nothing was saved." in (
        refused.value.user_message
    )


def test_one_screen_saves_again_and_again_on_a_clock_that_stands_still(
    owner_ctx: ServiceContext, engine: Engine, variants: list[int]
) -> None:
    order_id = phone_order(owner_ctx, variants)
    for quantity in (1, 4, 3):  # the fixed clock never moves: each save is still seen
        draft, loaded = edit.edit_start(owner_ctx, order_id)
        first = draft.lines[0]
        draft = replace(draft, lines=(replace(first, quantity=quantity), *draft.lines[1:]))
        edit.update_order(owner_ctx, order_id, draft, loaded_at=loaded)
        assert lines(engine, order_id)[0][:2] == ("AO-S", quantity)
    # A form left open over its own save (the form closes on Save) would be refused too.
    with pytest.raises(Conflict):
        edit.update_order(owner_ctx, order_id, draft, loaded_at=loaded)
