"""Locking the window: an idle watcher (no keyboard or mouse input for N minutes), the
lock screen that asks the signed-in user's password, or lets someone else sign in, and
`HiddenWindows`, which keeps the app's other windows out of sight while it is locked."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QWindow
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from primedist.services import staff
from primedist.services.context import Actor, ServiceContext
from primedist.ui.settings.account import message_label, password_edit, run_inline

#: Events that count as the user being there.
ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class IdleWatcher(QObject):
    """Emits `idle` after `minutes` without input anywhere in the app (0 = never).

    It watches the top-level QWindows (every input event reaches one of them first), not
    the QApplication: an application-wide Python event filter is handed objects still
    under construction (a QLabel's rich-text document, say) and PySide crashes wrapping
    them. Windows opened later (dialogs) are picked up by a one-second scan.
    """

    idle = Signal()

    def __init__(self, parent: QObject, minutes: int) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle)
        self._watched: dict[int, QWindow] = {}
        self._scan = QTimer(self)
        self._scan.setInterval(1000)
        self._scan.timeout.connect(self._watch_windows)
        self._scan.start()
        self._watch_windows()
        self.set_minutes(minutes)

    def _watch_windows(self) -> None:
        for window in QGuiApplication.topLevelWindows():
            key = id(window)
            if key not in self._watched:
                self._watched[key] = window
                window.installEventFilter(self)
                window.destroyed.connect(lambda _o=None, k=key: self._watched.pop(k, None))

    def set_minutes(self, minutes: int) -> None:
        self.set_interval_ms(minutes * 60_000)

    def set_interval_ms(self, ms: int) -> None:
        self._timer.stop()
        self._timer.setInterval(max(0, ms))
        if ms > 0:
            self._timer.start()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def pause(self) -> None:
        self._timer.stop()

    def resume(self) -> None:
        if self._timer.interval() > 0:
            self._timer.start()

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        if event.type() in ACTIVITY and self._timer.isActive():
            self._timer.start()  # restart the countdown
        return False

    def stop(self) -> None:
        self._timer.stop()
        self._scan.stop()
        for window in self._watched.values():
            if shiboken6.isValid(window):
                window.removeEventFilter(self)
        self._watched.clear()


class LockDialog(QDialog):
    """Covers the window until the signed-in user types their password again."""

    unlocked = Signal(object)
    switchUser = Signal()

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("lockDialog")
        self.setModal(True)
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        self.setWindowTitle(self.tr("Locked"))
        layout = QVBoxLayout(self)
        self.text = QLabel(
            self.tr("Prime Distribution is locked. %s, type your password to go on.")
            % ctx.actor.name
        )
        self.text.setWordWrap(True)
        layout.addWidget(self.text)
        self.password: QLineEdit = password_edit("lockPassword")
        self.password.returnPressed.connect(self.try_unlock)
        layout.addWidget(self.password)
        self.message = message_label("errorText")
        layout.addWidget(self.message)
        row = QHBoxLayout()
        self.switch_button = QPushButton(self.tr("Switch user"))
        self.switch_button.setObjectName("switchUser")
        self.switch_button.clicked.connect(self._switch)
        self.unlock_button = QPushButton(self.tr("Unlock"))
        self.unlock_button.setObjectName("primaryButton")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.try_unlock)
        row.addWidget(self.switch_button)
        row.addStretch(1)
        row.addWidget(self.unlock_button)
        layout.addLayout(row)

    def try_unlock(self) -> None:
        password = self.password.text()
        run_inline(self, lambda: staff.unlock(self.ctx, password), self.message,
                   self._unlocked, self.unlock_button)  # fmt: skip

    def _unlocked(self, actor: Actor) -> None:
        self.password.clear()
        self.unlocked.emit(actor)
        self.accept()

    def _switch(self) -> None:
        self.switchUser.emit()
        self.accept()

    def reject(self) -> None:
        """Escape and the close button do not unlock."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            return
        super().keyPressEvent(event)


class HiddenWindows(QObject):
    """While the window is locked, every other window of the app is out of sight: a
    customer's detail, My account, the sync panel, a message. They are hidden when the
    lock starts, and so is any that opens while it lasts (a background job's message);
    `restore` shows them again when the same user unlocks, `discard` closes them (someone
    else signs in, or the user's rights changed meanwhile).

    A dialog running its own event loop (`exec()`, application-modal: a question, a
    message, a picker) would end, as if cancelled, if it were hidden: its content and
    title are hidden instead, and the lock screen is raised above it again.
    """

    SCAN_MS = 200

    def __init__(self, lock: QDialog, keep: Iterable[QWidget] = ()) -> None:
        super().__init__(lock)
        self._lock = lock
        self._keep = [lock, *keep]
        #: Windows hidden (and not finished since), to show again.
        self._hidden: list[QWidget] = []
        #: Dialogs in their own event loop: (dialog, its title, the children hidden).
        self._emptied: list[tuple[QDialog, str, list[QWidget]]] = []
        self._finished: set[int] = set()
        self._watching: list[tuple[QDialog, Callable[[int], None]]] = []
        self._scan = QTimer(self)
        self._scan.setInterval(self.SCAN_MS)
        self._scan.timeout.connect(self.cover)
        self._scan.start()
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.focusWindowChanged.connect(self._focus_changed)
        self.cover()

    @property
    def windows(self) -> list[QWidget]:
        """The windows kept out of sight now (for the tests)."""
        alive = [w for w in self._hidden if shiboken6.isValid(w)]
        return alive + [d for d, _t, _c in self._emptied if shiboken6.isValid(d)]

    def _focus_changed(self, _window: object) -> None:
        if self._scan.isActive():
            self.cover()

    def cover(self) -> None:
        """Hide (or empty) every visible window of the app but the kept ones."""
        if not shiboken6.isValid(self._lock):
            return
        raise_lock = False
        for window in QApplication.topLevelWidgets():
            if not window.isVisible() or any(window is k for k in self._keep):
                continue
            kind = window.windowType()
            if kind in (Qt.WindowType.Popup, Qt.WindowType.ToolTip, Qt.WindowType.SplashScreen):
                window.hide()  # a menu or a tip: closed, not shown again
            elif (
                isinstance(window, QDialog)
                and window.windowModality() == Qt.WindowModality.ApplicationModal
            ):
                # Only a dialog emptied now: raising the lock screen again on every scan
                # would hide and show it five times a second, eating the typed password.
                raise_lock |= self._empty(window)
            else:
                self._hide(window)
        if raise_lock and self._lock.isVisible():
            # Shown again, the lock screen is the newest modal window: the one that takes
            # the input (the newest one blocks every other).
            self._lock.hide()
            self._lock.show()
            self._lock.activateWindow()

    def _watch_finished(self, window: QWidget) -> None:
        """A dialog ended meanwhile (its job done, Escape) is not shown again."""
        if isinstance(window, QDialog):

            def finished(_result: int, key: int = id(window)) -> None:
                self._finished.add(key)

            window.finished.connect(finished)
            self._watching.append((window, finished))

    def _hide(self, window: QWidget) -> None:
        self._hidden.append(window)
        self._watch_finished(window)
        window.hide()

    def _empty(self, dialog: QDialog) -> bool:
        """Hide the dialog's contents and title; False when it was emptied already."""
        if any(d is dialog for d, _t, _c in self._emptied):
            return False
        direct = Qt.FindChildOption.FindDirectChildrenOnly
        children = [
            child
            for child in dialog.findChildren(QWidget, options=direct)
            if not child.isWindow() and child.isVisibleTo(dialog)
        ]
        self._emptied.append((dialog, dialog.windowTitle(), children))
        self._watch_finished(dialog)
        for child in children:
            child.hide()
        dialog.setWindowTitle(self._lock.windowTitle())
        return True

    def _stop(self) -> None:
        self._scan.stop()
        for dialog, finished in self._watching:
            if shiboken6.isValid(dialog):
                dialog.finished.disconnect(finished)
        self._watching.clear()
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.focusWindowChanged.disconnect(self._focus_changed)

    def _refill(self) -> None:
        for dialog, title, children in self._emptied:
            if shiboken6.isValid(dialog):
                for child in children:
                    if shiboken6.isValid(child):
                        child.show()
                dialog.setWindowTitle(title)

    def restore(self) -> None:
        """Show the windows again, as they were (those finished meanwhile stay closed)."""
        self._stop()
        self._refill()
        for window in self._hidden:
            if shiboken6.isValid(window) and id(window) not in self._finished:
                window.show()
        self._emptied.clear()
        self._hidden.clear()

    def discard(self) -> None:
        """Close the windows without showing them again; a dialog ends as cancelled (and
        without asking "lose your changes?": it is not shown)."""
        self._stop()
        self._refill()
        windows = [d for d, _t, _c in self._emptied] + self._hidden
        self._emptied.clear()
        self._hidden.clear()
        for window in windows:
            if not shiboken6.isValid(window) or id(window) in self._finished:
                continue
            if isinstance(window, QDialog):
                QDialog.done(window, QDialog.DialogCode.Rejected.value)
            else:
                window.close()
