"""Authorisation, token refresh and rotation against the sandbox over real HTTP."""

from __future__ import annotations

import threading
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from primedist.connectors import connector_for, supported_channels
from primedist.connectors.base import (
    AuthError,
    Connector,
    ConnectorConfig,
    ConnectorError,
    MemoryTokenStore,
    TokenPair,
)
from primedist.connectors.shopee import SHOP_INFO_PATH, TOKEN_REFRESH_PATH, ShopeeConnector
from primedist.domain.enums import Channel

from .conftest import make_connector


def redirect_of(auth_url: str) -> dict[str, str]:
    resp = httpx.get(auth_url, follow_redirects=False)
    assert resp.status_code == 302, resp.text
    location = urlsplit(resp.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == "http://127.0.0.1:9/cb"
    return {k: v[0] for k, v in parse_qs(location.query).items()}


def test_factory_builds_the_shopee_connector(sandbox, sclock):
    assert Channel.SHOPEE in supported_channels()
    config = ConnectorConfig(partner_id="1", partner_key="k", api_host=sandbox.url)
    c = connector_for(Channel.SHOPEE, config, clock=sclock)
    assert isinstance(c, ShopeeConnector) and isinstance(c, Connector)
    c.close()
    with pytest.raises(ValueError, match="offline"):  # a channel no connector serves
        connector_for(Channel.OFFLINE, config)


def test_link_code_tokens_then_a_shop_call(sandbox, sclock):
    store = MemoryTokenStore()
    c = make_connector(sandbox, sclock, store)
    got = redirect_of(c.authorization_url("http://127.0.0.1:9/cb"))
    assert got["shop_id"] == str(sandbox.config.shop_id)
    tokens = c.exchange_code(got["code"], got["shop_id"])
    assert tokens.shop_external_id == str(sandbox.config.shop_id)
    assert tokens.access_expires_at == sclock.now() + timedelta(hours=4)
    assert tokens.refresh_expires_at == sclock.now() + timedelta(days=30)
    assert store.load() is None  # the caller stores the first pair
    store.save(tokens)
    info = c.shop_info()
    assert (info.name, info.region, info.status) == ("Prime Sandbox Shop", "VN", "NORMAL")
    assert info.auth_expires_at == sclock.now() + timedelta(days=365)
    # The tokens never show in a repr (logs).
    assert tokens.access_token not in repr(tokens) and tokens.refresh_token not in repr(tokens)


def test_a_code_works_once_and_for_ten_minutes(sandbox, sclock):
    c = make_connector(sandbox, sclock)
    code = sandbox.authorize()
    c.exchange_code(code, str(sandbox.config.shop_id))
    with pytest.raises(AuthError, match="Invalid code"):
        c.exchange_code(code, str(sandbox.config.shop_id))
    late = sandbox.authorize()
    sclock.advance(timedelta(minutes=11))
    with pytest.raises(AuthError, match="Invalid code"):
        c.exchange_code(late, str(sandbox.config.shop_id))


def test_a_tampered_link_is_refused(sandbox, sclock):
    url = make_connector(sandbox, sclock).authorization_url("http://127.0.0.1:9/cb")
    resp = httpx.get(url.replace("sign=", "sign=0"), follow_redirects=False)
    assert resp.status_code == 403 and resp.json()["error"] == "error_sign"


def test_expiring_access_token_is_refreshed_and_rotated(sandbox, sclock, connector, store):
    first = store.load()
    sclock.advance(timedelta(hours=3, minutes=56))  # inside the 5-minute margin
    connector.shop_info()
    second = store.load()
    assert store.saves == 1
    assert second.access_token != first.access_token
    assert second.refresh_token != first.refresh_token
    assert second.access_expires_at == sclock.now() + timedelta(hours=4)
    assert sandbox.request_count(TOKEN_REFRESH_PATH) == 1
    # The old refresh token died with the rotation.
    with pytest.raises(AuthError, match="Invalid refresh_token.*Authorise the shop again"):
        connector.refresh_tokens(first)
    assert sandbox.live_refresh_tokens() == 1  # only the newest pair lives
    # A fresh token is not refreshed again.
    connector.shop_info()
    assert sandbox.request_count(TOKEN_REFRESH_PATH) == 2 and store.saves == 1


def test_token_refused_by_the_platform_is_refreshed_once(sandbox, connector, store):
    before = store.load()
    sandbox.expire_access_tokens()  # the server says expired; the client thinks it is fresh
    info = connector.shop_info()
    assert info.name
    assert store.saves == 1 and store.load().access_token != before.access_token
    assert sandbox.request_count(SHOP_INFO_PATH) == 2


def test_revoked_authorisation_needs_reauthorisation(sandbox, connector, store):
    sandbox.revoke()
    with pytest.raises(AuthError, match="Invalid refresh_token.*Authorise the shop again"):
        connector.shop_info()
    # One refused call, one refused refresh: no loop.
    assert sandbox.request_count(SHOP_INFO_PATH) == 1
    assert sandbox.request_count(TOKEN_REFRESH_PATH) == 1


def test_refresh_token_past_its_life_fails_without_calling(sandbox, sclock, connector, store):
    sclock.advance(timedelta(days=31))
    with pytest.raises(AuthError, match="expired"):
        connector.shop_info()
    assert sandbox.request_count() == 0


def test_no_tokens_is_an_auth_error(sandbox, sclock):
    c = make_connector(sandbox, sclock, MemoryTokenStore())
    with pytest.raises(AuthError, match="not authorised"):
        c.shop_info()
    with pytest.raises(AuthError, match="no shop tokens"):
        make_connector(sandbox, sclock, None).shop_info()


def test_concurrent_refreshes_spend_the_refresh_token_once(sandbox, sclock, store):
    sclock.advance(timedelta(hours=5))
    connectors = [make_connector(sandbox, sclock, store) for _ in range(4)]
    results: list[TokenPair] = []
    errors: list[Exception] = []
    barrier = threading.Barrier(len(connectors))

    def refresh(c: ShopeeConnector) -> None:
        barrier.wait()
        try:
            results.append(c.ensure_fresh_tokens())
        except Exception as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=refresh, args=(c,)) for c in connectors]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert errors == []
    assert sandbox.request_count(TOKEN_REFRESH_PATH) == 1 and store.saves == 1
    assert {r.access_token for r in results} == {store.load().access_token}


def test_wrong_partner_key_is_an_auth_error(sandbox, sclock, store):
    c = make_connector(sandbox, sclock, store, partner_key="not-the-key")
    with pytest.raises(AuthError, match="Wrong sign"):
        c.shop_info()


def test_a_skewed_clock_is_named(sandbox, sclock, store):
    from primedist.core.clock import FixedClock

    skewed = FixedClock(sclock.now() - timedelta(minutes=10))
    c = make_connector(sandbox, skewed, store)
    with pytest.raises(ConnectorError, match="clock"):
        c.shop_info()


def test_partner_id_must_be_a_number(sandbox, sclock):
    with pytest.raises(AuthError, match="partner id must be a number"):
        make_connector(sandbox, sclock, partner_id="abc")


class CountingStore(MemoryTokenStore):
    def __init__(self, tokens):
        super().__init__(tokens)
        self.loads = 0

    def load(self):
        self.loads += 1
        return super().load()


def test_the_store_is_read_once_while_the_token_is_fresh(sandbox, sclock):
    store = CountingStore(sandbox.linked_tokens())
    c = make_connector(sandbox, sclock, store)
    for _ in range(5):
        c.shop_info()
    assert store.loads == 1
    # Another connector (the outbox job) refreshes; this one re-reads when it must.
    other = make_connector(sandbox, sclock, store)
    sclock.advance(timedelta(hours=3, minutes=58))
    other.shop_info()
    assert store.saves == 1
    c.shop_info()  # its cached pair is due: it re-reads the store, no second refresh
    assert sandbox.request_count(TOKEN_REFRESH_PATH) == 1
    assert c.ensure_fresh_tokens().access_token == store.load().access_token


def test_a_token_rotated_elsewhere_is_picked_up_after_a_refusal(sandbox, sclock):
    store = CountingStore(sandbox.linked_tokens())
    c = make_connector(sandbox, sclock, store)
    c.shop_info()
    store.save(sandbox.linked_tokens())  # linked again elsewhere
    sandbox.revoke()
    store.save(sandbox.linked_tokens())  # ... and only the newest pair lives
    assert c.shop_info().name
    assert sandbox.request_count(TOKEN_REFRESH_PATH) == 0


def test_tokens_and_the_partner_key_are_masked_in_logs(sandbox, sclock):
    from primedist.core.security import redact

    c = make_connector(sandbox, sclock)
    tokens = c.exchange_code(sandbox.authorize(), str(sandbox.config.shop_id))
    line = (
        f"sync failed {tokens.access_token} / {tokens.refresh_token} / {sandbox.config.partner_key}"
    )
    masked = redact(line)
    assert tokens.access_token not in masked and tokens.refresh_token not in masked
    assert sandbox.config.partner_key not in masked and masked.startswith("sync failed ***")
