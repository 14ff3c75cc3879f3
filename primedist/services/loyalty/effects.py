"""The loyalty part of `services.order_effects.orders_changed`: points and voucher uses."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import sqlalchemy as sa

from primedist.services.loyalty.points import reconcile_order_points
from primedist.services.loyalty.vouchers import reconcile_voucher_uses


def reconcile_order_loyalty(
    conn: sa.Connection, order_ids: Collection[int], *, now: datetime
) -> None:
    """Points earned/reversed/given back and voucher uses of these orders."""
    reconcile_order_points(conn, order_ids, now)
    reconcile_voucher_uses(conn, order_ids)
