"""The Lazada sandbox over raw HTTP (no connector): LazOP's checks, the list's limits,
one row per unit, the product list, deterministic moving orders, the controls and
`python -m`."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from primedist.connectors.lazada import ORDERS_ITEMS_PATH, ORDERS_PATH, PRODUCTS_PATH, sign
from primedist.core.clock import FixedClock
from primedist.sandbox.lazada import (
    LazadaSandbox,
    LazadaSandboxConfig,
    id_index,
    order_id,
    sku_id,
)

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def sb(clock: FixedClock) -> Iterator[LazadaSandbox]:
    with LazadaSandbox(LazadaSandboxConfig(orders=300, history_days=10), clock=clock) as s:
        yield s


def call(sb: LazadaSandbox, path: str, params: dict[str, Any], *, token: bool = True,
         prefix: str = "", **override: Any) -> dict[str, Any]:  # fmt: skip
    query = {"app_key": sb.config.app_key, "sign_method": "sha256",
             "timestamp": str(int(sb.clock.now().timestamp() * 1000)),
             **{k: str(v) for k, v in params.items()}}  # fmt: skip
    if token:
        query["access_token"] = sb.linked_tokens().access_token
    query.update(override)
    query["sign"] = override.get("sign") or sign(sb.config.app_secret, path, query)
    answer = httpx.get(sb.url + prefix + path, params=query)
    data: dict[str, Any] = answer.json()
    return data


def window(**extra: Any) -> dict[str, Any]:
    return {"update_after": (NOW - timedelta(days=11)).isoformat(), "sort_by": "updated_at",
            "sort_direction": "ASC", "limit": 100, "offset": 0, **extra}  # fmt: skip


def test_lazop_checks(sb: LazadaSandbox) -> None:
    assert call(sb, ORDERS_PATH, window())["code"] == "0"
    assert call(sb, ORDERS_PATH, window(), prefix="/rest")["code"] == "0"  # live-like path
    assert call(sb, ORDERS_PATH, window(), sign="0" * 64)["code"] == "IncompleteSignature"
    old = str(int((NOW - timedelta(hours=3)).timestamp() * 1000))
    assert call(sb, ORDERS_PATH, window(), timestamp=old)["code"] == "InvalidTimestamp"
    assert call(sb, ORDERS_PATH, window(), token=False)["code"] == "MissingAccessToken"
    assert call(sb, ORDERS_PATH, window(), access_token="x")["code"] == "IllegalAccessToken"
    assert call(sb, ORDERS_PATH, window(), app_key="1")["code"] == "InvalidAppKey"


def test_list_limits_and_iso_times(sb: LazadaSandbox) -> None:
    assert call(sb, ORDERS_PATH, window(limit=101))["code"] == "E017"
    assert call(sb, ORDERS_PATH, window(offset=5001))["code"] == "E017"
    assert call(sb, ORDERS_PATH, window(offset=5000))["code"] == "0"
    naive = window(update_after="2026-11-01T00:00:00")
    assert "offset" in call(sb, ORDERS_PATH, naive)["message"]
    assert call(sb, ORDERS_PATH, window(update_after="01/11/2026"))["code"] == "E017"
    first = call(sb, ORDERS_PATH, window())["data"]
    second = call(sb, ORDERS_PATH, window(offset=100))["data"]
    assert first["countTotal"] == 300 and first["count"] == 100
    ids = [o["order_id"] for o in first["orders"] + second["orders"]]
    assert len(set(ids)) == 200
    times = [o["updated_at"] for o in first["orders"]]
    assert times == sorted(times)


def test_items_are_one_row_per_unit(sb: LazadaSandbox) -> None:
    ids = sb.order_ids()[:50]
    data = call(sb, ORDERS_ITEMS_PATH, {"order_ids": "[" + ",".join(ids) + "]"})["data"]
    assert [str(b["order_id"]) for b in data] == ids
    for block in data:
        assert len(block["order_items"]) == sb.units(str(block["order_id"]))
        assert all("quantity" not in item for item in block["order_items"])
    too_many = "[" + ",".join(sb.order_ids()[:51]) + "]"
    assert call(sb, ORDERS_ITEMS_PATH, {"order_ids": too_many})["code"] == "E017"


def test_product_list_parameters(sb: LazadaSandbox) -> None:
    page = {"filter": "live", "limit": 50, "offset": 0}
    assert call(sb, PRODUCTS_PATH, page)["code"] == "0"
    assert call(sb, PRODUCTS_PATH, page, token=False)["code"] == "MissingAccessToken"
    assert call(sb, PRODUCTS_PATH, page, sign="0" * 64)["code"] == "IncompleteSignature"
    missing = call(sb, PRODUCTS_PATH, {"limit": 50})
    assert missing["code"] == "MISSING_PARAMETER" and "filter" in missing["message"]
    assert missing["type"] == "ISV" and missing["request_id"]
    unknown = call(sb, PRODUCTS_PATH, {**page, "filter": "hidden"})
    assert unknown["code"] == "E017" and "sold-out" in unknown["message"]
    assert call(sb, PRODUCTS_PATH, {**page, "limit": 51})["code"] == "E017"
    assert call(sb, PRODUCTS_PATH, {**page, "limit": 0})["code"] == "E017"
    assert call(sb, PRODUCTS_PATH, {**page, "offset": -1})["code"] == "E017"
    assert call(sb, PRODUCTS_PATH, {**page, "offset": 10_001})["code"] == "E017"
    assert call(sb, PRODUCTS_PATH, {**page, "offset": 10_000})["data"]["products"] == []


def test_products_by_filter_with_their_skus(sb: LazadaSandbox) -> None:
    items: dict[int, list[Any]] = {}
    for m in sb.catalogue:
        items.setdefault(m.item_id, []).append(m)
    hidden = next(iter(items))
    sb.inactive.add(hidden)
    live = call(sb, PRODUCTS_PATH, {"filter": "live", "limit": 50})["data"]
    assert live["total_products"] == len(items) - 1
    assert [p["item_id"] for p in live["products"]] == list(items)[1:]
    inactive = call(sb, PRODUCTS_PATH, {"filter": "inactive", "limit": 50})["data"]
    assert [p["item_id"] for p in inactive["products"]] == [hidden]
    assert call(sb, PRODUCTS_PATH, {"filter": "all", "limit": 50})["data"]["total_products"] \
        == len(items)  # fmt: skip
    assert call(sb, PRODUCTS_PATH, {"filter": "deleted", "limit": 50})["data"] == {
        "total_products": 0, "products": []}  # fmt: skip
    second = call(sb, PRODUCTS_PATH, {"filter": "live", "limit": 10, "offset": 10})["data"]
    assert [p["item_id"] for p in second["products"]] == list(items)[11:21]

    row = next(p for p in live["products"] if len(items[p["item_id"]]) > 1)
    models = items[row["item_id"]]
    assert row["attributes"]["name"] == models[0].item_name
    assert [(s["SkuId"], s["SellerSku"], s["Variation"], s["price"], s["quantity"])
            for s in row["skus"]] == [
        (sku_id(m), m.model_sku, m.model_name, f"{m.price}.00", sb.stock_of(m.item_id, sku_id(m)))
        for m in models
    ]  # fmt: skip
    plain = next(p for p in live["products"] if not items[p["item_id"]][0].model_id)
    assert [sorted(s) for s in plain["skus"]] == [sorted(row["skus"][0].keys() - {"Variation"})]
    assert plain["skus"][0]["SkuId"] == sku_id(items[plain["item_id"]][0])
    assert {s["Status"] for s in inactive["products"][0]["skus"]} == {"inactive"}


def test_orders_are_deterministic_and_move_with_the_clock(clock: FixedClock) -> None:
    config = LazadaSandboxConfig(orders=200, period=(NOW - timedelta(days=5), NOW))
    a, b = LazadaSandbox(config, clock=clock), LazadaSandbox(config, clock=clock)
    assert a.order_ids() == b.order_ids()
    assert all(id_index(oid) == n for n, oid in enumerate(a.order_ids()))
    assert id_index(order_id(5)[:-1] + "x") is None
    before = {oid: a.order_state(oid) for oid in a.order_ids()}
    clock.advance(timedelta(days=4))
    assert any(a.order_state(oid) != state for oid, state in before.items())


def test_python_m_with_channel_lazada() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "primedist.sandbox", "--channel", "lazada", "--orders", "40"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        assert info["channel"] == "lazada" and info["app_key"] == "120777"
        control = httpx.post(info["url"] + "/_sandbox/authorize").json()
        assert control["code"].startswith("0_120777_")
    finally:
        proc.terminate()
        proc.wait(10)
    assert proc.returncode == 0
