"""Settings → Backup & restore on a PostgreSQL server: the page says to use pg_dump and
offers no app backup or restore (they are for the SQLite file only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from primedist.config import Settings
from primedist.services.context import ServiceContext
from primedist.ui.settings.backup import BackupSettings
from tests.ui.support import show_widget


def test_on_a_server_database_the_page_points_to_pg_dump(
    qtbot: Any, owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    server = Settings(tmp_path / "pc", "postgresql+psycopg://primedist@db.shop.lan/primedist")
    ctx = ServiceContext(owner_ctx.engine, owner_ctx.actor, owner_ctx.clock, server)
    page = show_widget(qtbot, BackupSettings(ctx))
    assert "pg_dump" in page.explanation.text()
    assert not page.backup_button.isEnabled() and not page.restore_button.isEnabled()
    assert not page.keep_save.isEnabled()

    one_pc = Settings(tmp_path / "pc", f"sqlite:///{tmp_path / 'pc' / 'primedist.db'}")
    on_file = show_widget(qtbot, BackupSettings(ServiceContext(  # the SQLite file: as before
        owner_ctx.engine, owner_ctx.actor, owner_ctx.clock, one_pc)))  # fmt: skip
    assert "every day" in on_file.explanation.text() and on_file.backup_button.isEnabled()
