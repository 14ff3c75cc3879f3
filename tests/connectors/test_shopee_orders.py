"""Changed-order paging, order details and their mapping to our terms (real HTTP)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from primedist.connectors.base import ConnectorError, RemoteOrder
from primedist.connectors.shopee import (
    DETAIL_FIELDS,
    ORDER_DETAIL_PATH,
    ORDER_LIST_PATH,
    STATUS_MAP,
    map_order,
    map_payment,
)
from primedist.domain.enums import OrderStatus, PaymentMethod

from .conftest import NOW, make_connector, signed_get


def sync_window(connector, since, until) -> tuple[list[str], int]:
    """Every order id of [since, until] in ≤ 15-day windows, and the pages it took."""
    ids, pages, start = [], 0, since
    while start < until:
        end = min(start + connector.max_window, until)
        cursor = None
        while True:
            page = connector.changed_orders(start, end, cursor)
            pages += 1
            ids += [o.external_id for o in page.orders]
            if not page.more:
                assert page.next_cursor is None
                break
            assert page.next_cursor
            cursor = page.next_cursor
        start = end
    return ids, pages


def test_a_full_pull_in_windows_and_pages_finds_every_order_once(sandbox, sclock, store):
    c = make_connector(sandbox, sclock, store, page_size=37)
    ids, pages = sync_window(c, NOW - timedelta(days=45), NOW)
    assert len(ids) == len(set(ids)) == 600
    assert set(ids) == set(sandbox.order_sns())
    assert pages >= 600 // 37
    assert sandbox.request_count(ORDER_LIST_PATH) == pages


def test_list_rows_carry_the_status(sandbox, connector):
    page = connector.changed_orders(NOW - timedelta(days=2), NOW)
    assert page.orders
    for row in page.orders:
        assert row.raw_status == sandbox.order_state(row.external_id)[0]


def test_windows_longer_than_15_days_are_refused_before_calling(sandbox, connector):
    with pytest.raises(ValueError, match="15 days"):
        connector.changed_orders(NOW - timedelta(days=15, seconds=1), NOW)
    with pytest.raises(ValueError, match="aware"):
        connector.changed_orders(datetime(2026, 11, 1), datetime(2026, 11, 2))
    with pytest.raises(ValueError, match="end after"):
        connector.changed_orders(NOW, NOW)
    assert sandbox.request_count(ORDER_LIST_PATH) == 0
    # Exactly 15 days with fractions of a second still fits Shopee's rule.
    start = NOW - timedelta(days=15) + timedelta(microseconds=400_000)
    connector.changed_orders(start, start + timedelta(days=15))


def test_details_in_batches_map_to_our_terms(sandbox, connector, store):
    sns = sandbox.order_sns()[:50]
    orders = connector.order_details(sns)
    assert [o.external_id for o in orders] == sns
    raw = signed_get(sandbox, ORDER_DETAIL_PATH,
                     {"order_sn_list": ",".join(sns), "response_optional_fields": DETAIL_FIELDS},
                     store.load().access_token).json()["response"]["order_list"]  # fmt: skip
    for order, row in zip(orders, raw, strict=True):
        assert order.raw_status == row["order_status"]
        assert order.status == STATUS_MAP[row["order_status"]]
        assert order.total == row["total_amount"] == order.computed_total()
        assert order.created_at == datetime.fromtimestamp(row["create_time"], UTC)
        assert order.updated_at == datetime.fromtimestamp(row["update_time"], UTC)
        assert order.shipping_fee == row["estimated_shipping_fee"]
        for line, item in zip(order.lines, row["item_list"], strict=True):
            assert line.weight_g == round(item["weight"] * 1000)
            assert (
                line.sku == item["model_sku"] and line.quantity == item["model_quantity_purchased"]
            )
            assert line.unit_price == item["model_original_price"]
            assert line.subtotal == item["model_discounted_price"] * line.quantity
            model = str(item["model_id"]) if item["model_id"] else None  # 0: no variants
            assert (line.item_id, line.model_id) == (str(item["item_id"]), model)
        assert order.subtotal == sum(line.subtotal for line in order.lines)
        assert order.payment_method == (PaymentMethod.COD if row["cod"] else order.payment_method)
        masked = "*" in row["recipient_address"]["phone"]
        assert order.buyer.masked == masked
        if not masked:
            addr = row["recipient_address"]
            assert order.address.province == addr["state"]
            assert order.address.ward == addr["district"]
            assert (
                f"{order.address.address}, {addr['district']}, {addr['state']}"
                == (addr["full_address"])
            )
        assert order.buyer.external_id == str(row["buyer_user_id"])


def test_masked_buyers_are_flagged(sandbox, connector):
    sns = sandbox.order_sns()
    orders = [o for k in range(0, 200, 50) for o in connector.order_details(sns[k : k + 50])]
    masked = [o for o in orders if o.buyer.masked]
    assert 20 < len(masked) < 90  # a quarter of them
    for o in masked:
        assert "*" in (o.buyer.phone or "") and "*" in (o.buyer.name or "")


def test_unknown_order_numbers_are_left_out_and_batches_capped(sandbox, connector):
    sn = sandbox.order_sns()[0]
    assert [o.external_id for o in connector.order_details([sn, "261120ZZZZZZZZ"])] == [sn]
    with pytest.raises(ValueError, match="50"):
        connector.order_details([sn] * 51)
    assert connector.order_details([]) == []


def test_orders_move_as_time_passes(sandbox, sclock, connector):
    recent = [o.external_id for o in connector.changed_orders(NOW - timedelta(days=3), NOW).orders]
    before = {o.external_id: o for o in connector.order_details(recent[:50])}
    sclock.advance(timedelta(days=6))
    connector.ensure_fresh_tokens()
    changed = set(sync_window(connector, NOW, sclock.now())[0])
    after = {o.external_id: o for o in connector.order_details(recent[:50])}
    moved = [sn for sn in before if after[sn].updated_at > before[sn].updated_at]
    assert moved, "an update sync must have work"
    assert set(moved) <= changed
    assert all(after[sn].raw_status != before[sn].raw_status for sn in moved)


def test_order_state_for_the_outbox_check(sandbox, connector):
    sn = sandbox.order_sns()[-1]
    state = connector.order_state(sn)
    raw, ts = sandbox.order_state(sn)
    assert (state.raw_status, state.status) == (raw, STATUS_MAP[raw])
    assert state.updated_at == datetime.fromtimestamp(ts, UTC)
    assert connector.order_state("261120ZZZZZZZZ") is None


# ----------------------------------------------------------------- mapping edge cases


def raw_order(**changes):
    row = {
        "order_sn": "261120ABCDEFGH", "order_status": "READY_TO_SHIP", "cod": True,
        "create_time": 1_763_600_000, "update_time": 1_763_603_600,
        "payment_method": "Cash on Delivery", "estimated_shipping_fee": 20000.0,
        "item_list": [{"item_id": 1, "item_name": "Áo thun", "item_sku": "AT",
                       "model_id": 11, "model_name": "Đen,M", "model_sku": "AT-DEN-M",
                       "model_quantity_purchased": 2, "model_original_price": 150000.0,
                       "model_discounted_price": 120000.0}],
        "total_amount": 250000.0,
    }  # fmt: skip
    row.update(changes)
    return row


def test_mapping_money_adds_up_with_the_voucher_gap():
    order = map_order(raw_order())
    assert (order.subtotal, order.shipping_fee, order.total) == (240000, 20000, 250000)
    assert order.marketplace_discount == 10000
    assert order.lines[0].discount == 60000
    assert order.item_count == 2 and order.paid_amount == 0


def test_mapping_bundle_deal_zero_price_and_surcharge():
    item = dict(raw_order()["item_list"][0], model_discounted_price=0)
    order = map_order(raw_order(item_list=[item], total_amount=330000))
    assert order.lines[0].discount == 0 and order.subtotal == 300000
    # The buyer paid more than lines + shipping: the difference is shipping.
    assert (order.shipping_fee, order.marketplace_discount, order.total) == (30000, 0, 330000)


@pytest.mark.parametrize(("kg", "grams"), [(0.3, 300), (2, 2_000), (0.0004, None), (0, None),
                                          (-1.0, None), ("0.3", None), (None, None),
                                          (True, None), (1_500.0, None)])  # fmt: skip
def test_mapping_the_item_weight_in_grams(kg, grams):
    """Shopee lists kg; a missing, impossible or non-number weight is no weight."""
    item = dict(raw_order()["item_list"][0], weight=kg)
    assert map_order(raw_order(item_list=[item])).lines[0].weight_g == grams


def test_mapping_statuses_payment_and_completion():
    assert map_order(raw_order(order_status="SOMETHING_NEW")).status == OrderStatus.PENDING
    done = map_order(raw_order(order_status="COMPLETED"))
    assert done.status == OrderStatus.COMPLETED
    assert done.completed_at == done.updated_at and done.paid_amount == done.total
    assert map_order(raw_order(order_status="IN_CANCEL")).status == OrderStatus.CANCELLED
    # Paid in advance: the shop holds the money until the order is cancelled.
    prepaid = {"cod": False, "pay_time": 1_700_000_000}
    assert map_order(raw_order(order_status="READY_TO_SHIP", **prepaid)).paid_amount == 250000
    for cancelled in ("IN_CANCEL", "CANCELLED"):
        assert map_order(raw_order(order_status=cancelled, **prepaid)).paid_amount == 0
    assert map_order(raw_order(order_status="TO_RETURN")).status == OrderStatus.RETURN_REFUND
    assert map_payment("ShopeePay", False) == PaymentMethod.E_WALLET
    assert map_payment("Credit Card/Debit Card", False) == PaymentMethod.CARD
    assert map_payment("Chuyển khoản ngân hàng", False) == PaymentMethod.BANK_TRANSFER
    assert map_payment(None, True) == PaymentMethod.COD
    assert map_payment("Something", False) == PaymentMethod.OTHER


def test_a_broken_order_names_itself():
    row = raw_order()
    del row["update_time"]
    with pytest.raises(
        ConnectorError, match="261120ABCDEFGH could not be read: update_time is missing"
    ):
        map_order(row)
    with pytest.raises(ConnectorError, match="261120ABCDEFGH"):
        map_order(raw_order(item_list=[dict(raw_order()["item_list"][0],
                                            model_quantity_purchased=0)]))  # fmt: skip


def test_remote_order_refuses_money_that_does_not_add_up():
    good = map_order(raw_order())
    fields = {f: getattr(good, f) for f in RemoteOrder.__dataclass_fields__}
    with pytest.raises(ValueError, match="does not add up"):
        RemoteOrder(**{**fields, "total": good.total + 1})
    with pytest.raises(ValueError, match="UTC"):
        RemoteOrder(**{**fields, "created_at": datetime(2026, 11, 20)})


def test_long_values_are_clipped_to_our_columns():
    item = dict(raw_order()["item_list"][0], model_sku="S" * 100, item_name="N" * 300)
    order = map_order(raw_order(item_list=[item], shipping_carrier="C" * 99))
    assert len(order.lines[0].sku) == 64 and len(order.lines[0].product_name) == 255
    assert len(order.carrier) == 60
