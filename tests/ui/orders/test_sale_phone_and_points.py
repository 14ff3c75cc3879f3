"""A phone order from a customer and points at the counter: Create order from a customer
opens on the type last used so (a phone order at first), a saved phone order offers Ship…
and its packing slip, and the points box has "Use the most" and says what points are worth."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.enums import OrderSource
from primedist.printing.model import DocumentType
from primedist.services.context import ServiceContext
from primedist.services.customer_detail import AddressDraft, add_address
from primedist.services.sale_lookup import get_customer
from primedist.ui.orders.bulk_ship import BulkShipDialog
from primedist.ui.orders.sale import SaleDialog
from primedist.ui.printing.actions import OrderPrinter
from tests.services.loyalty.conftest import customers_with
from tests.ui.orders.test_sale_dialog import (
    SHIRT_M,
    SHIRT_S,
    field,
    products,  # noqa: F401 (a fixture)
    questions,  # noqa: F401 (a fixture)
    save_with_f9,
    scan,
    settle,
)

pytestmark = pytest.mark.usefixtures("english", "products")


def open_sale(qtbot, ctx: ServiceContext, customer_id: int | None = None) -> SaleDialog:
    dialog = SaleDialog(ctx, customer_id=customer_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


@pytest.fixture
def customer(engine: Engine, owner_ctx: ServiceContext) -> int:
    (cid,) = customers_with(engine, [{"name": "Nguyễn Kim Hà", "points_balance": 500}])
    add_address(owner_ctx, cid, AddressDraft(recipient="Nguyễn Kim Hà", phone="0862653879",
                                             street="148/39 Tôn Đức Thắng", ward="Phường Phú Mỹ",
                                             province="Đồng Nai", is_default=True))  # fmt: skip
    return cid


def test_create_order_from_a_customer_opens_on_the_type_last_used_so(
    qtbot, owner_ctx: ServiceContext, customer: int
) -> None:
    first = open_sale(qtbot, owner_ctx, customer)
    # A customer looked up in the list rang or wrote: a phone order, the address filled.
    assert first.source == OrderSource.PHONE
    assert first.type_buttons[OrderSource.PHONE].isChecked()
    assert field(first, "shipAddress").text() == "148/39 Tôn Đức Thắng"
    assert field(first, "shipWard").text() == "Phường Phú Mỹ"
    first.type_buttons[OrderSource.CHAT].click()
    scan(qtbot, first, SHIRT_S)
    save_with_f9(qtbot, first)
    first.close()
    # The next Create order from a customer on this PC opens as the last one was saved.
    assert open_sale(qtbot, owner_ctx, customer).source == OrderSource.CHAT
    # The Orders tab's New order stays a counter sale.
    assert open_sale(qtbot, owner_ctx).source == OrderSource.COUNTER


def test_a_saved_phone_order_offers_shipping_and_its_packing_slip(
    qtbot, owner_ctx: ServiceContext, customer: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    printed: list[tuple[list[int], DocumentType]] = []

    def record(_self: OrderPrinter, ids: list[int], doc: DocumentType, **_kw: object) -> None:
        printed.append((list(ids), doc))

    monkeypatch.setattr(OrderPrinter, "print", record)
    dialog = open_sale(qtbot, owner_ctx, customer)
    dialog.print_receipt.setChecked(False)
    assert dialog.next_steps.isHidden()
    scan(qtbot, dialog, SHIRT_S)
    order_id = save_with_f9(qtbot, dialog)
    assert dialog.next_steps.isVisible()
    assert dialog.ship_saved_button.text() == "Ship…"
    dialog.slip_button.click()
    assert printed == [([order_id], DocumentType.PACKING_SLIP)]
    dialog.ship_saved_button.click()
    ship = dialog.ship_dialog
    assert isinstance(ship, BulkShipDialog) and ship.isVisible()
    assert ship.order_ids == [order_id]
    ship.close()
    scan(qtbot, dialog, SHIRT_M)  # the next sale begins: its steps are not this one's
    assert dialog.next_steps.isHidden()


def test_a_counter_sale_offers_no_shipping(qtbot, owner_ctx: ServiceContext) -> None:
    dialog = open_sale(qtbot, owner_ctx)
    dialog.print_receipt.setChecked(False)
    scan(qtbot, dialog, SHIRT_S)
    save_with_f9(qtbot, dialog)
    assert dialog.saved_label.isVisible()
    assert dialog.next_steps.isHidden()


def test_use_the_most_points_and_their_worth(
    qtbot, owner_ctx: ServiceContext, customer: int, engine: Engine, clock: FixedClock
) -> None:
    dialog = open_sale(qtbot, owner_ctx, customer)
    dialog.type_buttons[OrderSource.COUNTER].click()
    scan(qtbot, dialog, SHIRT_S)  # 99,000 đ: points pay at most 50 % (Settings → Points)
    settle(qtbot, dialog)
    assert dialog.points_worth.text() == "1 point = 1,000 VND"
    qtbot.keyClicks(field(dialog, "points"), "12")
    assert dialog.points_worth.text() == "= 12,000 VND"  # as typed, before the quote
    dialog.points_most.click()
    assert field(dialog, "points").text() == "49"  # 49,000 ≤ 49,500
    settle(qtbot, dialog)
    assert dialog.problems_label.text() == ""
    assert dialog.total_values["points"].text() == "-49,000 VND"
    assert dialog.points_worth.text() == "= 49,000 VND"
    # Fewer points than the cap: all of them.
    (poor,) = customers_with(engine, [{"points_balance": 7}])
    clock.advance(timedelta(seconds=1))
    dialog.set_customer(get_customer(owner_ctx, poor))
    dialog.points_most.click()
    assert field(dialog, "points").text() == "7"
    # A walk-in has no points to use.
    dialog.set_customer(None)
    settle(qtbot, dialog)
    assert dialog.points_most.isHidden()  # a walk-in: no points, no link
    assert dialog.points_worth.text() == ""
