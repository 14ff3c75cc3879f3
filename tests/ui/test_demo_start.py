"""`primedist --demo`'s sandboxes, as the app starts them: in the background, the demo's
Shopee shop linked to the sandbox marketplace (its pull job registered) and its GHN account
"Demo" to the sandbox carrier (real HTTP on 127.0.0.1); stopped again on quit."""

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
    found = demo_sync.demo_shopee_shop(owner_ctx)
    assert found is not None
    shop_id = found[0]
    scheduler = AppScheduler(owner_ctx)  # not started: the pull job is only registered

    def linked() -> bool:
        shop = channels.channel_shop(owner_ctx, shop_id)
        pulled = any(job.id.endswith(f".{shop_id}") for job in scheduler.scheduler.get_jobs())
        linked = shop.status == ShopStatus.ACTIVE and shop.linked and pulled
        return linked and bool(svc.list_accounts(owner_ctx))

    stop = start_demo_sandboxes(owner_ctx, scheduler)
    try:
        qtbot.waitUntil(linked, timeout=WAIT_MS)
        [account] = svc.list_accounts(owner_ctx)
        assert account.name == demo_carrier.ACCOUNT_NAME and account.api_host
        shop_host = channels.channel_shop(owner_ctx, shop_id).api_host
        assert shop_host and shop_host.startswith("http://127.0.0.1:")
        # Both answer while the app runs: the carrier's address lists over its API.
        assert svc.address_places(owner_ctx, "province")
    finally:
        stop()
    # Quit: the sandboxes are gone.
    try:
        httpx.get(account.api_host, timeout=1.0)
    except httpx.TransportError:
        pass
    else:
        raise AssertionError("the carrier sandbox still answers after quit")
