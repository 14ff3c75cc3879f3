# ruff: noqa: F811  (pytest fixtures imported from the shipping tests)
"""Correcting an own order's recipient and delivery address: stored checked and
normalised, counted in its new province, audited; refused for a marketplace order, an
order that has left, and while a live shipment holds the old address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from primedist.domain.enums import Module
from primedist.errors import Conflict, PermissionDenied, ValidationError
from primedist.services import bulk_shipping as bulk
from primedist.services import customer_detail, reports
from primedist.services import orders as order_svc
from primedist.services import shipping as ship_svc
from primedist.services.context import ServiceContext
from primedist.services.delivery import (
    DeliveryAddress,
    address_lock,
    change_delivery_address,
)
from tests.factories import make_customers, make_orders, make_shop
from tests.services.test_bulk_shipping import order_to
from tests.services.test_permissions import staff
from tests.services.test_shipping import (  # noqa: F401  (fixtures)
    draft,
    fast_factory,
    ghn_id,
    order_row,
    sandbox,
)

NEW = DeliveryAddress("Trần Minh", "+84 90 765 4321", "5  Hàng Bài", "Phường Hoàn Kiếm", "",
                      "Hà Nội")  # fmt: skip


def audit_rows(engine: sa.Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT action, entity_id FROM audit_events WHERE action = 'order.address'")
        )
        return [tuple(r) for r in rows]  # fmt: skip


def provinces(ctx: ServiceContext) -> list[str]:
    day = reports.today(ctx)
    return [r.key for r in reports.ranking(ctx, "province", day, day)]


def test_a_phone_order_counts_in_its_province(owner_ctx, engine):
    order_id = order_to(owner_ctx, engine, province="TP. Hồ Chí Minh", ward="Phường Bến Nghé")
    assert order_row(engine, order_id).province_code == "79"
    assert provinces(owner_ctx) == ["79"]


def test_the_owner_corrects_the_address(owner_ctx, engine):
    order_id = order_to(owner_ctx, engine, province="TP. Hồ Chí Minh", ward=None)
    assert address_lock(owner_ctx, order_id) is None

    assert change_delivery_address(owner_ctx, order_id, NEW).changed

    order = order_row(engine, order_id)
    assert (order.ship_name, order.ship_phone, order.ship_address, order.ship_ward,
            order.ship_district, order.ship_province) == (
        "Trần Minh", "0907654321", "5 Hàng Bài", "Phường Hoàn Kiếm", None, "Hà Nội")  # fmt: skip
    assert order.province_code == "01" and provinces(owner_ctx) == ["01"]
    assert audit_rows(engine) == [("order.address", str(order_id))]
    # The same address again changes nothing and logs nothing.
    assert not change_delivery_address(owner_ctx, order_id, NEW).changed
    assert len(audit_rows(engine)) == 1


@pytest.mark.parametrize(("bad", "field", "words"), [
    (DeliveryAddress(phone="12ab"), "phone", "is not a phone number"),
    (DeliveryAddress(name="Lan", address="x" * 256), "address", "at most 255"),
])  # fmt: skip
def test_a_bad_value_is_named_and_nothing_changes(owner_ctx, engine, bad, field, words):
    order_id = order_to(owner_ctx, engine, province="Hà Nội", ward="Phường Hàng Bạc")
    with pytest.raises(ValidationError) as err:
        change_delivery_address(owner_ctx, order_id, bad)
    assert err.value.field == field and words in str(err.value)
    order = order_row(engine, order_id)
    assert (order.ship_name, order.ship_ward) == ("Nguyễn Lan", "Phường Hàng Bạc")
    assert audit_rows(engine) == []


def test_a_marketplace_order_or_one_that_left_is_refused(owner_ctx, engine):
    shop = make_shop(engine, "Prime - Shopee")
    market = make_orders(engine, shop, 1, start=datetime(2026, 11, 1, tzinfo=UTC),
                         step=timedelta(hours=1))[0]  # fmt: skip
    cancelled = order_to(owner_ctx, engine, province="Hà Nội", ward="Phường Hàng Bạc")
    order_svc.cancel_orders(owner_ctx, [cancelled], "Khách đổi ý")

    for order_id, words in ((market, "marketplace order"), (cancelled, "is cancelled")):
        lock = address_lock(owner_ctx, order_id)
        assert lock is not None and words in lock
        with pytest.raises(Conflict, match=words):
            change_delivery_address(owner_ctx, order_id, NEW)
    assert order_row(engine, cancelled).ship_province == "Hà Nội"


def test_a_live_shipment_holds_the_address_until_cancelled(owner_ctx, engine, ghn_id):
    order_id = order_to(owner_ctx, engine, province="Hồ Chí Minh", ward="Phường Bến Nghé")
    view = ship_svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))

    with pytest.raises(Conflict, match="cancel it first"):
        change_delivery_address(owner_ctx, order_id, NEW)
    assert view.client_order_code in (address_lock(owner_ctx, order_id) or "")

    ship_svc.request_cancel(owner_ctx, view.id)
    assert address_lock(owner_ctx, order_id) is None
    assert change_delivery_address(owner_ctx, order_id, NEW).changed


def test_staff_without_orders_is_refused(owner_ctx, engine):
    order_id = order_to(owner_ctx, engine, province="Hà Nội", ward="Phường Hàng Bạc")
    with pytest.raises(PermissionDenied):
        change_delivery_address(staff(owner_ctx, Module.CUSTOMERS), order_id, NEW)
    assert change_delivery_address(staff(owner_ctx, Module.ORDERS), order_id, NEW).changed


def test_a_corrected_order_is_then_ready_to_ship(owner_ctx, engine, ghn_id, fast_factory):
    order_id = order_to(owner_ctx, engine, province="Hồ Chí Minh", ward=None)
    (before,) = bulk.plan_shipments(owner_ctx, [order_id], ghn_id, factory=fast_factory)
    assert before.problem == "The address has no ward."

    change_delivery_address(owner_ctx, order_id, DeliveryAddress(
        "Nguyễn Lan", "0901234567", "12 Lê Lợi", "Phường Bến Nghé", "", "Hồ Chí Minh"))  # fmt: skip

    (after,) = bulk.plan_shipments(owner_ctx, [order_id], ghn_id, factory=fast_factory)
    assert after.ready and after.draft is not None and after.draft.to.ward_code == "20101"


# --------------------------------------------------------------------------- the customer's


def customer_order(ctx: ServiceContext, engine: sa.Engine) -> tuple[int, int]:
    """(customer, their confirmed phone order to 12 Lê Lợi, Hồ Chí Minh)."""
    customer = make_customers(engine, 1, names=["Nguyễn Lan"])[0]
    order_id = order_to(ctx, engine, province="Hồ Chí Minh", ward=None)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE orders SET customer_id = :c WHERE id = :o"),
                     {"c": customer, "o": order_id})  # fmt: skip
    return customer, order_id


def addresses(ctx: ServiceContext, customer: int) -> list[tuple[str, bool]]:
    return [(a.one_line(), a.is_default)
            for a in customer_detail.customer_profile(ctx, customer).addresses]  # fmt: skip


def test_the_address_can_become_the_customers_default(owner_ctx, engine):
    customer, order_id = customer_order(owner_ctx, engine)
    customer_detail.add_address(owner_ctx, customer, customer_detail.AddressDraft(
        street="99 Trần Hưng Đạo", province="Hồ Chí Minh"))  # fmt: skip

    change = change_delivery_address(owner_ctx, order_id, NEW, for_customer=True)

    assert change.changed and change.customer_address is not None
    assert addresses(owner_ctx, customer) == [
        ("99 Trần Hưng Đạo, Hồ Chí Minh", False),
        ("5 Hàng Bài, Phường Hoàn Kiếm, Hà Nội", True)]  # fmt: skip
    # Kept once: the same address again (another spelling) is the one already there.
    again = DeliveryAddress("TRẦN MINH", "0907 654 321", "5 Hang Bai", "phường hoàn kiếm", "",
                            "Ha Noi")  # fmt: skip
    assert change_delivery_address(owner_ctx, order_id, again, for_customer=True).changed
    assert len(addresses(owner_ctx, customer)) == 2


def test_an_address_already_kept_becomes_the_default(owner_ctx, engine):
    customer, order_id = customer_order(owner_ctx, engine)
    for street in ("5 Hàng Bài", "99 Trần Hưng Đạo"):  # the second is the default
        customer_detail.add_address(owner_ctx, customer, customer_detail.AddressDraft(
            recipient="Trần Minh", phone="0907654321", street=street,
            ward="Phường Hoàn Kiếm", province="Hà Nội", is_default=True))  # fmt: skip

    change_delivery_address(owner_ctx, order_id, NEW, for_customer=True)

    assert addresses(owner_ctx, customer) == [
        ("5 Hàng Bài, Phường Hoàn Kiếm, Hà Nội", True),
        ("99 Trần Hưng Đạo, Phường Hoàn Kiếm, Hà Nội", False)]  # fmt: skip


def test_keeping_it_needs_the_customers_module_and_then_nothing_changes(owner_ctx, engine):
    customer, order_id = customer_order(owner_ctx, engine)
    with pytest.raises(PermissionDenied):
        change_delivery_address(staff(owner_ctx, Module.ORDERS), order_id, NEW,
                                for_customer=True)  # fmt: skip
    assert order_row(engine, order_id).ship_province == "Hồ Chí Minh"  # one transaction
    assert addresses(owner_ctx, customer) == [] and audit_rows(engine) == []


def test_an_order_without_customer_cannot_keep_it(owner_ctx, engine):
    order_id = order_to(owner_ctx, engine, province="Hồ Chí Minh", ward=None)
    with pytest.raises(Conflict, match="no customer"):
        change_delivery_address(owner_ctx, order_id, NEW, for_customer=True)
    assert order_row(engine, order_id).ship_province == "Hồ Chí Minh"
