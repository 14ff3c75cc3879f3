"""Settings → Logistics: the shop's own carrier accounts (GHN, J&T Express).

Adding an account checks it with the carrier first (off the UI thread); a refusal or a
dead network shows under the form and nothing is saved. *Update token…* fills the same
form with the selected account (its secrets left empty): a token regenerated on GHN (or a
new J&T key) is checked the same way and saved on the account, so its parcels on the way
are tracked again. The address lists (GHN's provinces) can be fetched again here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.domain.enums import CarrierCode
from primedist.errors import PrimedistError
from primedist.services import shipping as svc
from primedist.services.context import ServiceContext
from primedist.ui.messages import say, say_error
from primedist.ui.settings.account import message_label, run_inline
from primedist.ui.widgets import add_narrow, align_headers, button_row


class LogisticsSettings(QWidget):
    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.accounts: list[svc.AccountView] = []
        #: The account whose token the form updates (None: the form adds one).
        self.editing: svc.AccountFields | None = None
        self.setObjectName("logisticsSettings")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.explanation = QLabel()
        self.explanation.setObjectName("banner")
        self.explanation.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.explanation)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("carrierAccounts")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        # "Đơn vị vận chuyển" is wider than the default section
        self.table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        align_headers(self.table, right=[3])
        self.table.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.update_button = QPushButton()
        self.update_button.setObjectName("actionButton")
        self.update_button.clicked.connect(self.on_update_token)
        self.remove_button = QPushButton()
        self.remove_button.setObjectName("dangerButton")
        self.remove_button.clicked.connect(self.on_remove)
        self.refresh_button = QPushButton()
        self.refresh_button.setObjectName("actionButton")
        self.refresh_button.clicked.connect(self.on_refresh_addresses)
        row.addWidget(self.update_button)
        row.addWidget(self.remove_button)
        row.addWidget(self.refresh_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addLayout(self._build_form())
        self.message = message_label("logisticsMessage")
        layout.addWidget(self.message)
        self.retranslate()
        self.reload()

    def _build_form(self) -> QVBoxLayout:
        box = QVBoxLayout()
        self.form_title = QLabel()
        self.form_title.setObjectName("cardTitle")
        box.addWidget(self.form_title)
        form = QFormLayout()
        self.carrier = QComboBox()
        self.carrier.setObjectName("carrierKind")
        self.carrier.addItem("GHN", CarrierCode.GHN)
        self.carrier.addItem("J&T Express", CarrierCode.JNT)
        self.carrier.currentIndexChanged.connect(self._carrier_switched)
        self.name = QLineEdit()
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.shop_id = QLineEdit()
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.host = QLineEdit()
        self.captions = [QLabel() for _ in range(7)]
        fields = (self.carrier, self.name, self.token, self.shop_id, self.key, self.password,
                  self.host)  # fmt: skip
        for caption, widget in zip(self.captions, fields, strict=True):
            form.addRow(caption, widget)
        self._form = form
        add_narrow(box, form)
        self.add_button = QPushButton()
        self.add_button.setObjectName("primaryButton")
        self.add_button.clicked.connect(self.on_add)
        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self._stop_editing)
        self.cancel_button.hide()
        box.addLayout(button_row(self.add_button, self.cancel_button))
        return box

    # ------------------------------------------------------------------ data

    def reload(self) -> None:
        self.accounts = svc.list_accounts(self.ctx)
        self.table.setRowCount(len(self.accounts))
        for i, a in enumerate(self.accounts):
            values = (svc.CARRIER_NAMES[a.carrier], a.name, self._status(a.status),
                      str(a.shipments))  # fmt: skip
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                if col == 3:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(i, col, item)
        self._update_buttons()

    def _status(self, status: str) -> str:
        return {"active": self.tr("Active")}.get(status, status)

    def selected(self) -> svc.AccountView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.accounts[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.remove_button.setEnabled(chosen)
        self.update_button.setEnabled(chosen)

    def _carrier_switched(self) -> None:
        """Another carrier: its own fields, empty (one carrier's token is no API account of
        the other, and must not stay on screen), and no error about the other's fields. The
        account's name stays: it is the shop's, not the carrier's."""
        for field in (self.token, self.shop_id, self.key, self.password, self.host):
            field.clear()
        self.message.hide()
        self._follow_carrier()

    def _follow_carrier(self) -> None:
        ghn = self.carrier.currentData() == CarrierCode.GHN
        for row in (4, 5):  # the private key and password rows are J&T's
            self._form.setRowVisible(row, not ghn)
        self.captions[2].setText(self.tr("Token") if ghn else self.tr("API account"))
        self.captions[3].setText(self.tr("ShopId") if ghn else self.tr("Customer code"))

    # ------------------------------------------------------------------ actions

    def on_add(self) -> None:
        if self.editing is not None:
            self._save_token(self.editing)
            return
        name, token, shop = self.name.text(), self.token.text(), self.shop_id.text()
        host = self.host.text() or None
        call: Any
        if self.carrier.currentData() == CarrierCode.GHN:

            def call() -> object:
                return svc.add_ghn_account(self.ctx, name, token, shop, host)
        else:
            key, password = self.key.text(), self.password.text()

            def call() -> object:
                return svc.add_jnt_account(self.ctx, name, token, key, shop, password, host)

        run_inline(self, call, self.message, lambda _v: self._added(), self.add_button)

    def _added(self) -> None:
        self.add_button.setEnabled(True)
        for field in (self.name, self.token, self.shop_id, self.key, self.password):
            field.clear()
        self._say(lambda: self.tr("The account works and is saved."))
        self.reload()

    def on_update_token(self) -> None:
        """The form, filled with the selected account but its secrets, saves a new token."""
        account = self.selected()
        if account is None:
            return
        try:
            fields = svc.account_fields(self.ctx, account.id)
        except PrimedistError as exc:
            say_error(self.message, exc)
            self.message.show()
            return
        self.editing = None
        self.carrier.setCurrentIndex(self.carrier.findData(fields.carrier))
        self._carrier_switched()  # the other fields emptied, whichever carrier it was
        self.editing = fields
        self.carrier.setEnabled(False)  # the same account: its carrier stays
        self.name.setText(fields.name)
        ghn = fields.carrier == CarrierCode.GHN
        self.token.setText("" if ghn else fields.known.get("api_account", ""))
        self.shop_id.setText(fields.known.get("shop_id" if ghn else "customer_code", ""))
        self.host.setText(fields.api_host or "")
        self.cancel_button.show()
        self._retitle()
        (self.token if ghn else self.key).setFocus()

    def _save_token(self, fields: svc.AccountFields) -> None:
        typed = (self.token.text(), self.shop_id.text(), self.key.text(), self.password.text())
        names = (("token", "shop_id") if fields.carrier == CarrierCode.GHN
                 else ("api_account", "customer_code", "private_key", "password"))  # fmt: skip
        values = dict(zip(names, typed, strict=False))
        name, host = self.name.text(), self.host.text()  # "" = the carrier's live host
        run_inline(self, lambda: svc.update_account_credentials(
            self.ctx, fields.id, values, host, name=name), self.message,
            lambda _v: self._token_saved(), self.add_button)  # fmt: skip

    def _token_saved(self) -> None:
        self._stop_editing()
        self.add_button.setEnabled(True)
        self._say(lambda: self.tr("The new token works and is saved."))
        self.reload()

    def _stop_editing(self) -> None:
        """Back to adding an account, with an empty form (no secret stays on screen)."""
        self.editing = None
        self.carrier.setEnabled(True)
        self.cancel_button.hide()
        for field in (self.name, self.token, self.shop_id, self.key, self.password, self.host):
            field.clear()
        self._retitle()

    def on_remove(self) -> None:
        account = self.selected()
        if account is None:
            return
        run_inline(self, lambda: svc.remove_account(self.ctx, account.id), self.message,
                   lambda _v: self._removed(account.name), self.remove_button)  # fmt: skip

    def _removed(self, name: str) -> None:
        self._say(lambda: self.tr("%s was removed.") % name)
        self.reload()

    def on_refresh_addresses(self) -> None:
        run_inline(self, lambda: svc.address_places(self.ctx, "province", refresh=True),
                   self.message, self._refreshed, self.refresh_button)  # fmt: skip

    def _refreshed(self, provinces: list[Any]) -> None:
        self.refresh_button.setEnabled(True)
        self._say(lambda: self.tr("Address lists refreshed: %n province(s).", "", len(provinces)))

    def _say(self, text: Callable[[], str]) -> None:
        say(self.message, text)
        self.message.show()

    # ------------------------------------------------------------------ texts

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Logistics"))
        self.explanation.setText(self.tr(
            "Counter, phone and chat orders ship with the shop's own carrier account. "
            "Marketplace orders ship with the marketplace's logistics."
        ))  # fmt: skip
        self.table.setHorizontalHeaderLabels(
            [self.tr("Carrier"), self.tr("Name"), self.tr("Status"), self.tr("Shipments")]
        )
        self.remove_button.setText(self.tr("Remove"))
        self.refresh_button.setText(self.tr("Refresh address lists"))
        self.update_button.setText(self.tr("Update token…"))
        self.cancel_button.setText(self.tr("Cancel"))
        for caption, text in zip(self.captions, (
            self.tr("Carrier"), self.tr("Name"), "", "", self.tr("Private key"),
            self.tr("Password"), self.tr("API host (optional)"),
        ), strict=True):  # fmt: skip
            if text:
                caption.setText(text)
        self._retitle()
        self._follow_carrier()

    def _retitle(self) -> None:
        if self.editing is None:
            self.form_title.setText(self.tr("Add a delivery provider"))
            self.add_button.setText(self.tr("Check and add"))
        else:
            self.form_title.setText(self.tr("Update the token of %s") % self.editing.name)
            self.add_button.setText(self.tr("Check and save"))
