"""Opening a customer's detail on a big store (100,000 customers, a ledger of hundreds of
rows): the Rank tab reads the groups' names without counting their members, and each
points reason is read back against the app's templates once per distinct text."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core import messages
from primedist.services.context import ServiceContext
from primedist.services.loyalty import levels as levels_svc
from primedist.services.loyalty.points import ORDER_REASONS
from primedist.ui.customers import detail
from primedist.ui.customers.detail import CustomerDetailDialog
from primedist.ui.i18n import install_language
from tests.services.loyalty.conftest import customers_with
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


def test_the_rank_tab_lists_the_groups_without_counting_their_members(
    qtbot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    for name, code in (("Khách sỉ", "SI"), ("VIP", "VIP")):
        levels_svc.save_level(owner_ctx, name=name, code=code)
    (cid,) = customers_with(engine, [{}])
    dialog = show_widget(qtbot, CustomerDetailDialog(owner_ctx, cid), 1100, 760)
    qtbot.waitUntil(lambda: not dialog.stats_loading, timeout=WAIT)
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        dialog.rank_panel.reload()
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)

    level_reads = [s for s in statements if "customer_levels" in s]
    assert level_reads, statements
    # 0.1 s over 100,000 customers for names only: no member (or price) count.
    assert not [s for s in level_reads if "count(" in s.lower()], level_reads
    assert [text for _id, text in dialog.rank_panel.levels][-2:] == ["Khách sỉ (SI)", "VIP"]


def test_a_points_reason_is_read_back_once_per_distinct_text(
    qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    tries: list[str] = []
    real = messages.reread

    def counted(text: str, template: str) -> messages.Message | None:
        tries.append(text)
        return real(text, template)

    monkeypatch.setattr(detail, "reread", counted)
    cached = getattr(detail, "_points_reason_in", None)
    if cached is not None:
        cached.cache_clear()
    reasons = ["Earned on #1001", "Redeemed on #1002", "Khách quen"] * 200
    install_language("vi")
    try:
        shown = [detail.points_reason(r) for r in reasons]
        again = [detail.points_reason(r) for r in reasons]
    finally:
        install_language("en")

    assert shown == again and shown[2] == "Khách quen" and shown[0] != "Earned on #1001"
    # Each distinct text against the templates at most once (not 600 times over).
    assert len(tries) <= 3 * len(ORDER_REASONS)
    assert len(set(tries)) == 3
