# ruff: noqa: F811  (pytest fixtures imported from the shipping tests)
"""The order detail's own Ship waits while a carrier shipment of the order is live:
shipping it by hand too would ship it twice."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from primedist.domain.enums import OrderStatus
from primedist.services import shipping as ship_svc
from primedist.services.context import ServiceContext
from tests.services.test_bulk_shipping import order_to
from tests.services.test_shipping import (  # noqa: F401  (fixtures)
    draft,
    ghn_id,
    sandbox,
)
from tests.ui.orders.test_order_detail import open_detail


def test_a_live_carrier_shipment_disables_ship_and_says_why(
    qtbot, engine: Engine, owner_ctx: ServiceContext, ghn_id: int
) -> None:
    by_hand = order_to(owner_ctx, engine, province="Hồ Chí Minh", ward="Phường Bến Nghé")
    dialog = open_detail(qtbot, owner_ctx, by_hand)
    assert dialog.detail is not None and dialog.detail.order.status == OrderStatus.CONFIRMED
    assert dialog.ship_button.isEnabled() and dialog.ship_button.toolTip() == ""

    shipped = order_to(owner_ctx, engine, province="Hồ Chí Minh", ward="Phường Bến Nghé")
    view = ship_svc.request_shipment(owner_ctx, shipped, draft(owner_ctx, shipped, ghn_id))
    dialog = open_detail(qtbot, owner_ctx, shipped)
    assert dialog.detail is not None and dialog.detail.order.status == OrderStatus.CONFIRMED
    assert not dialog.ship_button.isEnabled()
    code = view.carrier_order_code or view.client_order_code
    assert dialog.ship_button.toolTip() == (
        f"Shipment {code} with the carrier is live: cancel it first to ship the order by hand."
    )
