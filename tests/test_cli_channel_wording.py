"""`primedist shop authorize` and `primedist sync` word a TikTok Shop store and a single
order as a shop owner would: "connected to TikTok Shop 7494…" (not "TikTok Shop shop"),
"1 order fetched" (not "1 orders")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from primedist.cli import EXIT_OK
from primedist.sandbox.tiktok import (
    DEMO_APP_KEY,
    DEMO_APP_SECRET,
    DEMO_SHOP_ID,
    TikTokSandbox,
    TikTokSandboxConfig,
)


def test_a_tiktok_shop_is_named_once_and_one_order_is_one(cli: Any, data_dir: Path) -> None:
    d = ("--data-dir", str(data_dir))
    with TikTokSandbox(TikTokSandboxConfig(orders=1, history_days=1)) as box:
        run = cli(*d, "shop", "add", "--channel", "tiktok", "--name", "TikTok VN",
                  "--app-key", DEMO_APP_KEY, "--app-secret", DEMO_APP_SECRET,
                  "--api-host", box.url)  # fmt: skip
        assert run.code == EXIT_OK, run.err
        linked = cli(*d, "shop", "authorize", "TikTok VN", "--code", box.authorize())
        assert linked.code == EXIT_OK, linked.err
        assert f"TikTok VN is connected to TikTok Shop {DEMO_SHOP_ID}" in linked.out
        assert "Shop shop" not in linked.out
        synced = cli(*d, "sync", "--shop", "TikTok VN", "--from", "2000-01-01")
    assert synced.code == EXIT_OK, synced.err
    assert "TikTok VN: 1 order fetched, 1 new, 0 updated, 0 unchanged" in synced.out
    assert "1 orders" not in synced.out
