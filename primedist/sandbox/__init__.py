"""Local stand-ins for the marketplaces (Shopee, Lazada, TikTok Shop, Tiki) and the
carriers, for the demo, tests and benchmarks."""

from __future__ import annotations

from primedist.sandbox.base import Fault, FaultKind, SandboxCall
from primedist.sandbox.generator import CatalogueModel, default_catalogue
from primedist.sandbox.shopee import (
    DEMO_PARTNER_ID,
    DEMO_PARTNER_KEY,
    DEMO_SHOP_ID,
    SandboxConfig,
    ShopeeSandbox,
)

__all__ = [
    "DEMO_PARTNER_ID",
    "DEMO_PARTNER_KEY",
    "DEMO_SHOP_ID",
    "CatalogueModel",
    "Fault",
    "FaultKind",
    "SandboxCall",
    "SandboxConfig",
    "ShopeeSandbox",
    "default_catalogue",
]
