# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""The demo's vouchers run over whole shop days, as the voucher editor stores them: from a
midnight to the midnight after their last day, so the list, a sale and the editor agree."""

from __future__ import annotations

from datetime import time, timedelta

from primedist.core.clock import as_utc, shop_tz, to_local
from primedist.services.context import ServiceContext
from primedist.services.loyalty.vouchers import last_day, list_vouchers
from tests.services.test_demo import demo_ctx  # noqa: F401  (fixture)


def test_demo_vouchers_start_and_end_at_the_shops_midnight(demo_ctx: ServiceContext) -> None:
    tz = shop_tz()
    today = to_local(demo_ctx.clock.now(), tz).date()
    rows = list_vouchers(demo_ctx)
    assert rows
    for row in rows:
        d = row.draft
        assert d.starts_at is not None and d.ends_at is not None
        starts, ends = to_local(as_utc(d.starts_at), tz), to_local(as_utc(d.ends_at), tz)
        assert (starts.time(), ends.time()) == (time(), time()), d.code
        # The list's "valid to" is the last day a sale takes it: 90 days from today.
        assert last_day(d.ends_at) == today + timedelta(days=90), d.code
    # The brand-new VIP voucher: from the midnight three days ago.
    firsts = [to_local(as_utc(r.draft.starts_at), tz).date() for r in rows if r.draft.starts_at]
    assert max(firsts) == today - timedelta(days=3)
