"""What every marketplace connector shares around its API: the HTTP client, the clock,
sleeping and jitter for retries, and the shop's token pair.

The pair last read is reused while its access token is fresh (the store may decrypt it
from the database: not on every call). Any refresh happens under the per-shop lock
(`base.shop_lock`) after reading the store again — another thread or connector may have
refreshed meanwhile — and the rotated pair is saved before any use: once refreshed, the
old refresh token may be dead.

That lock only holds inside one process: the app's scheduler and a `primedist sync` run
on the same data may both spend the same single-use refresh token, and the later one is
refused. So a refused refresh reads the store again: a pair other than the refused one
was saved by whoever won, and is used; only the same pair means the authorisation is gone.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Self

import httpx

from primedist.connectors.base import AuthError, ConnectorConfig, TokenPair, TokenStore, shop_lock
from primedist.core.clock import Clock, SystemClock
from primedist.core.messages import Message, msg
from primedist.core.security import remember_secret

#: How long a refused refresh waits before its last look at the store: the process that
#: won the race may still be saving the rotated pair (its database write can queue behind
#: another writer's).
RIVAL_SAVE_WAIT = 1.0
#: A shop without tokens, in words the UI translates (the sync log and Home keep the
#: message; the outbox keeps plain English, which the Sync panel reads back with `reread`).
NOT_AUTHORISED = msg("The shop is not authorised on {platform} yet: authorise it first.")


class TokenKeeper:
    """The base of the connectors: subclasses set `PLATFORM` and `host` (before calling
    `__init__`) and implement `refresh_tokens`."""

    #: The platform's name in messages ("Shopee", "TikTok Shop"…).
    PLATFORM = ""
    host: str

    def __init__(
        self,
        config: ConnectorConfig,
        store: TokenStore | None = None,
        *,
        clock: Clock | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
        base_url: str = "",
    ) -> None:
        self.config = config
        # Masked in every log line and error message of this process from now on.
        remember_secret(config.partner_key)
        self._store = store
        self._clock = clock or SystemClock()
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._tokens: TokenPair | None = None
        self._http = httpx.Client(
            base_url=base_url,
            timeout=config.timeout,
            transport=transport,
            headers={"User-Agent": "primedist", "Accept": "application/json"},
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def refresh_tokens(self, tokens: TokenPair) -> TokenPair:
        raise NotImplementedError

    def ensure_fresh_tokens(self, margin: timedelta | None = None) -> TokenPair:
        """The shop's pair, refreshed first when its access token expires within
        `margin` (the config's refresh margin by default)."""
        margin = self.config.refresh_margin if margin is None else margin
        tokens = self._tokens or self._stored_tokens()
        if tokens.access_valid(self._clock.now(), margin):
            return tokens
        with shop_lock(self.host, tokens.shop_external_id):
            tokens = self._stored_tokens()  # another thread or connector may have refreshed
            if tokens.access_valid(self._clock.now(), margin):
                return tokens
            return self._refresh_and_save(tokens)

    def _refresh_rejected(self, rejected_access: str) -> TokenPair:
        """The platform refused `rejected_access`: refresh unless someone already did."""
        tokens = self._tokens or self._stored_tokens()
        with shop_lock(self.host, tokens.shop_external_id):
            tokens = self._stored_tokens()
            if tokens.access_token != rejected_access:
                return tokens
            return self._refresh_and_save(tokens)

    def _refresh_and_save(self, tokens: TokenPair) -> TokenPair:
        try:
            fresh = self.refresh_tokens(tokens)
        except AuthError:
            rotated = self._rotated_elsewhere(tokens)
            if rotated is None:
                raise
            return rotated
        assert self._store is not None
        self._store.save(fresh)  # before any use: the old refresh token may be dead now
        self._tokens = fresh
        return fresh

    def _rotated_elsewhere(self, refused: TokenPair) -> TokenPair | None:
        """The pair another process saved after spending `refused`'s refresh token first
        (None: the store still holds `refused`, so the authorisation is really gone)."""
        stored = self._stored_tokens()
        if _same_pair(stored, refused):
            self._sleep(RIVAL_SAVE_WAIT)
            stored = self._stored_tokens()
        return None if _same_pair(stored, refused) else stored

    def _stored_tokens(self) -> TokenPair:
        if self._store is None:
            raise AuthError(f"This {self.PLATFORM} connector has no shop tokens (not linked).")
        tokens = self._store.load()
        if tokens is None:
            raise AuthError(Message(NOT_AUTHORISED.template, {"platform": self.PLATFORM}))
        self._tokens = tokens
        return tokens


def _same_pair(a: TokenPair, b: TokenPair) -> bool:
    return (a.access_token, a.refresh_token) == (b.access_token, b.refresh_token)
