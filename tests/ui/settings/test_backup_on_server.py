"""Settings → Backup & restore on a PostgreSQL server: the app backs the database up with
pg_dump (Back up now, to a folder, how many to keep), says where the backups go, and keeps
Restore off: the selected backup's pg_restore command is shown instead, to run when every
PC has closed the app. A PC without pg_dump says so. The SQLite file's page is as before.

The first tests stand a server's URL in on the test store (the page's texts, the list of
.dump files); the last one backs a real server up (PostgreSQL pass only)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from primedist.config import Settings
from primedist.db import pg_backup
from primedist.services.context import ServiceContext
from primedist.ui.settings.backup import BackupSettings
from tests.conftest import PG_URL
from tests.db.test_pg_backup import stand_in
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")

SERVER = "postgresql+psycopg://primedist:s3cret-pw@db.shop.lan/primedist"


def on_server(owner_ctx: ServiceContext, tmp_path: Path) -> ServiceContext:
    server = Settings(tmp_path / "pc", SERVER)
    return ServiceContext(owner_ctx.engine, owner_ctx.actor, owner_ctx.clock, server)


#: A pg_restore that lists a shop's tables and reads a dump back, unless the dump says
#: it is damaged (what the real one says of a file cut short).
READS_BACK = """case "$*" in
  *--list*) echo '3350; 0 16390 TABLE DATA public alembic_version shop'
            echo '3351; 0 16391 TABLE DATA public orders shop'; exit 0;;
esac
for a in "$@"; do f="$a"; done
if grep -q damaged "$f"; then
  echo 'pg_restore: error: could not read from input file: end of file' >&2; exit 1
fi
echo "read $f" >> "$(dirname "$0")/reads"
"""


@pytest.fixture
def pg_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Stand-in client tools on the PATH: a pg_dump (never run here) and the pg_restore
    beside it; returns the file where pg_restore notes each dump it read back."""
    pg_dump = stand_in(tmp_path / "bin", "exit 1\n")
    stand_in(pg_dump.parent, READS_BACK, name="pg_restore")
    monkeypatch.delenv(pg_backup.PG_DUMP_ENV, raising=False)
    monkeypatch.setenv("PATH", f"{pg_dump.parent}{os.pathsep}{os.environ['PATH']}")
    return pg_dump.parent / "reads"


def reads_of(log: Path) -> list[str]:
    return log.read_text().split("\n")[:-1] if log.exists() else []


def open_page(qtbot: Any, ctx: ServiceContext) -> BackupSettings:
    page = show_widget(qtbot, BackupSettings(ctx))
    qtbot.waitUntil(lambda: page.loaded, timeout=WAIT)
    return page


def test_on_a_server_database_the_page_backs_up_and_gives_the_restore_command(
    qtbot: Any, owner_ctx: ServiceContext, tmp_path: Path, pg_tools: Path
) -> None:
    ctx = on_server(owner_ctx, tmp_path)
    assert ctx.settings is not None
    ctx.settings.backup_dir.mkdir(parents=True)
    dump = ctx.settings.backup_dir / "primedist-20261119-200000-000000-daily.dump"
    dump.write_bytes(b"PGDMP")
    (ctx.settings.backup_dir / "primedist-20261001-200000-000000-daily.db").write_bytes(b"")

    page = open_page(qtbot, ctx)

    text = page.explanation.text()
    assert "pg_dump" in text and str(ctx.settings.backup_dir) in text
    assert "see the README" not in text  # no longer "back the server up by hand"
    for button in (page.backup_button, page.backup_to_button, page.keep_save):
        assert button.isEnabled(), button.text()
    # The dumps are listed (the .db backups from before the move are another kind).
    assert [page.table.item(r, 3).text() for r in range(page.table.rowCount())] == [dump.name]
    assert not page.restore_button.isEnabled() and not page.restore_selected_button.isEnabled()
    assert "select a backup to see the command" in page.restore_note.text()

    page.table.selectRow(0)

    command = f'pg_restore --clean --if-exists -h db.shop.lan -U primedist -d primedist "{dump}"'
    qtbot.waitUntil(lambda: page.restore_note.text().endswith(command), timeout=WAIT)
    assert page.restore_note.isVisible() and reads_of(pg_tools) == [f"read {dump}"]
    assert "when every PC has closed the app" in page.restore_note.text()
    assert "s3cret-pw" not in page.restore_note.text()
    assert "pg_restore" not in page.restore_note.text().splitlines()[0]  # no note: checked whole
    assert page.restore_selected_button.toolTip() == page.restore_note.text()
    assert not page.restore_selected_button.isEnabled()

    one_pc = Settings(tmp_path / "pc", f"sqlite:///{tmp_path / 'pc' / 'primedist.db'}")
    on_file = show_widget(qtbot, BackupSettings(ServiceContext(  # the SQLite file: as before
        owner_ctx.engine, owner_ctx.actor, owner_ctx.clock, one_pc)))  # fmt: skip
    assert "every day" in on_file.explanation.text() and on_file.restore_button.isEnabled()
    assert not on_file.restore_note.isVisible()


def test_a_backup_damaged_since_it_was_made_gets_no_restore_command(
    qtbot: Any, owner_ctx: ServiceContext, tmp_path: Path, pg_tools: Path
) -> None:
    ctx = on_server(owner_ctx, tmp_path)
    assert ctx.settings is not None
    folder = ctx.settings.backup_dir
    folder.mkdir(parents=True)
    good = folder / "primedist-20261119-200000-000000-daily.dump"
    good.write_bytes(b"PGDMP good")
    damaged = folder / "primedist-20261120-200000-000000-daily.dump"
    damaged.write_bytes(b"PGDMP damaged")
    page = open_page(qtbot, ctx)
    assert [page.table.item(r, 3).text() for r in range(2)] == [damaged.name, good.name]

    page.table.selectRow(0)
    assert page.restore_note.text().startswith(f"Reading {damaged.name} back with pg_restore")
    qtbot.waitUntil(lambda: "damaged or incomplete" in page.restore_note.text(), timeout=WAIT)
    assert page.restore_note.text().startswith(damaged.name)
    assert "could not read from input file: end of file" in page.restore_note.text()
    assert "--clean" not in page.restore_note.text()  # no command for it

    page.table.selectRow(1)
    qtbot.waitUntil(lambda: page.restore_note.text().endswith(f'"{good}"'), timeout=WAIT)
    page.table.selectRow(0)  # read once: said again at once, pg_restore not run again
    assert "damaged or incomplete" in page.restore_note.text()
    assert reads_of(pg_tools) == [f"read {good}"]

    damaged.write_bytes(b"PGDMP copied again from the USB stick")  # a good copy in its place
    page.table.selectRow(1)
    page.table.selectRow(0)
    qtbot.waitUntil(lambda: page.restore_note.text().endswith(f'"{damaged}"'), timeout=WAIT)
    assert reads_of(pg_tools) == [f"read {good}", f"read {damaged}"]


def test_a_pc_without_pg_dump_says_so_on_the_page(
    qtbot: Any, owner_ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(pg_backup.PG_DUMP_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))

    page = open_page(qtbot, on_server(owner_ctx, tmp_path))

    assert page.tool_note.isVisible()
    assert page.tool_note.text() == (
        "pg_dump was not found on this PC: install the PostgreSQL client tools or set "
        "PRIMEDIST_PG_DUMP to its path."
    )


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: pg_dump of a real server")
def test_back_up_now_on_postgresql_lists_the_dump_and_restore_stays_off(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings
) -> None:
    page = open_page(qtbot, owner_ctx)
    assert page.backup_button.isEnabled() and not page.tool_note.isVisible()

    qtbot.mouseClick(page.backup_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=WAIT)

    name = page.table.item(0, 3).text()
    assert name.endswith("-manual.dump") and page.message.text() == f"Backup written: {name}"
    assert pg_backup.is_dump(settings.backup_dir / name)
    page.table.selectRow(0)
    assert not page.restore_selected_button.isEnabled()
    # pg_restore reads the new dump back (in the background) before its command is given.
    qtbot.waitUntil(
        lambda: page.restore_note.text().endswith(f'"{settings.backup_dir / name}"'), timeout=WAIT
    )
