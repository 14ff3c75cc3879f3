"""Settings → Backup & restore says which backup was taken while the PC's clock was ahead
(it is listed last, after today's)."""

from __future__ import annotations

from typing import Any

from primedist.config import Settings
from primedist.services import backup
from primedist.services.context import ServiceContext
from primedist.ui.settings.backup import BackupSettings
from tests.services.test_backup_clock_ahead import pytestmark, real_clock, taken_a_year_ahead
from tests.ui.support import WAIT, show_widget

__all__ = ["pytestmark"]  # SQLite only, as the backups it lists


def test_the_backup_page_says_which_backup_is_dated_in_the_future(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings
) -> None:
    ctx = real_clock(owner_ctx, settings)
    taken_a_year_ahead(backup.daily_backup(ctx))
    backup.daily_backup(ctx)
    page = show_widget(qtbot, BackupSettings(ctx))
    qtbot.waitUntil(lambda: page.table.rowCount() == 2, timeout=WAIT)
    taken = [page.table.item(row, 0).text() for row in range(2)]  # type: ignore[union-attr]
    assert not taken[0].endswith("(dated in the future)")  # today's, listed first
    assert taken[1].endswith(" (dated in the future)")
