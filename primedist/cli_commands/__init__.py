"""Subcommands of `primedist` grouped by area, each in its own module.

A module here defines `register(sub)`, adding its parsers to the top-level subparsers
(`sub.add_parser(...)`, `set_defaults(func=...)` with `func(args, settings) -> int`), and
uses the shared helpers of `primedist.cli` (`Parser`, `emit`, `open_context`, `as_owner`,
`positive_int`, `local_date`) inside its functions. A mistake on the command line that
argparse cannot see (options that do not go together) raises `primedist.cli.UsageError`
before `open_context` (exit 2); a --from/--to pair stored as `date_from`/`date_to` is
checked for every command by `primedist.cli`. List the module in COMMAND_MODULES.
"""

from __future__ import annotations

import argparse
from importlib import import_module
from typing import Any

#: The area modules, in the order their commands appear in `primedist --help`.
COMMAND_MODULES: tuple[str, ...] = (
    "migrate", "shops", "sync", "shipments", "ship", "ranks", "printing", "reports", "prices",
    "price_schedules",
    "stock", "suppliers", "purchase_orders", "admin",
)  # fmt: skip


def register_all(sub: argparse._SubParsersAction[Any]) -> None:
    for name in COMMAND_MODULES:
        import_module(f"{__name__}.{name}").register(sub)
