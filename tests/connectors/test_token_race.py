"""Two processes (the app's scheduler and a `primedist sync` on the same data) refreshing
one shop's tokens at once, over real HTTP against the Shopee sandbox.

`base.shop_lock` serialises refreshes inside one process only; here each connector gets
a lock of its own, as a connector in another process would, so both spend the same
single-use refresh token and the later one is refused by the platform."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from primedist.connectors import token_keeper
from primedist.connectors.base import AuthError, MemoryTokenStore, TokenPair
from primedist.connectors.shopee import SHOP_INFO_PATH, TOKEN_REFRESH_PATH, ShopeeConnector
from primedist.core.clock import FixedClock
from primedist.sandbox import ShopeeSandbox
from primedist.sandbox.base import FaultKind

from .conftest import make_connector

#: How long the sandbox holds each refresh answer: the second process asks while the
#: first one's refresh is still on the way.
REFRESH_DELAY = 0.6


@pytest.fixture
def separate_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each refresh takes a lock nobody else holds (as in another process)."""
    monkeypatch.setattr(token_keeper, "shop_lock", lambda _host, _shop: threading.Lock())


def wait_for_refresh_calls(sb: ShopeeSandbox, count: int) -> None:
    deadline = time.monotonic() + 5
    while sb.request_count(TOKEN_REFRESH_PATH) < count:
        assert time.monotonic() < deadline, "the first refresh never reached the sandbox"
        time.sleep(0.01)


def race(first: ShopeeConnector, second: ShopeeConnector, sb: ShopeeSandbox) -> list[Exception]:
    """`first` starts a slow refresh; `second` starts its own while it is on the way."""
    errors: list[Exception] = []

    def call(c: ShopeeConnector) -> None:
        try:
            c.shop_info()
        except Exception as exc:  # collected for the assertions
            errors.append(exc)

    sb.inject(FaultKind.SLOW, count=2, path=TOKEN_REFRESH_PATH, delay=REFRESH_DELAY)
    one = threading.Thread(target=call, args=(first,))
    one.start()
    wait_for_refresh_calls(sb, 1)
    time.sleep(REFRESH_DELAY / 3)  # the first answer comes (and is saved) well before
    two = threading.Thread(target=call, args=(second,))
    two.start()
    for t in (one, two):
        t.join(10)
    return errors


@pytest.mark.usefixtures("separate_processes")
def test_a_refresh_refused_because_another_process_rotated_uses_its_pair(
    sandbox: ShopeeSandbox, sclock: FixedClock, store: MemoryTokenStore
) -> None:
    old = store.load()
    assert old is not None
    sclock.advance(timedelta(hours=5))  # the access token has expired
    gui, cli = (make_connector(sandbox, sclock, store, timeout=5.0) for _ in range(2))
    errors = race(gui, cli, sandbox)
    assert errors == []  # not "Invalid refresh_token… Authorise the shop again"
    # Both refreshed with the same single-use token: one won, one was refused...
    assert sandbox.request_count(TOKEN_REFRESH_PATH) == 2
    assert sandbox.live_refresh_tokens() == 1
    # ... and the refused one took the winner's pair from the store and made its call.
    stored = store.load()
    assert stored is not None and store.saves == 1
    assert stored.refresh_token != old.refresh_token
    assert sandbox.request_count(SHOP_INFO_PATH) == 2
    assert cli.ensure_fresh_tokens() == stored == gui.ensure_fresh_tokens()


@pytest.mark.usefixtures("separate_processes")
def test_a_stale_pair_in_memory_after_a_rotation_elsewhere_carries_on(
    sandbox: ShopeeSandbox, sclock: FixedClock, store: MemoryTokenStore
) -> None:
    """The refused refresh found the store unchanged at first: the winner was still
    saving. The second look, a moment later, finds its pair."""

    class SavesLate(MemoryTokenStore):
        """The winner's save lands while the loser waits for its second look."""

        def __init__(self, tokens: TokenPair | None) -> None:
            super().__init__(tokens)
            self.pending: TokenPair | None = None

        def land(self) -> None:
            if self.pending is not None:
                self.save(self.pending)
                self.pending = None

    shared = SavesLate(store.load())
    sclock.advance(timedelta(hours=5))
    winner = make_connector(sandbox, sclock, MemoryTokenStore(shared.load()))
    loser = ShopeeConnector(winner.config, shared, clock=sclock,
                            sleep=lambda _s: shared.land())  # fmt: skip
    rotated = winner.ensure_fresh_tokens()
    shared.pending = rotated  # refreshed, not in the shared store yet
    assert loser.shop_info().name
    assert sandbox.request_count(TOKEN_REFRESH_PATH) == 2  # the loser's was refused
    assert loser.ensure_fresh_tokens() == rotated == shared.load()
    assert shared.saves == 1  # the winner's: the loser saved nothing


@pytest.mark.usefixtures("separate_processes")
def test_a_revoked_authorisation_is_still_lost(
    sandbox: ShopeeSandbox, sclock: FixedClock, store: MemoryTokenStore
) -> None:
    sandbox.revoke()
    sclock.advance(timedelta(hours=5))
    gui, cli = (make_connector(sandbox, sclock, store, timeout=5.0) for _ in range(2))
    errors = race(gui, cli, sandbox)
    assert len(errors) == 2 and all(isinstance(e, AuthError) for e in errors)
    assert all("Authorise the shop again" in str(e) for e in errors)
    assert store.saves == 0 and sandbox.request_count(SHOP_INFO_PATH) == 0
