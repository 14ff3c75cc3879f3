"""The first window: first-run setup (shop + owner) or sign-in."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QEvent, QSettings, Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication, QTextOption
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from primedist.config import Settings
from primedist.core.clock import format_datetime, shop_tz
from primedist.errors import PrimedistError, ValidationError
from primedist.services import auth
from primedist.services.context import Actor, ServiceContext
from primedist.ui.i18n import current_language
from primedist.ui.messages import localize
from primedist.ui.ops import Op
from primedist.ui.widgets import LanguageCombo, center_on_screen, icon


def _password_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class _FormPage(QFrame):
    """A card with a title, a form, an inline error line and one main button."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("card")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setSpacing(12)
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("muted")
        self.subtitle.setWordWrap(True)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.hide()
        self.button = QPushButton()
        self.button.setObjectName("primaryButton")
        self.button.setDefault(True)
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.subtitle)
        self.layout_.addLayout(self.form)
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(self.button)
        #: The form's edits by the field names the services give in a ValidationError.
        self.fields: dict[str, QLineEdit] = {}

    def show_error(self, text: str, field: str | None = None) -> None:
        """The message under the form; the field it is about (if named) takes the focus,
        its text selected to be typed over."""
        self.error.setText(text)
        self.error.show()
        edit = self.fields.get(field or "")
        if edit is not None:
            edit.setFocus()
            edit.selectAll()

    def set_busy(self, busy: bool) -> None:
        self.button.setEnabled(not busy)
        if busy:
            self.error.hide()


class SetupPage(_FormPage):
    def __init__(self) -> None:
        super().__init__()
        self.shop_name = QLineEdit()
        # Optional: the first receipts print them under the shop's name.
        self.address = QLineEdit()
        self.phone = QLineEdit()
        self.tax_code = QLineEdit()
        self.owner_name = QLineEdit()
        self.email = QLineEdit()
        self.password = _password_edit()
        self.confirm = _password_edit()
        edits = (self.shop_name, self.address, self.phone, self.tax_code, self.owner_name,
                 self.email, self.password, self.confirm)  # fmt: skip
        self.labels = [QLabel() for _ in edits]
        for label, edit in zip(self.labels, edits, strict=True):
            self.form.addRow(label, edit)
        # A forgotten owner password is reset only with a command on this computer.
        self.password_note = QLabel()
        self.password_note.setObjectName("muted")
        self.password_note.setWordWrap(True)
        self.form.addRow("", self.password_note)
        self.fields = {"shop_name": self.shop_name, "address": self.address,
                       "phone": self.phone, "tax_code": self.tax_code,
                       "owner_name": self.owner_name, "email": self.email,
                       "owner_password": self.password, "confirm": self.confirm}  # fmt: skip
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Set up your shop"))
        self.subtitle.setText(
            self.tr("Create the shop and the owner account. You can add staff later in Settings.")
        )
        texts = (
            self.tr("Shop name"),
            self.tr("Address"),
            self.tr("Phone"),
            self.tr("Tax code"),
            self.tr("Your name"),
            self.tr("Email"),
            self.tr("Password"),
            self.tr("Repeat password"),
        )
        for label, text in zip(self.labels, texts, strict=True):
            label.setText(text)
        for edit in (self.address, self.phone, self.tax_code):
            edit.setPlaceholderText(self.tr("Optional: printed on receipts and invoices"))
        self.password.setPlaceholderText(self.tr("At least 8 characters"))
        self.password_note.setText(self.tr(
            "Keep this password safe: if you forget it, getting back in takes a command "
            "typed on this computer (Forgot your password? on the sign-in shows it)."))  # fmt: skip
        self.button.setText(self.tr("Create shop"))


class LoginPage(_FormPage):
    def __init__(self) -> None:
        super().__init__()
        #: When the backup just restored was taken (its accounts and passwords are back).
        self.restored_at: datetime | None = None
        self.restored_note = QLabel()
        self.restored_note.setObjectName("banner")
        self.restored_note.setWordWrap(True)
        self.restored_note.hide()
        self.layout_.insertWidget(self.layout_.indexOf(self.subtitle) + 1, self.restored_note)
        self.email = QLineEdit()
        self.password = _password_edit()
        self.email_label, self.password_label = QLabel(), QLabel()
        self.form.addRow(self.email_label, self.email)
        self.form.addRow(self.password_label, self.password)
        self.forgot = QLabel()
        self.forgot.setObjectName("forgotPassword")
        self.forgot.setAlignment(Qt.AlignmentFlag.AlignRight)
        links = Qt.TextInteractionFlag
        self.forgot.setTextInteractionFlags(
            links.LinksAccessibleByMouse | links.LinksAccessibleByKeyboard
        )
        self.layout_.insertWidget(self.layout_.indexOf(self.error), self.forgot)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Sign in"))
        self.subtitle.setText(self.tr("Sign in with your email and password."))
        self.email_label.setText(self.tr("Email"))
        self.password_label.setText(self.tr("Password"))
        forgot = self.tr("Forgot your password?")
        self.forgot.setText(f'<a href="forgot">{forgot}</a>')
        self.button.setText(self.tr("Sign in"))
        if self.restored_at is not None:
            when = format_datetime(self.restored_at, shop_tz(), current_language())
            self.restored_note.setText(self.tr(
                "Restored the backup of %1: sign in with the email and password you had "
                "then.").replace("%1", when))  # fmt: skip

    def show_restored(self, taken: datetime) -> None:
        """Say that the accounts are those of the backup taken at `taken` (a password
        changed since then no longer works)."""
        self.restored_at = taken
        self.retranslate()
        self.restored_note.show()


def recovery_command(settings: Settings | None, email: str) -> str:
    """The command the owner runs on this computer for a one-time password, shell-quoted
    for the system's terminal (`--data-dir` names the store this app opened)."""
    if getattr(sys, "frozen", False):  # the packaged app: its command-line executable
        name = "primedist-cli.exe" if os.name == "nt" else "primedist"
        program = [str(Path(sys.executable).with_name(name))]
    else:
        program = [sys.executable, "-m", "primedist"]
    store = ["--data-dir", str(settings.data_dir)] if settings is not None else []
    args = [*program, *store, "staff", "reset-password", email.strip() or "EMAIL"]
    return subprocess.list2cmdline(args) if os.name == "nt" else shlex.join(args)


class RecoveryDialog(QDialog):
    """What to do about a forgotten password: staff ask the owner or a manager, managers
    ask the owner (a manager resets no manager's password); the owner runs one command on
    this computer (whoever can run it there can read the store anyway), shown with the
    email typed in."""

    def __init__(self, settings: Settings | None, email: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("recoveryDialog")
        self.setMinimumWidth(600)
        self._settings = settings
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        self.staff_text, self.owner_text, self.after_text = QLabel(), QLabel(), QLabel()
        for label in (self.staff_text, self.owner_text, self.after_text):
            label.setWordWrap(True)
        self.email_label = QLabel()
        self.email = QLineEdit(email.strip())
        self.email.setObjectName("recoveryEmail")
        self.email.textChanged.connect(self._update_command)
        # The whole command on view (a data folder's path can be long), wrapped anywhere.
        self.command = QPlainTextEdit()
        self.command.setObjectName("recoveryCommand")
        self.command.setReadOnly(True)
        self.command.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.command.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.command.setFixedHeight(self.command.fontMetrics().lineSpacing() * 4 + 12)
        form = QFormLayout()
        form.addRow(self.email_label, self.email)
        self.copy_button, self.close_button = QPushButton(), QPushButton()
        self.copy_button.setAutoDefault(False)
        self.copy_button.clicked.connect(self.copy_command)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout.addWidget(self.staff_text)
        layout.addWidget(self.owner_text)
        layout.addLayout(form)
        layout.addWidget(self.command)
        layout.addWidget(self.after_text)
        layout.addLayout(buttons)
        self.setWindowTitle(self.tr("Forgot your password?"))
        # A manager resets staff passwords, never another manager's (only the owner does).
        self.staff_text.setText(self.tr(
            "Staff: ask the shop owner or a manager for a new one-time password (Settings → "
            "Staff → Reset password…). Managers: ask the shop owner."))  # fmt: skip
        self.owner_text.setText(self.tr(
            "The owner: on this computer, run this command in a terminal (Command Prompt "
            "on Windows):"))  # fmt: skip
        self.email_label.setText(self.tr("Your email"))
        self.after_text.setText(
            self.tr("It prints a one-time password. Sign in with it, then choose a new password.")
        )
        self.close_button.setText(self.tr("Close"))
        self._update_command()

    def _update_command(self) -> None:
        self.command.setPlainText(recovery_command(self._settings, self.email.text()))
        self.copy_button.setText(self.tr("Copy command"))

    def copy_command(self) -> None:
        QGuiApplication.clipboard().setText(self.command.toPlainText())
        self.copy_button.setText(self.tr("Copied"))


#: The widest the setup / sign-in card grows (a maximised window keeps short fields).
CARD_MAX_WIDTH = 520
#: ui.ini: the email of the last sign-in on this PC, offered on the next (never a password).
LAST_EMAIL_KEY = "sign_in/last_email"


def _ui_prefs(settings: Settings | None) -> QSettings | None:
    """The UI settings file of the data folder (ui.ini), as the main window's."""
    if settings is None:
        return None
    return QSettings(str(settings.data_dir / "ui.ini"), QSettings.Format.IniFormat)


class WelcomeWindow(QWidget):
    """Shows setup on a fresh store, sign-in otherwise; emits `signedIn(actor)`."""

    signedIn = Signal(object)
    languageChosen = Signal(str)

    def __init__(self, ctx: ServiceContext, shop_name: str = "", *,
                 someone_else: bool = False) -> None:  # fmt: skip
        super().__init__()
        self.setObjectName("welcomeWindow")
        self._ctx = ctx
        #: Switch user: the next person is not the last one (no email offered).
        self._someone_else = someone_else
        self.resize(560, 620)
        center_on_screen(self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 20, 32, 32)
        top = QHBoxLayout()
        logo = QLabel()
        logo.setPixmap(icon("logo").pixmap(36, 36))
        self.brand = QLabel("Prime Distribution")
        self.brand.setObjectName("brand")
        self.shop = QLabel(shop_name)
        self.shop.setObjectName("muted")
        self.language = LanguageCombo()
        self.language.languageChosen.connect(self.languageChosen)
        top.addWidget(logo)
        top.addWidget(self.brand)
        top.addWidget(self.shop)
        top.addStretch(1)
        top.addWidget(self.language)
        outer.addLayout(top)
        outer.addStretch(1)
        self.setup_page = SetupPage()
        self.login_page = LoginPage()
        # Only one form is ever shown: a setup that succeeds goes straight to the main window.
        self.page: _FormPage = self.setup_page if auth.needs_setup(ctx.engine) else self.login_page
        # A form card of a readable width, centred, however wide the window grows.
        self.page.setMaximumWidth(CARD_MAX_WIDTH)
        middle = QHBoxLayout()
        middle.addStretch(1)
        middle.addWidget(self.page, 100)
        middle.addStretch(1)
        outer.addLayout(middle)
        outer.addStretch(2)
        self.setup_page.button.clicked.connect(self._create_shop)
        for edit in self.setup_page.fields.values():  # Enter submits, as on the sign-in
            edit.returnPressed.connect(self._create_shop)
        self.login_page.button.clicked.connect(self._sign_in)
        self.login_page.password.returnPressed.connect(self._sign_in)
        self.login_page.forgot.linkActivated.connect(lambda _link: self.show_recovery())
        self.signedIn.connect(self._remember_email)  # before the main window opens
        self._offer_last_email()
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Prime Distribution — welcome"))
        self.setup_page.retranslate()
        self.login_page.retranslate()

    @property
    def showing_setup(self) -> bool:
        return self.page is self.setup_page

    def show_restored(self, taken: datetime) -> None:
        """After a restore: the sign-in says whose accounts and passwords are back."""
        self.login_page.show_restored(taken)

    def _offer_last_email(self) -> None:
        """The sign-in starts with the email last signed in with on this PC, the cursor in
        the password (one person's shop types only that); else, and after Switch user,
        in the empty email."""
        prefs = _ui_prefs(self._ctx.settings)
        email = str(prefs.value(LAST_EMAIL_KEY, "") or "") if prefs is not None else ""
        if self._someone_else:
            email = ""
        page = self.login_page
        if self.showing_setup:
            return
        page.email.setText(email)
        # Hidden yet: the field has the focus once the window shows (not the language box).
        (page.password if email else page.email).setFocus()

    def _remember_email(self, actor: Actor) -> None:
        prefs = _ui_prefs(self._ctx.settings)
        if prefs is not None and actor.email:
            prefs.setValue(LAST_EMAIL_KEY, actor.email)
            prefs.sync()

    def show_recovery(self) -> RecoveryDialog:
        """How to get back in after forgetting a password (the link under the form)."""
        dialog = RecoveryDialog(self._ctx.settings, self.login_page.email.text(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _create_shop(self) -> None:
        page = self.setup_page
        if not page.button.isEnabled():
            return  # Enter while the shop is being created
        if page.password.text() != page.confirm.text():
            page.show_error(self.tr("The two passwords differ."), "confirm")
            return
        values = {
            "shop_name": page.shop_name.text(),
            "address": page.address.text(),
            "phone": page.phone.text(),
            "tax_code": page.tax_code.text(),
            "owner_name": page.owner_name.text(),
            "owner_email": page.email.text(),
            "owner_password": page.password.text(),
        }
        # The default tags are named in the language the shop is set up in.
        tags = {"potential": self.tr("Potential"), "often_returns": self.tr("Often returns")}
        self._submit(page, lambda: auth.setup_shop(self._ctx, **values, tag_names=tags))

    def _sign_in(self) -> None:
        page = self.login_page
        if not page.button.isEnabled():
            return  # Enter again while signing in
        email, password = page.email.text(), page.password.text()
        self._submit(page, lambda: auth.login(self._ctx, email, password))

    def _submit(self, page: _FormPage, call: Callable[[], Actor]) -> None:
        """Run the (argon2-slow) service call off the UI thread; errors show on the form."""
        page.set_busy(True)
        op: Op[Actor] = Op(self, lambda _job: call())
        op.success(self.signedIn.emit).failure(lambda exc: self._failed(page, exc))
        op.finally_(lambda: page.set_busy(False)).run()

    def _failed(self, page: _FormPage, exc: BaseException) -> None:
        if isinstance(exc, PrimedistError):
            field = exc.field if isinstance(exc, ValidationError) else None
            page.show_error(self._translate_error(exc.user_message), field)
            return
        from primedist.ui.errors import show_crash

        show_crash(self, exc)

    def _translate_error(self, message: str) -> str:
        """The sign-in and setup messages in this screen's words; any other in the
        reader's language."""
        known = {
            auth.WRONG_LOGIN: self.tr("Wrong email or password."),
            "This account is disabled: ask the shop owner.": self.tr(
                "This account is disabled: ask the shop owner."
            ),
            "The shop name is required.": self.tr("The shop name is required."),
            "The owner's name is required.": self.tr("Your name is required."),
            "Password must be at least 8 characters": self.tr(
                "The password must have at least 8 characters."
            ),
        }
        if message in known:
            return known[message]
        if message.endswith("is not a valid email address."):
            return self.tr("That is not a valid email address.")
        return localize(message)
