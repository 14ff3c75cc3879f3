"""Every sandbox fault at the connector: retried with backoff, or a clear final error."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from primedist.connectors.base import (
    ConnectorConfig,
    DailyLimitReached,
    RateLimited,
    TransientError,
)
from primedist.connectors.shopee import ORDER_DETAIL_PATH, ORDER_LIST_PATH, ShopeeConnector
from primedist.sandbox import FaultKind, SandboxConfig, ShopeeSandbox

from .conftest import NOW, Sleeps, make_connector

RETRIED = [FaultKind.RATE_LIMIT, FaultKind.HTTP_500, FaultKind.TIMEOUT, FaultKind.DROP]


@pytest.mark.parametrize("kind", RETRIED, ids=str)
def test_passing_faults_are_retried_with_backoff(sandbox, connector, sleeps, kind):
    expected = connector.changed_orders(NOW - timedelta(days=1), NOW)
    sandbox.inject(kind, count=2, path=ORDER_LIST_PATH)
    page = connector.changed_orders(NOW - timedelta(days=1), NOW)
    assert page == expected
    assert len(sleeps) == 2
    assert sandbox.request_count(ORDER_LIST_PATH) == 4


@pytest.mark.parametrize("kind", RETRIED, ids=str)
def test_a_lasting_fault_gives_up_after_max_attempts(sandbox, connector, sleeps, kind):
    sandbox.inject(kind, count=10, path=ORDER_DETAIL_PATH)
    with pytest.raises(TransientError) as caught:
        connector.order_details(sandbox.order_sns()[:3])
    assert sandbox.request_count(ORDER_DETAIL_PATH) == 4 == len(sleeps) + 1
    assert isinstance(caught.value, RateLimited) == (kind == FaultKind.RATE_LIMIT)
    assert caught.value.retryable
    message = caught.value.user_message
    assert {FaultKind.RATE_LIMIT: "Too many requests", FaultKind.HTTP_500: "HTTP 500",
            FaultKind.TIMEOUT: "did not answer within 0.3 s",
            FaultKind.DROP: "Cannot reach Shopee"}[kind] in message  # fmt: skip


def test_slow_answers_within_the_timeout_are_just_slow(sandbox, connector, sleeps):
    sandbox.inject(FaultKind.SLOW, count=3)
    assert len(connector.order_details(sandbox.order_sns()[:5])) == 5
    assert sleeps == []


def test_expired_token_fault_refreshes_and_goes_on(sandbox, connector, store, sleeps):
    sandbox.inject(FaultKind.EXPIRED_TOKEN, path=ORDER_LIST_PATH)
    page = connector.changed_orders(NOW - timedelta(days=1), NOW)
    assert page.orders and store.saves == 1 and sleeps == []


def test_daily_limit_pauses_the_shop_until_midnight_utc8(sandbox, sclock, connector, sleeps):
    sandbox.inject(FaultKind.DAILY_LIMIT, path=ORDER_LIST_PATH)
    with pytest.raises(DailyLimitReached) as caught:
        connector.changed_orders(NOW - timedelta(days=1), NOW)
    resume = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # NOW is 11:00 in UTC+8
    assert caught.value.resume_at == resume and not caught.value.retryable
    assert "16:00 UTC" in caught.value.user_message and sleeps == []
    calls = sandbox.request_count()
    with pytest.raises(DailyLimitReached):
        connector.shop_info()
    assert sandbox.request_count() == calls  # paused: no call made
    sclock.set(resume)
    connector.ensure_fresh_tokens()
    assert connector.shop_info().name


def test_the_sandbox_counts_its_daily_quota(sclock):
    with ShopeeSandbox(SandboxConfig(orders=10, daily_limit=3), clock=sclock) as sb:
        from primedist.connectors.base import MemoryTokenStore

        # Each call the sandbox answers counts, a retried one too: a generous timeout, so
        # that a busy machine's slow answer is not retried and counted twice.
        c = make_connector(sb, sclock, MemoryTokenStore(sb.linked_tokens()), timeout=10)
        for _ in range(3):
            c.shop_info()
        with pytest.raises(DailyLimitReached):
            c.shop_info()
        sclock.set(datetime(2026, 11, 20, 16, 0, 1, tzinfo=UTC))  # a new day in UTC+8
        c.ensure_fresh_tokens()
        assert c.shop_info().name


def test_backoff_is_exponential_with_full_jitter_and_capped():
    sleeps = Sleeps()
    config = ConnectorConfig(partner_id="1", partner_key="k", backoff_base=0.5, backoff_max=4)
    c = ShopeeConnector(config, clock=None, sleep=sleeps, rng=random.Random(3))
    exc = TransientError("x")
    for attempt in range(1, 7):
        ceiling = min(4, 0.5 * 2**attempt)
        delays = [c._backoff(attempt, exc) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8  # spread over the whole range
    assert c._backoff(1, RateLimited("x", retry_after=3)) >= 3
    c.close()


def test_nothing_listening_is_a_transient_error(sclock):
    config = ConnectorConfig(partner_id="1", partner_key="k", api_host="http://127.0.0.1:9",
                             max_attempts=2)  # fmt: skip
    sleeps = Sleeps()
    with ShopeeConnector(config, clock=sclock, sleep=sleeps) as c:
        code_error = pytest.raises(
            TransientError, match="Cannot reach Shopee at http://127.0.0.1:9"
        )
        with code_error:
            c.exchange_code("abc", "600000")
    assert len(sleeps) == 1


def test_more_pages_without_a_cursor_is_an_error_not_a_loop(sclock):
    import httpx

    def answer(request: httpx.Request) -> httpx.Response:
        body = {"error": "", "message": "", "response": {"order_list": [], "more": True,
                                                         "next_cursor": ""}}  # fmt: skip
        return httpx.Response(200, json=body)

    from primedist.connectors.base import ConnectorError, MemoryTokenStore, TokenPair

    tokens = TokenPair("a", "r", NOW + timedelta(hours=4), None, "600000")
    config = ConnectorConfig(partner_id="1", partner_key="k", api_host="http://shopee.test")
    with ShopeeConnector(config, MemoryTokenStore(tokens), clock=sclock,
                         transport=httpx.MockTransport(answer)) as c:  # fmt: skip
        with pytest.raises(ConnectorError, match="no cursor"):
            c.changed_orders(NOW - timedelta(days=1), NOW)


def test_a_broken_order_does_not_hold_back_its_batch(sandbox, connector):
    from primedist.connectors.base import UnreadableOrders

    sns = sandbox.order_sns()[:10]
    sandbox.inject(FaultKind.CORRUPT, path=ORDER_DETAIL_PATH)
    with pytest.raises(UnreadableOrders) as caught:
        connector.order_details(sns)
    assert [o.external_id for o in caught.value.good] == sns[1:]
    assert list(caught.value.problems) == [sns[0]]
    assert (
        sns[0] in caught.value.user_message
        and "model_quantity_purchased is not a whole number: 'many'"
        in (caught.value.problems[sns[0]])
    )
    assert len(connector.order_details(sns)) == 10  # the next answer is fine again


def test_an_answer_without_its_response_object_is_named(sandbox, connector):
    from primedist.connectors.base import ConnectorError

    sandbox.inject(FaultKind.CORRUPT, path=ORDER_LIST_PATH)
    with pytest.raises(ConnectorError, match="without a response object"):
        connector.changed_orders(NOW - timedelta(days=1), NOW)
