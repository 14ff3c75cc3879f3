"""Settings → Sales channels: the marketplace shops, their link status, and linking them.

Each shop shows its status (connected, not linked, needs re-authorisation, paused by the
daily API limit, disconnected), its last sync and when its authorisation runs out; a
banner names the shops to authorise again soon (a Lazada authorisation ends on a fixed
date, however often its tokens are renewed). Sync now, Fetch listings (ui.settings.
listings_dialog), Re-authorise and Disconnect act on the selected shop; Add shop asks for
the channel and its app's credentials, then runs the authorisation in the browser.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.connectors import supported_channels
from primedist.connectors.base import Action
from primedist.core.messages import Message
from primedist.domain.enums import ShopStatus
from primedist.errors import PrimedistError
from primedist.services import channels as svc
from primedist.services.channels import ChannelShop
from primedist.services.context import ServiceContext
from primedist.services.sync import SyncReport
from primedist.ui.errors import box_text
from primedist.ui.formatting import when_text
from primedist.ui.labels import enum_label
from primedist.ui.list_tools import EmptyHint, count_text
from primedist.ui.messages import error_text, localize
from primedist.ui.ops import Job, Op
from primedist.ui.settings.channel_dialogs import AddStoreDialog, AuthoriseDialog
from primedist.ui.settings.listings_dialog import FetchListingsDialog
from primedist.ui.sync.status import last_message_text
from primedist.ui.widgets import align_headers

COL_SHOP, COL_CHANNEL, COL_STATUS, COL_LAST_SYNC, COL_EXPIRES, COL_EXTERNAL = range(6)
#: The list refreshes itself this often while shown (last sync moves with the scheduler).
REFRESH_MS = 30_000
#: A shop whose authorisation ends sooner than this says so in its status.
EXPIRY_WARNING: timedelta = svc.REAUTH_WARNING
#: The shop name column is as wide as its names up to this; a longer name is cut with "…"
#: (whole in its tooltip). The status takes the width left and is cut the same way.
NAME_MAX_WIDTH = 280


def last_error_text(text: str) -> str:
    """A sync's last error in the reader's language, as the Sync panel words it (our own
    words read back by their template; a marketplace's own words as they came)."""
    return last_message_text(text)


def sync_report_text(report: SyncReport) -> str:
    """What a Sync now did, in the user's language (`summary()` is the CLI's English):
    here and on Settings → Sync schedule."""
    if report.outcome == "ok":
        return localize(report.summary())
    if isinstance(report.message, Message):
        why = localize(report.message)
    else:
        # In the context of Sales channels, whose Sync now first said them.
        why = {
            "offline": QCoreApplication.translate(
                "ChannelsSettings",
                "the marketplace could not be reached; the next sync tries again"),
            "marketplace_error": QCoreApplication.translate(
                "ChannelsSettings",
                "the marketplace answered with an error; the next sync tries again"),
            "busy": QCoreApplication.translate(
                "ChannelsSettings", "a sync of this shop is already running"),
            "paused": QCoreApplication.translate(
                "ChannelsSettings",
                "the marketplace's daily limit is reached; the sync resumes after it resets"),
        }.get(report.outcome, report.message or report.outcome)  # fmt: skip
    return f"{report.shop}: {why}"


class ChannelsSettings(QWidget):
    """The marketplace shops with their status, and the actions that link them."""

    #: A shop was added, linked, re-authorised, disconnected or synced.
    shopsChanged = Signal()
    #: Add shop's "import orders from a file instead" (the main window opens Orders → Import).
    importOrdersRequested = Signal()

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.shops: list[ChannelShop] = []
        self._busy = False
        self.setObjectName("channelsSettings")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(10)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.explanation = QLabel()
        self.explanation.setObjectName("banner")
        self.explanation.setWordWrap(True)
        self.expiry_banner = QLabel()
        self.expiry_banner.setObjectName("expiryWarning")
        self.expiry_banner.setWordWrap(True)
        self.expiry_banner.setStyleSheet("color: #b26a00")
        self.expiry_banner.hide()
        # After a restore: the shops linked before it that the restored data holds
        # unlinked (`ask_to_relink`), until each is linked again.
        self.relink_banner = QLabel()
        self.relink_banner.setObjectName("relinkBanner")
        self.relink_banner.setWordWrap(True)
        self.relink_banner.setStyleSheet("color: #b26a00")
        self.relink_banner.hide()
        self.relink: list[str] = []
        layout.addWidget(self.title)
        layout.addWidget(self.explanation)
        layout.addWidget(self.expiry_banner)
        layout.addWidget(self.relink_banner)
        self.table = QTableWidget(0, 6)
        self.table.setObjectName("channelShops")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The name keeps its width (set in _fill); a long status gives way, not the name.
        header.setSectionResizeMode(COL_SHOP, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_STATUS, QHeaderView.ResizeMode.Stretch)
        align_headers(self.table)
        self.table.itemSelectionChanged.connect(self._update)
        layout.addWidget(self.table, 1)
        # No shop yet: what connecting one needs, and the Excel way without it.
        self.empty_hint = EmptyHint(self.table, lambda: ("", self.empty_text()), lambda: False)
        bar = QHBoxLayout()
        self.add_button = QPushButton()
        self.add_button.setObjectName("primaryButton")
        self.add_button.clicked.connect(self.add_shop)
        self.sync_button = QPushButton()
        self.sync_button.clicked.connect(self.sync_now)
        self.reauth_button = QPushButton()
        self.reauth_button.clicked.connect(self.reauthorise)
        self.disconnect_button = QPushButton()
        self.disconnect_button.clicked.connect(self.disconnect_shop)
        self.key_button = QPushButton()
        self.key_button.clicked.connect(self.edit_partner)
        self.listings_button = QPushButton()
        self.listings_button.setObjectName("fetchListingsButton")
        self.listings_button.clicked.connect(self.fetch_listings)
        bar.addWidget(self.add_button)
        bar.addStretch(1)
        for b in (self.sync_button, self.listings_button, self.reauth_button, self.key_button):
            b.setObjectName("actionButton")  # the stylesheet greys them out when disabled
        self.disconnect_button.setObjectName("dangerButton")
        for b in (self.sync_button, self.listings_button, self.reauth_button, self.key_button,
                  self.disconnect_button):  # fmt: skip
            bar.addWidget(b)
        layout.addLayout(bar)
        self.message = QLabel()
        self.message.setObjectName("muted")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        #: What the message line says, asked again on every refresh: in the language of
        #: the moment, and "" once it is no longer true (a shop said connected that was
        #: disconnected since).
        self._message: Callable[[], str] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.reload)
        self._retranslate()
        self.reload()

    # ------------------------------------------------------------------ texts

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self._fill()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.title.setText(self.tr("Sales channels"))
        lines = [
            self.tr(
                "Marketplace shops linked to this app. Orders of a connected shop are "
                "fetched every few minutes. Disconnecting removes the shop's access (its "
                "orders stay)."
            ),
            *self.sent_back_lines(),
        ]
        self.explanation.setText("\n".join(lines))
        self.empty_hint.update_hint()
        self.table.setHorizontalHeaderLabels(
            [self.tr("Shop"), self.tr("Channel"), self.tr("Status"), self.tr("Last sync"),
             self.tr("Authorisation until"), self.tr("Marketplace shop ID")]
        )  # fmt: skip
        self.add_button.setText(self.tr("&Add shop…"))
        self.sync_button.setText(self.tr("&Sync now"))
        self.listings_button.setText(self.tr("Fetch &listings…"))
        self.listings_button.setToolTip(
            self.tr(
                "Read the shop's listings from the marketplace and link them to the "
                "products by SKU, so stock changes reach them"
            )  # fmt: skip
        )
        self.reauth_button.setText(self.tr("&Re-authorise…"))
        self.disconnect_button.setText(self.tr("&Disconnect"))
        self.key_button.setText(self.tr("App &credentials…"))

    def sent_back_lines(self) -> list[str]:
        """What the app sends back to each marketplace by itself and what the seller does
        in its Seller Center (channels that send back the same, on one line)."""
        words = {
            Action.CONFIRM: self.tr("order confirmations"),
            Action.CANCEL: self.tr("cancellations"),
            Action.PUSH_STOCK: self.tr("stock"),
        }
        groups: dict[tuple[Action, ...], list[str]] = {}
        for channel in svc.CHANNEL_APPS:
            if channel in supported_channels():
                groups.setdefault(svc.sent_back(channel), []).append(enum_label(channel))
        lines = []
        for sent, names in groups.items():
            by_hand = [a for a in svc.SENT_BACK if a not in sent]
            if not by_hand:
                line = self.tr("%1: the app sends %2 by itself.")
            elif sent:
                line = self.tr("%1: the app sends %2 by itself; handle %3 in Seller Center.")
            else:
                line = self.tr("%1: the app sends nothing back; handle %3 in Seller Center.")
            line = line.replace("%3", self._and([words[a] for a in by_hand]))
            line = line.replace("%2", self._and([words[a] for a in sent]))
            lines.append("• " + line.replace("%1", ", ".join(names)))
        return lines

    def _and(self, items: list[str]) -> str:
        """The items as "a, b and c" in the reader's language."""
        if len(items) < 2:
            return "".join(items)
        return self.tr("%1 and %2").replace("%1", ", ".join(items[:-1])).replace("%2", items[-1])

    def empty_text(self) -> str:
        """What the empty list says: what linking a shop needs, and the way without it."""
        consoles = "\n".join(f"• {app.name}: {app.console}" for app in svc.CHANNEL_APPS.values())
        return "\n".join([
            self.tr("No marketplace shop yet."),
            self.tr("To connect a shop, the app needs your app's ID and key (secret) from "
                    "the marketplace's open platform, where you register an app:"),
            consoles,
            self.tr("Then add the shop with Add shop. Without an app, export your orders "
                    "from Seller Center as Excel (Shopee, Lazada, TikTok Shop) and bring them "
                    "in with Orders → Import."),
        ])  # fmt: skip

    def status_text(self, shop: ChannelShop) -> str:
        now = self.ctx.clock.now()
        if shop.status == ShopStatus.DISCONNECTED:
            return self.tr("Disconnected")
        if shop.needs_reauth:
            return self.tr("Needs re-authorisation")
        if not shop.linked:
            return self.tr("Not linked")
        if shop.paused_until is not None and shop.paused_until > now:
            return self.tr("Paused until %1 (daily API limit)").replace(
                "%1", self._when(shop.paused_until)
            )
        if shop.last_error:
            return self.tr("Connected — last sync failed")
        if shop.reauth_soon(now, EXPIRY_WARNING):
            return self.tr("Connected — re-authorise before %1").replace(
                "%1", self._when(shop.authorised_until)
            )
        return self.tr("Connected")

    def expiry_text(self, shops: list[ChannelShop]) -> str:
        """The banner naming the shops whose authorisation ends soon ("" when none)."""
        now = self.ctx.clock.now()
        due = [s for s in shops if s.reauth_soon(now, EXPIRY_WARNING)]
        if not due:
            return ""
        lines = [self.tr("Authorise again soon, or these shops stop syncing:")]
        for shop in sorted(due, key=lambda s: (s.authorised_until or now, s.name)):
            line = self.tr("%1: before %2").replace("%1", shop.name)
            lines.append("• " + line.replace("%2", self._when(shop.authorised_until)))
            if not shop.app.refresh_extends:
                lines[-1] += " " + self.tr(
                    "(%1 does not extend the authorisation when the app renews its tokens)"
                ).replace("%1", enum_label(shop.channel))
        return "\n".join(lines)

    def relink_text(self) -> str:
        """The banner naming the shops a restore left to authorise again ("" once none
        is: each linked again, or gone)."""
        left = [s.name for s in self.shops
                if s.name in self.relink and (not s.linked or s.needs_reauth)]  # fmt: skip
        if not left:
            return ""
        return self.tr(
            "The data was restored from a backup taken before these shops were linked: %1. "
            "Authorise each again: select it, then Re-authorise… (App credentials… first, "
            "when Re-authorise… is greyed out)."
        ).replace("%1", ", ".join(left))  # fmt: skip

    def ask_to_relink(self, names: Sequence[str]) -> None:
        """After a restore: name the shops to authorise again, the first one selected."""
        self.relink = list(names)
        self._fill()
        first = next((s for s in self.shops if s.name in self.relink), None)
        if first is not None:
            self.select_shop(first.id)

    def _token_tip(self, shop: ChannelShop) -> str:
        lines = [
            self.tr("Access token until %1 (renewed automatically)").replace(
                "%1", self._when(shop.access_expires_at)
            ),
            self.tr("Refresh token until %1").replace("%1", self._when(shop.refresh_expires_at)),
        ]
        if not shop.app.refresh_extends:
            lines.append(
                self.tr(
                    "%1 does not extend the refresh token when it renews access: authorise "
                    "again before it ends."
                ).replace("%1", enum_label(shop.channel))
            )
        if shop.auth_expires_at is not None:
            lines.append(
                self.tr("The seller's authorisation ends %1").replace(
                    "%1", self._when(shop.auth_expires_at)
                )
            )
        if shop.remote_name:
            lines.append(self.tr("Name on the marketplace: %1").replace("%1", shop.remote_name))
        return "\n".join(lines)

    def _when(self, value: datetime | None) -> str:
        return "—" if value is None else when_text(value)

    # ------------------------------------------------------------------ state

    def reload(self) -> None:
        """Read the shops again (the selection is kept)."""
        if not shiboken6.isValid(self):
            return
        try:
            self.shops = svc.list_channel_shops(self.ctx)
        except PrimedistError as exc:
            self.shops = []
            self.show_message(partial(error_text, exc))
        self._fill()

    def _fill(self) -> None:
        keep = self.selected_shop()
        banner = self.expiry_text(self.shops)
        self.expiry_banner.setText(banner)
        self.expiry_banner.setVisible(bool(banner))
        relink = self.relink_text()
        self.relink_banner.setText(relink)
        self.relink_banner.setVisible(bool(relink))
        self.table.setRowCount(len(self.shops))
        for row, shop in enumerate(self.shops):
            name = QTableWidgetItem(shop.name)
            name.setData(Qt.ItemDataRole.UserRole, shop.id)
            name.setToolTip(shop.name)
            status = QTableWidgetItem(self.status_text(shop))
            status.setToolTip(self._status_tip(shop, status.text()))
            if shop.needs_reauth:
                status.setForeground(Qt.GlobalColor.red)
            elif shop.reauth_soon(self.ctx.clock.now(), EXPIRY_WARNING):
                status.setForeground(QColor("#b26a00"))
            expires = QTableWidgetItem(self._when(shop.authorised_until))
            if shop.linked:
                expires.setToolTip(self._token_tip(shop))
            cells = (name, QTableWidgetItem(enum_label(shop.channel)), status,
                     QTableWidgetItem(self._when(shop.last_sync_at)), expires,
                     QTableWidgetItem(shop.external_shop_id or ""))  # fmt: skip
            for col, item in enumerate(cells):
                self.table.setItem(row, col, item)
            if keep is not None and shop.id == keep.id:
                self.table.selectRow(row)
        self._fit_name_column()
        self._say_message()
        self._update()

    def _fit_name_column(self) -> None:
        """The names whole (up to NAME_MAX_WIDTH), however long the statuses are."""
        header = self.table.horizontalHeader()
        wanted = max(self.table.sizeHintForColumn(COL_SHOP), header.sectionSizeHint(COL_SHOP))
        header.resizeSection(COL_SHOP, min(wanted, NAME_MAX_WIDTH))

    def _status_tip(self, shop: ChannelShop, status: str) -> str:
        """The whole status (the column may cut it), then the last sync's error."""
        if not shop.last_error:
            return status
        error = self.tr("Last error: %1").replace("%1", last_error_text(shop.last_error))
        return f"{status}\n{error}"

    def show_message(self, text: Callable[[], str]) -> None:
        """Say `text()` under the buttons; it is asked again on each refresh and language
        switch (`text` returns "" once what it says is no longer true)."""
        self._message = text
        self._say_message()

    def _say_message(self) -> None:
        self.message.setText(self._message() if self._message is not None else "")

    def shop_by_id(self, shop_id: int) -> ChannelShop | None:
        """The shop as last read (None: gone)."""
        return next((s for s in self.shops if s.id == shop_id), None)

    def selected_shop(self) -> ChannelShop | None:
        rows = {i.row() for i in self.table.selectedItems()}
        if len(rows) != 1:
            return None
        item = self.table.item(rows.pop(), COL_SHOP)
        if item is None:
            return None
        shop_id = int(item.data(Qt.ItemDataRole.UserRole))
        return next((s for s in self.shops if s.id == shop_id), None)

    def select_shop(self, shop_id: int) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, COL_SHOP)
            if item is not None and int(item.data(Qt.ItemDataRole.UserRole)) == shop_id:
                self.table.selectRow(row)

    def _update(self) -> None:
        shop = self.selected_shop()
        idle = not self._busy
        self.add_button.setEnabled(idle)
        usable = shop is not None and shop.linked and not shop.needs_reauth
        self.sync_button.setEnabled(idle and usable)
        self.listings_button.setEnabled(idle and usable and shop is not None
                                        and shop.can_list_items)  # fmt: skip
        self.reauth_button.setEnabled(idle and shop is not None and shop.can_authorise)
        self.disconnect_button.setEnabled(idle and shop is not None and shop.linked)
        # Credentials can be stored for any marketplace (linking needs its connector).
        self.key_button.setEnabled(idle and shop is not None)

    def showEvent(self, event: QShowEvent) -> None:
        self._timer.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self._timer.stop()
        super().hideEvent(event)

    # ------------------------------------------------------------------ actions

    def add_shop(self) -> None:
        dialog = AddStoreDialog(self.ctx, self)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.shop_id is None:
            if dialog.import_instead:
                self.importOrdersRequested.emit()
            return
        self.reload()
        self.select_shop(dialog.shop_id)
        self.shopsChanged.emit()
        shop = self.selected_shop()
        if shop is not None:
            self.authorise(shop)

    def edit_partner(self) -> None:
        """Change the selected shop's app id/secret and API host."""
        shop = self.selected_shop()
        if shop is None:
            return
        dialog = AddStoreDialog(self.ctx, self, shop=shop)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.reload()
        self.show_message(lambda: self.tr("Credentials of %1 saved.").replace("%1", shop.name))
        self.shopsChanged.emit()

    def reauthorise(self) -> None:
        shop = self.selected_shop()
        if shop is not None:
            self.authorise(shop)

    def authorise(self, shop: ChannelShop) -> AuthoriseDialog:
        """Open the authorisation dialog (modeless: the browser needs the user's attention)."""
        dialog = AuthoriseDialog(self.ctx, shop, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.authorised.connect(self._linked)
        dialog.open()
        return dialog

    def _linked(self, shop: ChannelShop) -> None:
        if not shiboken6.isValid(self):
            return
        self.reload()

        def connected() -> str:
            now = self.shop_by_id(shop.id)
            if now is None or not now.linked or now.needs_reauth:
                return ""  # disconnected (or its authorisation lost) since
            text = (
                self.tr("%1 is connected (marketplace shop %2).")
                .replace("%1", now.name)
                .replace("%2", now.external_shop_id or "")
            )
            if now.can_list_items:
                text += " " + self.tr("Fetch listings to link its items to your products.")
            return text

        self.show_message(connected)
        self.shopsChanged.emit()

    def disconnect_shop(self) -> None:
        shop = self.selected_shop()
        if shop is None:
            return
        question = self.tr(
            "Disconnect %1? The app stops fetching its orders and sending confirmations "
            "and stock. Its orders stay here; you can re-authorise it later."
        ).replace("%1", shop.name)
        waiting = self._actions_waiting(shop.id)
        if waiting:  # kept, not lost: they go out once it is authorised again
            question += "\n\n" + count_text(
                waiting,
                self.tr("%n action waiting for this shop will be sent when it is connected "
                        "again."),
                self.tr("%n actions waiting for this shop will be sent when it is connected "
                        "again."),
            )  # fmt: skip
        answer = QMessageBox.question(
            self, self.tr("Disconnect %1").replace("%1", shop.name), box_text(question)
        )
        if answer != QMessageBox.StandardButton.Yes:
            return

        def done() -> str:
            now = self.shop_by_id(shop.id)
            if now is None or now.status != ShopStatus.DISCONNECTED:
                return ""  # authorised again since
            return self.tr("%1 is disconnected; its orders are kept.").replace("%1", now.name)

        self._run(lambda _job: svc.disconnect_shop(self.ctx, shop.id), done, network=False)

    def _actions_waiting(self, shop_id: int) -> int:
        try:
            return svc.actions_waiting(self.ctx, shop_id)
        except PrimedistError:
            return 0  # the disconnect says what is wrong

    def sync_now(self) -> None:
        shop = self.selected_shop()
        if shop is None:
            return
        self.show_message(lambda: self.tr("Syncing %1…").replace("%1", shop.name))
        # In the jobs indicator, with its progress and Cancel (a first sync takes a while).
        self._run(lambda job: svc.sync_now(self.ctx, shop.id, job.progress), None,
                  network=True, title=self.tr("Marketplace sync"))  # fmt: skip

    def fetch_listings(self) -> FetchListingsDialog | None:
        """Open the Fetch listings dialog for the selected shop (modeless: it runs a while)."""
        shop = self.selected_shop()
        if shop is None:
            return None
        dialog = FetchListingsDialog(self.ctx, shop, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _run(self, fn: Callable[[Job], Any], done: Callable[[], str] | None, *, network: bool,
             title: str | None = None) -> None:  # fmt: skip
        """Run `fn` off the UI thread; then say `done` (a sync: its report). With a `title`
        it shows in the jobs indicator, its progress and Cancel (`fn` gets the job)."""
        self._busy = True
        self._update()

        def finished(result: Any) -> None:
            if shiboken6.isValid(self):
                if isinstance(result, SyncReport):  # a sync report says what it did
                    self.show_message(lambda: self.report_text(result))
                else:
                    self.show_message(done or (lambda: ""))
                self.shopsChanged.emit()

        def failed(exc: BaseException) -> None:
            if shiboken6.isValid(self):
                if isinstance(exc, PrimedistError):
                    self.show_message(lambda: error_text(exc))
                else:
                    self.show_message(lambda: str(exc))

        op = Op(self, fn, engine=self.ctx.engine, title=title or self.windowTitle(),
                network=network)  # fmt: skip
        if title is not None:
            op.with_progress()
        op.success(finished).failure(failed).finally_(self._idle).run()

    def report_text(self, report: SyncReport) -> str:
        """What Sync now did, in the user's language (`summary()` is the CLI's English)."""
        return sync_report_text(report)

    def _idle(self) -> None:
        if shiboken6.isValid(self):
            self._busy = False
            self.reload()
