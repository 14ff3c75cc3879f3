"""The app's file dialogs: listing the data dir keeps the app's SQLite locks (Qt's stock
icon provider opened every listed file, and closing any descriptor of a file drops all the
process's POSIX locks on it), no dialog starts in the data dir, the last folder is
remembered per purpose (a first import starts in Downloads), and no part of the UI makes
a file dialog of its own."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QFileInfo, QMimeDatabase, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QFileIconProvider, QFileSystemModel

from primedist.config import Settings
from primedist.services.context import ServiceContext
from primedist.ui import file_dialogs
from primedist.ui.customers.import_wizard import ImportWizard
from primedist.ui.file_dialogs import (
    BACKUP,
    EXPORT,
    IMPORT,
    PRODUCT_FILES,
    NameOnlyIconProvider,
)
from tests.ui.support import show_widget

pytestmark = pytest.mark.usefixtures("english")

UI = Path(file_dialogs.__file__).parent

#: Opens the database as a second process would (a CLI import, `sync --loop`) and closes
#: it: SQLite then deletes the -wal, unless another process still holds its locks.
OPEN_AND_CLOSE = (
    "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
    "c.execute('select count(*) from sqlite_master').fetchall(); c.close()"
)
COUNT_NOTES = (
    "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
    'print(c.execute("select count(*) from lock_probe").fetchone()[0])'
)


def list_in_dialog(qtbot: Any, folder: Path) -> list[str]:
    """Show the app's file dialog on `folder` (details view: the Type column too) until
    its listing and the icons and types are in; the names listed."""
    dialog = file_dialogs.build_file_dialog(None, "Import", folder, "All files (*)")
    dialog.setViewMode(QFileDialog.ViewMode.Detail)
    qtbot.addWidget(dialog)
    dialog.show()
    model = dialog.findChild(QFileSystemModel)
    assert model is not None
    root = model.index(str(folder))
    expected = len([p for p in folder.iterdir() if not p.name.startswith(".")])
    qtbot.waitUntil(lambda: model.rowCount(root) >= expected, timeout=10_000)
    names = []
    for row in range(model.rowCount(root)):
        names.append(model.index(row, 0, root).data())
        model.index(row, 0, root).data(1)  # the icon (DecorationRole)
        model.index(row, 2, root).data()  # the type
    end = time.monotonic() + 1.5  # the icon gatherer works on its own thread
    while time.monotonic() < end:
        qtbot.wait(50)
    dialog.close()
    return names


def test_listing_the_data_dir_keeps_the_apps_sqlite_locks(
    qtbot: Any, ctx: ServiceContext, settings: Settings
) -> None:
    db = settings.db_path
    assert db is not None
    wal = Path(f"{db}-wal")
    with ctx.engine.begin() as conn:  # the app at work: its connection open, in WAL mode
        conn.execute(sa.text("CREATE TABLE lock_probe (n INTEGER)"))
    (settings.data_dir / "orders.xlsx").write_bytes(b"PK\x03\x04 an export left here")
    with ctx.engine.connect() as reading:
        reading.execute(sa.text("SELECT count(*) FROM lock_probe")).all()
        assert wal.exists()

        names = list_in_dialog(qtbot, settings.data_dir)
        assert {"primedist.db", "primedist.db-wal", "primedist.db-shm"} <= set(names)

        # Another process opens and closes the database: it must see the app still there.
        subprocess.run([sys.executable, "-c", OPEN_AND_CLOSE, str(db)], check=True)
        assert wal.exists(), "the other process deleted the -wal under the running app"
        reading.execute(sa.text("INSERT INTO lock_probe VALUES (1)"))
        reading.commit()
    seen = subprocess.run([sys.executable, "-c", COUNT_NOTES, str(db)], check=True,
                          capture_output=True, text=True)  # fmt: skip
    assert seen.stdout.strip() == "1"  # the write went into the database's own WAL


def test_the_icons_and_types_come_from_the_name(tmp_path: Path, qapp: Any) -> None:
    (tmp_path / "sub").mkdir()
    sheet = tmp_path / "orders.xlsx"
    sheet.write_bytes(b"not a workbook at all")
    by_name = QMimeDatabase().mimeTypeForFile("x.xlsx", QMimeDatabase.MatchMode.MatchExtension)
    provider = NameOnlyIconProvider()
    assert provider.type(QFileInfo(str(sheet))) == by_name.comment()
    assert provider.type(QFileInfo(str(tmp_path / "sub"))) == "Folder"
    assert not provider.icon(QFileInfo(str(sheet))).isNull()
    assert not provider.icon(QFileIconProvider.IconType.Folder).isNull()


def choose(monkeypatch: pytest.MonkeyPatch, answer: Path | None) -> list[QFileDialog]:
    """Answer every file dialog with `answer` (None: cancelled); the dialogs shown."""
    shown: list[QFileDialog] = []

    def run(dialog: QFileDialog) -> tuple[list[str], str]:
        shown.append(dialog)
        return ([str(answer)] if answer else []), ""

    monkeypatch.setattr(file_dialogs, "run_dialog", run)
    return shown


def started_in(dialog: QFileDialog) -> Path:
    return Path(dialog.directory().absolutePath())


def test_the_customer_import_starts_out_of_the_data_dir_with_the_safe_dialog(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    wizard = show_widget(qtbot, ImportWizard(owner_ctx), 900, 640)
    shown = choose(monkeypatch, None)
    wizard.browse_button.click()
    assert len(shown) == 1
    assert started_in(shown[0]) != settings.data_dir  # it started there
    assert isinstance(shown[0].iconProvider(), NameOnlyIconProvider)
    assert shown[0].testOption(QFileDialog.Option.DontUseNativeDialog)
    # Room for the names, sizes and dates (Qt's own size cut the Size column).
    assert shown[0].width() >= 900 and shown[0].height() >= 560


def test_the_last_folder_is_remembered_per_purpose(
    qtbot: Any, ctx: ServiceContext, settings: Settings, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    desk = tmp_path / "desk"
    desk.mkdir()
    shown = choose(monkeypatch, desk / "orders.csv")
    assert file_dialogs.ask_open_file(None, ctx, IMPORT, "Import", "CSV (*.csv)") == (
        desk / "orders.csv"
    )
    file_dialogs.ask_open_file(None, ctx, IMPORT, "Import", "CSV (*.csv)")
    assert started_in(shown[1]) == desk
    # An export has its own folder: the suggested one the first time.
    suggested = settings.export_dir / "orders.xlsx"
    answer = file_dialogs.ask_save_file(None, ctx, EXPORT, "Export", suggested, "Excel (*.xlsx)")
    assert started_in(shown[2]) == settings.export_dir
    assert shown[2].selectedFiles() == [str(suggested)]
    assert answer == (desk / "orders.csv", "")


def test_no_dialog_starts_in_the_folder_of_the_database(
    ctx: ServiceContext, settings: Settings, monkeypatch: pytest.MonkeyPatch, qapp: Any
) -> None:
    # Asked for (an old caller), remembered by hand, or picked once: never the data dir.
    shown = choose(monkeypatch, settings.data_dir / "primedist.db")
    file_dialogs.ask_open_file(None, ctx, IMPORT, "Import", "All (*)", settings.data_dir)
    file_dialogs.ask_open_file(None, ctx, IMPORT, "Import", "All (*)", settings.data_dir)
    assert settings.data_dir not in {started_in(d) for d in shown}
    assert file_dialogs.start_folder(ctx, EXPORT, settings.data_dir) != settings.data_dir


def test_no_other_part_of_the_ui_makes_a_file_dialog() -> None:
    """Qt's own dialogs (getOpenFileName…) list a folder with the stock icon provider."""
    makers = [
        str(p.relative_to(UI))
        for p in sorted(UI.rglob("*.py"))
        if p.name != "file_dialogs.py" and "QFileDialog" in p.read_text(encoding="utf-8")
    ]
    assert makers == []


class StandardPaths:
    """QStandardPaths with the user's folders of the test (a missing folder stays named:
    the dialog must skip it)."""

    StandardLocation = QStandardPaths.StandardLocation

    def __init__(self, home: Path) -> None:
        self.places = {
            QStandardPaths.StandardLocation.DownloadLocation: home / "Downloads",
            QStandardPaths.StandardLocation.DocumentsLocation: home / "Documents",
            QStandardPaths.StandardLocation.PicturesLocation: home / "Pictures",
        }

    def writableLocation(self, where: QStandardPaths.StandardLocation) -> str:  # noqa: N802
        return str(self.places[where])


def test_a_first_import_starts_in_downloads_then_documents_then_home(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """It opened in <data dir>/exports, not where a downloaded Seller Center file is."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(file_dialogs, "QStandardPaths", StandardPaths(home))
    settings.export_dir.mkdir(parents=True, exist_ok=True)
    shown = choose(monkeypatch, None)

    def first_import() -> Path:
        file_dialogs.ask_open_file(None, owner_ctx, IMPORT, "Import", "CSV (*.csv)",
                                   settings.export_dir)  # fmt: skip
        return started_in(shown[-1])

    assert first_import() == settings.export_dir  # no Downloads, no Documents: the folder
    (home / "Documents").mkdir()
    assert first_import() == home / "Documents"
    (home / "Downloads").mkdir()
    assert first_import() == home / "Downloads"
    # The products' import (its own remembered folder) and the customers' wizard too.
    file_dialogs.ask_open_file(None, owner_ctx, PRODUCT_FILES, "Import", "", settings.export_dir)
    assert started_in(shown[-1]) == home / "Downloads"
    wizard = show_widget(qtbot, ImportWizard(owner_ctx), 900, 640)
    wizard.browse_button.click()
    assert started_in(shown[-1]) == home / "Downloads"
    # An export keeps its suggested folder, a restore (a backup file) its own.
    file_dialogs.ask_save_file(None, owner_ctx, EXPORT, "Export",
                               settings.export_dir / "a.xlsx", "")  # fmt: skip
    assert started_in(shown[-1]) == settings.export_dir
    backups = settings.data_dir / "backups"
    backups.mkdir(exist_ok=True)
    file_dialogs.ask_open_file(None, owner_ctx, BACKUP, "Restore", "", backups)
    assert started_in(shown[-1]) == backups
