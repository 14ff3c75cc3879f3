"""Reading the shop's items and models (`listed_items`) from the Shopee sandbox over real
HTTP, and the platforms without a product reader (TikTok Shop, Tiki) saying they do not
read listings yet (Lazada's reader: test_lazada_listings.py)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from primedist.connectors import connector_for
from primedist.connectors.base import (
    Action,
    AuthError,
    ConnectorConfig,
    ConnectorError,
    MemoryTokenStore,
    NotSupported,
    PriceUpdate,
    RemoteItem,
    StockUpdate,
    TokenPair,
)
from primedist.connectors.shopee import (
    ITEM_BASE_INFO_PATH,
    ITEM_LIST_PATH,
    MODEL_LIST_PATH,
    ShopeeConnector,
)
from primedist.core.clock import FixedClock
from primedist.domain.enums import Channel
from primedist.sandbox import FaultKind, SandboxConfig, ShopeeSandbox
from primedist.sandbox.generator import CatalogueModel
from tests.connectors.conftest import NOW, Sleeps, make_connector


def by_id(items: list[RemoteItem]) -> dict[str, RemoteItem]:
    ids = [item.item_id for item in items]
    assert len(ids) == len(set(ids)), "an item came twice"
    return {item.item_id: item for item in items}


def assert_as_the_sandbox_holds(sandbox: ShopeeSandbox, items: list[RemoteItem]) -> None:
    """Every catalogue item once, with its models as the sandbox holds them now."""
    found = by_id(items)
    catalogue: dict[int, list[CatalogueModel]] = {}
    for m in sandbox.catalogue:
        catalogue.setdefault(m.item_id, []).append(m)
    assert set(found) == {str(i) for i in catalogue}
    for item_id, models in catalogue.items():
        item = found[str(item_id)]
        assert item.name == models[0].item_name and item.sku == models[0].item_sku
        assert item.status == sandbox.item_status(item_id)
        if models[0].model_id == 0:
            assert item.option_names == ()
            expected = [(None, models[0].item_sku, ())]
        else:
            assert len(item.option_names) == len(models[0].model_name.split(","))
            expected = [(str(m.model_id), m.model_sku, tuple(m.model_name.split(",")))
                        for m in models]  # fmt: skip
        assert [(r.model_id, r.sku, r.options) for r in item.models] == expected
        assert [(r.price, r.stock) for r in item.models] == [
            (sandbox.prices[(item_id, m.model_id)], sandbox.stock_of(item_id, m.model_id))
            for m in models
        ]


def test_every_item_comes_with_its_models_skus_options_prices_and_stock(sandbox, connector):
    assert Action.LIST_ITEMS in connector.capabilities
    variant = next(m for m in sandbox.catalogue if m.model_id)
    plain = next(m for m in sandbox.catalogue if not m.model_id)
    connector.push_stock([StockUpdate(str(variant.item_id), str(variant.model_id), 123),
                          StockUpdate(str(plain.item_id), None, 7)])  # fmt: skip
    connector.push_price([PriceUpdate(str(variant.item_id), str(variant.model_id), 345_000)])

    items = list(connector.listed_items())

    assert_as_the_sandbox_holds(sandbox, items)
    found = by_id(items)
    pushed = next(m for m in found[str(variant.item_id)].models
                  if m.model_id == str(variant.model_id))  # fmt: skip
    assert (pushed.stock, pushed.price) == (123, 345_000)
    assert found[str(plain.item_id)].models[0].stock == 7
    two_tiers = next(i for i in items if len(i.option_names) == 2)
    assert two_tiers.option_names == ("Màu sắc", "Kích cỡ")
    # One model-list call per item with variants, none for the others.
    with_models = {m.item_id for m in sandbox.catalogue if m.model_id}
    assert sandbox.request_count(MODEL_LIST_PATH) == len(with_models)


def test_the_item_list_is_read_page_by_page(sandbox, sclock, store):
    items = {m.item_id for m in sandbox.catalogue}
    c = make_connector(sandbox, sclock, store, page_size=10)
    try:
        listed = list(c.listed_items())
    finally:
        c.close()
    assert_as_the_sandbox_holds(sandbox, listed)
    assert sandbox.request_count(ITEM_LIST_PATH) == math.ceil(len(items) / 10) > 1
    assert sandbox.request_count(ITEM_BASE_INFO_PATH) == math.ceil(len(items) / 50)


def test_base_info_is_asked_50_items_at_a_time(sclock):
    catalogue = tuple(CatalogueModel(900_000 + k, 0, f"Sản phẩm {k}", f"SP{k:03d}", "",
                                     f"SP{k:03d}", 10_000 + k * 1000)
                      for k in range(120))  # fmt: skip
    config = SandboxConfig(orders=10, catalogue=catalogue)
    with ShopeeSandbox(config, clock=sclock) as sb:
        c = make_connector(sb, sclock, MemoryTokenStore(sb.linked_tokens()))
        try:
            listed = list(c.listed_items())
        finally:
            c.close()
        assert_as_the_sandbox_holds(sb, listed)
        assert sb.request_count(ITEM_LIST_PATH) == 2  # pages of 100
        assert sb.request_count(ITEM_BASE_INFO_PATH) == 3  # 50 + 50 + 20
        assert sb.request_count(MODEL_LIST_PATH) == 0


def test_an_unlisted_item_is_still_read_with_its_status(sandbox, connector):
    hidden = sandbox.catalogue[-1].item_id
    sandbox.unlisted.add(hidden)
    found = by_id(list(connector.listed_items()))
    assert found[str(hidden)].status == "UNLIST"
    assert {i.status for k, i in found.items() if k != str(hidden)} == {"NORMAL"}
    assert_as_the_sandbox_holds(sandbox, list(found.values()))


def test_rate_limits_are_retried_and_the_result_is_complete(sandbox, connector, sleeps):
    sandbox.inject(FaultKind.RATE_LIMIT, count=2, path=ITEM_LIST_PATH)
    sandbox.inject(FaultKind.RATE_LIMIT, path=ITEM_BASE_INFO_PATH)
    sandbox.inject(FaultKind.HTTP_500, path=MODEL_LIST_PATH)
    assert_as_the_sandbox_holds(sandbox, list(connector.listed_items()))
    assert len(sleeps) == 4


def test_an_expired_access_token_is_refreshed_on_the_way(sandbox, connector, store):
    sandbox.inject(FaultKind.EXPIRED_TOKEN, path=MODEL_LIST_PATH)
    assert_as_the_sandbox_holds(sandbox, list(connector.listed_items()))
    assert store.saves == 1


def test_a_revoked_authorisation_is_an_auth_error(sandbox, connector):
    sandbox.revoke()
    with pytest.raises(AuthError, match="Authorise the shop again"):
        list(connector.listed_items())


@pytest.mark.parametrize("channel", [Channel.TIKTOK, Channel.TIKI])
def test_the_other_platforms_do_not_read_listings_yet(channel):
    config = ConnectorConfig(partner_id="1234", partner_key="secret",
                             api_host="http://127.0.0.1:9")  # fmt: skip
    c = connector_for(channel, config)
    assert Action.LIST_ITEMS not in c.capabilities
    with pytest.raises(NotSupported, match="listings get their ids from synced orders"):
        list(c.listed_items())


# ----------------------------------------------------------------- broken answers


def mocked(
    answers: dict[str, Callable[[httpx.Request], dict[str, Any]]], sclock: FixedClock
) -> ShopeeConnector:
    """A connector whose calls `answers` answers by path (Shopee's envelope added)."""

    def answer(request: httpx.Request) -> httpx.Response:
        body = answers[request.url.path](request)
        return httpx.Response(200, json={"error": "", "message": "", "response": body})

    tokens = TokenPair("a", "r", NOW + timedelta(hours=4), None, "600000")
    config = ConnectorConfig(partner_id="1", partner_key="k", api_host="http://shopee.test")
    return ShopeeConnector(config, MemoryTokenStore(tokens), clock=sclock, sleep=Sleeps(),
                           transport=httpx.MockTransport(answer))  # fmt: skip


def one_item_list(request: httpx.Request) -> dict[str, Any]:
    # Both statuses are asked for, as a repeated parameter.
    assert request.url.params.get_list("item_status") == ["NORMAL", "UNLIST"]
    return {"item": [{"item_id": 11, "item_status": "NORMAL"}], "has_next_page": False}


def base_info(**row: Any) -> Callable[[httpx.Request], dict[str, Any]]:
    return lambda _request: {"item_list": [{"item_id": 11, "item_name": "Áo", "item_sku": " ",
                                            "item_status": "NORMAL", **row}]}  # fmt: skip


def test_an_item_without_variants_reads_its_price_and_warehouse_stock(sclock):
    warehouses = [{"location_id": "A", "stock": 3}, {"location_id": "B", "stock": 4}]
    stock = {"summary_info": {"total_available_stock": 99}, "seller_stock": warehouses}
    price = [{"original_price": 150000.0, "current_price": 120000}]
    row = base_info(has_model=False, stock_info_v2=stock, price_info=price)
    answers = {ITEM_LIST_PATH: one_item_list, ITEM_BASE_INFO_PATH: row}
    with mocked(answers, sclock) as c:
        (item,) = c.listed_items()
    assert item.sku is None  # a blank SKU is no SKU
    assert [(m.model_id, m.sku, m.options, m.price, m.stock) for m in item.models] == [
        (None, None, (), 150_000, 7)
    ]


@pytest.mark.parametrize(
    ("stock_info", "stock"),
    [({"summary_info": {"total_available_stock": 9}, "seller_stock": []}, 9),
     ({"summary_info": {}}, None), (None, None)],
)  # fmt: skip
def test_without_warehouse_stock_the_summary_counts_else_none(sclock, stock_info, stock):
    price = [{"original_price": 1000}]
    row = base_info(has_model=False, stock_info_v2=stock_info, price_info=price)
    with mocked({ITEM_LIST_PATH: one_item_list, ITEM_BASE_INFO_PATH: row}, sclock) as c:
        (item,) = c.listed_items()
    assert item.models[0].stock == stock


def test_a_model_naming_no_option_is_an_error_naming_the_item(sclock):
    models = {"tier_variation": [{"name": "Màu", "option_list": [{"option": "Đỏ"}]}],
              "model": [{"model_id": 5, "tier_index": [1],
                         "price_info": [{"original_price": 1000}]}]}  # fmt: skip
    answers = {ITEM_LIST_PATH: one_item_list, ITEM_BASE_INFO_PATH: base_info(has_model=True),
               MODEL_LIST_PATH: lambda _request: models}  # fmt: skip
    with mocked(answers, sclock) as c, pytest.raises(ConnectorError, match="item 11.*model 5"):
        list(c.listed_items())


def test_an_item_without_a_price_is_an_error_not_a_free_item(sclock):
    answers = {ITEM_LIST_PATH: one_item_list, ITEM_BASE_INFO_PATH: base_info(has_model=False)}
    with mocked(answers, sclock) as c, pytest.raises(ConnectorError, match="item 11.*no price"):
        list(c.listed_items())


def test_an_item_list_row_without_an_id_is_an_error(sclock):
    answers = {ITEM_LIST_PATH: lambda _request: {"item": [{"item_status": "NORMAL"}]}}
    with mocked(answers, sclock) as c, pytest.raises(ConnectorError, match="without an item id"):
        list(c.listed_items())


def test_more_items_without_a_next_offset_is_an_error_not_a_loop(sclock):
    answers = {ITEM_LIST_PATH: lambda _request: {"item": [], "has_next_page": True}}
    with mocked(answers, sclock) as c, pytest.raises(ConnectorError, match="no next offset"):
        list(c.listed_items())


def test_model_lists_are_asked_a_few_at_a_time(sclock):
    """One model-list call per item costs a round trip each: with Shopee 0.3 s away, 8
    items take about two round trips, not eight."""
    catalogue = tuple(
        CatalogueModel(910_000 + k, 910_000_00 + k * 10 + j, f"Áo {k}", f"AO{k}", size,
                       f"AO{k}-{size}", 100_000)
        for k in range(8) for j, size in enumerate(("S", "M"))
    )  # fmt: skip
    with ShopeeSandbox(SandboxConfig(orders=10, catalogue=catalogue), clock=sclock) as sb:
        sb.inject(FaultKind.SLOW, count=8, path=MODEL_LIST_PATH, delay=0.3)
        c = make_connector(sb, sclock, MemoryTokenStore(sb.linked_tokens()), timeout=5.0)
        try:
            started = time.perf_counter()
            listed = list(c.listed_items())
            elapsed = time.perf_counter() - started
        finally:
            c.close()
        assert_as_the_sandbox_holds(sb, listed)
        assert sb.request_count(MODEL_LIST_PATH) == 8
        assert elapsed < 8 * 0.3 / 2, elapsed
