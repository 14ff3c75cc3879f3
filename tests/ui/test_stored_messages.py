"""Lines the services store (a shop's sync log, the audit log's summaries) read in the
reader's language, now and after a switch; the CLI and the Excel export keep the English."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.enums import Role
from primedist.sandbox.base import FaultKind
from primedist.services import audit_log, reports, staff, sync, tags
from primedist.services.audit_log import AuditFilter
from primedist.services.context import ServiceContext
from primedist.ui.home.activity_text import describe
from primedist.ui.i18n import install_language
from primedist.ui.messages import localize
from primedist.ui.settings.audit import AuditLogSettings
from primedist.ui.sync.panel import ShopLogPage
from tests.factories import make_customers, make_shop
from tests.services.test_sync import Market, _sandbox
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def market(ctx: ServiceContext, engine: Engine, clock: FixedClock) -> Iterator[Market]:
    for sandbox in _sandbox(clock, orders=40, history_days=5, seed=5):
        yield Market(ctx, engine, sandbox)


def _log_texts(page: ShopLogPage) -> list[str]:
    return [page.table.item(r, 2).text() for r in range(page.table.rowCount())]


def test_the_sync_log_reads_in_vietnamese_and_the_cli_keeps_english(
    qtbot: Any, market: Market, clock: FixedClock, vietnamese: None
) -> None:
    market.sandbox.inject(FaultKind.HTTP_500, count=10_000)
    assert market.sync().outcome == "marketplace_error"  # it answered: not offline
    market.sandbox.clear_faults()
    clock.advance(timedelta(minutes=10))
    report = market.sync()
    assert report.outcome == "ok" and report.inserted == 40

    page = show_widget(qtbot, ShopLogPage(market.ctx))
    qtbot.waitUntil(lambda: page.table.rowCount() == 2, timeout=WAIT)
    newest, failure = _log_texts(page)
    assert newest.startswith("Shopee Sandbox: đã tải 40 đơn hàng, 40 mới, 0 cập nhật")
    assert failure.startswith("Sàn trả về lỗi (sẽ thử lại): ")
    assert page.table.item(1, 2).toolTip() == failure  # the whole line on hover

    english = [line.message for line in sync.sync_log(market.ctx, market.shop_id)]
    assert english[0].startswith("Shopee Sandbox: 40 orders fetched, 40 new, 0 updated")
    assert english[1].startswith("The marketplace answered with an error (will retry): ")
    # The cause after the colon is the platform's answer, the same in both languages.
    assert failure.split(": ", 1)[1] == english[1].split(": ", 1)[1]

    install_language("en")
    page.reload()
    qtbot.waitUntil(lambda: _log_texts(page) == english, timeout=WAIT)


def _summaries(page: AuditLogSettings) -> list[str]:
    col = [c.key for c in page.model.spec.columns].index("summary")
    return [page.model.index(r, col).data() for r in range(page.model.rowCount())]


def test_audit_summaries_read_in_vietnamese_and_the_export_keeps_english(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine, tmp_path: Path, vietnamese: None
) -> None:
    staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF)
    vip = tags.create_tag(owner_ctx, "VIP")
    customers = make_customers(engine, 1_204)
    tags.tag_customers(owner_ctx, vip, customers)
    with engine.begin() as conn:  # a row from before summaries kept their message
        conn.exec_driver_sql(
            "INSERT INTO audit_events (action, summary, created_at)"
            " VALUES ('backup.create', 'written in English once', '2026-11-01 01:00:00.000000')"
        )
    page = show_widget(qtbot, AuditLogSettings(owner_ctx))
    qtbot.waitUntil(lambda: "VIP" in _summaries(page), timeout=WAIT)
    shown = _summaries(page)
    assert "VIP: gắn thẻ 1.204 trên 1.204 khách hàng" in shown  # the reader's separators
    assert "Đã thêm Lan <lan@shop.vn> với vai trò Nhân viên" in shown  # a role by its label
    assert "written in English once" in shown  # as it was written
    assert not any(s.startswith("\x1e") or '"t":' in s for s in shown)

    install_language("en")
    qtbot.waitUntil(
        lambda: "VIP: tagged 1,204 of 1,204 customers" in _summaries(page), timeout=WAIT
    )
    assert "Lan <lan@shop.vn> added as Staff" in _summaries(page)  # a role by its label

    english = {row["summary"] for row in audit_log.list_events(owner_ctx, AuditFilter())}
    assert {"VIP: tagged 1,204 of 1,204 customers", "written in English once"} <= english
    target = tmp_path / "audit.xlsx"
    audit_log.export_audit(owner_ctx, target)
    sheet = load_workbook(target, read_only=True).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    exported = {row[header.index("Summary")] for row in rows}
    assert {"VIP: tagged 1,204 of 1,204 customers", "written in English once"} <= exported
    page.shutdown()


@pytest.mark.parametrize(
    ("name", "channel", "labels", "vi_labels"),
    [("Shopee B", "shopee", "partner id/key", "Partner ID và Partner Key"),
     ("Lazada B", "lazada", "app key/secret", "App Key và App Secret"),
     ("TikTok B", "tiktok", "app key/secret", "App Key và App Secret")],
)  # fmt: skip
def test_a_failure_in_our_own_words_reads_in_vietnamese_in_the_sync_log(
    qtbot: Any, ctx: ServiceContext, engine: Engine, vietnamese: None,
    name: str, channel: str, labels: str, vi_labels: str,
) -> None:  # fmt: skip
    # "secret: add them…" reads like a credential header: the redaction of a cause in
    # our own words must not mask our words (nor turn them into English text).
    shop = make_shop(engine, name, channel)  # no app id/key yet
    report = sync.sync_shop(ctx, shop)
    assert report.outcome == "needs_reauth"
    (line,) = sync.sync_log(ctx, shop)
    assert line.message == (  # the CLI's English
        "Authorisation lost: re-authorise the shop in Settings → Sales channels: "
        f"{name} has no {labels}: add them in Sales channels."
    )
    page = show_widget(qtbot, ShopLogPage(ctx))
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=WAIT)
    (shown,) = _log_texts(page)
    assert (
        shown
        == localize(line.message)
        == (
            "Mất ủy quyền: hãy ủy quyền lại gian hàng trong Cài đặt → Kênh bán hàng: "
            f"{name} chưa có {vi_labels}: hãy thêm trong Kênh bán hàng."
        )
    )
    (event,) = [e for e in reports.events(ctx) if e.kind == "sync_failed"]
    assert event.message.endswith(f"{name} has no {labels}: add them in Sales channels.")
    assert describe(event, "vi").endswith(  # Home's feed words our own reason too
        f": {name} chưa có {vi_labels}: hãy thêm trong Kênh bán hàng."
    )
