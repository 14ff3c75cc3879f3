"""Sales channels, as the shop owner reads them: an empty app id is "empty" (its label in
the reader's language), a shop never authorised stays "not linked" after the outbox tried
its stock pushes, and a seller that is a disconnected shop here is pointed to that shop."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.enums import Channel, ShopStatus
from primedist.domain.shop import Shop
from primedist.errors import Conflict, ValidationError
from primedist.services import channels
from primedist.services import outbox_delivery as od
from primedist.services.context import ServiceContext
from primedist.services.outbox import queue_coalesced
from tests.factories import give_tokens, make_shop

shops_t = table_of(Shop)


@pytest.mark.parametrize(
    ("channel", "label"),
    [(Channel.SHOPEE, "partner id"), (Channel.LAZADA, "app key"), (Channel.TIKI, "client id")],
)
def test_an_empty_app_id_is_said_to_be_empty(channel: Channel, label: str) -> None:
    for empty in ("", "   "):
        with pytest.raises(ValidationError) as err:
            channels.clean_partner(empty, "k" * 16, channel)
        assert str(err.value.reason) == f"The {label} is empty."
        assert "''" not in str(err.value.reason)  # no quoted nothing
        assert err.value.field == "partner_id"


def test_the_app_id_label_stays_a_message_to_translate() -> None:
    """The label goes into the error as its message (the UI translates it: "Partner ID"),
    not as its English text."""
    with pytest.raises(ValidationError) as err:
        channels.clean_partner("", "k" * 16, Channel.SHOPEE)
    label = err.value.reason.values["id_label"]
    assert label == "partner id" and getattr(label, "template", None) == "partner id"
    with pytest.raises(ValidationError) as err:
        channels.clean_partner("12ab", "k" * 16, Channel.LAZADA)
    assert getattr(err.value.reason.values["id_label"], "template", None) == "app key"


# --------------------------------------------------------------------------- never linked


def _active_shop_without_tokens(engine: Engine, name: str, external_id: str = "56063") -> int:
    """A shop as the demo makes one: active, a marketplace shop id, never authorised."""
    shop_id = make_shop(engine, name, Channel.LAZADA)
    with engine.begin() as conn:
        conn.execute(
            sa.update(shops_t).where(shops_t.c.id == shop_id).values(external_shop_id=external_id)
        )
    return shop_id


def _queue_stock_push(engine: Engine, ctx: ServiceContext, shop_id: int) -> None:
    key = f"stock:{shop_id}:1"
    payload = json.dumps({"available": 3})
    with engine.begin() as conn:
        written = queue_coalesced(conn, "stock.push", {
            key: {"intent_key": key, "shop_id": shop_id, "payload_json": payload}
        }, ctx.clock.now())  # fmt: skip
    assert written == 1


@pytest.fixture
def demo_like(engine: Engine, owner_ctx: ServiceContext) -> Iterator[tuple[int, int]]:
    """A never-authorised shop and a linked one (tokens stored), each with a stock push
    waiting."""
    never = _active_shop_without_tokens(engine, "Prime Store - Lazada")
    linked = _active_shop_without_tokens(engine, "Linked Lazada", "56064")
    give_tokens(engine, linked)
    for shop_id in (never, linked):
        _queue_stock_push(engine, owner_ctx, shop_id)
    yield never, linked


def test_delivery_leaves_a_never_authorised_shop_not_linked(
    owner_ctx: ServiceContext, demo_like: tuple[int, int]
) -> None:
    never, linked = demo_like
    report = od.deliver_outbox(owner_ctx)
    # Neither could be sent: both wait for their shop (no app key), not tried again.
    assert (report.not_ready, report.retrying) == (2, 0)
    shop = channels.channel_shop(owner_ctx, never)
    assert shop.status == ShopStatus.ACTIVE and not shop.needs_reauth and not shop.linked
    # A shop that was authorised and whose authorisation fails is still flagged.
    assert channels.channel_shop(owner_ctx, linked).needs_reauth


# --------------------------------------------------------------------------- disconnected


@pytest.fixture
def lazada(ctx: ServiceContext) -> Iterator[Any]:
    from primedist.sandbox.lazada import LazadaSandbox, LazadaSandboxConfig

    with LazadaSandbox(LazadaSandboxConfig(orders=5, history_days=2), clock=ctx.clock) as box:
        yield box


def _add(ctx: ServiceContext, sandbox: Any, name: str) -> int:
    from primedist.sandbox import lazada

    return channels.add_shop(ctx, Channel.LAZADA, name=name, app_id=lazada.DEMO_APP_KEY,
                             app_secret=lazada.DEMO_APP_SECRET, api_host=sandbox.url)  # fmt: skip


def test_a_seller_that_is_a_disconnected_shop_points_to_re_authorising_it(
    owner_ctx: ServiceContext, lazada: Any
) -> None:
    from primedist.sandbox.lazada import DEMO_SELLER_ID

    first = _add(owner_ctx, lazada, "LZ Sandbox")
    channels.authorize_shop(owner_ctx, first, lazada.authorize(), None)
    channels.disconnect_shop(owner_ctx, first)
    second = _add(owner_ctx, lazada, "LZ Sandbox 2")
    with pytest.raises(Conflict) as err:
        channels.authorize_shop(owner_ctx, second, lazada.authorize(), None)
    said = str(err.value.user_message)
    assert said == (
        f"Lazada seller {DEMO_SELLER_ID} is the shop LZ Sandbox, which is disconnected: "
        "select LZ Sandbox in Sales channels and re-authorise it instead (its orders are "
        "kept there)."
    )
    assert "already linked" not in said
    assert not channels.channel_shop(owner_ctx, second).linked
    # Re-authorising the disconnected shop itself brings it back.
    back = channels.authorize_shop(owner_ctx, first, lazada.authorize(), None)
    assert back.linked and back.status == ShopStatus.ACTIVE
