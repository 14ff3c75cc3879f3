"""The exports report their progress as Messages (template and values), not English
f-strings: the status bar words them in the user's language, the numbers with its
separators ("Đang xuất đơn hàng Exported 2,000 of 20,182" in Vietnamese before)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from primedist.core.messages import Message
from primedist.jobs.progress import JobProgress
from primedist.services import order_export
from primedist.services.context import ServiceContext
from primedist.services.product_export import export_products
from primedist.services.sku_groups import export_groups
from tests.factories import make_orders, make_product, make_shop


class Recorder(JobProgress):
    """Keeps every message reported."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def update(self, fraction: float, message: str = "") -> None:
        super().update(fraction, message)
        self.seen.append(message)


def templates(progress: Recorder) -> list[tuple[str, dict[str, object]]]:
    assert progress.seen and all(isinstance(m, Message) for m in progress.seen), progress.seen
    return [(m.template, m.values) for m in progress.seen if isinstance(m, Message)]


def test_the_order_export_reports_messages(
    owner_ctx: ServiceContext, engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = make_shop(engine, "Shop A")
    make_orders(engine, shop, 5, start=datetime(2026, 11, 1, tzinfo=UTC), step=timedelta(hours=1))
    monkeypatch.setattr(order_export, "PROGRESS_EVERY", 2)
    progress = Recorder()
    order_export.export_orders(owner_ctx, tmp_path / "o.xlsx", lang="en", progress=progress)
    seen = templates(progress)
    assert ("Exported {done} of {total}", {"done": 2, "total": 5}) in seen
    assert ("Saving the file", {}) in seen
    assert seen[-1] == ("Exported {count} orders", {"count": 5})
    assert str(progress.seen[1]) == "Exported 2 of 5"  # the English, as before


def test_the_product_and_group_exports_report_messages(
    owner_ctx: ServiceContext, engine: sa.Engine, tmp_path: Path
) -> None:
    make_product(engine, "Áo thun", [("AO-S", 100_000, 5), ("AO-M", 100_000, 5)])
    progress = Recorder()
    export_products(owner_ctx, tmp_path / "p.xlsx", lang="en", progress=progress)
    seen = templates(progress)
    assert ("Exported {count} variants", {"count": 2}) in seen
    assert ("Saving the file", {}) in seen
    progress = Recorder()
    export_groups(owner_ctx, tmp_path / "g.xlsx", lang="en", progress=progress)
    assert templates(progress)[-1] == ("Exported {count} SKU groups", {"count": 0})
