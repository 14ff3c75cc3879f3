"""A damaged database or a full disk reaches the user as a message saying what to do (in
their language), never as the crash dialog's "Unexpected error" with a traceback: from
the global error hook, a background job, or a dialog that reports its own failure."""

from __future__ import annotations

import sqlite3
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from PySide6.QtWidgets import QApplication, QMessageBox

from primedist.db.engine import make_engine
from primedist.ui import errors
from primedist.ui.errors import CrashDialog
from primedist.ui.i18n import install_language
from primedist.ui.ops import Op
from tests.db.test_store_errors import DAMAGED, FULL, damage_table


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch, qapp: object) -> Iterator[list[tuple[str, str]]]:
    """The warning boxes shown (title, text), instead of showing them; English."""
    install_language("en")
    seen: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda _p, title, text: seen.append((title, text)))
    )
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    monkeypatch.setattr(errors, "_log_path", errors._log_path)
    errors.install_excepthook(None)
    yield seen
    for dialog in crash_dialogs():
        dialog.close()


def crash_dialogs() -> list[CrashDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, CrashDialog)
            and w.isVisible()]  # fmt: skip


def damaged_query_error(tmp_path: Path) -> sa.exc.DatabaseError:
    """What a page of Orders gets from a store whose orders pages were overwritten."""
    db = tmp_path / "shop.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, note TEXT)")
    conn.executemany("INSERT INTO orders (note) VALUES (?)", [("x" * 500,)] * 50)
    conn.commit()
    conn.close()
    damage_table(db, "orders")
    engine = make_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as c:
            c.exec_driver_sql("SELECT count(*), max(note) FROM orders").all()
    except sa.exc.DatabaseError as exc:
        return exc
    finally:
        engine.dispose()
    raise AssertionError("the damaged table was read")


def raised(exc: BaseException) -> tuple[type[BaseException], BaseException, object]:
    try:
        raise exc
    except BaseException as caught:  # noqa: BLE001 - the real traceback
        return type(caught), caught, caught.__traceback__


def test_the_error_hook_shows_a_damaged_store_as_a_message(qtbot, boxes, tmp_path) -> None:
    sys.excepthook(*raised(damaged_query_error(tmp_path)))
    qtbot.waitUntil(lambda: boxes != [], timeout=10_000)
    assert boxes == [("Something needs your attention", DAMAGED)]
    qtbot.wait(20)
    assert crash_dialogs() == []


def test_a_wrapped_full_disk_is_a_message_too(qtbot, boxes) -> None:
    """The driver's error as the cause of another (a job wrapping what it ran)."""
    full = sa.exc.OperationalError("INSERT …", {}, sqlite3.OperationalError(
        "database or disk is full"))  # fmt: skip
    try:
        raise RuntimeError("saving My account failed") from full
    except RuntimeError as exc:
        errors.show_crash(None, exc)
    assert boxes == [("Something needs your attention", FULL)]
    assert crash_dialogs() == []


def test_a_background_job_on_a_damaged_store_is_a_message(qtbot, boxes, tmp_path) -> None:
    error = damaged_query_error(tmp_path)

    def load(_job: object) -> None:
        raise error

    Op(None, load).run()
    qtbot.waitUntil(lambda: boxes != [], timeout=10_000)
    assert boxes == [("Something needs your attention", DAMAGED)]
    assert crash_dialogs() == []


def test_a_bug_still_gets_the_crash_dialog(qtbot, boxes) -> None:
    dialog = errors.show_crash(None, RuntimeError("stock went below zero"))
    assert dialog is not None and crash_dialogs() == [dialog]
    assert boxes == []
