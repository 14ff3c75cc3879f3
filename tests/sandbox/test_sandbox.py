"""The Shopee sandbox itself over raw HTTP: Shopee's checks, the 15-day rule, paging,
deterministic orders that move over time, concurrency, controls and `python -m`."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from primedist.connectors.shopee import (
    DETAIL_FIELDS,
    ITEM_BASE_INFO_PATH,
    ITEM_LIST_PATH,
    MODEL_LIST_PATH,
    ORDER_DETAIL_PATH,
    ORDER_LIST_PATH,
    SHOP_INFO_PATH,
    UPDATE_STOCK_PATH,
)
from primedist.core.clock import FixedClock
from primedist.sandbox import FaultKind, SandboxConfig, ShopeeSandbox
from primedist.sandbox.generator import sn_index
from tests.connectors.conftest import NOW, sandbox, sclock, signed_get  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
DAY = 86_400


@pytest.fixture
def token(sandbox):  # noqa: F811
    return sandbox.linked_tokens().access_token


def order_list(sb, token, time_from, time_to, **params):
    base = {"time_range_field": "update_time", "time_from": time_from, "time_to": time_to,
            "page_size": 100, "cursor": ""}  # fmt: skip
    return signed_get(sb, ORDER_LIST_PATH, {**base, **params}, token)


def details(sb, token, sns, fields=DETAIL_FIELDS):
    params = {"order_sn_list": ",".join(sns), "response_optional_fields": fields}
    return signed_get(sb, ORDER_DETAIL_PATH, params, token).json()["response"]["order_list"]


def now_ts(sb) -> int:
    return int(sb.clock.now().timestamp())


# ----------------------------------------------------------------- Shopee's checks


def test_calls_must_be_signed_fresh_and_carry_a_live_token(sandbox, token):  # noqa: F811
    ok = signed_get(sandbox, SHOP_INFO_PATH, {}, token)
    assert ok.status_code == 200 and ok.json()["error"] == ""
    assert ok.json()["shop_name"] == "Prime Sandbox Shop"

    def error_of(resp):
        return resp.status_code, resp.json()["error"], resp.json()["message"]

    stale = signed_get(sandbox, SHOP_INFO_PATH, {}, token, timestamp=now_ts(sandbox) - 301)
    assert error_of(stale) == (400, "error_param", "Timestamp is expired.")
    forged = signed_get(sandbox, SHOP_INFO_PATH, {"sign": "0" * 64}, token)
    assert error_of(forged) == (403, "error_sign", "Wrong sign.")
    # A public-API signature on a shop API is a wrong sign too.
    public = signed_get(sandbox, SHOP_INFO_PATH, {}, None)
    assert error_of(public)[1] == "error_param"  # no access_token
    other = signed_get(sandbox, SHOP_INFO_PATH, {}, "f" * 32)
    assert error_of(other) == (403, "invalid_acceess_token", "Invalid access_token.")
    sandbox.expire_access_tokens()
    assert error_of(signed_get(sandbox, SHOP_INFO_PATH, {}, token))[1] == "invalid_acceess_token"


def test_access_tokens_expire_after_four_hours(sandbox, sclock, token):  # noqa: F811
    sclock.advance(timedelta(hours=3, minutes=59))
    assert signed_get(sandbox, SHOP_INFO_PATH, {}, token).json()["error"] == ""
    sclock.advance(timedelta(minutes=1))
    assert signed_get(sandbox, SHOP_INFO_PATH, {}, token).json()["error"] == "invalid_acceess_token"


def test_the_15_day_rule(sandbox, token):  # noqa: F811
    now = now_ts(sandbox)
    assert order_list(sandbox, token, now - 15 * DAY, now).json()["error"] == ""
    too_long = order_list(sandbox, token, now - 15 * DAY - 1, now).json()
    assert too_long["error"] == "order.order_list_invalid_time"
    assert "15days" in too_long["message"]
    backwards = order_list(sandbox, token, now, now - 60).json()
    assert backwards["error"] == "order.order_list_invalid_time"


@pytest.mark.parametrize(
    ("params", "message"),
    [({"page_size": 101}, "page_size must be 1-100"), ({"page_size": 0}, "page_size"),
     ({"cursor": "abc"}, "Invalid cursor"), ({"time_range_field": "pay_time"}, "time_range_field")],
)  # fmt: skip
def test_bad_list_parameters_are_named(sandbox, token, params, message):  # noqa: F811
    now = now_ts(sandbox)
    body = order_list(sandbox, token, now - DAY, now, **params).json()
    assert body["error"] == "error_param" and message in body["message"]


def test_detail_batches_are_1_to_50(sandbox, token):  # noqa: F811
    sns = sandbox.order_sns()
    params = {"order_sn_list": ",".join(sns[:51])}
    assert signed_get(sandbox, ORDER_DETAIL_PATH, params, token).json()["error"] == "error_param"
    assert len(details(sandbox, token, sns[:50])) == 50


def item_list(sb, token, **params):
    base = {"offset": 0, "page_size": 100, "item_status": ["NORMAL", "UNLIST"]}
    return signed_get(sb, ITEM_LIST_PATH, {**base, **params}, token).json()


@pytest.mark.parametrize(
    ("params", "message"),
    [({"page_size": 101}, "page_size must be 1-100"), ({"page_size": 0}, "page_size"),
     ({"offset": -1}, "offset"), ({"item_status": []}, "item_status is required"),
     ({"item_status": ["NORMAL", "HIDDEN"]}, "item_status must be one of NORMAL, BANNED")],
)  # fmt: skip
def test_bad_item_list_parameters_are_named(sandbox, token, params, message):  # noqa: F811
    body = item_list(sandbox, token, **params)
    assert body["error"] == "error_param" and message in body["message"]


def test_the_item_list_filters_on_the_repeated_status(sandbox, token):  # noqa: F811
    items = list(dict.fromkeys(m.item_id for m in sandbox.catalogue))
    sandbox.unlisted.add(items[3])
    both = item_list(sandbox, token)["response"]
    assert [r["item_id"] for r in both["item"]] == items
    assert both["total_count"] == len(items) and both["has_next_page"] is False
    unlisted = item_list(sandbox, token, item_status="UNLIST")["response"]
    assert [(r["item_id"], r["item_status"]) for r in unlisted["item"]] == [(items[3], "UNLIST")]
    normal = item_list(sandbox, token, item_status="NORMAL", page_size=10, offset=10)["response"]
    assert [r["item_id"] for r in normal["item"]] == [i for i in items if i != items[3]][10:20]
    assert normal["has_next_page"] is True and normal["next_offset"] == 20


def test_base_info_takes_1_to_50_known_items(sandbox, token):  # noqa: F811
    items = list(dict.fromkeys(m.item_id for m in sandbox.catalogue))
    too_many = {"item_id_list": ",".join(str(900_000 + k) for k in range(51))}
    body = signed_get(sandbox, ITEM_BASE_INFO_PATH, too_many, token).json()
    assert body["error"] == "error_param" and "1-50" in body["message"]
    asked = {"item_id_list": f"{items[0]},123,{items[1]}"}
    rows = signed_get(sandbox, ITEM_BASE_INFO_PATH, asked, token).json()["response"]["item_list"]
    assert [r["item_id"] for r in rows] == items[:2]  # the unknown id is left out


def test_the_model_list_derives_variations_from_the_catalogue(sandbox, token):  # noqa: F811
    models = [m for m in sandbox.catalogue if m.item_id == sandbox.catalogue[0].item_id]
    item = models[0].item_id
    data = signed_get(sandbox, MODEL_LIST_PATH, {"item_id": item}, token).json()["response"]
    tiers = [[o["option"] for o in t["option_list"]] for t in data["tier_variation"]]
    assert [t["name"] for t in data["tier_variation"]] == ["Màu sắc", "Kích cỡ"]
    for m, row in zip(models, data["model"], strict=True):
        labels = [tiers[k][i] for k, i in enumerate(row["tier_index"])]
        assert (row["model_id"], row["model_sku"], labels) == (
            m.model_id, m.model_sku, m.model_name.split(","))  # fmt: skip
        assert row["price_info"][0]["original_price"] == m.price
        stock = sandbox.stock_of(item, m.model_id)
        assert row["stock_info_v2"]["seller_stock"] == [{"location_id": "VNZ", "stock": stock}]
    unknown = signed_get(sandbox, MODEL_LIST_PATH, {"item_id": 123}, token).json()
    assert unknown["error"] == "product.error_item_not_found"


# ----------------------------------------------------------------- paging and truth


def test_cursor_paging_covers_the_window_exactly_once(sandbox, token):  # noqa: F811
    now = now_ts(sandbox)
    seen, cursor, pages = [], "", 0
    while True:
        body = order_list(sandbox, token, now - 15 * DAY, now, page_size=23, cursor=cursor)
        data = body.json()["response"]
        seen += [row["order_sn"] for row in data["order_list"]]
        pages += 1
        if not data["more"]:
            assert data["next_cursor"] == ""
            break
        cursor = data["next_cursor"]
    assert len(seen) == len(set(seen)) == len(sandbox.changed_between(now - 15 * DAY, now))
    assert pages == -(-len(seen) // 23)
    for sn in seen:
        status, updated = sandbox.order_state(sn)
        assert now - 15 * DAY <= updated <= now


def test_create_time_lists_by_creation(sandbox, token):  # noqa: F811
    now = now_ts(sandbox)
    body = order_list(sandbox, token, now - 2 * DAY, now, time_range_field="create_time")
    rows = body.json()["response"]["order_list"]
    got = details(sandbox, token, [r["order_sn"] for r in rows[:50]], "")
    assert got and all(now - 2 * DAY <= row["create_time"] <= now for row in got)


def test_a_larger_page_size_can_be_allowed(sclock):  # noqa: F811
    config = SandboxConfig(orders=800, history_days=10, max_page_size=500)
    with ShopeeSandbox(config, clock=sclock) as sb:
        token = sb.linked_tokens().access_token
        now = now_ts(sb)
        rows = order_list(sb, token, now - 11 * DAY, now, page_size=500).json()["response"]
        assert len(rows["order_list"]) == 500 and rows["more"] is True


# ----------------------------------------------------------------- the orders


def test_orders_are_deterministic_from_the_seed(sclock):  # noqa: F811
    def snapshot(seed):
        with ShopeeSandbox(SandboxConfig(orders=120, seed=seed), clock=sclock) as sb:
            token = sb.linked_tokens().access_token
            sns = sb.order_sns()
            return sns, details(sb, token, sns[:50])

    first, again, other = snapshot(5), snapshot(5), snapshot(6)
    assert first == again
    assert first[0] != other[0]


def test_a_fixed_period_gives_the_same_orders_on_every_start():
    begins = datetime(2026, 10, 1, tzinfo=UTC)
    period = (begins, begins + timedelta(days=40))
    made = []
    for now in (begins + timedelta(days=20), begins + timedelta(days=30)):
        sb = ShopeeSandbox(SandboxConfig(orders=300, period=period), clock=FixedClock(now))
        made.append(sb.order_sns())
    # Later, more orders exist; the earlier ones are the very same.
    assert 100 < len(made[0]) < len(made[1]) < 300
    assert made[1][: len(made[0])] == made[0]


def test_order_numbers_look_like_shopee(sandbox, token):  # noqa: F811
    sns = sandbox.order_sns()
    for row in details(sandbox, token, sns[:50]):
        sn = row["order_sn"]
        local = datetime.fromtimestamp(row["create_time"], UTC) + timedelta(hours=7)
        assert len(sn) == 14 and sn[:6] == local.strftime("%y%m%d") and sn[6:].isalnum()
    assert [sn_index(sn) for sn in sns[:5]] == [0, 1, 2, 3, 4]
    assert sn_index("261120!!!!!!!!") is None


def test_orders_are_believable_and_add_up(sandbox, token):  # noqa: F811
    rows = [
        r
        for k in range(0, 600, 50)
        for r in details(sandbox, token, sandbox.order_sns()[k : k + 50])
    ]
    statuses = Counter(r["order_status"] for r in rows)
    assert {"COMPLETED", "CANCELLED", "SHIPPED", "READY_TO_SHIP", "PROCESSED"} <= set(statuses)
    assert statuses["COMPLETED"] > len(rows) / 3
    masked = [r for r in rows if "*" in r["recipient_address"]["phone"]]
    assert 0.15 < len(masked) / len(rows) < 0.35
    buyers = Counter(r["buyer_user_id"] for r in rows)
    assert max(buyers.values()) > 1  # repeat customers
    vietnamese = "ăâđêôơưàáảãạ"
    assert any(ch in r["recipient_address"]["name"].lower() for r in rows for ch in vietnamese)
    for r in rows:
        lines = sum(
            i["model_discounted_price"] * i["model_quantity_purchased"] for i in r["item_list"]
        )
        voucher = lines + r["estimated_shipping_fee"] - r["total_amount"]
        assert 0 <= voucher <= lines // 2
        assert all(i["model_discounted_price"] <= i["model_original_price"] for i in r["item_list"])
        assert r["create_time"] <= r["update_time"] <= now_ts(sandbox)
        assert r["cod"] == (r["payment_method"] == "Cash on Delivery")


def test_orders_move_and_new_ones_arrive_as_time_passes(sclock):  # noqa: F811
    config = SandboxConfig(orders=400, history_days=10, future_days=5)
    with ShopeeSandbox(config, clock=sclock) as sb:
        before = {sn: sb.order_state(sn) for sn in sb.order_sns()}
        assert 200 < len(before) < 330
        t0 = now_ts(sb)
        sclock.advance(timedelta(days=3))
        after = {sn: sb.order_state(sn) for sn in sb.order_sns()}
        assert set(before) < set(after)  # new orders arrived
        moved = [sn for sn in before if after[sn] != before[sn]]
        assert len(moved) > 50
        assert all(after[sn][1] > before[sn][1] >= 0 for sn in moved)
        # The update-time list of the 3 days has every moved and every new order.
        changed = set(sb.changed_between(t0 + 1, now_ts(sb)))
        assert set(moved) | (set(after) - set(before)) == changed


def test_actions_change_the_path(sandbox, sclock, token):  # noqa: F811
    # An order still waiting for shipment keeps moving after our action.
    sn = next(s for s in sandbox.order_sns()[::-1] if sandbox.order_state(s)[0] == "READY_TO_SHIP")
    i = sn_index(sn)
    now = now_ts(sandbox)
    sandbox.timeline.replace_future(i, now, [(now, "PROCESSED"), (now + DAY, "SHIPPED")])
    assert sandbox.order_state(sn)[0] == "PROCESSED"
    sclock.advance(timedelta(days=2))
    assert sandbox.order_state(sn) == ("SHIPPED", now_ts(sandbox) - DAY)
    assert sn in sandbox.changed_between(now_ts(sandbox) - DAY - 1, now_ts(sandbox))


# ----------------------------------------------------------------- server behaviour


def test_a_slow_call_does_not_block_the_others(sandbox, token):  # noqa: F811
    sandbox.inject(FaultKind.SLOW, path=ORDER_LIST_PATH, delay=1.0)
    now = now_ts(sandbox)
    slow = threading.Thread(target=order_list, args=(sandbox, token, now - DAY, now))
    slow.start()
    time.sleep(0.1)
    started = time.perf_counter()
    assert signed_get(sandbox, SHOP_INFO_PATH, {}, token).status_code == 200
    assert time.perf_counter() - started < 0.5
    slow.join()


def test_stop_is_prompt_while_a_call_hangs(sclock):  # noqa: F811
    sb = ShopeeSandbox(SandboxConfig(orders=5, timeout_delay=5), clock=sclock)
    url = sb.start()
    sb.inject(FaultKind.TIMEOUT)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(sb.url + SHOP_INFO_PATH, timeout=0.2)
    started = time.perf_counter()
    sb.stop()
    assert time.perf_counter() - started < 2
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + SHOP_INFO_PATH)


def test_faults_hit_only_their_path_and_count(sandbox, token):  # noqa: F811
    fault = sandbox.inject(FaultKind.HTTP_500, count=2, path=ORDER_LIST_PATH)
    assert signed_get(sandbox, SHOP_INFO_PATH, {}, token).status_code == 200
    now = now_ts(sandbox)
    assert [order_list(sandbox, token, now - DAY, now).status_code for _ in range(3)] == [
        500,
        500,
        200,
    ]
    assert fault.remaining == 0
    sandbox.inject(FaultKind.RATE_LIMIT, count=5)
    sandbox.clear_faults()
    assert signed_get(sandbox, SHOP_INFO_PATH, {}, token).status_code == 200


def test_control_endpoints(sandbox, token):  # noqa: F811
    url = sandbox.url
    assert httpx.post(url + "/_sandbox/fault", json={"kind": "rate_limit", "count": 1}).json() == {
        "ok": True
    }
    assert signed_get(sandbox, SHOP_INFO_PATH, {}, token).json()["error"] == "error_rate_limit"
    bad = httpx.post(url + "/_sandbox/fault", json={"kind": "meteor"})
    assert bad.status_code == 400
    code = httpx.post(url + "/_sandbox/authorize").json()
    assert code["shop_id"] == sandbox.config.shop_id and len(code["code"]) == 32
    sn = sandbox.order_sns()[0]
    state = httpx.get(url + "/_sandbox/order", params={"order_sn": sn}).json()
    assert (state["status"], state["update_time"]) == sandbox.order_state(sn)
    assert httpx.get(url + "/_sandbox/calls", params={"path": UPDATE_STOCK_PATH}).json() == []


def test_python_m_runs_a_sandbox_until_terminated():
    proc = subprocess.Popen(
        [sys.executable, "-m", "primedist.sandbox", "--orders", "50", "--seed", "3"],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        info = json.loads(proc.stdout.readline())
        assert info["url"].startswith("http://127.0.0.1:") and info["orders"] == 50
        code = httpx.post(info["url"] + "/_sandbox/authorize").json()
        from primedist.connectors.base import ConnectorConfig, MemoryTokenStore
        from primedist.connectors.shopee import ShopeeConnector

        cfg = ConnectorConfig(
            partner_id=str(info["partner_id"]),
            partner_key=info["partner_key"],
            api_host=info["url"],
            shop_external_id=str(code["shop_id"]),
        )
        store = MemoryTokenStore()
        with ShopeeConnector(cfg, store) as c:
            store.save(c.exchange_code(code["code"], str(code["shop_id"])))
            now = datetime.now(UTC)
            page = c.changed_orders(now - timedelta(days=15), now)
            assert page.orders
    finally:
        proc.terminate()
        assert proc.wait(10) == 0
