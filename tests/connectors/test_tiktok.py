"""The TikTok Shop connector against the TikTok sandbox over real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from primedist.connectors import connector_for
from primedist.connectors.base import (
    AuthError,
    ConnectorConfig,
    ConnectorError,
    MemoryTokenStore,
    NotSupported,
    PriceUpdate,
    RateLimited,
    StockUpdate,
    TransientError,
    UnreadableOrders,
)
from primedist.connectors.tiktok import (
    ORDER_DETAIL_PATH,
    ORDER_SEARCH_PATH,
    SHOPS_PATH,
    STATUS_MAP,
    TOKEN_REFRESH_PATH,
    TikTokConnector,
    group_units,
    map_order,
)
from primedist.core.clock import FixedClock
from primedist.domain.enums import Channel, OrderStatus
from primedist.sandbox.shopee import FaultKind
from primedist.sandbox.tiktok import TikTokSandbox, TikTokSandboxConfig, id_index, order_id
from tests.connectors.conftest import Sleeps

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


@pytest.fixture
def tclock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def tsandbox(tclock: FixedClock) -> Iterator[TikTokSandbox]:
    config = TikTokSandboxConfig(orders=400, history_days=40, timeout_delay=0.6,
                                 slow_delay=0.05)  # fmt: skip
    with TikTokSandbox(config, clock=tclock) as sb:
        yield sb


def make(sb: TikTokSandbox, clock: FixedClock, store: MemoryTokenStore | None,
         sleeps: Sleeps | None = None, **config: Any) -> TikTokConnector:  # fmt: skip
    settings: dict[str, Any] = {"partner_id": sb.config.app_key,
                                "partner_key": sb.config.app_secret, "api_host": sb.url,
                                "shop_external_id": sb.config.shop_id, "timeout": 0.3,
                                "max_attempts": 4}  # fmt: skip
    settings.update(config)
    return TikTokConnector(ConnectorConfig(**settings), store, clock=clock,
                           sleep=sleeps if sleeps is not None else Sleeps())  # fmt: skip


@pytest.fixture
def tstore(tsandbox: TikTokSandbox) -> MemoryTokenStore:
    return MemoryTokenStore(tsandbox.linked_tokens())


@pytest.fixture
def tconn(
    tsandbox: TikTokSandbox, tclock: FixedClock, tstore: MemoryTokenStore
) -> Iterator[TikTokConnector]:
    c = make(tsandbox, tclock, tstore)
    yield c
    c.close()


def all_changed(c: TikTokConnector, since: datetime, until: datetime) -> list[str]:
    ids, cursor = [], None
    while True:
        page = c.changed_orders(since, until, cursor)
        ids += [o.external_id for o in page.orders]
        if not page.more:
            return ids
        cursor = page.next_cursor


# ---------------------------------------------------------------- authorisation


def test_connector_for_gives_the_tiktok_connector(tsandbox: TikTokSandbox) -> None:
    cfg = ConnectorConfig(partner_id="k", partner_key="s", api_host=tsandbox.url)
    c = connector_for(Channel.TIKTOK, cfg)
    try:
        assert isinstance(c, TikTokConnector)
    finally:
        c.close()


def test_the_consent_link_redirects_with_a_code_that_links_the_shop(
    tsandbox: TikTokSandbox, tclock: FixedClock
) -> None:
    with make(tsandbox, tclock, None) as c:
        link = c.authorization_url("http://127.0.0.1:9/tiktok?x=1")
        answer = httpx.get(link)
        assert answer.status_code == 302
        back = urlsplit(answer.headers["Location"])
        assert f"{back.scheme}://{back.netloc}{back.path}" == "http://127.0.0.1:9/tiktok"
        code = parse_qs(back.query)["code"][0]
        pair = c.exchange_code(code, "")  # the redirect has no shop id: the token says
        assert pair.shop_external_id == tsandbox.config.shop_id
        assert pair.access_expires_at == NOW + timedelta(days=7)
        assert pair.refresh_expires_at == NOW + timedelta(days=365)
        with pytest.raises(AuthError, match="Authorise the shop again"):
            c.exchange_code(code, "")  # single use


def test_a_code_for_another_shop_is_refused_by_name(
    tsandbox: TikTokSandbox, tclock: FixedClock
) -> None:
    with make(tsandbox, tclock, None) as c, pytest.raises(AuthError, match="shop 42"):
        c.exchange_code(tsandbox.authorize(), "42")


def test_a_wrong_app_secret_needs_re_authorisation(
    tsandbox: TikTokSandbox, tclock: FixedClock, tstore: MemoryTokenStore
) -> None:
    with make(tsandbox, tclock, None, partner_key="wrong") as c, pytest.raises(AuthError):
        c.exchange_code(tsandbox.authorize(), "")
    with make(tsandbox, tclock, tstore, partner_key="wrong") as c:
        with pytest.raises(AuthError, match="Invalid sign"):
            c.shop_info()


def test_expired_access_token_is_refreshed_once_and_saved(
    tconn: TikTokConnector, tsandbox: TikTokSandbox, tstore: MemoryTokenStore,
    tclock: FixedClock,
) -> None:  # fmt: skip
    first = tstore.load()
    assert first is not None
    tclock.advance(timedelta(days=7, minutes=1))
    assert tconn.changed_orders(NOW, NOW + timedelta(days=7)).orders
    assert tstore.saves == 1
    fresh = tstore.load()
    assert fresh is not None and fresh.refresh_token != first.refresh_token
    # The old refresh token died with the refresh: the sandbox refuses it.
    with pytest.raises(AuthError):
        tconn.refresh_tokens(first)


def test_a_token_the_platform_refuses_is_refreshed_then_the_call_repeated(
    tconn: TikTokConnector, tsandbox: TikTokSandbox, tstore: MemoryTokenStore
) -> None:
    tsandbox.inject(FaultKind.EXPIRED_TOKEN, path=ORDER_SEARCH_PATH)
    assert tconn.changed_orders(NOW - timedelta(days=2), NOW).orders
    assert tstore.saves == 1
    assert tsandbox.request_count(TOKEN_REFRESH_PATH) == 1


def test_revoked_authorisation_is_an_auth_error(
    tconn: TikTokConnector, tsandbox: TikTokSandbox
) -> None:
    tsandbox.revoke()
    with pytest.raises(AuthError, match="(?i)authorise the shop again"):
        tconn.changed_orders(NOW - timedelta(days=1), NOW)


def test_shop_info_names_the_shop_and_the_end_of_the_authorisation(
    tconn: TikTokConnector, tsandbox: TikTokSandbox
) -> None:
    info = tconn.shop_info()
    assert (info.external_id, info.name, info.region) == (
        tsandbox.config.shop_id, tsandbox.config.shop_name, "VN",
    )  # fmt: skip
    assert info.auth_expires_at == NOW + timedelta(seconds=tsandbox.config.refresh_ttl)


# ---------------------------------------------------------------- orders


def test_paging_by_page_token_lists_every_order_once(
    tsandbox: TikTokSandbox, tclock: FixedClock, tstore: MemoryTokenStore
) -> None:
    with make(tsandbox, tclock, tstore, page_size=37) as c:
        ids = all_changed(c, NOW - timedelta(days=30), NOW)
    assert len(ids) == len(set(ids))
    since = int((NOW - timedelta(days=30)).timestamp())
    expected = {oid for oid in tsandbox.order_ids()
                if (s := tsandbox.order_state(oid)) and s[1] >= since}  # fmt: skip
    assert set(ids) == expected and len(ids) > 37 * 3
    # The cipher was asked for once, not per call.
    assert tsandbox.request_count(SHOPS_PATH) == 1


def test_details_map_status_money_and_group_units(tconn: TikTokConnector,
                                                  tsandbox: TikTokSandbox) -> None:  # fmt: skip
    ids = tsandbox.order_ids()[:50]
    orders = tconn.order_details(ids)
    assert [o.external_id for o in orders] == ids
    for o in orders:
        raw_status, updated = tsandbox.order_state(o.external_id) or ("", 0)
        assert o.status == STATUS_MAP[raw_status] and o.raw_status == raw_status
        assert int(o.updated_at.timestamp()) == updated
        assert o.total == o.computed_total()
        assert o.subtotal == sum(line.subtotal for line in o.lines)
    # Some order bought two units of one SKU: one line with quantity 2, not two lines.
    multi = [line for o in orders for line in o.lines if line.quantity > 1]
    assert multi
    skus = [line.model_id for o in orders for line in o.lines]
    assert all(skus)


def test_units_of_one_sku_become_one_line_with_their_discounts() -> None:
    unit = {"sku_id": "11", "seller_sku": "A-1", "product_id": "9", "product_name": "Áo",
            "sku_name": "Đỏ,M", "original_price": "150000", "sale_price": "120000",
            "seller_discount": "30000", "platform_discount": "0"}  # fmt: skip
    other = {**unit, "sku_id": "12", "seller_sku": "A-2", "sale_price": "150000",
             "seller_discount": "0"}  # fmt: skip
    lines = group_units([unit, other, unit])
    assert [(ln.model_id, ln.quantity, ln.unit_price, ln.discount) for ln in lines] == [
        ("11", 2, 150_000, 60_000), ("12", 1, 150_000, 0),
    ]  # fmt: skip


def test_a_broken_order_is_named_and_its_batch_still_arrives(
    tconn: TikTokConnector, tsandbox: TikTokSandbox
) -> None:
    ids = tsandbox.order_ids()[:10]
    tsandbox.inject(FaultKind.CORRUPT, path=ORDER_DETAIL_PATH)
    with pytest.raises(UnreadableOrders) as caught:
        tconn.order_details(ids)
    assert list(caught.value.problems) == [ids[0]]
    assert "original_price" in caught.value.problems[ids[0]]
    assert [o.external_id for o in caught.value.good] == ids[1:]


def test_a_bad_amount_is_named() -> None:
    raw = {"id": "576000000000000001", "status": "COMPLETED", "create_time": 1,
           "update_time": 2, "payment": {"total_amount": "12,5k"}, "line_items": []}  # fmt: skip
    with pytest.raises(ConnectorError, match=r"576000000000000001.*payment.total_amount"):
        map_order(raw)


def test_order_state_and_an_unknown_order(tconn: TikTokConnector,
                                          tsandbox: TikTokSandbox) -> None:  # fmt: skip
    oid = tsandbox.order_ids()[5]
    state = tconn.order_state(oid)
    assert state is not None and state.raw_status == (tsandbox.order_state(oid) or ("",))[0]
    assert tconn.order_state(order_id(399_999)) is None
    assert id_index(oid) == 5


# ---------------------------------------------------------------- faults


@pytest.mark.parametrize(
    "kind", [FaultKind.RATE_LIMIT, FaultKind.HTTP_500, FaultKind.DROP, FaultKind.TIMEOUT]
)
def test_passing_faults_are_retried_with_backoff(
    tsandbox: TikTokSandbox, tclock: FixedClock, tstore: MemoryTokenStore, kind: FaultKind
) -> None:
    sleeps = Sleeps()
    with make(tsandbox, tclock, tstore, sleeps) as c:
        c.changed_orders(NOW - timedelta(hours=1), NOW)  # the cipher first
        tsandbox.inject(kind, count=2, path=ORDER_DETAIL_PATH)
        assert c.order_details(tsandbox.order_ids()[:3])
    assert len(sleeps) == 2


def test_a_lasting_fault_gives_up_with_the_right_class(
    tsandbox: TikTokSandbox, tclock: FixedClock, tstore: MemoryTokenStore
) -> None:
    with make(tsandbox, tclock, tstore) as c:
        c.changed_orders(NOW - timedelta(hours=1), NOW)
        tsandbox.inject(FaultKind.RATE_LIMIT, count=10, path=ORDER_DETAIL_PATH)
        with pytest.raises(RateLimited):
            c.order_details(tsandbox.order_ids()[:3])
        tsandbox.clear_faults()
        tsandbox.inject(FaultKind.HTTP_500, count=10, path=ORDER_DETAIL_PATH)
        with pytest.raises(TransientError, match="HTTP 500"):
            c.order_details(tsandbox.order_ids()[:3])


def test_a_wrong_clock_is_named(tsandbox: TikTokSandbox, tstore: MemoryTokenStore) -> None:
    late = FixedClock(NOW + timedelta(minutes=1))  # TikTok allows only 30 s ahead
    with make(tsandbox, late, tstore) as c, pytest.raises(ConnectorError, match="clock"):
        c.changed_orders(NOW - timedelta(hours=1), NOW)


def test_the_daily_limit_fault_does_not_exist_on_tiktok(tsandbox: TikTokSandbox) -> None:
    with pytest.raises(ValueError, match="no daily"):
        tsandbox.inject(FaultKind.DAILY_LIMIT)


# ---------------------------------------------------------------- pushes and actions


def test_stock_and_price_pushes_with_partial_failure(
    tconn: TikTokConnector, tsandbox: TikTokSandbox
) -> None:
    (p1, s1), (p2, s2) = list(tsandbox.prices)[:2]
    results = tconn.push_stock([
        StockUpdate(p1, s1, 7), StockUpdate(p1, "999", 1), StockUpdate(p2, s2, 0),
        StockUpdate("abc", "1", 3), StockUpdate(p1, None, 2),
    ])  # fmt: skip
    assert [r.ok for r in results] == [True, False, True, False, False]
    assert tsandbox.stock == {(p1, s1): 7, (p2, s2): 0}
    assert "SKU not found" in str([r.message for r in results if r.model_id == "999"])
    prices = tconn.push_price([PriceUpdate(p1, s1, 99_000)])
    assert prices[0].ok and tsandbox.prices[(p1, s1)] == 99_000
    unknown = tconn.push_price([PriceUpdate("123", "1", 5)])
    assert not unknown[0].ok and "does not exist" in (unknown[0].message or "")


def test_order_actions_are_not_supported_yet(tconn: TikTokConnector) -> None:
    for call in (lambda: tconn.confirm_order("1"), lambda: tconn.ship_order("1"),
                 lambda: tconn.cancel_order("1", "hết hàng")):  # fmt: skip
        with pytest.raises(NotSupported, match="Seller Center"):
            call()


def test_mapped_statuses_cover_the_documented_ones() -> None:
    documented = {
        "UNPAID",
        "ON_HOLD",
        "AWAITING_SHIPMENT",
        "PARTIALLY_SHIPPING",
        "AWAITING_COLLECTION",
        "IN_TRANSIT",
        "DELIVERED",
        "COMPLETED",
        "CANCELLED",
    }
    assert set(STATUS_MAP) == documented
    assert STATUS_MAP["COMPLETED"] == OrderStatus.COMPLETED


# ---------------------------------------------------------------- partial orders


def _raw(status: str = "AWAITING_SHIPMENT", **more: Any) -> dict[str, Any]:
    unit = {"sku_id": "A", "seller_sku": "A", "product_name": "A", "original_price": "100000",
            "sale_price": "100000", "display_status": status}  # fmt: skip
    return {"id": "576000000000000001", "status": status, "create_time": 1793000000,
            "update_time": 1793000100, "is_cod": True,
            "payment": {"shipping_fee": "10000", "total_amount": "110000"},
            "line_items": [{**unit, "id": "1"},
                           {**unit, "id": "2", "sku_id": "B", "seller_sku": "B",
                            "product_name": "B", "original_price": "50000",
                            "sale_price": "50000", "display_status": "CANCELLED"}],
            **more}  # fmt: skip


def test_cancelled_units_of_a_live_order_are_no_line_and_no_discount() -> None:
    order = map_order(_raw(cancel_reason="Hết hàng"))
    assert [(ln.sku, ln.quantity, ln.subtotal) for ln in order.lines] == [("A", 1, 100000)]
    assert (order.subtotal, order.shipping_fee, order.total) == (100000, 10000, 110000)
    assert order.marketplace_discount == 0  # not the cancelled unit booked as TikTok's
    assert order.cancel_reason is None and order.status == OrderStatus.PENDING
    # Every unit cancelled: the order keeps its lines and value.
    gone = _raw("CANCELLED", cancel_reason="Hết hàng")
    gone["payment"]["total_amount"] = "0"
    cancelled = map_order(gone)
    assert cancelled.item_count == 2 and cancelled.cancel_reason == "Hết hàng"


def test_a_cancelled_prepaid_order_was_not_paid_to_the_shop() -> None:
    prepaid = {"is_cod": False, "paid_time": 1793000050}
    assert map_order(_raw("CANCELLED", **prepaid)).paid_amount == 0
    live = map_order(_raw("AWAITING_COLLECTION", **prepaid))
    assert live.paid_amount == live.total == 110000


def test_a_partly_cancelled_order_and_a_long_tracking_number_over_http(
    tconn: TikTokConnector, tsandbox: TikTokSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sandbox cancels one unit of an order with several (TikTok's total leaves it
    out) and gives a 40-character tracking number (our column holds 64)."""
    ids = tsandbox.order_ids()[:50]
    before = {o.external_id: o for o in tconn.order_details(ids)}
    oid = next(i for i in ids if before[i].item_count > 1
               and before[i].status != OrderStatus.CANCELLED)  # fmt: skip
    real = TikTokSandbox._detail
    tracking = "SPXVN" + "0123456789" * 3 + "ABCDE"

    def detail(self: TikTokSandbox, i: int, order: str, state: tuple[str, int]) -> dict[str, Any]:
        row = real(self, i, order, state)
        if order == oid:
            unit = row["line_items"][-1]
            unit["display_status"] = "CANCELLED"
            pay = row["payment"]
            pay["total_amount"] = str(int(pay["total_amount"]) - int(unit["sale_price"]))
            row["tracking_number"] = tracking
        return row

    monkeypatch.setattr(TikTokSandbox, "_detail", detail)
    after = tconn.order_details([oid])[0]
    assert after.item_count == before[oid].item_count - 1
    assert after.marketplace_discount == before[oid].marketplace_discount
    assert after.total == after.computed_total() < before[oid].total
    assert after.tracking_number == tracking and len(tracking) == 40
