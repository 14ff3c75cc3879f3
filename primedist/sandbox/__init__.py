"""A local stand-in for the marketplaces (Shopee today) for the demo, tests and benchmarks."""

from __future__ import annotations

from primedist.sandbox.generator import CatalogueModel, default_catalogue
from primedist.sandbox.shopee import (
    DEMO_PARTNER_ID,
    DEMO_PARTNER_KEY,
    DEMO_SHOP_ID,
    Fault,
    FaultKind,
    SandboxCall,
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
