"""Settings → My account: one's own name and email, and a password change (the current
password required); and the dialog a new staff member sees at first sign-in to replace
their one-time password."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from primedist.errors import PrimedistError
from primedist.services import auth, staff
from primedist.services.context import Actor, ServiceContext
from primedist.ui.messages import error_text, say
from primedist.ui.ops import Op
from primedist.ui.widgets import add_narrow, button_row


def password_edit(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def message_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)  # errors quote names and platform texts
    label.setWordWrap(True)
    label.hide()
    return label


def fit_dialog_to(label: QLabel) -> None:
    """Make the dialog `label` (a wrapped message just shown) is in as tall as its
    contents need at its width: a dialog's layout makes room for one line of it only,
    and the rest of the message was cut. A label in a page is left to its page."""
    dialog = label.window()
    layout = dialog.layout()
    if not isinstance(dialog, QDialog) or layout is None:
        return
    layout.activate()
    needed = dialog.heightForWidth(dialog.width())
    if needed > dialog.height():
        dialog.resize(dialog.width(), needed)


def run_inline(
    parent: QWidget,
    call: Callable[[], Any],
    label: QLabel,
    done: Callable[[Any], None],
    button: QPushButton | None = None,
) -> None:
    """Run a (slow: argon2) service call off the UI thread; an expected error shows in
    `label` (said again in the new language on a switch), anything else goes to the crash
    dialog. `done` says its result with `say` to have it follow a switch too."""
    label.hide()
    if button is not None:
        button.setEnabled(False)

    def failed(exc: BaseException) -> None:
        if isinstance(exc, PrimedistError):
            say(label, lambda: error_text(exc), error=True)
            label.show()
            fit_dialog_to(label)
            return
        from primedist.ui.errors import show_crash

        show_crash(parent, exc)

    op: Op[Any] = Op(parent, lambda _job: call())
    op.success(done).failure(failed)
    if button is not None:
        op.finally_(lambda: button.setEnabled(True))
    op.run()


class AccountSettings(QWidget):
    """Profile (name, email) and password change for the signed-in user."""

    #: The signed-in user's details changed (the new Actor).
    accountChanged = Signal(object)

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("accountSettings")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        layout.addWidget(self.title)

        self.profile_box = QGroupBox()
        form = QFormLayout(self.profile_box)
        self.name = QLineEdit(ctx.actor.name)
        self.name.setObjectName("accountName")
        self.email = QLineEdit(ctx.actor.email)
        self.email.setObjectName("accountEmail")
        self.name_label, self.email_label = QLabel(), QLabel()
        form.addRow(self.name_label, self.name)
        form.addRow(self.email_label, self.email)
        self.profile_message = message_label("profileMessage")
        form.addRow(self.profile_message)
        self.save_profile = QPushButton()
        self.save_profile.setObjectName("saveProfile")
        self.save_profile.clicked.connect(self.on_save_profile)
        form.addRow(button_row(self.save_profile))
        add_narrow(layout, self.profile_box)

        self.password_box = QGroupBox()
        pw = QFormLayout(self.password_box)
        self.current = password_edit("currentPassword")
        self.new = password_edit("newPassword")
        self.repeat = password_edit("repeatPassword")
        self.pw_labels = [QLabel(), QLabel(), QLabel()]
        for label, edit in zip(self.pw_labels, (self.current, self.new, self.repeat), strict=True):
            pw.addRow(label, edit)
        self.password_message = message_label("passwordMessage")
        pw.addRow(self.password_message)
        self.change_password = QPushButton()
        self.change_password.setObjectName("changePassword")
        self.change_password.clicked.connect(self.on_change_password)
        pw.addRow(button_row(self.change_password))
        add_narrow(layout, self.password_box)
        layout.addStretch(1)
        signed_in = ctx.actor.id is not None
        self.profile_box.setEnabled(signed_in)
        self.password_box.setEnabled(signed_in)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("My account"))
        self.profile_box.setTitle(self.tr("Profile"))
        self.name_label.setText(self.tr("Name"))
        self.email_label.setText(self.tr("Email"))
        self.save_profile.setText(self.tr("Save profile"))
        self.password_box.setTitle(self.tr("Change password"))
        texts = (self.tr("Current password"), self.tr("New password"), self.tr("Repeat"))
        for label, text in zip(self.pw_labels, texts, strict=True):
            label.setText(text)
        self.new.setPlaceholderText(self.tr("At least 8 characters"))
        self.change_password.setText(self.tr("Change password"))

    def on_save_profile(self) -> None:
        name, email = self.name.text(), self.email.text()
        run_inline(self, lambda: staff.update_profile(self.ctx, name=name, email=email),
                   self.profile_message, self._profile_saved, self.save_profile)  # fmt: skip

    def _profile_saved(self, actor: Actor) -> None:
        self.show_actor(actor)
        self._say(self.profile_message, lambda: self.tr("Profile saved."))
        self.accountChanged.emit(actor)

    def show_actor(self, actor: Actor) -> None:
        """The account as it stands now (saved here, or in the other My account)."""
        self.ctx = self.ctx.with_actor(actor)
        self.name.setText(actor.name)
        self.email.setText(actor.email)

    def on_change_password(self) -> None:
        if self.new.text() != self.repeat.text():
            self._say(
                self.password_message, lambda: self.tr("The two new passwords differ."), error=True
            )
            return
        current, new = self.current.text(), self.new.text()
        run_inline(self, lambda: auth.change_password(self.ctx, current, new),
                   self.password_message, self._password_changed, self.change_password)  # fmt: skip

    def _password_changed(self, _actor: Actor) -> None:
        for edit in (self.current, self.new, self.repeat):
            edit.clear()
        self._say(self.password_message, lambda: self.tr("Password changed."))

    @staticmethod
    def _say(label: QLabel, text: Callable[[], str], *, error: bool = False) -> None:
        say(label, text, error=error)
        label.show()


class ChoosePasswordDialog(QDialog):
    """First sign-in with a one-time password: choose your own before going on."""

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.actor: Actor | None = None
        self.setObjectName("choosePasswordDialog")
        self.setWindowTitle(self.tr("Choose your password"))
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr("You signed in with a one-time password. Choose your own password to go on.")
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.new = password_edit("newPassword")
        self.repeat = password_edit("repeatPassword")
        self.new.setPlaceholderText(self.tr("At least 8 characters"))
        form.addRow(self.tr("New password"), self.new)
        form.addRow(self.tr("Repeat"), self.repeat)
        layout.addLayout(form)
        self.message = message_label("errorText")
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setObjectName("primaryButton")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def submit(self) -> None:
        if self.new.text() != self.repeat.text():
            self.message.setText(self.tr("The two passwords differ."))
            self.message.show()
            fit_dialog_to(self.message)
            return
        new = self.new.text()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        run_inline(self, lambda: staff.choose_password(self.ctx, new), self.message,
                   self._chosen, ok)  # fmt: skip

    def _chosen(self, actor: Actor) -> None:
        self.actor = actor
        self.accept()
