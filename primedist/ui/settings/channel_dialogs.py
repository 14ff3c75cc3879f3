"""Dialogs of Settings → Sales channels: add a marketplace store, and authorise it.

Adding asks for the channel (Shopee, Lazada, TikTok Shop, Tiki), the shop's name, the app's
id and secret under the names the channel's console uses, and the API host. Authorising
opens the signed link in the browser and waits on a loopback listener for the
marketplace's redirect; the address the browser ended on can also be pasted (the browser
may run on another computer). The code is traded for tokens in the background.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from primedist.connectors import supported_channels
from primedist.domain.enums import Channel, Module
from primedist.errors import Cancelled, PrimedistError, ValidationError
from primedist.services import channels
from primedist.services.channels import CHANNEL_APPS, ChannelShop
from primedist.services.context import ServiceContext
from primedist.services.oauth_redirect import (
    DEFAULT_TIMEOUT_S,
    AuthRedirect,
    RedirectListener,
    parse_redirect_url,
)
from primedist.ui.labels import enum_label
from primedist.ui.messages import error_text, localize
from primedist.ui.ops import Op
from primedist.ui.settings.account import fit_dialog_to, message_label

#: Kept for callers that name Shopee's hosts (the channel's live/test hosts are in
#: services.channels.CHANNEL_APPS).
SHOPEE_LIVE = CHANNEL_APPS[Channel.SHOPEE].live_host
SHOPEE_TEST = CHANNEL_APPS[Channel.SHOPEE].test_host
POLL_MS = 150


def _open_in_browser(url: str) -> bool:
    return bool(QDesktopServices.openUrl(QUrl(url)))


class AddStoreDialog(QDialog):
    """Channel, name, app id and secret, API host; saving adds the store (not linked yet).

    Given an existing `shop`, it changes that shop's app id/secret and API host instead (a
    new secret from the console, or another host); the channel and name are then fixed.
    Channels this version has no connector for are listed but cannot be chosen.
    """

    def __init__(
        self,
        ctx: ServiceContext,
        parent: QWidget | None = None,
        *,
        shop: ChannelShop | None = None,
        channel: Channel = Channel.SHOPEE,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.shop = shop
        self.shop_id: int | None = None
        self.setObjectName("addStoreDialog")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        form = QFormLayout()
        self.channel = QComboBox()
        self.channel.setObjectName("storeChannel")
        self.name = QLineEdit()
        self.name.setMaxLength(channels.MAX_NAME)
        self.partner_id = QLineEdit()
        self.partner_key = QLineEdit()
        self.partner_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.host = QComboBox()
        self.custom_host = QLineEdit()
        self.custom_host.setPlaceholderText("https://")
        self.labels = [QLabel() for _ in range(5)]
        fields = (self.channel, self.name, self.partner_id, self.partner_key, self.host)
        for label, field in zip(self.labels, fields, strict=True):
            label.setBuddy(field)
            form.addRow(label, field)
        form.addRow("", self.custom_host)
        self.form = form
        layout.addLayout(form)
        self._add_no_app_way(layout)
        self.error = message_label("errorText")  # hidden until there is an error: no empty box
        self.error.setStyleSheet("color: #c62828")
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setObjectName("primaryButton")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._fill_channels(shop.channel if shop is not None else channel)
        self.channel.currentIndexChanged.connect(self._channel_changed)
        self.host.currentIndexChanged.connect(self._host_changed)
        self._retranslate()
        if shop is not None:
            self._show_shop(shop)
        self._host_changed()

    def sizeHint(self) -> QSize:
        """As tall as the contents need at the width the dialog opens with (its minimum):
        Qt measures the wrapped intro at a narrower width, and the extra lines it counted
        showed as a gap above the intro."""
        hint = super().sizeHint()
        width = max(hint.width(), self.minimumWidth())
        return QSize(width, max(self.heightForWidth(width), self.minimumSizeHint().height()))

    def credential_labels(self, channel: Channel) -> tuple[str, str]:
        """The form labels of the app's id and secret, as the channel's console names them."""
        if channel == Channel.SHOPEE:
            return self.tr("Partner &ID"), self.tr("Partner &key")
        if channel == Channel.TIKI:
            return self.tr("Client &ID"), self.tr("Client &secret")
        return self.tr("App &key"), self.tr("App &secret")

    def channel_intro(self, channel: Channel) -> str:
        """Where the seller finds the credentials of the channel's app."""
        texts = {
            Channel.SHOPEE: self.tr(
                "Enter your app's Partner ID and Partner Key from the Shopee Open Platform "
                "console (App list)."
            ),
            Channel.LAZADA: self.tr(
                "Enter your app's App Key and App Secret from the Lazada Open Platform "
                "(App Console → App Overview). Lazada's authorisation ends on a fixed date: "
                "the app warns you before, so you can authorise again in time."
            ),
            Channel.TIKTOK: self.tr(
                "Enter your app's App Key and App Secret from the TikTok Shop Partner Center "
                "(App & Service → Manage)."
            ),
            Channel.TIKI: self.tr(
                "Enter your app's Client ID and Client Secret from the Tiki Open API console "
                "(open.tiki.vn → My apps)."
            ),
        }
        common = self.tr(
            "The secret is stored encrypted on this computer. After saving, you approve the "
            "app for your shop in the browser."
        )
        return f"{texts[channel]} {common}"

    def _fill_channels(self, chosen: Channel) -> None:
        linkable = supported_channels()
        for channel in CHANNEL_APPS:
            self.channel.addItem(enum_label(channel), channel.value)
        model = self.channel.model()
        assert isinstance(model, QStandardItemModel)
        for row, channel in enumerate(CHANNEL_APPS):
            if channel not in linkable:  # shown, so the user knows it is coming
                item = model.item(row)
                item.setEnabled(False)
                item.setToolTip(self.tr("This version cannot link these shops yet."))
        self.channel.setCurrentIndex(max(0, self.channel.findData(chosen.value)))

    def current_channel(self) -> Channel:
        return Channel(str(self.channel.currentData()))

    def _show_shop(self, shop: ChannelShop) -> None:
        self.setWindowTitle(self.tr("Credentials of %1").replace("%1", shop.name))
        self.channel.setEnabled(False)
        self.name.setText(shop.name)
        self.name.setReadOnly(True)
        self.partner_id.setText(shop.partner_id or "")
        known = self.host.findData(shop.api_host or shop.app.live_host)
        self.host.setCurrentIndex(known if known >= 0 else self.host.count() - 1)
        if known < 0:
            self.custom_host.setText(shop.api_host or "")
        self.partner_key.setFocus()

    def _retranslate(self) -> None:
        channel = self.current_channel()
        self.setWindowTitle(self.tr("Add %1 shop").replace("%1", enum_label(channel)))
        self.intro.setText(self.channel_intro(channel))
        id_label, key_label = self.credential_labels(channel)
        texts = (self.tr("&Channel"), self.tr("Shop &name"), id_label, key_label,
                 self.tr("API &host"))  # fmt: skip
        for label, text in zip(self.labels, texts, strict=True):
            label.setText(text)
        self._fill_hosts(channel)
        self._retranslate_no_app_way()

    def _add_no_app_way(self, layout: QVBoxLayout) -> None:
        """A shop with no app (most household shops): where an ID and key come from, and
        the way without them, importing a Seller Center export (Orders → Import), for
        those who may import orders; not when changing a shop's credentials."""
        #: The user chose to import orders from a file instead (the dialog was closed).
        self.import_instead = False
        self.no_app_note = QLabel()
        self.no_app_note.setObjectName("muted")
        self.no_app_note.setWordWrap(True)
        self.import_button = QPushButton()
        self.import_button.setObjectName("linkButton")
        self.import_button.setAutoDefault(False)
        self.import_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.import_button.clicked.connect(self._import_instead)
        layout.addWidget(self.no_app_note)
        layout.addWidget(self.import_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.import_button.setVisible(
            self.shop is None and self.ctx.actor.can(Module.ORDERS)
        )  # fmt: skip
        self.no_app_note.setVisible(self.shop is None)

    def _retranslate_no_app_way(self) -> None:
        self.no_app_note.setText(self.tr(
            "No app ID and key? They come from an app registered on the marketplace's open "
            "platform, or from your software provider. Without them, import the orders you "
            "export from Seller Center."))  # fmt: skip
        self.import_button.setText(self.tr("Import orders from a file instead…"))

    def _import_instead(self) -> None:
        self.import_instead = True
        self.reject()

    def _fill_hosts(self, channel: Channel) -> None:
        app = CHANNEL_APPS[channel]
        name = enum_label(channel)
        self.host.blockSignals(True)
        self.host.clear()
        self.host.addItem(self.tr("%1 (live)").replace("%1", name), app.live_host)
        if app.test_host:
            self.host.addItem(self.tr("%1 test environment").replace("%1", name), app.test_host)
        self.host.addItem(self.tr("Other address…"), "")
        self.host.blockSignals(False)

    def _channel_changed(self) -> None:
        self._retranslate()
        self._host_changed()
        self._show_error("")
        fit_dialog_to(self.intro)  # another channel's intro may need more lines

    def _host_changed(self) -> None:
        # The whole row (not the field alone: its empty label kept the spacing), and the
        # dialog grown to fit it: squeezed, the rows slid off their labels.
        self.form.setRowVisible(self.custom_host, self.host.currentData() == "")
        fit_dialog_to(self.intro)

    def api_host(self) -> str | None:
        chosen = str(self.host.currentData() or "")
        if chosen == CHANNEL_APPS[self.current_channel()].live_host:
            return None  # the connector's default: stays right if the platform moves it
        return chosen or self.custom_host.text()

    def save(self) -> None:
        try:
            if self.shop is not None:
                channels.set_partner(
                    self.ctx,
                    self.shop.id,
                    partner_id=self.partner_id.text(),
                    partner_key=self.partner_key.text(),
                    api_host=self.api_host(),
                )
                self.shop_id = self.shop.id
            else:
                self.shop_id = channels.add_shop(
                    self.ctx,
                    self.current_channel(),
                    name=self.name.text(),
                    app_id=self.partner_id.text(),
                    app_secret=self.partner_key.text(),
                    api_host=self.api_host(),
                )
        except PrimedistError as exc:
            self._show_error(error_text(exc))
            field = getattr(exc, "field", None)
            target = {"name": self.name, "partner_id": self.partner_id,
                      "partner_key": self.partner_key, "api_host": self.custom_host}.get(
                          str(field))  # fmt: skip
            if target is not None and target.isVisible():
                target.setFocus()
            return
        self.accept()

    def _show_error(self, text: str) -> None:
        """The error under the form, or none (the box is hidden while empty)."""
        self.error.setText(text)
        self.error.setVisible(bool(text))
        if text:
            fit_dialog_to(self.error)


class AuthoriseDialog(QDialog):
    """Open the authorisation link, wait for the redirect (or a pasted address), link."""

    #: The shop is linked; carries its new state.
    authorised = Signal(object)

    #: Opens a URL in the browser; tests put a fake browser here.
    open_url: Callable[[str], bool] = staticmethod(_open_in_browser)

    def __init__(
        self,
        ctx: ServiceContext,
        shop: ChannelShop,
        parent: QWidget | None = None,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.shop = shop
        self.result_shop: ChannelShop | None = None
        self.link = ""
        self._busy = False
        self.setObjectName("authoriseDialog")
        self.setMinimumWidth(560)
        self.listener: RedirectListener | None = None
        layout = QVBoxLayout(self)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        row = QHBoxLayout()
        self.link_edit = QLineEdit()
        self.link_edit.setReadOnly(True)
        self.open_button = QPushButton()
        self.open_button.setObjectName("primaryButton")
        self.open_button.clicked.connect(self.open_browser)
        self.copy_button = QPushButton()
        self.copy_button.clicked.connect(self.copy_link)
        row.addWidget(self.link_edit, 1)
        row.addWidget(self.copy_button)
        row.addWidget(self.open_button)
        layout.addLayout(row)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setObjectName("authStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.paste_label = QLabel()
        self.paste_label.setWordWrap(True)
        layout.addWidget(self.paste_label)
        paste_row = QHBoxLayout()
        self.paste = QLineEdit()
        self.paste.returnPressed.connect(self.use_pasted)
        self.paste_button = QPushButton()
        self.paste_button.clicked.connect(self.use_pasted)
        self.paste_label.setBuddy(self.paste)
        paste_row.addWidget(self.paste, 1)
        paste_row.addWidget(self.paste_button)
        layout.addLayout(paste_row)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._check_listener)
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.setInterval(int(timeout_s * 1000))
        self._deadline.timeout.connect(self._timed_out)
        self._retranslate()
        self._listen()

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Authorise %1").replace("%1", self.shop.name))
        self.intro.setText(
            self.tr(
                "Open the link, sign in to %1 as the shop owner and confirm. The browser "
                "then comes back to this app by itself. The link works for a few minutes; "
                "Open makes a new one."
            ).replace("%1", enum_label(self.shop.channel))
        )
        if self.shop.channel == Channel.TIKTOK:
            self.intro.setText(
                self.intro.text()
                + " "
                + self.tr(
                    "TikTok Shop returns to the redirect address registered for your app in "
                    "Partner Center: if that is not this computer, paste the address the "
                    "browser ends on below."
                )
            )
        self.open_button.setText(self.tr("&Open in browser"))
        self.copy_button.setText(self.tr("&Copy link"))
        self.paste_label.setText(
            self.tr(
                "Browser on another computer? After confirming, copy the address it shows "
                "and &paste it here:"
            )
        )
        self.paste_button.setText(self.tr("&Use this address"))

    @property
    def _shop_in_redirect(self) -> bool:
        """The channel's redirect names the shop (Shopee); others name it with the tokens."""
        return self.shop.app.shop_id_in_redirect

    # ------------------------------------------------------------------ listening

    def _listen(self) -> None:
        """A fresh listener and link (after a failure the old code is spent)."""
        self._stop_listener()
        # The browser page it answers with speaks the app's language.
        self.listener = RedirectListener(
            shop_id_required=self._shop_in_redirect, words=localize
        ).start()
        try:
            self.link = channels.authorization_link(self.ctx, self.shop.id, self.listener.url)
        except PrimedistError as exc:
            self._stop_listener()
            self.link = ""
            self._say(error_text(exc), error=True)
            self._enable(False)  # nothing can be linked: only Cancel is left
            return
        self._show_link()
        self._poll.start()
        self._deadline.start()
        self._say(self.tr("Waiting for the approval in the browser…"))

    def open_browser(self) -> None:
        if self.listener is None or self.listener.finished:
            self._listen()
        else:  # a new timestamp: the link is valid 5 minutes from now
            try:
                self.link = channels.authorization_link(self.ctx, self.shop.id, self.listener.url)
            except PrimedistError as exc:
                self._say(error_text(exc), error=True)
                return
            self._show_link()
            self._deadline.start()
        if self.link and not self.open_url(self.link):
            self._no_browser()

    def _no_browser(self) -> None:
        """No browser could be started (none installed, or none set as the default): the
        link is selected, ready to be copied into a browser by hand."""
        self._say(
            self.tr(
                "No web browser could be opened on this computer. Press Copy link, then "
                "paste the link into a browser's address bar."
            ),
            error=True,
        )
        self.link_edit.setFocus()
        # Selected from its end back to the start: the host stays in view, not the signature.
        self.link_edit.setSelection(len(self.link), -len(self.link))

    def _show_link(self) -> None:
        self.link_edit.setText(self.link)
        self.link_edit.setCursorPosition(0)  # the host shows, not the signature's end

    def copy_link(self) -> None:
        QGuiApplication.clipboard().setText(self.link)

    def _check_listener(self) -> None:
        listener = self.listener
        if listener is None or not listener.finished or self._busy:
            return
        self._poll.stop()
        try:
            redirect = listener.wait(0)
        except Cancelled:
            return
        except PrimedistError as exc:
            self._say(error_text(exc), error=True)
            return
        self._authorise(redirect)

    def _timed_out(self) -> None:
        if self.listener is not None and not self._busy:
            self.listener.cancel()
            self._say(
                self.tr(
                    "No answer from the browser in time. Press Open in browser to try again, "
                    "or paste the address the browser ended on."
                ),
                error=True,
            )

    def use_pasted(self) -> None:
        if self._busy:
            return
        try:
            redirect = parse_redirect_url(
                self.paste.text(), shop_id_required=self._shop_in_redirect
            )
        except ValidationError as exc:
            self._say(error_text(exc), error=True)
            return
        if self.listener is not None:
            self.listener.cancel()  # the pasted address wins over a late browser
        self._authorise(redirect)

    # ------------------------------------------------------------------ linking

    def _authorise(self, redirect: AuthRedirect) -> None:
        self._busy = True
        self._enable(False)
        self._say(self.tr("Linking the shop…"))

        def work(_job: object) -> ChannelShop:
            return channels.authorize_shop(self.ctx, self.shop.id, redirect.code, redirect.shop_id)

        Op(self, work, engine=self.ctx.engine, title=self.tr("Linking the shop"), network=True)\
            .success(self._linked).failure(self._failed).run()  # fmt: skip

    def _linked(self, shop: ChannelShop) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy = False
        self.result_shop = shop
        self.authorised.emit(shop)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy = False
        self._enable(True)
        message = error_text(exc) if isinstance(exc, PrimedistError) else str(exc)
        self._listen()  # the code is single use: a new link for the next try
        self._say(message, error=True)

    def _enable(self, on: bool) -> None:
        for w in (self.open_button, self.copy_button, self.paste, self.paste_button):
            w.setEnabled(on)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setProperty("error", error)
        self.status.setStyleSheet("color: #c62828" if error else "")
        # A longer text (an error) needs more lines than the dialog made room for: grown, or
        # the layout squeezes the labels and cuts the intro's top and the error's end.
        fit_dialog_to(self.status)

    # ------------------------------------------------------------------ closing

    def _stop_listener(self) -> None:
        self._poll.stop()
        self._deadline.stop()
        if self.listener is not None:
            self.listener.close()
            self.listener = None

    def done(self, result: int) -> None:
        self._stop_listener()
        super().done(result)
