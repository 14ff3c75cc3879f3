"""A scheduled price change still waiting is edited (its name, rule and times; the same
products), checked as a new one and audited; once started it is refused. Its detail lists
each variant's prices."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from primedist.core.clock import FixedClock
from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.errors import Conflict, ValidationError
from primedist.services import price_change as pc
from primedist.services import price_schedule as ps
from primedist.services.catalogue import VariantDraft
from primedist.services.context import ServiceContext
from tests.conftest import FIXED_NOW
from tests.factories import add_product

OFF = pc.PriceRule(pc.PriceField.PRICE, pc.PriceMode.PERCENT, Decimal(-10), 1000)
SET = pc.PriceRule(pc.PriceField.PRICE, pc.PriceMode.SET, Decimal(80_000))


def test_a_waiting_change_is_edited_and_a_started_one_refused(
    owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    pid = add_product(owner_ctx, "Nến thơm", [VariantDraft(sku="NEN-01", price=100_000)])
    start = FIXED_NOW + timedelta(days=1)
    row = ps.schedule_prices(owner_ctx, "Sale", [pid], OFF, start, start + timedelta(days=1))
    # Moved later (its own old times do not clash with it), given a set price.
    edited = ps.update_schedule(owner_ctx, row.id, "Sale 12.12", SET,
                                start + timedelta(hours=6), start + timedelta(days=2))  # fmt: skip
    assert (edited.name, edited.rule, edited.product_ids) == ("Sale 12.12", SET, (pid,))
    (item,) = ps.schedule_items(owner_ctx, row.id)
    assert (item.sku, item.before, item.after, item.goes_back) == ("NEN-01", 100_000, 80_000,
                                                                   True)  # fmt: skip
    with pytest.raises(ValidationError):
        ps.update_schedule(owner_ctx, row.id, "Sale", SET, start + timedelta(days=3),
                           start + timedelta(days=2))  # fmt: skip
    a = table_of(AuditEvent).c
    with owner_ctx.engine.connect() as conn:
        actions = conn.execute(sa.select(a.action).where(a.entity_type == "price_schedule")
                               .order_by(a.id)).scalars().all()  # fmt: skip
    assert actions == ["price_schedule.create", "price_schedule.update"]
    clock.advance(timedelta(days=2))
    ps.run_due(owner_ctx)
    with pytest.raises(Conflict):
        ps.update_schedule(owner_ctx, row.id, "Sale", OFF, FIXED_NOW + timedelta(days=4))
    (item,) = ps.schedule_items(owner_ctx, row.id)  # what it wrote
    assert (item.before, item.after, item.now) == (100_000, 80_000, 80_000)
