"""The main window: six tabs, a header with the shop and language, and a status bar."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from typing import TypeVar

from PySide6.QtCore import QByteArray, QEvent, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import SQLAlchemyError

from primedist.db.engine import server_name
from primedist.domain.enums import Module, Role
from primedist.errors import PrimedistError
from primedist.services.context import AccountDisabled, Actor, ServiceContext
from primedist.ui import errors
from primedist.ui.clock_warning import ClockWarning
from primedist.ui.labels import enum_label
from primedist.ui.messages import error_text
from primedist.ui.ops import Op
from primedist.ui.sub_tabs import search_fields
from primedist.ui.sync.status import SyncStatusWidget
from primedist.ui.widgets import (
    SCREEN_MARGIN,
    JobsIndicator,
    LanguageCombo,
    button_text,
    center_on_screen,
    column_scroll,
    fit_to_screen,
    icon,
)

#: The main window's smallest size, where the screen has room for it.
MINIMUM_SIZE = QSize(960, 600)
#: (key, module the tab needs or None for everyone)
TABS: tuple[tuple[str, Module | None], ...] = (
    ("home", None),
    ("analytics", Module.ANALYTICS),
    ("products", Module.PRODUCTS),
    ("orders", Module.ORDERS),
    ("customers", Module.CUSTOMERS),
    ("settings", Module.SETTINGS),
)


#: The tabs of cards and tables rather than one long list: they scroll when squeezed.
SCROLLING_TABS = ("home", "analytics")
#: How often the signed-in account is checked again (also at every change of tab): the
#: owner disabling it or taking a module away ends the session within this time.
ACCESS_CHECK_MS = 30_000
#: The roles by what they may do (losing rank is losing rights).
ROLE_RANK = {Role.STAFF: 0, Role.MANAGER: 1, Role.OWNER: 2}
#: The tabs that follow what changed elsewhere (another PC, a sync: `DataWatch`): the
#: lists (and their sub-tabs) and Home's figures. (Analytics, heavy, reads its figures
#: again each time it shows.)
FOLLOWING_TABS = ("home", "orders", "products", "customers")

log = logging.getLogger(__name__)


def rights_lost(before: Actor, now: Actor) -> bool:
    """Whether the account `now` may do less than at sign-in (`before`): a module taken
    away, the right "Refunds and returns" or "Export data" taken away (the windows offer
    returns and exports by the sign-in's rights), or a lower role. Rights given are no
    reason to end the session."""
    if ROLE_RANK[Role(now.role)] < ROLE_RANK[Role(before.role)]:
        return True
    if before.may_refund and not now.may_refund:
        return True
    if before.may_export and not now.may_export:
        return True
    return any(before.can(m) and not now.can(m) for m in Module)


class LazyTab(QWidget):
    """A tab whose page is built the first time it is shown (keeps start-up fast)."""

    def __init__(self, key: str, build: Callable[[], QWidget], *, scrolls: bool = False) -> None:
        super().__init__()
        self.key = key
        #: A page of cards and tables scrolls when the window is shorter than it needs
        #: (a list page fills the window and pages its rows instead).
        self.scrolls = scrolls
        self.setObjectName(f"tab_{key}")
        self._build = build
        self.page: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def ensure_built(self) -> QWidget:
        if self.page is None:
            self.page = self._build()
            content = self.page
            if self.scrolls:
                # Up and down only: a narrow window narrows the cards (sideways
                # scrolling would hide half of a dashboard).
                policy = QSizePolicy.Policy
                self.page.setSizePolicy(policy.Ignored, policy.Preferred)
                content = column_scroll(self.page, f"scroll_{self.key}")
            self._layout.addWidget(content)
            # Shown now, not by the layout's queued show: until then the page's buttons
            # take no shortcut (F2 pressed right after Ctrl+4 was lost).
            content.show()
        return self.page


W = TypeVar("W", bound=QWidget)


def shown_in(tab: LazyTab, widgets: list[W]) -> list[W]:
    """Those of `widgets` the tab shows (not on a hidden sub-tab, nor in a dialog)."""
    page = tab.page
    if page is None:
        return []
    return [w for w in widgets if w.isVisibleTo(page) and w.window() is tab.window()]


def search_box_of(tab: LazyTab) -> QLineEdit | None:
    """The search box the tab's page shows (the one of its current sub-tab): a SearchBox
    or a field marked as its page's search (the stock-take's scan field …)."""
    page = tab.page
    boxes = shown_in(tab, search_fields(page)) if page is not None else []
    return boxes[0] if boxes else None


def list_of(tab: LazyTab) -> QWidget | None:
    """The first list a list tab's page shows (Settings' sections); None on a page of
    cards and tables (Home, Analytics)."""
    page = tab.page
    if page is None or tab.scrolls:
        return None
    views = shown_in(tab, page.findChildren(QAbstractItemView))
    views = [v for v in views if v.focusPolicy() != Qt.FocusPolicy.NoFocus]
    return views[0] if views else None


class MainWindow(QMainWindow):
    """Home, Analytics, Products, Orders, Customers, Settings (those the user may open)."""

    #: "Switch user" was chosen (the session shows the sign-in again).
    switchUserRequested = Signal()
    #: The data was restored: the session restarts on this ServiceContext (sign-in again),
    #: saying when the restored backup was taken (a datetime, or None), then naming the
    #: shops to authorise again (a tuple of names).
    restartRequested = Signal(object, object, object)
    #: The account was disabled or lost rights while signed in: the session shows the
    #: sign-in again, saying this (`sign_out`).
    signedOut = Signal(str)

    def __init__(self, ctx: ServiceContext, ui_settings: QSettings, shop_name: str) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.ctx = ctx
        self._ui = ui_settings
        self._shop_name = shop_name
        # Never more than the screen has (1024×576 at 125 %: the status bar was below it).
        screen = self.screen() or QGuiApplication.primaryScreen()
        room = screen.availableGeometry().size() - QSize(SCREEN_MARGIN, SCREEN_MARGIN)
        self.setMinimumSize(MINIMUM_SIZE.boundedTo(room))
        self.setWindowIcon(icon("logo"))

        central = QWidget()
        root = QVBoxLayout(central)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(self._build_header())
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setIconSize(QSize(18, 18))
        self.tab_pages: dict[str, LazyTab] = {}
        self._add_tabs()
        root.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self._build_status_bar()
        self._setup_lock()
        #: Signed in just now: the first tab is built unchecked (a sign-out from inside the
        #: constructor would reach no one: the session connects to it afterwards).
        self._constructed = False
        self._setup_access_check()
        self._setup_data_watch()
        #: A tab was clicked (not stepped to with the arrows of the focused tab bar).
        self._tab_clicked = False
        self.tabs.tabBarClicked.connect(self._on_tab_clicked)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self._restore_state()
        self._on_tab_changed(self.tabs.currentIndex())
        self._setup_keys()
        self.retranslate()
        self._constructed = True
        self.data_watch.start()

    # Construction -----------------------------------------------------------------------
    def _build_header(self) -> QWidget:
        header = QWidget()
        header.setObjectName("header")
        row = QHBoxLayout(header)
        row.setContentsMargins(16, 8, 16, 8)
        logo = QLabel()
        logo.setPixmap(icon("logo").pixmap(28, 28))
        brand = QLabel("Prime Distribution")
        brand.setObjectName("brand")
        self.shop_label = QLabel(self._shop_name)
        self.shop_label.setTextFormat(Qt.TextFormat.PlainText)  # a name, never markup
        self.shop_label.setObjectName("headerShop")
        self.language = LanguageCombo()  # off the Tab order: a stray key never switches it
        row.addWidget(logo)
        row.addWidget(brand)
        row.addSpacing(12)
        row.addWidget(self.shop_label)
        row.addStretch(1)
        row.addWidget(self._build_user_menu())
        row.addWidget(self.language)
        return header

    def _build_user_menu(self) -> QToolButton:
        """The signed-in user's menu: My account, Lock now, Switch user."""
        self.user_button = QToolButton()
        self.user_button.setObjectName("userMenu")
        self.user_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        # Clicked, not tabbed to: the Tab key goes through the page, not the header.
        self.user_button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.user_menu = QMenu(self.user_button)
        self.account_action = self.user_menu.addAction("", self.open_account)
        self.lock_action = self.user_menu.addAction("", self.lock)
        self.switch_action = self.user_menu.addAction("", self.switch_user_asked)
        self.user_button.setMenu(self.user_menu)
        return self.user_button

    def _setup_keys(self) -> None:
        """Ctrl+1…Ctrl+6 show the tabs by their place in the tab bar (the tabs the user
        may open: Ctrl+4 is Orders for the owner, another tab for a user who does not
        see Analytics); Ctrl+F goes to the search box of the page shown. The main window's
        own keys: the dialogs (the sale screen's F-keys, Ctrl+S) are windows of their own."""
        self.tab_keys = [
            QShortcut(QKeySequence(f"Ctrl+{n}"), self, partial(self.select_tab_at, n - 1))
            for n in range(1, len(TABS) + 1)
        ]
        self.find_key = QShortcut(QKeySequence("Ctrl+F"), self, self.focus_search)
        # F2 on any tab: a new sale, as on the Orders tab (whose "New order" button holds
        # F2 there: this key steps aside on it, two owners of a key would both be dead).
        self.sale_key = QShortcut(QKeySequence("F2"), self, self.new_sale)
        self.tabs.currentChanged.connect(self._enable_sale_key)
        self._enable_sale_key()

    def _enable_sale_key(self) -> None:
        current = self.tabs.currentWidget()
        on_orders = isinstance(current, LazyTab) and current.key == "orders"
        self.sale_key.setEnabled("orders" in self.tab_pages and not on_orders)

    def new_sale(self) -> None:
        """F2 away from the Orders tab: the Orders tab, with a new sale open on it (a
        cashier on Home sells without looking for the tab first)."""
        if "orders" not in self.tab_pages:
            return
        page = self.select_tab("orders")
        new_order = getattr(page, "new_order", None)
        if callable(new_order) and self.tabs.currentWidget() is self.tab_pages["orders"]:
            # Once the page built just now is shown: a modal sale opened first left it hidden.
            QTimer.singleShot(0, page, new_order)

    # Lock, switch user, restart ------------------------------------------------------------
    def _setup_lock(self) -> None:
        from primedist.services.staff import lock_minutes
        from primedist.ui.lock import HiddenWindows, IdleWatcher

        self.lock_dialog: QDialog | None = None
        #: The app's other windows, out of sight while the window is locked.
        self._lock_hidden: HiddenWindows | None = None
        #: Tabs taken down when the user's rights changed, deleted once it is safe.
        self._retired_tabs: list[LazyTab] = []
        self.idle = IdleWatcher(self, lock_minutes(self.ctx) if self.ctx.actor.id else 0)
        self.idle.idle.connect(self.lock)

    def set_lock_minutes(self, minutes: int) -> None:
        self.idle.set_minutes(minutes)

    # The account as it stands now ---------------------------------------------------------
    def _setup_access_check(self) -> None:
        """The signed-in account is checked again every ACCESS_CHECK_MS, at every change of
        tab and after every refusal shown (ui.errors): the lists read the database
        themselves, so a user disabled or without the module would go on browsing them."""
        self._signed_out = False
        self._access_reading = False
        self.access_timer = QTimer(self)
        self.access_timer.setInterval(ACCESS_CHECK_MS)
        self.access_timer.timeout.connect(self._check_access_in_background)
        if self.ctx.actor.id is not None:
            self.access_timer.start()
            errors.set_access_check(self.check_access)

    def check_access(self) -> bool:
        """Read the signed-in account again (one query by primary key): disabled, or a
        module or its role taken away, the session ends (`sign_out`): False. (DESIGN: a
        module a user may not access is not shown.)"""
        if self._signed_out:
            return False
        if not self._constructed or self.ctx.actor.id is None or self.lock_dialog is not None:
            return True  # the lock screen checks the account when it is unlocked
        try:
            now = self.ctx.current_actor()
        except AccountDisabled as exc:
            self.sign_out(error_text(exc))
            return False
        except (PrimedistError, SQLAlchemyError) as exc:  # the next action will say it
            log.warning("the account could not be checked: %s", exc)
            return True
        if rights_lost(self.ctx.actor, now):
            self.sign_out(self.tr("Your access was changed: sign in again."))
            return False
        self.follow_rights_given(now)
        return True

    def _check_access_in_background(self) -> None:
        """The timer's check: the account read by a worker (a database server that does
        not answer must not freeze the window every 30 s), acted on here."""
        if (self._signed_out or self._access_reading or self.ctx.actor.id is None
                or self.lock_dialog is not None):  # fmt: skip
            return
        self._access_reading = True
        ctx = self.ctx

        def read(_job: object) -> Actor | AccountDisabled:
            try:
                return ctx.current_actor()
            except AccountDisabled as exc:  # said here, not as a failed job
                return exc

        def done() -> None:
            self._access_reading = False

        Op(self, read).success(self._access_read).failure(
            lambda exc: log.warning("the account could not be checked: %s", exc)
        ).finally_(done).run()  # fmt: skip

    def _access_read(self, now: Actor | AccountDisabled) -> None:
        if self._signed_out or self.lock_dialog is not None:
            return
        if isinstance(now, AccountDisabled):
            self.sign_out(error_text(now))
        elif rights_lost(self.ctx.actor, now):
            self.sign_out(self.tr("Your access was changed: sign in again."))
        else:
            self.follow_rights_given(now)

    def follow_rights_given(self, now: Actor) -> None:
        """The right "Refunds and returns" or "Export data" given while signed in (`now`:
        the account read again): every context the app's windows hold takes it (their
        pages ask `ctx.actor`; the services read the account anyway), the Export buttons
        are gated again and a page with a `follow_rights()` (the till's Exchange, F8)
        follows. A module given waits for the next sign-in or unlock (`_unlocked`
        compares the modules to rebuild the tabs), so the modules stay as they were."""
        from dataclasses import replace

        from primedist.ui.export_right import regate_exports

        old = self.ctx.actor
        given = replace(old, can_refund=now.can_refund, can_export=now.can_export)
        if given == old or now.id != old.id:
            return
        windows = [w for w in QApplication.topLevelWidgets() if w is self or w.isVisible()]
        contexts = {id(self.ctx): self.ctx}
        for window in windows:
            for widget in (window, *window.findChildren(QWidget)):
                held = getattr(widget, "ctx", None)
                if isinstance(held, ServiceContext) and held.actor.id == old.id:
                    contexts[id(held)] = held
        # In place: the models, workers and dialogs holding the same context follow too.
        for held in contexts.values():
            held.actor = replace(held.actor, can_refund=now.can_refund,
                                 can_export=now.can_export)  # fmt: skip
        for window in windows:
            regate_exports(window, self.ctx)
            for widget in (window, *window.findChildren(QWidget)):
                follow = getattr(widget, "follow_rights", None)
                if callable(follow):
                    follow()

    # Changes made elsewhere -----------------------------------------------------------------
    def _setup_data_watch(self) -> None:
        """The lists follow what another PC, a sync or an import changes (`DataWatch`: a
        read of a few primary keys every 5 s, off the UI thread): the list shown is read
        again in place, a list on another tab when it shows again."""
        from primedist.ui.data_watch import DataWatch

        #: The built list tabs whose rows changed elsewhere since they were read.
        self.lists_behind: set[str] = set()
        self.data_watch = DataWatch(self, self._watch_ctx, self._may_watch)
        self.data_watch.changed.connect(self._data_changed)
        self.data_watch.checked.connect(self.catch_up)

    def _watch_ctx(self) -> ServiceContext:
        return self.ctx

    def _may_watch(self) -> bool:
        """Not while locked (nothing is shown), nor once signed out; not without a list."""
        return (not self._signed_out and self.lock_dialog is None
                and any(key in self.tab_pages for key in FOLLOWING_TABS))  # fmt: skip

    def _data_changed(self) -> None:
        """Every list built is behind (and every built sub-page of the Products and
        Customers tabs); `catch_up` (next) reads the one shown again. A hidden page that
        reads itself again whenever it shows (Home) waits for that."""
        shown = self.tabs.currentWidget()
        behind = set()
        for key in FOLLOWING_TABS:
            tab = self.tab_pages.get(key)
            if tab is None or tab.page is None:
                continue
            mark = getattr(tab.page, "changed_elsewhere", None)
            if callable(mark):
                mark()
            if tab is shown or not getattr(tab.page, "refreshes_when_shown", False):
                behind.add(key)
        self.lists_behind = behind

    def catch_up(self, *, arriving: bool = False) -> None:
        """The list tab shown reads its rows again when they changed elsewhere: not while
        the window is locked or minimised, nor while the user is busy in the list (its page
        says so): then at the next read. A sub-page the user was busy in when it showed
        (its page is `behind` still) is asked again too. `arriving`: the tab just showed
        (clicked: the mouse button is still down on it, which is no one busy in the list)."""
        tab = self.tabs.currentWidget()
        if (not isinstance(tab, LazyTab) or tab.page is None or self._signed_out
                or self.lock_dialog is not None or self.isMinimized()):  # fmt: skip
            return
        if tab.key not in self.lists_behind and not getattr(tab.page, "behind", False):
            return
        follow = getattr(tab.page, "follow_changes", None)
        if not callable(follow) or follow(arriving=arriving):
            self.lists_behind.discard(tab.key)

    def sign_out(self, message: str) -> None:
        """End the session at once: every window of the app closes (a detail, a dialog,
        the lock screen: none of what they show stays, unsaved work is not asked about)
        and the sign-in comes back, saying `message`."""
        if self._signed_out:
            return
        self._signed_out = True
        self.access_timer.stop()
        self.data_watch.stop()
        self.clock_warning.stop()
        self.idle.stop()
        hidden, self._lock_hidden = self._lock_hidden, None
        if hidden is not None:
            hidden.discard()
        for window in QApplication.topLevelWidgets():
            if window is self or not window.isVisible():
                continue
            if isinstance(window, QDialog):
                # As cancelled, without its own "lose your changes?" (a running exec() ends).
                QDialog.done(window, QDialog.DialogCode.Rejected.value)
            else:
                window.close()
        self.lock_dialog = None
        self.signedOut.emit(message)

    def lock(self) -> QDialog:
        """Hide the data behind the lock screen until the password is typed again: the
        tabs, and every other window of the app (a customer's detail, My account...)."""
        from primedist.ui.lock import HiddenWindows, LockDialog

        if self.lock_dialog is not None:
            return self.lock_dialog
        self.idle.pause()
        central = self.centralWidget()
        if central is not None:
            central.hide()
        dialog = LockDialog(self.ctx, self)
        dialog.unlocked.connect(self._unlocked)
        dialog.switchUser.connect(self._switch_from_lock)
        self.lock_dialog = dialog
        self._lock_hidden = HiddenWindows(dialog, keep=(self,))
        # Application-modal (not open()'s window-modal): no other window of the app takes
        # input until the password is typed.
        dialog.show()
        return dialog

    def _unlocked(self, actor: object = None) -> None:
        """The password was right: `actor` is the account as it stands now. Changed rights
        (role, modules) rebuild the tabs, and the windows hidden by the lock, opened under
        the old rights, are closed instead of shown again."""
        from primedist.services.context import Actor

        central = self.centralWidget()
        if central is not None:
            central.show()
        self.lock_dialog = None
        hidden, self._lock_hidden = self._lock_hidden, None

        def rights(a: Actor) -> tuple[str, frozenset[Module], bool, bool]:
            return a.role, frozenset(m for m in Module if a.can(m)), a.may_refund, a.may_export

        old = self.ctx.actor
        if isinstance(actor, Actor) and actor != old:
            self.ctx = self.ctx.with_actor(actor)
        rights_changed = rights(self.ctx.actor) != rights(old)
        if hidden is not None:
            if rights_changed:
                hidden.discard()
            else:
                hidden.restore()
        if rights_changed:
            self._rebuild_tabs()
        self.retranslate()
        self.idle.resume()

    def _switch_from_lock(self) -> None:
        """Someone else signs in: the windows hidden by the lock are closed, not shown."""
        hidden, self._lock_hidden = self._lock_hidden, None
        if hidden is not None:
            hidden.discard()
        self.switch_user()

    def _add_tabs(self) -> None:
        """A tab (built when first opened) for each module the actor may use."""
        for key, module in TABS:
            if module is not None and not self.ctx.actor.can(module):
                continue  # services refuse it too; the tab is simply not shown
            tab = LazyTab(key, self._page_builder(key), scrolls=key in SCROLLING_TABS)
            self.tab_pages[key] = tab
            self.tabs.addTab(tab, icon(key), "")

    def _rebuild_tabs(self) -> None:
        """The tabs again, as at sign-in (`__init__`), for the actor's rights now: a tab
        they may no longer open goes, one they were given comes, and every page is built
        anew on the fresh context (a page built before shows what the old rights showed)."""
        current = self.tabs.currentWidget()
        current_key = current.key if isinstance(current, LazyTab) else ""
        retired = list(self.tab_pages.values())
        self.tabs.blockSignals(True)  # no old tab is built as the others go
        try:
            for tab in retired:
                self.tabs.removeTab(self.tabs.indexOf(tab))
                shutdown = getattr(tab.page, "shutdown", None)
                if callable(shutdown):
                    shutdown()
                tab.hide()
            self.tab_pages.clear()
            self.lists_behind.clear()  # every page is built anew
            self._add_tabs()
            if current_key in self.tab_pages:
                self.tabs.setCurrentWidget(self.tab_pages[current_key])
            else:
                self.tabs.setCurrentIndex(0)
        finally:
            self.tabs.blockSignals(False)
        self._on_tab_changed(self.tabs.currentIndex())
        self._enable_sale_key()  # the tabs changed with their signals blocked
        self._retired_tabs += retired
        self._delete_retired_tabs()

    def _delete_retired_tabs(self) -> None:
        """Delete the old pages, but not while a dialog runs its own event loop (exec(), a
        message box): its caller may be one of them, and would return into a deleted page."""
        from PySide6.QtCore import QThread, QTimer

        if QThread.currentThread().loopLevel() > 1:
            QTimer.singleShot(1000, self._delete_retired_tabs)
            return
        while self._retired_tabs:
            self._retired_tabs.pop().deleteLater()

    def switch_user(self) -> None:
        self.switchUserRequested.emit()

    def switch_user_asked(self) -> None:
        """The user menu's Switch user: unsaved work (a template being edited) is asked
        about first, as on closing the window (Cancel: stay)."""
        if self.may_close():
            self.switch_user()

    def restart_session(
        self, ctx: ServiceContext, backup_taken: datetime | None = None,
        relink: Sequence[str] = (),
    ) -> None:  # fmt: skip
        """After a restore: every page holds the old data, so the session starts over (on a
        sign-in that says the accounts are those of the backup taken at `backup_taken`;
        then on Sales channels naming the shops `relink` to authorise again)."""
        self.restartRequested.emit(ctx, backup_taken, tuple(relink))

    def show_shops_to_link(self, names: Sequence[str]) -> bool:
        """Settings → Sales channels, naming the shops to authorise again (a restore took
        their link away); False without the Settings tab."""
        if "settings" not in self.tab_pages:
            return False
        from primedist.ui.settings.channels import ChannelsSettings

        settings = self.select_tab("settings")
        page = settings.select_section("channels")  # type: ignore[attr-defined]
        if not isinstance(page, ChannelsSettings):  # a refusal in its place
            return False
        page.ask_to_relink(names)
        return True

    def open_account(self) -> QDialog:
        """My account for everyone (the Settings tab needs the Settings module)."""
        from primedist.ui.settings.account import AccountSettings

        dialog = QDialog(self)
        dialog.setObjectName("accountDialog")
        dialog.setWindowTitle(self.tr("My account"))
        layout = QVBoxLayout(dialog)
        page = AccountSettings(self.ctx, dialog)
        page.accountChanged.connect(self._account_changed)
        layout.addWidget(page)
        dialog.resize(520, 480)
        dialog.open()
        return dialog

    def _account_changed(self, actor: object) -> None:
        """My account saved new details (in Settings or from the user menu): the header,
        the status bar, the next My account dialog and the other My account follow."""
        from primedist.services.context import Actor
        from primedist.ui.settings.page import SettingsPage

        if isinstance(actor, Actor):
            self.ctx = self.ctx.with_actor(actor)
            self.retranslate()
            tab = self.tab_pages.get("settings")
            if tab is not None and isinstance(tab.page, SettingsPage):
                tab.page.show_actor(actor)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.user_label = QLabel()
        self.data_label = QLabel()
        self.data_label.setObjectName("muted")
        self.jobs = JobsIndicator()
        bar.addWidget(self.user_label)
        bar.addWidget(self.data_label, 1)
        # This PC's clock against the server's: shown only while they differ. In a narrow
        # window the user's and data labels give way to it (cut short, not the warning).
        for label in (self.user_label, self.data_label):
            label.setMinimumWidth(40)
        self.clock_warning = ClockWarning(self.ctx, bar)
        bar.addPermanentWidget(self.clock_warning)
        self.clock_warning.start()
        bar.addPermanentWidget(self.jobs)
        self.sync_status = SyncStatusWidget(self.ctx, bar, follow_database=True)
        bar.addPermanentWidget(self.sync_status)

    def _page_builder(self, key: str) -> Callable[[], QWidget]:
        if key == "orders":
            return self._orders_page
        if key == "products":
            return self._products_page
        if key == "settings":
            return self._settings_page
        if key == "customers":
            return self._customers_page
        if key == "home":
            return self._home_page
        if key == "analytics":
            return self._analytics_page
        raise KeyError(f"no page for the tab {key!r}")

    def _home_page(self) -> QWidget:
        from primedist.ui.home.page import HomePage

        page = HomePage(self.ctx)
        page.openOrders.connect(self.show_orders)
        page.openProducts.connect(self.show_products)
        page.openCustomers.connect(self.show_customers)
        page.startStep.connect(self.start_step)
        page.openTab.connect(lambda key: key in self.tab_pages and self.select_tab(key))
        page.openBackup.connect(self.open_backup_settings)
        return page

    def import_orders(self) -> None:
        """The Orders tab's Import (a Seller Center export): Home's Getting started and
        Settings → Sales channels offer it to a shop with no marketplace app."""
        if "orders" in self.tab_pages:
            self.select_tab("orders").import_file()  # type: ignore[attr-defined]

    def open_backup_settings(self) -> None:
        """Settings → Backup & restore (Home's notice of no backup outside this PC)."""
        if "settings" in self.tab_pages:
            self.select_tab("settings").select_section("backup")  # type: ignore[attr-defined]

    def start_step(self, key: str) -> None:
        """Open the screen of a Getting started step (Home's card)."""
        if key == "products" and "products" in self.tab_pages:
            self.select_tab("products")
        elif key == "shop_linked" and "settings" in self.tab_pages:
            settings = self.select_tab("settings")
            settings.select_section("channels")  # type: ignore[attr-defined]
        elif key == "orders" and "orders" in self.tab_pages:
            self.select_tab("orders").new_order()  # type: ignore[attr-defined]
        elif key == "import_orders":
            self.import_orders()
        elif key == "shop_details" and "settings" in self.tab_pages:
            from primedist.ui.settings.shop import ShopSettings

            settings = self.select_tab("settings")
            shop = settings.select_section("shop")  # type: ignore[attr-defined]
            if isinstance(shop, ShopSettings):  # not a refusal in its place
                shop.form.fields["address"].setFocus()

    def _analytics_page(self) -> QWidget:
        from primedist.ui.analytics.page import AnalyticsPage

        page = AnalyticsPage(self.ctx)
        page.openOrders.connect(self.show_orders)
        page.openProduct.connect(lambda pid: self.open_product(pid))
        page.openStockHistory.connect(lambda pid: self.open_product(pid, history=True))
        return page

    def open_product(self, product_id: int, *, history: bool = False) -> None:
        """A product's editor, or its stock history, over the Products tab (Analytics'
        product rank)."""
        if "products" not in self.tab_pages:
            return
        from primedist.ui.products.page import ProductsPage

        page = self.select_tab("products")
        if isinstance(page, ProductsPage):
            page.open_history(product_id) if history else page.open_editor(product_id)

    def show_orders(self, status_tab: str, flt: object) -> None:
        """Open the Orders tab on a status tab with a filter (Home's to-do cards,
        Analytics' drill-down)."""
        if "orders" not in self.tab_pages:
            return  # no access to orders
        from primedist.queries.orders import OrderFilter
        from primedist.ui.orders.tab import OrdersPage

        page = self.select_tab("orders")
        if isinstance(page, OrdersPage) and isinstance(flt, OrderFilter):
            page.set_filter(flt)
            page.select_status_tab(status_tab)

    def show_products(self, flt: object) -> None:
        """Open the Products list with a filter (Home's Low on stock card)."""
        if "products" not in self.tab_pages:
            return
        from primedist.ui.products.page import ProductsPage

        page = self.select_tab("products")
        if isinstance(page, ProductsPage):
            page.show_tab(0)
            page.list.set_filter(flt)

    def show_customers(self, flt: object) -> None:
        """Open the Customers list with a filter (Home's Customers owe card)."""
        if "customers" not in self.tab_pages:
            return
        from primedist.ui.customers.page import CustomersPage

        page = self.select_tab("customers")
        if isinstance(page, CustomersPage):
            page.show_tab(0)
            page.list.set_filter(flt)

    def _orders_page(self) -> QWidget:
        # Imported when the tab first opens: start-up does not pay for the Orders tab.
        from primedist.ui.orders.tab import OrdersPage

        page = OrdersPage(self.ctx)
        page.openCustomer.connect(self.show_customer)
        return page

    def _products_page(self) -> QWidget:
        from primedist.ui.products.page import ProductsPage

        return ProductsPage(self.ctx)

    def _customers_page(self) -> QWidget:
        from primedist.ui.customers.page import CustomersPage

        return CustomersPage(self.ctx)

    def _settings_page(self) -> QWidget:
        from primedist.ui.settings.page import SettingsPage

        page = SettingsPage(self.ctx)
        page.accountChanged.connect(self._account_changed)
        page.shopNameChanged.connect(self.show_shop_name)
        page.importOrdersRequested.connect(self.import_orders)
        return page

    def show_shop_name(self, name: str) -> None:
        """The shop was renamed (Settings → Printers & templates): the header and the
        window's title show the new name at once."""
        self._shop_name = name
        self.shop_label.setText(name)
        self.retranslate()

    def show_customer(self, customer_id: int) -> bool:
        """Open the Customers tab on one customer: found by code in the list, detail open.
        When it cannot (no access to customers, or the customer was deleted) it says why,
        over the dialog that asked, and stays where it is: False."""
        from primedist.services.sale_lookup import get_customer
        from primedist.ui import errors

        asking = QApplication.activeModalWidget() or self
        if "customers" not in self.tab_pages:
            errors.show_error(asking, self.tr("You have no access to Customers."))
            return False
        customer = get_customer(self.ctx, customer_id)
        if customer is None:
            errors.show_error(asking, self.tr("This customer was deleted: there is nothing to "
                                              "open."))  # fmt: skip
            return False
        page = self.select_tab("customers")
        from primedist.ui.customers.page import CustomersPage

        if isinstance(page, CustomersPage):
            page.show_customer(customer_id, customer.code)
        return True

    # Behaviour --------------------------------------------------------------------------
    def _on_tab_changed(self, index: int) -> None:
        if not self.check_access():
            return  # signed out: the tab is not built nor shown
        tab = self.tabs.widget(index)
        if isinstance(tab, LazyTab):
            if getattr(tab.ensure_built(), "refreshes_when_shown", False):
                self.lists_behind.discard(tab.key)  # read again as it showed
            self.catch_up(arriving=True)  # a list changed elsewhere while another showed
            # The arrows of the focused tab bar step along it; a click goes to the page.
            if self._tab_clicked or not self.tabs.tabBar().hasFocus():
                self.focus_page(tab)
        self._tab_clicked = False

    def _on_tab_clicked(self, index: int) -> None:
        tab = self.tabs.widget(index)
        if index != self.tabs.currentIndex():
            self._tab_clicked = True  # the change follows
        elif isinstance(tab, LazyTab):
            self.focus_page(tab)

    def select_tab(self, key: str) -> QWidget:
        """Show a tab by key and return its (built) page, the keys going to it."""
        tab = self.tab_pages[key]
        self.tabs.setCurrentWidget(tab)
        page = tab.ensure_built()
        self.focus_page(tab)
        return page

    def select_tab_at(self, index: int) -> None:
        """Ctrl+1…: the tab at this place in the tab bar, if there are that many."""
        tab = self.tabs.widget(index)
        if isinstance(tab, LazyTab):
            self.select_tab(tab.key)

    def focus_page(self, tab: LazyTab) -> None:
        """The keys go to the tab's page, not to the header (where typing switched the
        language): its search box, else its list, else (a page of figures) the tab bar."""
        target = search_box_of(tab) or list_of(tab) or self.tabs.tabBar()
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def focus_search(self) -> None:
        """Ctrl+F: the search box of the page shown, its text selected to type anew."""
        tab = self.tabs.currentWidget()
        box = search_box_of(tab) if isinstance(tab, LazyTab) else None
        if box is not None:
            box.setFocus(Qt.FocusReason.ShortcutFocusReason)
            box.selectAll()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif event.type() == QEvent.Type.WindowStateChange and getattr(self, "_constructed", False):
            self.catch_up()  # back from minimised: what changed meanwhile
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Prime Distribution — %s") % self._shop_name)
        titles = {
            "home": self.tr("Home"),
            "analytics": self.tr("Analytics"),
            "products": self.tr("Products"),
            "orders": self.tr("Orders"),
            "customers": self.tr("Customers"),
            "settings": self.tr("Settings"),
        }
        for i in range(self.tabs.count()):
            tab = self.tabs.widget(i)
            assert isinstance(tab, LazyTab)
            self.tabs.setTabText(i, titles[tab.key])
        actor = self.ctx.actor
        self.user_button.setText(button_text(actor.name))  # a name with "&" whole
        self.account_action.setText(self.tr("My account…"))
        self.lock_action.setText(self.tr("Lock now"))
        self.switch_action.setText(self.tr("Switch user"))
        self.user_label.setText(
            self.tr("Signed in as %s (%s)") % (actor.name, enum_label(actor.role))
        )
        self.data_label.setText(self._data_text())

    def _data_text(self) -> str:
        """Where the shop's data is: its folder, or the PostgreSQL server several PCs share
        (host/database only: never the password)."""
        settings = self.ctx.settings
        if settings is None:
            return self.tr("Data: %s") % ""
        if settings.is_sqlite:
            return self.tr("Data: %s") % settings.data_dir
        return self.tr("Data: PostgreSQL server %s") % server_name(settings.database_url)

    def _restore_state(self) -> None:
        geometry = self._ui.value("main/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            # A laptop screen (1366×768) is lower than the window wants: use all of it
            # (the status bar fell below the screen's edge).
            fitted = fit_to_screen(self, 1280, 800)
            center_on_screen(self)  # also where it goes back to from maximized
            if fitted:
                self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        last = self._ui.value("main/tab")
        if isinstance(last, str) and last in self.tab_pages:
            self.tabs.setCurrentWidget(self.tab_pages[last])

    def may_close(self) -> bool:
        """Whether every built tab may close: a page with unsaved work asks (Cancel: no)."""
        for tab in self.tab_pages.values():
            unsaved = getattr(tab.page, "has_unsaved", None)
            if not (callable(unsaved) and unsaved()):
                continue
            self.tabs.setCurrentWidget(tab)  # the question comes over the work it is about
            if not tab.page.confirm_leave():  # type: ignore[union-attr]
                return False
        return True

    def save_state(self) -> None:
        """Remember geometry and the open tab (QSettings in the data dir)."""
        self._ui.setValue("main/geometry", self.saveGeometry())
        tab = self.tabs.currentWidget()
        if isinstance(tab, LazyTab):
            self._ui.setValue("main/tab", tab.key)
        self._ui.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        # The user closing the window (not a switch of user, which closes it unseen) is
        # asked about unsaved work first (Settings → Printers & templates' editor).
        if event.spontaneous() and not self.may_close():
            event.ignore()
            return
        self.idle.stop()
        self.access_timer.stop()
        self.data_watch.stop()
        self.clock_warning.stop()
        if not self._signed_out:  # signed out: its jobs' late refusals are not shown either
            errors.forget_access_check(self.check_access)
        self.save_state()
        for tab in self.tab_pages.values():
            shutdown = getattr(tab.page, "shutdown", None)
            if callable(shutdown):  # list pages stop their background key loading
                shutdown()
        super().closeEvent(event)
