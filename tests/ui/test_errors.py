"""Uncaught exceptions: logged (secrets redacted), shown in the crash dialog or as a message."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from primedist.errors import Conflict
from primedist.ui import errors
from primedist.ui.errors import CrashDialog, install_excepthook, setup_logging


@pytest.fixture
def log_path(tmp_path: Path, monkeypatch) -> Iterator[Path]:
    """A real log file and the real hooks; everything put back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    monkeypatch.setattr(errors, "_log_path", errors._log_path)
    path = setup_logging(tmp_path / "logs")
    install_excepthook(path)
    yield path
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    for dialog in crash_dialogs():
        dialog.close()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert errors._open_dialogs == set()


def crash_dialogs() -> list[CrashDialog]:
    """The crash dialogs on screen."""
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, CrashDialog) and w.isVisible()
    ]


def raise_and_catch(exc: BaseException) -> tuple[type[BaseException], BaseException, object]:
    try:
        raise exc
    except BaseException as caught:  # noqa: BLE001 - we want the real traceback
        return type(caught), caught, caught.__traceback__


def flush(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def test_uncaught_bug_is_logged_and_shown_in_the_crash_dialog(qtbot, log_path):
    assert sys.excepthook is errors._handle
    assert crash_dialogs() == []
    sys.excepthook(*raise_and_catch(RuntimeError("stock went below zero for SKU-42")))
    qtbot.waitUntil(lambda: len(crash_dialogs()) == 1, timeout=10_000)

    logged = flush(log_path)
    assert "ERROR primedist: uncaught exception" in logged
    assert "Traceback (most recent call last):" in logged
    assert "in raise_and_catch" in logged
    assert "RuntimeError: stock went below zero for SKU-42" in logged

    (dialog,) = crash_dialogs()
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and dialog.isModal()
    assert dialog.windowTitle() == "Unexpected error"
    details = dialog.details.toPlainText()
    assert "RuntimeError: stock went below zero for SKU-42" in details
    assert "in raise_and_catch" in details
    assert any(str(log_path) in label.text() for label in dialog.findChildren(QLabel))
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == details
    assert dialog.copy_button.text() == "Copy details"


def test_uncaught_exception_in_a_worker_thread_reaches_the_dialog(qtbot, log_path):
    def boom() -> None:
        raise KeyError("missing column 'total'")

    worker = threading.Thread(target=boom, name="worker-boom")
    worker.start()
    worker.join(5)
    qtbot.waitUntil(lambda: len(crash_dialogs()) == 1, timeout=10_000)
    assert "KeyError: \"missing column 'total'\"" in crash_dialogs()[0].details.toPlainText()
    assert "missing column 'total'" in flush(log_path)


def test_expected_error_goes_to_show_error(qtbot, log_path, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(
        errors, "show_error", lambda _parent, message, _title=None: shown.append(message)
    )
    sys.excepthook(*raise_and_catch(Conflict("That SKU is already used by another product.")))
    qtbot.waitUntil(lambda: shown != [], timeout=10_000)
    assert shown == ["That SKU is already used by another product."]
    qtbot.wait(20)
    assert crash_dialogs() == []
    logged = flush(log_path)
    assert "WARNING primedist: user-facing error: That SKU is already used" in logged
    assert "Traceback" not in logged


def test_show_error_is_a_warning_box(qtbot, monkeypatch):
    seen: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox,
        "warning",
        staticmethod(lambda _parent, title, text: seen.append((title, text))),
    )
    errors.show_error(None, "No network: the order was kept and will sync later.")
    assert seen == [
        ("Something needs your attention", "No network: the order was kept and will sync later.")
    ]


def test_secrets_are_redacted_in_the_log_and_the_dialog(qtbot, log_path):
    message = "refresh failed: GET /api?shop_id=9&access_token=abc123&sign=f00d"
    sys.excepthook(*raise_and_catch(RuntimeError(message)))
    qtbot.waitUntil(lambda: len(crash_dialogs()) == 1, timeout=10_000)
    logging.getLogger("primedist.sync").warning("retrying with password=hunter22")

    logged = flush(log_path)
    assert "RuntimeError: refresh failed" in logged
    for secret in ("abc123", "f00d", "hunter22"):
        assert secret not in logged
    assert "access_token=***" in logged and "password=***" in logged
    details = crash_dialogs()[0].details.toPlainText()
    assert "abc123" not in details and "access_token=***" in details


def test_keyboard_interrupt_is_left_to_python(qtbot, log_path, monkeypatch):
    passed: list[type[BaseException]] = []
    monkeypatch.setattr(sys, "__excepthook__", lambda t, _e, _tb: passed.append(t))
    sys.excepthook(*raise_and_catch(KeyboardInterrupt()))
    qtbot.wait(20)
    assert passed == [KeyboardInterrupt]
    assert crash_dialogs() == []
