"""`primedist --demo`'s sandboxes, as the app starts them: in the background, the demo's
Shopee, Lazada, TikTok Shop and Tiki shops linked each to its sandbox marketplace (their
pull jobs registered) and its GHN account "Demo" to the sandbox carrier (real HTTP on
127.0.0.1); stopped again on quit."""

from __future__ import annotations

import httpx

from primedist.domain.enums import ShopStatus
from primedist.jobs.scheduler import AppScheduler
from primedist.services import channels, demo, demo_carrier, demo_sync
from primedist.services import shipping as svc
from primedist.services.context import ServiceContext
from primedist.ui.app import start_demo_sandboxes

WAIT_MS = 30_000


def test_the_demo_links_its_shop_and_its_carrier_in_the_background(qtbot, ctx: ServiceContext):
    owner_ctx = ctx.with_actor(demo.ensure_demo_owner(ctx))
    demo.generate_demo(owner_ctx, orders=300, customers=60, seed=3)
    shop_ids = [s.id for s in channels.list_channel_shops(owner_ctx)
                if s.channel in demo_sync.DEMO_CHANNELS]  # fmt: skip
    assert len(shop_ids) == 4  # Shopee, Lazada, TikTok Shop, Tiki
    scheduler = AppScheduler(owner_ctx)  # not started: the pull jobs are only registered

    def linked() -> bool:
        jobs = [job.id for job in scheduler.scheduler.get_jobs()]
        for shop_id in shop_ids:
            shop = channels.channel_shop(owner_ctx, shop_id)
            pulled = any(job.endswith(f".{shop_id}") for job in jobs)
            if not (shop.status == ShopStatus.ACTIVE and shop.linked and pulled):
                return False
        return bool(svc.list_accounts(owner_ctx))

    stop = start_demo_sandboxes(owner_ctx, scheduler)
    try:
        qtbot.waitUntil(linked, timeout=WAIT_MS)
        [account] = svc.list_accounts(owner_ctx)
        assert account.name == demo_carrier.ACCOUNT_NAME and account.api_host
        hosts = {channels.channel_shop(owner_ctx, shop_id).api_host for shop_id in shop_ids}
        assert len(hosts) == 4  # a sandbox each
        assert all(h and h.startswith("http://127.0.0.1:") for h in hosts)
        # Both answer while the app runs: the carrier's address lists over its API.
        assert svc.address_places(owner_ctx, "province")
    finally:
        stop()
    # Quit: the sandboxes are gone.
    for host in [account.api_host, *hosts]:
        try:
            httpx.get(str(host), timeout=1.0)
        except httpx.TransportError:
            pass
        else:
            raise AssertionError(f"a sandbox still answers after quit: {host}")
