"""`python -m primedist.sandbox`: run a marketplace sandbox (Shopee unless `--channel`
says otherwise) until Ctrl-C (or SIGTERM)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from primedist.sandbox.base import serve_until_stopped
from primedist.sandbox.shopee import SandboxConfig, ShopeeSandbox


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    defaults = SandboxConfig()
    p = argparse.ArgumentParser(
        prog="python -m primedist.sandbox",
        description="A local marketplace sandbox on 127.0.0.1 (Shopee by default).",
    )
    p.add_argument("--channel", default="shopee", choices=("shopee", "lazada", "tiktok", "tiki"),
                   help="which marketplace to imitate (default shopee)")  # fmt: skip
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 = any free port (default)")
    p.add_argument("--orders", type=int, default=defaults.orders)
    p.add_argument("--seed", type=int, default=defaults.seed)
    p.add_argument("--history-days", type=float, default=defaults.history_days)
    p.add_argument("--future-days", type=float, default=defaults.future_days)
    p.add_argument("--page-size", type=int, default=defaults.max_page_size,
                   help="largest page_size the order list accepts")  # fmt: skip
    p.add_argument("--partner-id", type=int, default=defaults.partner_id)
    p.add_argument("--partner-key", default=defaults.partner_key)
    p.add_argument("--shop-id", type=int, default=defaults.shop_id)
    p.add_argument("--daily-limit", type=int, default=None)
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.channel == "lazada":
        from primedist.sandbox.lazada import run_from_args

        return run_from_args(args)
    if args.channel == "tiktok":
        from primedist.sandbox.tiktok import run_from_args as run_tiktok

        return run_tiktok(args)
    if args.channel == "tiki":
        from primedist.sandbox.tiki import run_from_args as run_tiki

        return run_tiki(args)
    config = SandboxConfig(
        partner_id=args.partner_id, partner_key=args.partner_key, shop_id=args.shop_id,
        orders=args.orders, seed=args.seed, history_days=args.history_days,
        future_days=args.future_days, max_page_size=args.page_size,
        daily_limit=args.daily_limit,
    )  # fmt: skip
    info = {"partner_id": config.partner_id, "partner_key": config.partner_key,
            "shop_id": config.shop_id, "orders": config.orders}  # fmt: skip
    return serve_until_stopped(ShopeeSandbox(config), args.host, args.port, info)


if __name__ == "__main__":
    raise SystemExit(main())
