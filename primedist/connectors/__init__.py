"""Marketplace connectors: one class per platform behind `base.Connector`.

`connector_for(channel, config, store)` is the only way the rest of the app gets one, so a
new platform (Lazada, TikTok Shop, Tiki) is one module plus one line in `_FACTORIES`.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any, cast

from primedist.connectors.base import Action, Connector, ConnectorConfig, TokenStore
from primedist.core.clock import Clock
from primedist.domain.enums import Channel

#: Channel -> "module:Class"; the class takes (config, store=None, *, clock=None).
_FACTORIES: dict[Channel, str] = {
    Channel.SHOPEE: "primedist.connectors.shopee:ShopeeConnector",
    Channel.LAZADA: "primedist.connectors.lazada:LazadaConnector",
    Channel.TIKTOK: "primedist.connectors.tiktok:TikTokConnector",
    Channel.TIKI: "primedist.connectors.tiki:TikiConnector",
}


def supported_channels() -> tuple[Channel, ...]:
    """Channels that have a connector."""
    return tuple(_FACTORIES)


@cache
def channel_capabilities(channel: Channel | str) -> frozenset[Action]:
    """What the app can do on `channel` from here (its connector class's declared
    `capabilities`; nothing for a channel without a connector), without building one."""
    target = _FACTORIES.get(Channel(channel))
    if target is None:
        return frozenset()
    module_name, class_name = target.split(":")
    cls: Any = getattr(importlib.import_module(module_name), class_name)
    return frozenset(cls.capabilities)


@cache
def not_confirmable(channel: Channel | str) -> frozenset[str]:
    """The platform's own statuses (`RemoteOrder.raw_status`) of a pending order that
    `channel` does not let the seller confirm yet (Shopee's UNPAID: its shipment cannot be
    arranged before it is paid); empty for a channel that tells none apart."""
    target = _FACTORIES.get(Channel(channel))
    if target is None:
        return frozenset()
    module_name, class_name = target.split(":")
    cls: Any = getattr(importlib.import_module(module_name), class_name)
    return frozenset(getattr(cls, "not_confirmable", ()))


def connector_for(
    channel: Channel | str,
    config: ConnectorConfig,
    store: TokenStore | None = None,
    *,
    clock: Clock | None = None,
) -> Connector:
    """A connector for `channel` (ValueError for a channel without one)."""
    target = _FACTORIES.get(Channel(channel))
    if target is None:
        raise ValueError(f"no connector for channel {Channel(channel).value!r} yet")
    module_name, class_name = target.split(":")
    cls: Any = getattr(importlib.import_module(module_name), class_name)
    return cast(Connector, cls(config, store, clock=clock))
