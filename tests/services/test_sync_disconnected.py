"""A shop disconnected on purpose (or never linked) is not synced, nor reported as having
lost its authorisation; a sync running when it is disconnected stops writing; a re-fetch
or a new authorisation that goes through ends "last sync failed"; a shop without tokens
says so in words the UI translates. Against the Shopee sandbox over real HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from primedist.connectors.base import RemoteOrder
from primedist.connectors.shopee import ORDER_LIST_PATH
from primedist.connectors.token_keeper import NOT_AUTHORISED
from primedist.core.clock import FixedClock
from primedist.core.messages import Message
from primedist.sandbox.base import FaultKind
from primedist.sandbox.shopee import ShopeeSandbox
from primedist.services import channels, reports, sync
from primedist.services.context import ServiceContext
from primedist.services.sync import Connector
from tests.cli_support import Run
from tests.driver_sql import driver_sql
from tests.services.test_sync import Market, _sandbox
from tests.services.test_sync_cli import linked  # noqa: F401 (a fixture)

DISCONNECTED = (
    "The shop is disconnected: authorise it again in Settings → Sales channels to sync its orders."
)


@pytest.fixture
def market(ctx: ServiceContext, engine: Engine, clock: FixedClock) -> Iterator[Market]:
    for sandbox in _sandbox(clock, orders=300, history_days=20, future_days=2, seed=8):
        yield Market(ctx, engine, sandbox)


def _checkpoint(engine: Engine, shop_id: int) -> tuple[Any, ...]:
    with engine.connect() as conn:
        return tuple(driver_sql(
            conn, "SELECT last_error, error_count, last_success_at FROM sync_checkpoints"
            " WHERE shop_id = ?", (shop_id,),
        ).one())  # fmt: skip


def _status(engine: Engine, shop_id: int) -> str:
    with engine.connect() as conn:
        return str(driver_sql(conn, "SELECT status FROM shops WHERE id = ?", (shop_id,))
                   .scalar_one())  # fmt: skip


def test_a_disconnected_shop_is_skipped_without_a_call_or_an_error(
    market: Market, ctx: ServiceContext, engine: Engine
) -> None:
    assert market.sync().outcome == "ok"
    lines = len(sync.sync_log(ctx, market.shop_id))
    calls = market.sandbox.request_count()
    channels.disconnect_shop(ctx, market.shop_id)

    report = market.sync()

    assert (report.outcome, report.fetched) == ("disconnected", 0)
    assert report.message == DISCONNECTED
    assert isinstance(report.message, Message)  # the UI says it in the reader's language
    assert market.sandbox.request_count() == calls  # the marketplace was not asked
    assert len(sync.sync_log(ctx, market.shop_id)) == lines  # no "authorisation lost" line
    assert _checkpoint(engine, market.shop_id)[:2] == (None, 0)
    assert _status(engine, market.shop_id) == "disconnected"  # not "needs_reauth"
    assert [e.kind for e in reports.events(ctx) if e.kind == "sync_failed"] == []


def test_a_shop_never_linked_is_skipped(market: Market, engine: Engine) -> None:
    with engine.begin() as conn:
        driver_sql(conn, "UPDATE shops SET status = 'not_linked' WHERE id = ?",
                   (market.shop_id,))  # fmt: skip
    report = market.sync()
    assert report.outcome == "not_linked"
    assert str(report.message).startswith("The shop is not linked yet")
    assert market.sandbox.request_count() == 0
    assert _status(engine, market.shop_id) == "not_linked"


def test_a_sync_running_when_the_shop_is_disconnected_stops_writing(
    market: Market, ctx: ServiceContext, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync, "BATCH_ORDERS", 50)  # a transaction per detail call
    details = 0

    def disconnecting(_ctx: object = None, _shop_id: object = None) -> Connector:
        connector = market.connector()
        fetch = connector.order_details

        def order_details(ids: Sequence[str]) -> list[RemoteOrder]:
            nonlocal details
            details += 1
            if details == 2:  # the owner clicks Disconnect while the sync runs
                channels.disconnect_shop(ctx, market.shop_id)
            return fetch(ids)

        connector.order_details = order_details  # type: ignore[method-assign,assignment]
        return connector

    report = sync.sync_shop(ctx, market.shop_id, factory=disconnecting)

    assert report.outcome == "disconnected"
    with engine.connect() as conn:
        stored = driver_sql(conn, "SELECT count(*) FROM orders").scalar_one()
    assert stored == report.fetched < len(market.sandbox.order_ids())  # it stopped
    levels = {line.level for line in sync.sync_log(ctx, market.shop_id)}
    assert "error" not in levels and "warning" not in levels
    assert _checkpoint(engine, market.shop_id)[:2] == (None, 0)


def test_sync_of_every_shop_leaves_out_one_disconnected_before_its_turn(
    market: Market, ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = [(market.shop_id, "Shopee Sandbox")]
    channels.disconnect_shop(ctx, market.shop_id)
    monkeypatch.setattr(sync, "syncable_shops", lambda _ctx: listed)  # listed just before
    assert sync.sync_all(ctx, factory=market.connector) == []
    (named,) = sync.sync_all(ctx, factory=market.connector, shop_ids=[market.shop_id])
    assert named.outcome == "disconnected"


def test_a_refetch_that_goes_through_ends_the_last_failure(
    market: Market, ctx: ServiceContext, engine: Engine, clock: FixedClock
) -> None:
    assert market.sync().outcome == "ok"
    synced_at = _checkpoint(engine, market.shop_id)[2]
    clock.advance(timedelta(hours=1))
    market.sandbox.inject(FaultKind.HTTP_500, count=10_000, path=ORDER_LIST_PATH)
    assert market.sync().outcome == "marketplace_error"
    assert _checkpoint(engine, market.shop_id)[:2] != (None, 0)
    market.sandbox.clear_faults()

    report = sync.refetch_range(ctx, market.shop_id, clock.now() - timedelta(days=2),
                                clock.now(), factory=market.connector)  # fmt: skip

    assert report.outcome == "ok", report.message
    assert _checkpoint(engine, market.shop_id) == (None, 0, synced_at)  # not a sync
    (state,) = sync.shop_states(ctx)
    assert state.last_error is None


# --------------------------------------------------------------------------- the CLI


def _shop_id(ctx: Any) -> int:
    return channels.shop_id_by_name(ctx, "Shopee Test")


def test_cli_sync_of_a_disconnected_shop_says_so(
    cli: Callable[..., Run],
    linked: tuple[ShopeeSandbox, Any],  # noqa: F811
) -> None:
    sandbox, ctx = linked
    shop_id = _shop_id(ctx)
    channels.disconnect_shop(ctx, shop_id)
    calls = sandbox.request_count()

    named = cli("sync", "--shop", "Shopee Test", "--json")

    assert named.code == 1, named.err  # asked by name, refused by the shop's state
    (shop,) = named.json()["shops"]
    assert (shop["outcome"], shop["message"]) == ("disconnected", DISCONNECTED)
    text = cli("sync", "--shop", "Shopee Test")
    assert text.out.strip() == f"Shopee Test: disconnected: {DISCONNECTED}"
    every = cli("sync", "--json")
    assert every.code == 0, every.err  # a shop disconnected on purpose alerts nobody
    assert every.json()["shops"] == []
    assert sandbox.request_count() == calls
    assert sync.sync_log(ctx, shop_id) == []
    assert channels.channel_shop(ctx, shop_id).status.value == "disconnected"


def test_a_new_authorisation_ends_the_last_failure(
    linked: tuple[ShopeeSandbox, Any],  # noqa: F811
) -> None:
    sandbox, ctx = linked
    shop_id = _shop_id(ctx)
    sandbox.revoke()
    assert sync.sync_shop(ctx, shop_id).outcome == "needs_reauth"
    assert channels.channel_shop(ctx, shop_id).last_error

    channels.authorize_shop(ctx, shop_id, sandbox.authorize(), sandbox.config.shop_id)

    shop = channels.channel_shop(ctx, shop_id)
    assert (shop.status.value, shop.last_error) == ("active", None)
    (state,) = sync.shop_states(ctx)
    assert (state.last_error, state.error_count) == (None, 0)


def test_a_shop_without_tokens_says_so_in_words_the_ui_translates(
    linked: tuple[ShopeeSandbox, Any],  # noqa: F811
) -> None:
    _sandbox_, ctx = linked
    shop_id = _shop_id(ctx)
    with ctx.engine.begin() as conn:  # tokens lost, the shop still active
        driver_sql(conn, "DELETE FROM shop_credentials WHERE shop_id = ?", (shop_id,))

    report = sync.sync_shop(ctx, shop_id)

    assert report.outcome == "needs_reauth"
    assert isinstance(report.message, Message)
    assert report.message.template == NOT_AUTHORISED.template
    assert report.message == "The shop is not authorised on Shopee yet: authorise it first."
    reason = sync.sync_log(ctx, shop_id)[0].message
    assert isinstance(reason, Message) and reason.values["reason"] == report.message
    assert isinstance(reason.values["reason"], Message)  # the log and Home translate it
    (state,) = sync.shop_states(ctx)  # the Sync panel's header too, read back from the log
    assert isinstance(state.last_error, Message)
    assert state.last_error.template == NOT_AUTHORISED.template
    (event,) = [e for e in reports.events(ctx) if e.kind == "sync_failed"]
    assert event.args["reason"] == report.message
