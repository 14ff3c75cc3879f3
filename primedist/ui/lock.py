"""Locking the window: an idle watcher (no keyboard or mouse input for N minutes) and the
lock screen that asks the signed-in user's password, or lets someone else sign in."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QWindow
from PySide6.QtWidgets import (
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
