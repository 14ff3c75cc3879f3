"""The first window: first-run setup (shop + owner) or sign-in."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from primedist.errors import PrimedistError
from primedist.services import auth
from primedist.services.context import Actor, ServiceContext
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

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def set_busy(self, busy: bool) -> None:
        self.button.setEnabled(not busy)
        if busy:
            self.error.hide()


class SetupPage(_FormPage):
    def __init__(self) -> None:
        super().__init__()
        self.shop_name = QLineEdit()
        self.owner_name = QLineEdit()
        self.email = QLineEdit()
        self.password = _password_edit()
        self.confirm = _password_edit()
        self.labels = [QLabel() for _ in range(5)]
        edits = (self.shop_name, self.owner_name, self.email, self.password, self.confirm)
        for label, edit in zip(self.labels, edits, strict=True):
            self.form.addRow(label, edit)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Set up your shop"))
        self.subtitle.setText(
            self.tr("Create the shop and the owner account. You can add staff later in Settings.")
        )
        texts = (
            self.tr("Shop name"),
            self.tr("Your name"),
            self.tr("Email"),
            self.tr("Password"),
            self.tr("Repeat password"),
        )
        for label, text in zip(self.labels, texts, strict=True):
            label.setText(text)
        self.password.setPlaceholderText(self.tr("At least 8 characters"))
        self.button.setText(self.tr("Create shop"))


class LoginPage(_FormPage):
    def __init__(self) -> None:
        super().__init__()
        self.email = QLineEdit()
        self.password = _password_edit()
        self.email_label, self.password_label = QLabel(), QLabel()
        self.form.addRow(self.email_label, self.email)
        self.form.addRow(self.password_label, self.password)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Sign in"))
        self.subtitle.setText(self.tr("Sign in with your email and password."))
        self.email_label.setText(self.tr("Email"))
        self.password_label.setText(self.tr("Password"))
        self.button.setText(self.tr("Sign in"))


#: The widest the setup / sign-in card grows (a maximised window keeps short fields).
CARD_MAX_WIDTH = 520


class WelcomeWindow(QWidget):
    """Shows setup on a fresh store, sign-in otherwise; emits `signedIn(actor)`."""

    signedIn = Signal(object)
    languageChosen = Signal(str)

    def __init__(self, ctx: ServiceContext, shop_name: str = "") -> None:
        super().__init__()
        self.setObjectName("welcomeWindow")
        self._ctx = ctx
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
        self.login_page.button.clicked.connect(self._sign_in)
        self.login_page.password.returnPressed.connect(self._sign_in)
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

    def _create_shop(self) -> None:
        page = self.setup_page
        if page.password.text() != page.confirm.text():
            page.show_error(self.tr("The two passwords differ."))
            return
        values = {
            "shop_name": page.shop_name.text(),
            "owner_name": page.owner_name.text(),
            "owner_email": page.email.text(),
            "owner_password": page.password.text(),
        }
        # The default tags are named in the language the shop is set up in.
        tags = {"potential": self.tr("Potential"), "often_returns": self.tr("Often returns")}
        self._submit(page, lambda: auth.setup_shop(self._ctx, **values, tag_names=tags))

    def _sign_in(self) -> None:
        page = self.login_page
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
            page.show_error(self._translate_error(exc.user_message))
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
