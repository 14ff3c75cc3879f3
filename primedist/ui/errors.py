"""The one path for errors to the user: a message box for expected errors, a crash dialog
(with copyable details) for bugs, and a log file in the data dir for both."""

from __future__ import annotations

import logging
import sys
import threading
import traceback
import weakref
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

# The log file's setup lives in core (`primedist sync --loop` logs there too); the app
# imports it from here.
from primedist.core.logging_setup import LOG_FILE as LOG_FILE
from primedist.core.logging_setup import setup_logging as setup_logging
from primedist.core.security import redact
from primedist.db.engine import store_problem
from primedist.errors import PrimedistError
from primedist.services.context import AccountDisabled
from primedist.ui.messages import error_text

log = logging.getLogger("primedist")


def box_text(text: str) -> str:
    """`text` for a message box of QMessageBox's own (warning, question ...), shown as it
    is: the box draws a text that looks like HTML as HTML, and messages quote names, codes
    and platform replies (`<b>…`, `<img src=…>` in a name imported or synced). Such a text
    goes as the HTML of itself; any other as it is."""
    return Qt.convertFromPlainText(text) if Qt.mightBeRichText(text) else text


def show_error(parent: QWidget | None, message: str, title: str | None = None) -> None:
    """Tell the user about an expected problem (bad input, no permission, offline...).
    Then the signed-in account is checked again (`check_access`): a refusal may say it
    was disabled, or lost the module, since the sign-in."""
    QMessageBox.warning(
        parent,
        title or QCoreApplication.translate("errors", "Something needs your attention"),
        box_text(redact(message)),  # a platform's error text may quote a token or key
    )
    check_access()


#: The signed-in session's check of the account as it stands now (the main window's:
#: False once it signed the user out); held weakly, None while no one is signed in.
_access_check: weakref.WeakMethod[Callable[[], bool]] | None = None


def set_access_check(check: Callable[[], bool]) -> None:
    """The signed-in main window's `check_access`."""
    global _access_check
    _access_check = weakref.WeakMethod(check)


def forget_access_check(check: Callable[[], bool]) -> None:
    """The session of `check` ended (not that of a window opened since)."""
    global _access_check
    if _access_check is not None and _access_check() in (None, check):
        _access_check = None


def check_access() -> bool:
    """Check the signed-in account again; False when that signed the user out."""
    check = _access_check() if _access_check is not None else None
    return True if check is None else check()


def signs_out(exc: BaseException) -> bool:
    """Whether `exc` ended the session: a refusal because the signed-in account was
    disabled signs the user out (the sign-in says why) instead of showing a message over
    the data they may no longer see."""
    return isinstance(exc, AccountDisabled) and not check_access()


class CrashDialog(QDialog):
    """An unexpected error: a plain explanation and the details to copy for support."""

    def __init__(self, parent: QWidget | None, details: str, log_path: str) -> None:
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setWindowTitle(QCoreApplication.translate("errors", "Unexpected error"))
        self.resize(640, 420)
        layout = QVBoxLayout(self)
        text = QCoreApplication.translate(
            "errors",
            "Something unexpected went wrong. Your data is safe: the unfinished change "
            "was not saved. The details below are also in the log file:",
        )
        intro = QLabel(f"{text}\n{log_path}")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.details = QPlainTextEdit(details)
        self.details.setReadOnly(True)
        layout.addWidget(self.details, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = buttons.addButton(
            QCoreApplication.translate("errors", "Copy details"),
            QDialogButtonBox.ButtonRole.ActionRole,
        )
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())

    def done(self, result: int) -> None:
        super().done(result)
        _open_dialogs.discard(self)


#: Shown crash dialogs. One without a parent is owned by Python alone: without this
#: reference it would be garbage-collected (and vanish) as soon as show_crash returns.
_open_dialogs: set[CrashDialog] = set()
_log_path = ""


def format_exception(exc: BaseException) -> str:
    return redact("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))


def store_problem_in(exc: BaseException) -> PrimedistError | None:
    """The error to show for a damaged database, a full disk, a read-only file, a busy
    database or a PostgreSQL server out of reach (`db.engine.store_problem`) found in `exc`
    or what it was raised from (any query may meet them, not only a unit of work): no bug,
    so the user gets a message saying what to do, not the crash dialog."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        problem = store_problem(cause)
        if problem is not None:
            return problem
        cause = cause.__cause__ or cause.__context__
    return None


def show_crash(parent: QWidget | None, exc: BaseException) -> CrashDialog | None:
    """Show the crash dialog (non-blocking) for an unexpected exception; for a damaged
    database or a full disk, the message that says what to do instead (None)."""
    problem = store_problem_in(exc)
    if problem is not None:
        log.warning("store problem: %s (%s)", problem.user_message, exc)
        show_error(parent, error_text(problem))
        return None
    dialog = CrashDialog(
        parent,
        format_exception(exc),
        _log_path or QCoreApplication.translate("errors", "(no log file)"),
    )
    dialog.setModal(True)
    _open_dialogs.add(dialog)
    dialog.show()
    return dialog


def _handle(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    exc.__traceback__ = tb
    exc = store_problem_in(exc) or exc
    if isinstance(exc, PrimedistError):
        log.warning("user-facing error: %s", exc.user_message)
        _on_ui(partial(_tell, exc))
        return
    log.error("uncaught exception", exc_info=(exc_type, exc, tb))
    _on_ui(lambda: show_crash(None, exc))


def _tell(exc: PrimedistError) -> None:
    """An expected error that escaped: the sign-in for a disabled account, else a box."""
    if not signs_out(exc):
        show_error(None, error_text(exc))


def _on_ui(fn: object) -> None:
    from primedist.ui.ops import on_ui_thread

    on_ui_thread(fn)  # type: ignore[arg-type]


def install_excepthook(log_path: Path | None) -> None:
    """Route uncaught exceptions (UI and worker threads) to the log and the crash dialog."""
    global _log_path
    _log_path = str(log_path) if log_path else ""
    sys.excepthook = _handle

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            _handle(args.exc_type, args.exc_value, args.exc_traceback)

    threading.excepthook = thread_hook
