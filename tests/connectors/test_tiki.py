"""The Tiki connector against the Tiki sandbox over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
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
from primedist.connectors.tiki import (
    ORDERS_PATH,
    SELLER_PATH,
    STATUS_MAP,
    TOKEN_PATH,
    TikiConnector,
    basic_auth,
    map_order,
    parse_tiki_time,
    tiki_time,
)
from primedist.core.clock import FixedClock
from primedist.domain.enums import Channel, OrderStatus, PaymentMethod
from primedist.sandbox.shopee import FaultKind
from primedist.sandbox.tiki import ORDER_PREFIX, TikiSandbox, TikiSandboxConfig, order_code
from tests.connectors.conftest import Sleeps

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
VECTOR = next(
    v
    for v in json.loads((Path(__file__).parent / "tiktok_vectors.json").read_text("utf-8"))
    if v["id"] == "tiki-oauth2-basic-auth"
)


@pytest.fixture
def kclock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def ksandbox(kclock: FixedClock) -> Iterator[TikiSandbox]:
    config = TikiSandboxConfig(orders=400, history_days=40, timeout_delay=1.5, slow_delay=0.05)
    with TikiSandbox(config, clock=kclock) as sb:
        yield sb


def make(sb: TikiSandbox, clock: FixedClock, store: MemoryTokenStore | None,
         sleeps: Sleeps | None = None, **config: Any) -> TikiConnector:  # fmt: skip
    settings: dict[str, Any] = {"partner_id": sb.config.client_id,
                                "partner_key": sb.config.client_secret, "api_host": sb.url,
                                "shop_external_id": sb.config.seller_id, "timeout": 5.0,
                                "max_attempts": 4}  # fmt: skip
    settings.update(config)
    return TikiConnector(ConnectorConfig(**settings), store, clock=clock,
                         sleep=sleeps if sleeps is not None else Sleeps())  # fmt: skip


@pytest.fixture
def kstore(ksandbox: TikiSandbox) -> MemoryTokenStore:
    return MemoryTokenStore(ksandbox.linked_tokens())


@pytest.fixture
def kconn(
    ksandbox: TikiSandbox, kclock: FixedClock, kstore: MemoryTokenStore
) -> Iterator[TikiConnector]:
    c = make(ksandbox, kclock, kstore)
    yield c
    c.close()


def all_changed(c: TikiConnector, since: datetime, until: datetime) -> list[str]:
    ids, cursor = [], None
    while True:
        page = c.changed_orders(since, until, cursor)
        ids += [o.external_id for o in page.orders]
        if not page.more:
            return ids
        cursor = page.next_cursor


def consent(c: TikiConnector, redirect: str = "http://127.0.0.1:9/tiki?x=1") -> str:
    """The seller opens the consent link; the code of the redirect."""
    answer = httpx.get(c.authorization_url(redirect))
    assert answer.status_code == 302
    back = urlsplit(answer.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == redirect.split("?")[0]
    return parse_qs(back.query)["code"][0]


# ---------------------------------------------------------------- authorisation


def test_basic_client_auth_matches_the_docs_vector() -> None:
    i = VECTOR["inputs"]
    assert basic_auth(i["client_id"], i["client_secret"]) == VECTOR["expected"]
    request = httpx.Request("POST", "http://x/")
    signed = next(httpx.BasicAuth(i["client_id"], i["client_secret"]).auth_flow(request))
    assert signed.headers["Authorization"] == VECTOR["expected"]


def test_connector_for_gives_the_tiki_connector(ksandbox: TikiSandbox) -> None:
    cfg = ConnectorConfig(partner_id="id", partner_key="secret", api_host=ksandbox.url)
    c = connector_for(Channel.TIKI, cfg)
    try:
        assert isinstance(c, TikiConnector)
    finally:
        c.close()


def test_consent_then_code_links_the_seller_named_by_sellers_me(
    ksandbox: TikiSandbox, kclock: FixedClock
) -> None:
    with make(ksandbox, kclock, None) as c:
        link = urlsplit(c.authorization_url("http://127.0.0.1:9/tiki"))
        query = parse_qs(link.query)
        assert link.path == "/sc/oauth2/auth" and query["response_type"] == ["code"]
        assert "offline" in query["scope"][0].split()
        code = consent(c)
    # Another connector trades the code (linking makes the link and trades the code apart).
    with make(ksandbox, kclock, None) as c:
        pair = c.exchange_code(code, "")  # the redirect names no seller: /sellers/me does
        assert pair.shop_external_id == ksandbox.config.seller_id
        assert pair.access_expires_at == NOW + timedelta(hours=1) and pair.refresh_token
        form = ksandbox.token_requests[-1]
        assert form["grant_type"] == "authorization_code"
        assert form["redirect_uri"] == "http://127.0.0.1:9/tiki?x=1"
        assert "client_secret" not in form  # Basic auth, not client_secret_post
        assert ksandbox.request_count(SELLER_PATH) == 1
        with pytest.raises(AuthError, match="invalid_grant.*Authorise the shop again"):
            c.exchange_code(code, "")  # single use


def test_a_code_for_another_seller_is_refused_by_name(
    ksandbox: TikiSandbox, kclock: FixedClock
) -> None:
    with make(ksandbox, kclock, None) as c, pytest.raises(AuthError, match="not the shop 42"):
        c.exchange_code(ksandbox.authorize(), "42")


def test_a_code_made_for_another_redirect_is_refused(
    ksandbox: TikiSandbox, kclock: FixedClock
) -> None:
    with make(ksandbox, kclock, None) as c:
        c.authorization_url("http://127.0.0.1:9/here")
        with pytest.raises(AuthError, match="redirect_uri does not match"):
            c.exchange_code(ksandbox.authorize("http://127.0.0.1:9/elsewhere"), "")


def test_a_wrong_client_secret_needs_re_authorisation(
    ksandbox: TikiSandbox, kclock: FixedClock, kstore: MemoryTokenStore
) -> None:
    with make(ksandbox, kclock, None, partner_key="wrong") as c:
        with pytest.raises(AuthError, match="invalid_client"):
            c.exchange_code(ksandbox.authorize(), "")
    kclock.advance(timedelta(hours=2))  # the token must be refreshed: with the wrong secret
    with make(ksandbox, kclock, kstore, partner_key="wrong") as c:
        with pytest.raises(AuthError, match="invalid_client"):
            c.shop_info()
    assert kstore.saves == 0


def test_without_the_offline_scope_there_is_no_refresh(
    ksandbox: TikiSandbox, kclock: FixedClock
) -> None:
    with make(ksandbox, kclock, None) as c:
        pair = c.exchange_code(ksandbox.authorize(offline=False), "")
        assert pair.refresh_token == ""
        with pytest.raises(AuthError, match="offline"):
            c.refresh_tokens(pair)


def test_an_expired_access_token_is_refreshed_once_and_saved(
    kconn: TikiConnector, ksandbox: TikiSandbox, kstore: MemoryTokenStore, kclock: FixedClock
) -> None:
    first = kstore.load()
    assert first is not None
    kclock.advance(timedelta(hours=1))
    assert kconn.changed_orders(NOW - timedelta(days=7), NOW).orders
    assert kstore.saves == 1
    fresh = kstore.load()
    assert fresh is not None and fresh.refresh_token != first.refresh_token
    assert [f["grant_type"] for f in ksandbox.token_requests] == ["refresh_token"]
    with pytest.raises(AuthError):  # the old refresh token died with the refresh
        kconn.refresh_tokens(first)


def test_a_token_tiki_refuses_is_refreshed_then_the_call_repeated(
    kconn: TikiConnector, ksandbox: TikiSandbox, kstore: MemoryTokenStore
) -> None:
    ksandbox.inject(FaultKind.EXPIRED_TOKEN, path=ORDERS_PATH)
    assert kconn.changed_orders(NOW - timedelta(days=2), NOW).orders
    assert kstore.saves == 1
    assert ksandbox.request_count(TOKEN_PATH) == 1


def test_revoked_authorisation_is_an_auth_error(
    kconn: TikiConnector, ksandbox: TikiSandbox
) -> None:
    ksandbox.revoke()
    with pytest.raises(AuthError, match="(?i)authorise the shop again"):
        kconn.changed_orders(NOW - timedelta(days=1), NOW)


def test_a_permission_taken_back_needs_re_authorisation(
    kconn: TikiConnector, ksandbox: TikiSandbox, kstore: MemoryTokenStore
) -> None:
    ksandbox.forbid()
    with pytest.raises(AuthError, match="has not granted.*authorise the shop again"):
        kconn.changed_orders(NOW - timedelta(days=1), NOW)
    assert kstore.saves == 0 and ksandbox.request_count(TOKEN_PATH) == 0  # no refresh


def test_shop_info_names_the_seller(kconn: TikiConnector, ksandbox: TikiSandbox) -> None:
    info = kconn.shop_info()
    assert (info.external_id, info.name, info.region, info.status) == (
        ksandbox.config.seller_id, ksandbox.config.seller_name, "VN", "NORMAL",
    )  # fmt: skip
    assert info.auth_expires_at is None  # Tiki does not say when a refresh token ends


# ---------------------------------------------------------------- orders


def test_tiki_dates_are_vietnamese_wall_clock_time() -> None:
    assert tiki_time(NOW) == "2026-11-20 10:00:00"
    assert parse_tiki_time("2026-11-20 10:00:00") == NOW
    assert parse_tiki_time("2026-11-20T03:00:00+00:00") == NOW
    with pytest.raises(ValueError, match="not a date"):
        parse_tiki_time("20/11/2026")


def test_paging_lists_every_order_once_and_details_need_no_more_calls(
    ksandbox: TikiSandbox, kclock: FixedClock, kstore: MemoryTokenStore
) -> None:
    with make(ksandbox, kclock, kstore, page_size=37) as c:
        ids = all_changed(c, NOW - timedelta(days=30), NOW)
        since = int((NOW - timedelta(days=30)).timestamp())
        expected = {code for code in ksandbox.order_codes()
                    if (s := ksandbox.order_state(code)) and s[1] >= since}  # fmt: skip
        assert set(ids) == expected and len(expected) > 37 * 3
        unique = list(dict.fromkeys(ids))  # a page's last second is listed again
        assert len(ids) - len(unique) < len(ids) // 10
        assert len(c.order_details(unique[:50])) == 50
    # The list carries whole orders: no call per order.
    assert ksandbox.request_count() == ksandbox.request_count(ORDERS_PATH)


def test_a_page_of_orders_updated_in_one_second_moves_on_by_page_number(
    kclock: FixedClock, kstore: MemoryTokenStore
) -> None:
    second = NOW - timedelta(seconds=1)  # 90 orders created (and updated) in one second
    config = TikiSandboxConfig(orders=90, period=(second, second + timedelta(seconds=1)))
    with TikiSandbox(config, clock=kclock) as sb:
        store = MemoryTokenStore(sb.linked_tokens())
        with make(sb, kclock, store, page_size=30) as c:
            first = c.changed_orders(NOW - timedelta(hours=1), NOW)
            start = int(second.timestamp())
            assert first.next_cursor == f"{start}:1"  # the window starts at that second
            then = c.changed_orders(NOW - timedelta(hours=1), NOW, first.next_cursor)
            assert then.next_cursor == f"{start}:2"  # a whole page in it: the next page
            ids = all_changed(c, NOW - timedelta(hours=1), NOW)
        assert set(ids) == set(sb.order_codes()) and len(set(ids)) == 90
        assert len(ids) == 120  # the first page came again, once, with the moved start


def test_details_map_status_money_and_lines(kconn: TikiConnector, ksandbox: TikiSandbox) -> None:
    codes = ksandbox.order_codes()[:50]
    orders = kconn.order_details(codes)  # not listed first: one call per order
    assert [o.external_id for o in orders] == codes
    assert ksandbox.request_count(ORDERS_PATH) == 0
    for o in orders:
        raw_status, updated = ksandbox.order_state(o.external_id) or ("", 0)
        assert o.status == STATUS_MAP[raw_status] and o.raw_status == raw_status
        assert int(o.updated_at.timestamp()) == updated
        assert o.total == o.computed_total() and o.subtotal == sum(x.subtotal for x in o.lines)
    assert any(line.quantity > 1 for o in orders for line in o.lines)
    assert any(o.marketplace_discount for o in orders)  # Tiki's coupons
    assert {o.payment_method for o in orders} >= {PaymentMethod.COD, PaymentMethod.E_WALLET}


def test_order_money_adds_up_from_tikis_fields() -> None:
    raw = {"order_code": "123456789", "status": "complete", "payment_method": "momo",
           "purchased_at": "2026-11-01 08:00:00", "updated_at": "2026-11-03 09:30:00",
           "total_price_before_discount": 300_000, "total_price_after_discount": 280_000,
           "shipping": {"shipping_fee": 15_000, "name": "Lê Văn A", "phone": "0901234567"},
           "items": [{"product_id": 9, "sku": "111", "original_sku": "AO-DO-M", "qty": 2,
                      "price": 150_000, "original_price": "170000",
                      "product_name": "Áo"}]}  # fmt: skip
    o = map_order(raw)
    assert (o.subtotal, o.shipping_fee, o.marketplace_discount, o.total) == (
        300_000, 15_000, 20_000, 295_000)  # fmt: skip
    line = o.lines[0]
    assert (line.sku, line.quantity, line.unit_price, line.discount) == (
        "AO-DO-M", 2, 170_000, 40_000)  # fmt: skip
    assert o.status == OrderStatus.COMPLETED and o.paid_amount == 295_000
    assert o.created_at == datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
    assert o.completed_at == o.updated_at


def test_a_bad_amount_is_named() -> None:
    raw = {"order_code": "123456789", "status": "queueing", "updated_at": "2026-11-01 08:00:00",
           "purchased_at": "2026-11-01 08:00:00",
           "items": [{"qty": 1, "price": "12,5k"}]}  # fmt: skip
    with pytest.raises(ConnectorError, match=r"123456789.*items\[0\]\.price"):
        map_order(raw)


def test_a_broken_order_is_named_and_its_batch_still_arrives(
    kconn: TikiConnector, ksandbox: TikiSandbox
) -> None:
    ksandbox.inject(FaultKind.CORRUPT, path=ORDERS_PATH)
    page = kconn.changed_orders(NOW - timedelta(days=3), NOW)
    ids = [o.external_id for o in page.orders][:10]
    with pytest.raises(UnreadableOrders) as caught:
        kconn.order_details(ids)
    assert list(caught.value.problems) == [ids[0]]
    assert "price" in caught.value.problems[ids[0]]
    assert [o.external_id for o in caught.value.good] == ids[1:]


def test_order_state_and_an_unknown_order(kconn: TikiConnector, ksandbox: TikiSandbox) -> None:
    code = ksandbox.order_codes()[5]
    state = kconn.order_state(code)
    assert state is not None and state.raw_status == (ksandbox.order_state(code) or ("",))[0]
    assert kconn.order_state(order_code(399_999)) is None
    assert kconn.order_details([order_code(399_998)]) == []


def test_a_window_longer_than_a_month_is_refused(kconn: TikiConnector) -> None:
    with pytest.raises(ValueError, match="30 days"):
        kconn.changed_orders(NOW - timedelta(days=31), NOW)


# ---------------------------------------------------------------- faults


@pytest.mark.parametrize(
    "kind", [FaultKind.RATE_LIMIT, FaultKind.HTTP_500, FaultKind.DROP, FaultKind.TIMEOUT]
)
def test_passing_faults_are_retried_with_backoff(
    ksandbox: TikiSandbox, kclock: FixedClock, kstore: MemoryTokenStore, kind: FaultKind
) -> None:
    sleeps = Sleeps()
    with make(ksandbox, kclock, kstore, sleeps, timeout=0.7) as c:  # the fault holds 1.5 s
        ksandbox.inject(kind, count=2, path=ORDER_PREFIX)
        assert c.order_details(ksandbox.order_codes()[:3])
    assert len(sleeps) == 2
    if kind == FaultKind.RATE_LIMIT:  # Retry-After: 1 is honoured
        assert min(sleeps) >= 1


def test_a_lasting_fault_gives_up_with_the_right_class(
    kconn: TikiConnector, ksandbox: TikiSandbox
) -> None:
    ksandbox.inject(FaultKind.RATE_LIMIT, count=10, path=ORDERS_PATH)
    with pytest.raises(RateLimited):
        kconn.changed_orders(NOW - timedelta(days=1), NOW)
    ksandbox.clear_faults()
    ksandbox.inject(FaultKind.HTTP_500, count=10, path=ORDERS_PATH)
    with pytest.raises(TransientError, match="HTTP 500"):
        kconn.changed_orders(NOW - timedelta(days=1), NOW)


def test_a_dead_network_is_a_transient_error(kclock: FixedClock) -> None:
    with TikiSandbox(TikiSandboxConfig(orders=5), clock=kclock) as sb:
        c = make(sb, kclock, MemoryTokenStore(sb.linked_tokens()), max_attempts=2)
    with c, pytest.raises(TransientError, match="Cannot reach Tiki"):
        c.changed_orders(NOW - timedelta(days=1), NOW)


def test_the_daily_limit_fault_does_not_exist_on_tiki(ksandbox: TikiSandbox) -> None:
    with pytest.raises(ValueError, match="no daily"):
        ksandbox.inject(FaultKind.DAILY_LIMIT)


# ---------------------------------------------------------------- actions


def test_actions_are_not_supported_yet(kconn: TikiConnector) -> None:
    assert kconn.capabilities == frozenset()
    calls = (lambda: kconn.confirm_order("1"), lambda: kconn.ship_order("1"),
             lambda: kconn.cancel_order("1", "hết hàng"),
             lambda: kconn.push_stock([StockUpdate("1", "2", 3)]),
             lambda: kconn.push_price([PriceUpdate("1", "2", 3)]))  # fmt: skip
    for call in calls:
        with pytest.raises(NotSupported, match="Tiki Seller Center"):
            call()


def test_mapped_statuses_cover_the_documented_ones() -> None:
    documented = {
        "queueing", "processing", "waiting_payment", "handover_to_partner", "closed",
        "packaging", "picking", "shipping", "paid", "delivered", "successful_delivery",
        "complete", "canceled", "holded", "ready_to_ship", "payment_review", "returned",
        "finished_packing", "seller_confirmed", "seller_canceled",
    }  # fmt: skip
    assert set(STATUS_MAP) == documented
    assert STATUS_MAP["complete"] == OrderStatus.COMPLETED
    assert STATUS_MAP["canceled"] == OrderStatus.CANCELLED
    assert STATUS_MAP["returned"] == OrderStatus.RETURNED


def test_a_cancelled_prepaid_order_was_not_paid_to_the_shop() -> None:
    """Tiki gives the buyer the money back, whoever cancelled."""
    raw = {"order_code": "123456789", "payment_method": "momo",
           "purchased_at": "2026-11-01 08:00:00", "updated_at": "2026-11-03 09:30:00",
           "items": [{"sku": "111", "original_sku": "A", "qty": 1, "price": 150_000,
                      "product_name": "Áo"}]}  # fmt: skip
    for status in ("canceled", "seller_canceled"):
        order = map_order({**raw, "status": status})
        assert order.status == OrderStatus.CANCELLED and order.paid_amount == 0
    assert map_order({**raw, "status": "processing"}).paid_amount == 150_000


def test_a_long_tracking_number_is_kept_over_http(
    kconn: TikiConnector, ksandbox: TikiSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 40-character tracking code arrives whole (our column holds 64, not a phone's 32)."""
    code = ksandbox.order_codes()[0]
    tracking = "TKVN" + "0123456789" * 3 + "ABCDEF"
    real = TikiSandbox._detail

    def detail(self: TikiSandbox, i: int, state: tuple[str, int]) -> dict[str, Any]:
        row = real(self, i, state)
        row["shipping"]["tracking_code"] = tracking
        return row

    monkeypatch.setattr(TikiSandbox, "_detail", detail)
    order = kconn.order_details([code])[0]
    assert order.tracking_number == tracking and len(tracking) == 40
