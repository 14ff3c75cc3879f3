"""The app's start on a data dir it cannot use as it is. A damaged database: the message
offers "Restore a backup…" (the app's Settings cannot be reached), restores the chosen one
and starts on it. A log file that cannot be written: the log goes to stderr and the start
goes on (it used to end on the log's OSError, with no dialog)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from primedist.config import Settings
from primedist.core.logging_setup import setup_logging
from primedist.db.backup import find_damage
from primedist.services import backup
from primedist.services.context import ServiceContext
from primedist.ui import app as app_module
from primedist.ui import file_dialogs

PG_URL = os.environ.get("PRIMEDIST_TEST_DATABASE_URL", "")
pytestmark = [
    pytest.mark.skipif(bool(PG_URL), reason="SQLite only: a damaged file, file backups"),
    pytest.mark.usefixtures("english"),
]

Answer = Callable[[Any], bool]


@pytest.fixture
def answer(qapp: Any) -> Iterator[Callable[..., list[str]]]:
    """`answer(*steps)`: each modal dialog, as it opens, goes to the next step (which
    returns False to wait for another dialog); returns the dialogs' texts, as seen."""
    timers: list[QTimer] = []
    seen: list[str] = []

    def start(*steps: Answer) -> list[str]:
        todo = list(steps)
        last: list[Any] = [None]

        def look() -> None:
            dialog = QApplication.activeModalWidget()
            if dialog is None or dialog is last[0] or not todo:
                return
            if isinstance(dialog, QMessageBox):
                seen.append(dialog.text())
            if todo[0](dialog):
                todo.pop(0)
                last[0] = dialog

        timer = QTimer()
        timer.timeout.connect(look)
        timer.start(30)
        timers.append(timer)
        return seen

    yield start
    for timer in timers:
        timer.stop()


def click(label: str) -> Answer:
    def step(dialog: Any) -> bool:
        if not isinstance(dialog, QMessageBox):
            return False
        button = next(b for b in dialog.buttons() if b.text().replace("&", "") == label)
        button.click()
        return True

    return step


def pick(index: int) -> Answer:
    """The nth entry of the list of backups (the last: "Another file…")."""

    def step(dialog: Any) -> bool:
        if not isinstance(dialog, QInputDialog):
            return False
        dialog.setTextValue(dialog.comboBoxItems()[index])
        dialog.accept()
        return True

    return step


def damaged_store(owner_ctx: ServiceContext, settings: Settings) -> Path:
    """A manual backup of the shop in the backups folder, then the database cut short
    (a copy that did not finish); returns the backup."""
    saved = backup.backup_now(owner_ctx)
    owner_ctx.engine.dispose()
    db = settings.db_path
    assert db is not None
    for end in ("-wal", "-shm"):
        Path(f"{db}{end}").unlink(missing_ok=True)
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])
    assert find_damage(db) is not None
    return saved


def shop_names(engine: sa.Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.exec_driver_sql("SELECT name FROM shops").scalars())


def test_a_damaged_database_offers_a_restore_and_the_app_starts_on_it(
    owner_ctx: ServiceContext,
    settings: Settings,
    tmp_path: Path,
    answer: Callable[..., list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    saved = damaged_store(owner_ctx, settings)
    before = shop_names_in(saved)
    stranger = tmp_path / "notes.db"
    stranger.write_text("not a backup", encoding="utf-8")
    monkeypatch.setattr(file_dialogs, "run_dialog", lambda _d: ([str(stranger)], ""))
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: told.append(text))
    seen = answer(
        click("Restore a backup…"),
        pick(-1),  # another file: not a backup, refused, the dialog comes back
        click("Restore a backup…"),
        pick(0),  # the newest backup of the data dir
    )

    engine = app_module.open_store_or_restore(settings)

    assert engine is not None
    try:
        assert shop_names(engine) == before
    finally:
        engine.dispose()
    assert seen[0].endswith(
        "The shop's data is damaged and cannot be read. Restore a backup: in the app, "
        "Settings → Backup & restore; or run `primedist restore FILE`."
    )
    assert seen[1] == "notes.db is not a Prime Distribution backup (not SQLite)."
    (aside,) = settings.data_dir.glob("primedist.db.damaged-*")
    assert told == [f"The backup {saved.name} was restored. The damaged data was set aside "
                    f"as {aside.name}."]  # fmt: skip


def test_closing_the_message_ends_the_start_and_leaves_the_files(
    owner_ctx: ServiceContext, settings: Settings, answer: Callable[..., list[str]]
) -> None:
    damaged_store(owner_ctx, settings)
    assert settings.db_path is not None
    damaged = settings.db_path.read_bytes()
    answer(click("Close"))

    assert app_module.open_store_or_restore(settings) is None

    assert settings.db_path.read_bytes() == damaged
    assert not list(settings.data_dir.glob("primedist.db.damaged-*"))


def shop_names_in(path: Path) -> set[str]:
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        return shop_names(engine)
    finally:
        engine.dispose()


# The log file -------------------------------------------------------------------------
def test_a_log_file_that_cannot_be_written_logs_to_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocked = tmp_path / "logs"
    blocked.write_text("a file where the logs folder goes", encoding="utf-8")
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    try:
        assert setup_logging(blocked) is None
        logging.getLogger("primedist.test").warning("still told")
    finally:
        for handler in root.handlers[len(before) :]:
            root.removeHandler(handler)
        root.setLevel(level)
    err = capsys.readouterr().err
    assert f"cannot write the log file {blocked / 'primedist.log'}" in err
    assert "still told" in err
