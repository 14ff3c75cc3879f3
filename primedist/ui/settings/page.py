"""The Settings tab: a list of sections on the left, the chosen section on the right.

Sections are built the first time they are shown, and read again each time they show
again (chosen again, or the Settings tab shown again): a voucher used, a customer moved to
a group meanwhile show in their counts. A section with unsaved changes is left as it is.
The list is as wide as its longest title in the current language (no elided titles, no
sideways scrolling).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib import import_module

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from primedist.errors import PrimedistError
from primedist.services.context import Actor, ServiceContext
from primedist.ui.messages import error_text
from primedist.ui.widgets import column_scroll

log = logging.getLogger(__name__)

#: The sections in display order: (key, module, widget class taking the ServiceContext).
#: Each is imported and built the first time it is shown; its title is in `retranslate`.
#: The order is DESIGN.md's (§ Settings), with the Shop details after My account (where a
#: new owner looks for them), Vouchers beside Loyalty points and the Audit log last.
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("account", "primedist.ui.settings.account", "AccountSettings"),
    ("shop", "primedist.ui.settings.shop", "ShopSettings"),
    ("channels", "primedist.ui.settings.channels", "ChannelsSettings"),
    ("logistics", "primedist.ui.settings.logistics", "LogisticsSettings"),
    ("staff", "primedist.ui.settings.staff", "StaffSettings"),
    ("ranking", "primedist.ui.settings.ranking", "RankingSettings"),
    ("levels", "primedist.ui.settings.levels", "LevelsSettings"),
    ("points", "primedist.ui.settings.points", "PointsSettingsSection"),
    ("vouchers", "primedist.ui.settings.vouchers", "VouchersSettings"),
    ("low_stock", "primedist.ui.settings.low_stock", "LowStockSettings"),
    ("printers", "primedist.ui.settings.printers", "PrintersSettings"),
    ("language", "primedist.ui.settings.language", "LanguageSettings"),
    ("backup", "primedist.ui.settings.backup", "BackupSettings"),
    ("sync_schedule", "primedist.ui.settings.sync_schedule", "SyncScheduleSettings"),
    ("audit", "primedist.ui.settings.audit", "AuditLogSettings"),
)

#: The section list's narrowest width, and the room kept beside its longest title.
MIN_SECTIONS_WIDTH = 180
SECTIONS_SLACK = 16


class SettingsPage(QWidget):
    """Settings: the list of sections on the left, the chosen one on the right."""

    #: My account saved the signed-in user's new details (the new Actor): the window's
    #: header and user menu follow.
    accountChanged = Signal(object)
    #: Shop details (or its tab in Printers & templates) saved the shop details (the
    #: shop's name): the header follows.
    shopNameChanged = Signal(str)
    #: Sales channels' Add shop chose to import a Seller Center export instead (no app).
    importOrdersRequested = Signal()

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("settingsPage")
        self._builders: dict[str, Callable[[], QWidget]] = {
            key: self._builder(module, name) for key, module, name in SECTIONS
        }
        self._pages: dict[str, QWidget] = {}
        #: The sections refused when last chosen: their notice, shown in their place.
        self._refusals: dict[str, QWidget] = {}
        self._holders: list[QVBoxLayout] = []
        #: Another tab was shown since: the section shown reads its data again on return.
        self._left = False
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.sections = QListWidget()
        self.sections.setObjectName("settingsSections")
        self.sections.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget()
        for _key in self._builders:
            self.sections.addItem(QListWidgetItem(""))
            holder = QWidget()
            layout = QVBoxLayout(holder)
            layout.setContentsMargins(0, 0, 0, 0)
            self._holders.append(layout)
            self.stack.addWidget(holder)
        row.addWidget(self.sections)
        row.addWidget(self.stack, 1)
        self.sections.currentRowChanged.connect(self.show_section_at)
        self.sections.setCurrentRow(0)
        self.retranslate()

    def show_section_at(self, index: int) -> None:
        if index < 0:
            return
        key = list(self._builders)[index]
        built = key in self._pages
        self.section(key)
        self.stack.setCurrentIndex(index)
        if built:  # a section built just now has just read its data
            self.reload_section(key)

    def reload_section(self, key: str) -> bool:
        """Read a built section's data again as it shows again (its `refresh`, which reads
        off the UI thread, else its `reload`); not while it has unsaved changes
        (`has_unsaved`) or what is typed in it would be overwritten (`has_edits`). True
        when it was asked to."""
        page = self._pages.get(key)
        if page is None or self._unsaved(page) or self._editing(page):
            return False
        reload = getattr(page, "refresh", None) or getattr(page, "reload", None)
        if not callable(reload):
            return False
        try:
            reload()
        except PrimedistError:  # access taken away meanwhile: the sign-out follows
            log.info("settings section %s not read again", key, exc_info=True)
            return False
        return True

    @staticmethod
    def _editing(page: QWidget) -> bool:
        editing = getattr(page, "has_edits", None)
        return bool(callable(editing) and editing())

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        if not event.spontaneous():  # another tab (not the window minimised)
            self._left = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._left:  # back on the Settings tab: what it shows may have changed since
            self._left = False
            self.reload_section(list(self._builders)[self.stack.currentIndex()])

    def section(self, key: str) -> QWidget:
        """The section's widget (built on first use). A section a service refuses to
        build (no access to a module it reads…) shows the refusal in its place instead,
        so the highlighted title and the page shown never disagree; it is built again
        the next time it is chosen."""
        if key not in self._pages:
            holder = self._holders[list(self._builders).index(key)]
            self._drop_refusal(key)
            try:
                page = self._builders[key]()
            except PrimedistError as exc:
                refusal = self._refusal_notice(key, exc)
                holder.addWidget(refusal)
                self._refusals[key] = refusal
                return refusal
            # A section taller (or wider) than the window scrolls instead of squeezing
            # its rows into each other.
            scroll = column_scroll(page, f"settingsScroll_{key}")
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
            holder.addWidget(scroll)
            self._pages[key] = page
            for name in ("accountChanged", "shopNameChanged", "importOrdersRequested"):
                changed = getattr(page, name, None)
                if changed is not None:
                    changed.connect(getattr(self, name))
        return self._pages[key]

    def has_unsaved(self) -> bool:
        return any(self._unsaved(page) for page in self._pages.values())

    @staticmethod
    def _unsaved(page: QWidget) -> bool:
        unsaved = getattr(page, "has_unsaved", None)
        return bool(callable(unsaved) and unsaved())

    def confirm_leave(self) -> bool:
        """Before the window closes: a built section with unsaved work (a template being
        edited, printer settings) is shown and asks Save / Discard / Cancel; False on Cancel."""
        for key, page in self._pages.items():
            if self._unsaved(page):
                self.select_section(key)
                if not page.confirm_leave():  # type: ignore[attr-defined]
                    return False
        return True

    def _refusal_notice(self, key: str, exc: PrimedistError) -> QWidget:
        """The refusal, at the top of the section's place, with the sections' margins."""
        notice = QWidget()
        notice.setObjectName(f"settingsRefusal_{key}")
        layout = QVBoxLayout(notice)
        layout.setContentsMargins(16, 12, 16, 12)
        text = QLabel(error_text(exc))
        text.setObjectName("errorText")
        text.setWordWrap(True)
        layout.addWidget(text)
        layout.addStretch(1)
        return notice

    def _drop_refusal(self, key: str) -> None:
        refusal = self._refusals.pop(key, None)
        if refusal is not None:
            refusal.hide()
            refusal.deleteLater()

    def show_actor(self, actor: Actor) -> None:
        """The signed-in user's details changed elsewhere (the user menu's My account):
        the sections built from now on, and My account's form, use them."""
        self.ctx = self.ctx.with_actor(actor)
        account = self._pages.get("account")
        show = getattr(account, "show_actor", None)
        if callable(show):
            show(actor)

    def select_section(self, key: str) -> QWidget:
        self.sections.setCurrentRow(list(self._builders).index(key))
        return self.section(key)

    def _builder(self, module: str, name: str) -> Callable[[], QWidget]:
        def build() -> QWidget:
            widget: QWidget = getattr(import_module(module), name)(self.ctx)
            return widget

        return build

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        titles = {
            "low_stock": self.tr("Low stock"),
            "channels": self.tr("Sales channels"),
            "account": self.tr("My account"),
            "shop": self.tr("Shop details"),
            "staff": self.tr("Staff"),
            "language": self.tr("Language"),
            "backup": self.tr("Backup & restore"),
            "sync_schedule": self.tr("Sync schedule"),
            "audit": self.tr("Audit log"),
            "printers": self.tr("Printers & templates"),
            "ranking": self.tr("Customer ranking"),
            "levels": self.tr("Customer groups & price levels"),
            "points": self.tr("Loyalty points"),
            "vouchers": self.tr("Vouchers"),
            "logistics": self.tr("Logistics"),
        }
        for i, key in enumerate(self._builders):
            item = self.sections.item(i)
            if item is not None:
                item.setText(titles[key])
        self._fit_sections()

    def _fit_sections(self) -> None:
        """As wide as the longest title (titles change with the language)."""
        # Polished first: laid out before the style sheet's item padding applied, the rows
        # kept their bare text height and each highlighted row covered its neighbours.
        self.sections.ensurePolished()
        self.sections.doItemsLayout()
        widest = self.sections.sizeHintForColumn(0)
        frame = 2 * self.sections.frameWidth()
        self.sections.setFixedWidth(max(MIN_SECTIONS_WIDTH, widest + frame + SECTIONS_SLACK))
