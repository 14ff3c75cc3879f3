"""Arrange shipment, cancel, stock and price pushes, and what the sandbox received."""

from __future__ import annotations

import pytest

from primedist.connectors.base import (
    NotSupported,
    PriceUpdate,
    RemoteRejected,
    StockUpdate,
    TransientError,
)
from primedist.connectors.shopee import (
    CANCEL_ORDER_PATH,
    SHIP_ORDER_PATH,
    UPDATE_PRICE_PATH,
    UPDATE_STOCK_PATH,
    cancel_reason_code,
)
from primedist.domain.enums import OrderStatus
from primedist.sandbox import FaultKind


def first_with(sandbox, status: str) -> str:
    for sn in reversed(sandbox.order_sns()):
        if sandbox.order_state(sn)[0] == status:
            return sn
    raise AssertionError(f"no {status} order in the sandbox")


def test_confirm_arranges_the_shipment_once(sandbox, connector):
    sn = first_with(sandbox, "READY_TO_SHIP")
    connector.confirm_order(sn)
    assert sandbox.order_state(sn)[0] == "PROCESSED"
    (call,) = sandbox.calls(SHIP_ORDER_PATH)
    assert call.body == {"order_sn": sn, "pickup": {"address_id": 1, "pickup_time_id": "slot-1"}}
    state = connector.order_state(sn)
    assert state.status == OrderStatus.CONFIRMED
    # A second confirm is refused by the platform with its reason, not sent blindly.
    with pytest.raises(RemoteRejected, match="PROCESSED"):
        connector.confirm_order(sn)
    assert len(sandbox.calls(SHIP_ORDER_PATH)) == 1


def test_confirm_of_a_completed_order_is_refused(sandbox, connector):
    sn = first_with(sandbox, "COMPLETED")
    with pytest.raises(RemoteRejected, match=f"{sn} is COMPLETED"):
        connector.confirm_order(sn)
    assert sandbox.calls(SHIP_ORDER_PATH) == []


def test_cancel_out_of_stock_names_the_items(sandbox, connector):
    sn = first_with(sandbox, "READY_TO_SHIP")
    connector.cancel_order(sn, "Hết hàng")
    (call,) = sandbox.calls(CANCEL_ORDER_PATH)
    assert call.body["cancel_reason"] == "OUT_OF_STOCK"
    lines = connector.order_details([sn])[0].lines
    assert call.body["item_list"] == [
        {"item_id": int(line.item_id), "model_id": int(line.model_id or 0)} for line in lines
    ]
    order = connector.order_details([sn])[0]
    assert order.status == OrderStatus.CANCELLED and order.cancel_reason == "OUT_OF_STOCK"
    with pytest.raises(RemoteRejected, match="CANCELLED"):
        connector.cancel_order(sn, "Khách đổi ý")
    assert len(sandbox.calls(CANCEL_ORDER_PATH)) == 1


def test_cancel_after_shipping_is_refused(sandbox, connector):
    sn = first_with(sandbox, "SHIPPED")
    with pytest.raises(RemoteRejected, match="SHIPPED"):
        connector.cancel_order(sn, "Khách đổi ý")
    assert sandbox.order_state(sn)[0] == "SHIPPED"


@pytest.mark.parametrize(
    ("reason", "code"),
    [("Hết hàng", "OUT_OF_STOCK"), ("Khách đổi ý", "CUSTOMER_REQUEST"),
     ("Không giao được khu vực này", "UNDELIVERABLE_AREA"), ("", "CUSTOMER_REQUEST")],
)  # fmt: skip
def test_cancel_reason_codes(reason, code):
    assert cancel_reason_code(reason) == code


def test_shopee_cannot_mark_shipped(sandbox, connector):
    with pytest.raises(NotSupported):
        connector.ship_order(sandbox.order_sns()[0])
    assert sandbox.request_count() == 0


def test_a_timed_out_action_is_not_resent_but_can_be_checked(sandbox, connector, sleeps):
    sn = first_with(sandbox, "READY_TO_SHIP")
    sandbox.inject(FaultKind.TIMEOUT, path=SHIP_ORDER_PATH)
    with pytest.raises(TransientError, match="did not answer"):
        connector.confirm_order(sn)
    # The platform did it; the outbox learns so from the state before any resend.
    assert len(sandbox.calls(SHIP_ORDER_PATH)) == 1 and sleeps == []
    assert connector.order_state(sn).status == OrderStatus.CONFIRMED


def test_a_rate_limited_action_is_retried_and_done_once(sandbox, connector, sleeps):
    sn = first_with(sandbox, "READY_TO_SHIP")
    sandbox.inject(FaultKind.RATE_LIMIT, path=SHIP_ORDER_PATH, count=2)
    connector.confirm_order(sn)
    assert len(sleeps) == 2
    assert len(sandbox.calls(SHIP_ORDER_PATH)) == 1
    assert sandbox.request_count(SHIP_ORDER_PATH) == 3


def test_a_500_on_an_action_is_raised_for_the_outbox(sandbox, connector, sleeps):
    sn = first_with(sandbox, "READY_TO_SHIP")
    sandbox.inject(FaultKind.HTTP_500, path=CANCEL_ORDER_PATH)
    with pytest.raises(TransientError, match="HTTP 500"):
        connector.cancel_order(sn, "Khách đổi ý")
    assert sleeps == [] and sandbox.order_state(sn)[0] == "READY_TO_SHIP"


def test_stock_push_with_partial_failure(sandbox, connector):
    variants = [m for m in sandbox.catalogue if m.model_id][:3]
    item = variants[0].item_id
    same_item = [m for m in sandbox.catalogue if m.item_id == item]
    updates = [StockUpdate(str(m.item_id), str(m.model_id), 5 + k) for k, m in enumerate(same_item)]
    updates.append(StockUpdate(str(item), "999", 1))  # no such model
    updates.append(StockUpdate("12345", None, 3))  # no such item
    updates.append(StockUpdate("abc", "1", 3))  # not a Shopee id
    results = connector.push_stock(updates)
    assert [(r.item_id, r.model_id) for r in results if r.ok] == [
        (str(m.item_id), str(m.model_id)) for m in same_item
    ]
    failed = {(r.item_id, r.model_id): r.message for r in results if not r.ok}
    assert failed == {
        (str(item), "999"): "model not found",
        ("12345", None): "Shopee: Item 12345 does not exist. "
                         "(product.error_item_not_found, /api/v2/product/update_stock)",
        ("abc", "1"): "not a Shopee item/model id",
    }  # fmt: skip
    assert {k: v for k, v in sandbox.stock.items() if k[0] == item} == {
        (m.item_id, m.model_id): 5 + k for k, m in enumerate(same_item)
    }
    # One request per item (none for the bad id); the unknown item's was refused.
    assert sandbox.request_count(UPDATE_STOCK_PATH) == 2
    assert len(sandbox.calls(UPDATE_STOCK_PATH)) == 1


def test_stock_push_splits_items_and_batches_of_50(sandbox, sclock, store):
    from primedist.sandbox import CatalogueModel, SandboxConfig, ShopeeSandbox

    from .conftest import make_connector

    big = tuple(CatalogueModel(7, k, "Áo", "A", f"M{k}", f"A-{k}", 100_000) for k in range(1, 61))
    with ShopeeSandbox(SandboxConfig(orders=5, catalogue=big), clock=sclock) as sb:
        c = make_connector(sb, sclock, type(store)(sb.linked_tokens()))
        results = c.push_stock([StockUpdate("7", str(k), k) for k in range(1, 61)])
        assert all(r.ok for r in results) and len(results) == 60
        assert [len(call.body["stock_list"]) for call in sb.calls(UPDATE_STOCK_PATH)] == [50, 10]
        assert sb.stock[(7, 60)] == 60


def test_price_push(sandbox, connector):
    m = next(m for m in sandbox.catalogue if m.model_id)
    item, model = str(m.item_id), str(m.model_id)
    results = connector.push_price(
        [PriceUpdate(item, model, 199_000), PriceUpdate(item, str(m.model_id + 999), 1)]
    )
    assert [r.ok for r in results] == [True, False]
    assert sandbox.prices[(m.item_id, m.model_id)] == 199_000
    (call,) = sandbox.calls(UPDATE_PRICE_PATH)
    assert call.body["price_list"][0] == {"model_id": m.model_id, "original_price": 199_000}
    bad = connector.push_price([PriceUpdate(str(m.item_id), str(m.model_id), 0)])
    assert not bad[0].ok and "whole numbers > 0" in bad[0].message
