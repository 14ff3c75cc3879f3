"""Reading the shop's products and SKUs (`listed_items`) from the Lazada sandbox over real
HTTP, and how broken or odd `/products/get` answers are read."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from primedist.connectors.base import (
    Action,
    AuthError,
    ConnectorConfig,
    ConnectorError,
    MemoryTokenStore,
    PriceUpdate,
    RemoteItem,
    StockUpdate,
    TokenPair,
)
from primedist.connectors.lazada import (
    PRODUCTS_LIMIT,
    PRODUCTS_MAX_OFFSET,
    PRODUCTS_PATH,
    LazadaConnector,
)
from primedist.core.clock import FixedClock
from primedist.sandbox.generator import CatalogueModel
from primedist.sandbox.lazada import LazadaSandbox, LazadaSandboxConfig, sku_id
from primedist.sandbox.shopee import FaultKind
from tests.connectors.test_lazada_connector import NOW, Sleeps, all_changed, make


@pytest.fixture
def lclock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def lsandbox(lclock: FixedClock) -> Iterator[LazadaSandbox]:
    with LazadaSandbox(LazadaSandboxConfig(orders=200, history_days=5), clock=lclock) as sb:
        yield sb


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def lazada(
    lsandbox: LazadaSandbox, lclock: FixedClock, sleeps: Sleeps
) -> Iterator[LazadaConnector]:
    c = make(lsandbox, lclock, MemoryTokenStore(lsandbox.linked_tokens()), sleeps)
    yield c
    c.close()


def by_id(items: list[RemoteItem]) -> dict[str, RemoteItem]:
    ids = [item.item_id for item in items]
    assert len(ids) == len(set(ids)), "an item came twice"
    return {item.item_id: item for item in items}


def catalogue_items(sandbox: LazadaSandbox) -> dict[int, list[CatalogueModel]]:
    items: dict[int, list[CatalogueModel]] = {}
    for m in sandbox.catalogue:
        items.setdefault(m.item_id, []).append(m)
    return items


def assert_as_the_sandbox_holds(sandbox: LazadaSandbox, items: list[RemoteItem]) -> None:
    """Every catalogue item once, one model per SKU, as the sandbox holds them now."""
    found = by_id(items)
    catalogue = catalogue_items(sandbox)
    assert set(found) == {str(i) for i in catalogue}
    for item_id, models in catalogue.items():
        item = found[str(item_id)]
        assert (item.name, item.sku) == (models[0].item_name, None)  # no parent SKU
        assert item.status == sandbox.product_status(item_id)
        options = [tuple(m.model_name.split(",")) if m.model_name else () for m in models]
        assert item.option_names == ("Phân loại 1", "Phân loại 2")[: len(options[0])]
        assert [(r.model_id, r.sku, r.options) for r in item.models] == [
            (str(sku_id(m)), m.model_sku, o) for m, o in zip(models, options, strict=True)
        ]
        assert [(r.price, r.stock) for r in item.models] == [
            (sandbox.prices[(item_id, sku_id(m))], sandbox.stock_of(item_id, sku_id(m)))
            for m in models
        ]


def test_every_item_comes_with_its_skus_options_prices_and_stock(
    lsandbox: LazadaSandbox, lazada: LazadaConnector
) -> None:
    assert Action.LIST_ITEMS in lazada.capabilities
    variant = next(m for m in lsandbox.catalogue if m.model_id)
    plain = next(m for m in lsandbox.catalogue if not m.model_id)
    lazada.push_stock([StockUpdate(str(variant.item_id), str(sku_id(variant)), 123),
                       StockUpdate(str(plain.item_id), str(sku_id(plain)), 0)])  # fmt: skip
    lazada.push_price([PriceUpdate(str(variant.item_id), str(sku_id(variant)), 345_000)])

    items = list(lazada.listed_items())

    assert_as_the_sandbox_holds(lsandbox, items)
    found = by_id(items)
    pushed = next(m for m in found[str(variant.item_id)].models
                  if m.model_id == str(sku_id(variant)))  # fmt: skip
    assert (pushed.stock, pushed.price) == (123, 345_000)  # the list price, not the special
    assert found[str(plain.item_id)].models[0].stock == 0
    assert {i.status for i in items} == {"live"}
    assert any(len(i.option_names) == 2 for i in items)
    assert any(i.option_names == () and len(i.models) == 1 for i in items)
    # 45 products: one page of live ones, one (empty) of inactive ones.
    assert len(items) < PRODUCTS_LIMIT
    assert lsandbox.request_count(PRODUCTS_PATH) == 2


def test_read_skus_are_the_ones_order_lines_name(
    lsandbox: LazadaSandbox, lazada: LazadaConnector
) -> None:
    models = {(i.item_id, m.model_id): m.sku for i in lazada.listed_items() for m in i.models}
    ids = list(dict.fromkeys(all_changed(lazada, NOW - timedelta(days=5), NOW)))[:50]
    lines = [line for order in lazada.order_details(ids) for line in order.lines]
    assert len(lines) > 20
    for line in lines:
        assert models[(line.item_id, line.model_id)] == line.sku


def test_products_are_read_50_a_page_live_then_inactive(lclock: FixedClock) -> None:
    # 120 products of one SKU and 3 of four SKUs: three live pages, one inactive page.
    catalogue = [CatalogueModel(900_000 + k, 0, f"Sản phẩm {k}", f"SP{k:03d}", "",
                                f"SP{k:03d}", 10_000 + k * 1000)
                 for k in range(120)]  # fmt: skip
    sizes = [("Đỏ", "S"), ("Đỏ", "M"), ("Xanh", "S"), ("Xanh", "M")]
    catalogue += [CatalogueModel(950_000 + k, 95_000_000 + k * 10 + j, f"Áo {k}", f"AO{k}",
                                 f"{color},{size}", f"AO{k}-{color}-{size}", 99_000)
                  for k in range(3) for j, (color, size) in enumerate(sizes)]  # fmt: skip
    config = LazadaSandboxConfig(orders=10, history_days=2, catalogue=tuple(catalogue))
    with LazadaSandbox(config, clock=lclock) as sb:
        sb.inactive.update({900_005, 950_001})
        c = make(sb, lclock, MemoryTokenStore(sb.linked_tokens()))
        try:
            listed = list(c.listed_items())
        finally:
            c.close()
        assert_as_the_sandbox_holds(sb, listed)
        assert [i.status for i in listed[-2:]] == ["inactive", "inactive"]
        assert {i.item_id for i in listed if i.status == "inactive"} == {"900005", "950001"}
        assert sb.request_count(PRODUCTS_PATH) == math.ceil(121 / 50) + 1


def test_a_full_last_page_needs_no_empty_page_after_it(lclock: FixedClock) -> None:
    catalogue = tuple(CatalogueModel(900_000 + k, 0, f"Sản phẩm {k}", f"SP{k:03d}", "",
                                     f"SP{k:03d}", 10_000) for k in range(100))  # fmt: skip
    config = LazadaSandboxConfig(orders=10, history_days=2, catalogue=catalogue)
    with LazadaSandbox(config, clock=lclock) as sb:
        c = make(sb, lclock, MemoryTokenStore(sb.linked_tokens()))
        try:
            assert len(list(c.listed_items())) == 100
        finally:
            c.close()
        assert sb.request_count(PRODUCTS_PATH) == 2 + 1  # total_products says it is all


def test_an_inactive_item_still_comes_with_its_status(
    lsandbox: LazadaSandbox, lazada: LazadaConnector
) -> None:
    hidden = lsandbox.catalogue[-1].item_id
    lsandbox.inactive.add(hidden)
    items = list(lazada.listed_items())
    found = by_id(items)
    assert found[str(hidden)].status == "inactive"
    assert {i.status for k, i in found.items() if k != str(hidden)} == {"live"}
    assert_as_the_sandbox_holds(lsandbox, items)


@pytest.mark.parametrize("kind", [FaultKind.RATE_LIMIT, FaultKind.HTTP_500])
def test_passing_faults_are_retried_and_the_result_is_complete(
    lsandbox: LazadaSandbox, lazada: LazadaConnector, sleeps: Sleeps, kind: FaultKind
) -> None:
    lsandbox.inject(kind, count=2, path=PRODUCTS_PATH)
    assert_as_the_sandbox_holds(lsandbox, list(lazada.listed_items()))
    assert len(sleeps) == 2


def test_an_expired_access_token_is_refreshed_on_the_way(
    lsandbox: LazadaSandbox, lclock: FixedClock
) -> None:
    store = MemoryTokenStore(lsandbox.linked_tokens())
    lsandbox.inject(FaultKind.EXPIRED_TOKEN, path=PRODUCTS_PATH)
    with make(lsandbox, lclock, store) as c:
        assert_as_the_sandbox_holds(lsandbox, list(c.listed_items()))
    assert store.saves == 1


def test_a_revoked_authorisation_is_an_auth_error(
    lsandbox: LazadaSandbox, lazada: LazadaConnector
) -> None:
    lsandbox.revoke()
    with pytest.raises(AuthError, match="Authorise the shop again"):
        list(lazada.listed_items())


def test_a_wrong_app_secret_is_an_auth_error(lsandbox: LazadaSandbox, lclock: FixedClock) -> None:
    store = MemoryTokenStore(lsandbox.linked_tokens())
    with make(lsandbox, lclock, store, partner_key="not-the-secret") as c:
        with pytest.raises(AuthError, match="IncompleteSignature"):
            list(c.listed_items())


def test_a_corrupt_answer_is_named(lsandbox: LazadaSandbox, lazada: LazadaConnector) -> None:
    lsandbox.inject(FaultKind.CORRUPT, path=PRODUCTS_PATH)
    with pytest.raises(ConnectorError, match="without a data object"):
        list(lazada.listed_items())


def test_stock_and_price_pushed_to_read_skus_land_in_the_sandbox(
    lsandbox: LazadaSandbox, lazada: LazadaConnector
) -> None:
    items = list(lazada.listed_items())
    variant = next(i for i in items if len(i.models) > 1).models[-1]
    plain = next(i for i in items if len(i.models) == 1)
    owner = next(i for i in items if variant in i.models)
    stock = [StockUpdate(owner.item_id, variant.model_id, (variant.stock or 0) + 17),
             StockUpdate(plain.item_id, plain.models[0].model_id, 4)]  # fmt: skip
    assert all(r.ok for r in lazada.push_stock(stock))
    [price] = lazada.push_price([PriceUpdate(plain.item_id, plain.models[0].model_id, 77_000)])
    assert price.ok
    assert variant.model_id is not None and plain.models[0].model_id is not None
    assert lsandbox.stock_of(int(owner.item_id), int(variant.model_id)) == (variant.stock or 0) + 17
    assert lsandbox.stock_of(int(plain.item_id), int(plain.models[0].model_id)) == 4
    assert lsandbox.prices[(int(plain.item_id), int(plain.models[0].model_id))] == 77_000
    again = by_id(list(lazada.listed_items()))
    assert again[plain.item_id].models[0].stock == 4
    assert again[plain.item_id].models[0].price == 77_000


# ----------------------------------------------------------------- odd and broken answers


def mocked(pages: Callable[[httpx.Request], dict[str, Any]], lclock: FixedClock) -> LazadaConnector:
    """A connector whose `/products/get` calls `pages` answers (LazOP's envelope added)."""

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == PRODUCTS_PATH
        return httpx.Response(200, json={"code": "0", "request_id": "x",
                                         "data": pages(request)})  # fmt: skip

    tokens = TokenPair("a", "r", NOW + timedelta(hours=4), NOW + timedelta(days=9), "600")
    config = ConnectorConfig(partner_id="1", partner_key="k", api_host="http://lazada.test")
    return LazadaConnector(config, MemoryTokenStore(tokens), clock=lclock, sleep=Sleeps(),
                           transport=httpx.MockTransport(answer))  # fmt: skip


def live_only(*products: dict[str, Any]) -> Callable[[httpx.Request], dict[str, Any]]:
    def page(request: httpx.Request) -> dict[str, Any]:
        params = request.url.params
        assert (params["limit"], params["offset"]) == ("50", "0")
        rows = list(products) if params["filter"] == "live" else []
        return {"total_products": len(rows), "products": rows}

    return page


def product(*skus: dict[str, Any], **row: Any) -> dict[str, Any]:
    return {"item_id": 11, "primary_category": 3, "attributes": {"name": " Áo thun "},
            "skus": list(skus), **row}  # fmt: skip


def test_skus_without_variations_are_told_apart_by_their_seller_sku(lclock: FixedClock) -> None:
    skus = [{"SkuId": 5, "SellerSku": " AO-1 ", "price": "150000.00", "special_price": "99000.00",
             "quantity": 3, "Status": "active"},
            {"SkuId": 6, "SellerSku": "", "price": 160000, "quantity": "4"},
            {"SkuId": 7, "SellerSku": "AO-3", "price": "170000.00"}]  # fmt: skip
    with mocked(live_only(product(*skus)), lclock) as c:
        (item,) = c.listed_items()
    assert (item.item_id, item.name, item.sku, item.status) == ("11", "Áo thun", None, "live")
    assert item.option_names == ("Phân loại",)
    assert [(m.model_id, m.sku, m.options, m.price, m.stock) for m in item.models] == [
        ("5", "AO-1", ("AO-1",), 150_000, 3),
        ("6", None, ("6",), 160_000, 4),  # a blank SKU is no SKU: the SkuId tells it apart
        ("7", "AO-3", ("AO-3",), 170_000, None),  # no quantity: Lazada did not say
    ]


def test_variation_strings_give_up_to_two_options(lclock: FixedClock) -> None:
    two = product(
        {"SkuId": 1, "SellerSku": "A", "price": "1.00", "Variation": "Đỏ, M"},
        {"SkuId": 2, "SellerSku": "B", "price": "1.00", "variation": "Đỏ,L,XL"},
    )
    one = product({"SkuId": 3, "SellerSku": "C", "price": "1.00", "Variation": "Hồng"},
                  item_id=12)  # fmt: skip
    uneven = product({"SkuId": 4, "SellerSku": "D", "price": "1.00", "Variation": "Đỏ,M"},
                     {"SkuId": 5, "SellerSku": "E", "price": "1.00", "Variation": "Xanh"},
                     item_id=13)  # fmt: skip
    same = product({"SkuId": 6, "SellerSku": "F", "price": "1.00", "Variation": "Đỏ"},
                   {"SkuId": 7, "SellerSku": "G", "price": "1.00", "Variation": "Đỏ"},
                   item_id=14)  # fmt: skip
    with mocked(live_only(two, one, uneven, same), lclock) as c:
        items = list(c.listed_items())
    assert [(i.option_names, [m.options for m in i.models]) for i in items] == [
        (("Phân loại 1", "Phân loại 2"), [("Đỏ", "M"), ("Đỏ", "L,XL")]),
        (("Phân loại 1",), [("Hồng",)]),
        # Variations that do not fit together, or do not tell the SKUs apart: seller SKUs.
        (("Phân loại",), [("D",), ("E",)]),
        (("Phân loại",), [("F",), ("G",)]),
    ]


@pytest.mark.parametrize(
    ("row", "problem"),
    [(product({"SkuId": 1, "price": "1"}, item_id=None), r"item \? \(Áo thun\).*no item_id"),
     (product({"SellerSku": "A", "price": "1"}), "item 11.*no SkuId"),
     (product({"SkuId": 1, "SellerSku": "A"}), "item 11.*SKU 1 has no price"),
     (product({"SkuId": 1, "price": "nhiều"}), "item 11.*not an amount"),
     (product({"SkuId": 1, "price": "1", "quantity": "x"}), "item 11.*quantity"),
     (product(skus="none"), "item 11.*skus is not a list")],
)  # fmt: skip
def test_a_malformed_product_is_an_error_naming_it(
    lclock: FixedClock, row: dict[str, Any], problem: str
) -> None:
    with mocked(live_only(row), lclock) as c, pytest.raises(ConnectorError, match=problem):
        list(c.listed_items())


def test_an_item_listed_twice_while_the_list_shifts_comes_once(lclock: FixedClock) -> None:
    row = product({"SkuId": 1, "SellerSku": "A", "price": "1"})

    def page(request: httpx.Request) -> dict[str, Any]:
        return {"total_products": 1, "products": [row]}  # under both filters

    with mocked(page, lclock) as c:
        assert [(i.item_id, i.status) for i in c.listed_items()] == [("11", "live")]


def test_paging_stops_clearly_at_lazadas_offset_limit(lclock: FixedClock) -> None:
    offsets: list[int] = []

    def page(request: httpx.Request) -> dict[str, Any]:
        offset = int(request.url.params["offset"])
        offsets.append(offset)
        rows = [product({"SkuId": 1, "price": "1"}, item_id=offset + k + 1)
                for k in range(PRODUCTS_LIMIT)]  # fmt: skip
        return {"total_products": 20_000, "products": rows}

    with mocked(page, lclock) as c:
        items = c.listed_items()
        with pytest.raises(ConnectorError, match="more than 10000 live products.*too many"):
            for _item in items:
                pass
    assert offsets == list(range(0, PRODUCTS_MAX_OFFSET + 1, PRODUCTS_LIMIT))
