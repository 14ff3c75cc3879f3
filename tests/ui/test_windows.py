"""The welcome window (setup, sign-in) and the main window, driven like a user would."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTabBar,
    QTableView,
)
from sqlmodel import Session, select

from primedist.config import Settings
from primedist.core import security
from primedist.domain.enums import Module, OrderStatus, Role
from primedist.domain.user import User, UserModuleAccess
from primedist.services import auth
from primedist.services.context import Actor, ServiceContext
from primedist.ui.app import ui_settings_for
from primedist.ui.i18n import current_language, install_language
from primedist.ui.labels import ENUM_LABELS
from primedist.ui.main_window import MainWindow
from primedist.ui.orders.tab import OrdersPage
from primedist.ui.welcome import WelcomeWindow
from tests.conftest import OWNER_EMAIL, OWNER_PASSWORD
from tests.factories import make_orders, make_shop
from tests.ui.support import close_page
from tests.ui.test_translations import load_catalogue, vietnamese

ROOT = Path(__file__).resolve().parents[2]
ENGLISH_TABS = ["Home", "Analytics", "Products", "Orders", "Customers", "Settings"]
VIETNAMESE_TABS = ["Trang chủ", "Phân tích", "Sản phẩm", "Đơn hàng", "Khách hàng", "Cài đặt"]
SHOP = "Cửa hàng Thử"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Every test starts and ends in English, whatever it switched to."""
    install_language("en")
    yield
    install_language("en")


def switch_language(qtbot, lang: str) -> None:
    install_language(lang)
    QApplication.processEvents()  # LanguageChange reaches every widget
    qtbot.wait(1)


# Welcome ------------------------------------------------------------------------------
def welcome(qtbot, ctx: ServiceContext) -> WelcomeWindow:
    window = WelcomeWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def fill_setup(window: WelcomeWindow, password: str, repeat: str | None = None) -> None:
    page = window.setup_page
    for edit, value in (
        (page.shop_name, SHOP),
        (page.owner_name, "Nguyễn Thị Hồng"),
        (page.email, "Hong@Example.VN "),
        (page.password, password),
        (page.confirm, password if repeat is None else repeat),
    ):
        edit.clear()
        edit.setFocus()
        edit.insert(value)


def click(qtbot, button: QPushButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def wait_for_error(qtbot, window: WelcomeWindow) -> str:
    page = window.page
    qtbot.waitUntil(lambda: page.error.isVisible() and page.button.isEnabled(), timeout=10_000)
    return page.error.text()


def test_the_form_card_stays_readable_and_centred_in_a_wide_window(qtbot, ctx):
    from primedist.ui.welcome import CARD_MAX_WIDTH

    window = welcome(qtbot, ctx)
    narrow = window.page.width()
    assert narrow >= 400  # the default window: the card fills it
    window.resize(1400, 800)
    qtbot.waitUntil(lambda: window.width() == 1400)
    card = window.page.geometry()
    assert card.width() == CARD_MAX_WIDTH
    assert abs(card.left() - (window.width() - card.right())) <= 2


def test_setup_creates_the_owner_and_signs_in(qtbot, ctx):
    window = welcome(qtbot, ctx)
    assert window.showing_setup and window.setup_page.isVisible()
    assert not window.login_page.isVisible()
    assert window.setup_page.title.text() == "Set up your shop"
    fill_setup(window, "mật-khẩu-dài")
    qtbot.keyClicks(window.setup_page.shop_name, " Q1")
    with qtbot.waitSignal(window.signedIn, timeout=10_000) as signed:
        click(qtbot, window.setup_page.button)
    actor = signed.args[0]
    assert isinstance(actor, Actor)
    assert actor.role == Role.OWNER and actor.name == "Nguyễn Thị Hồng"
    assert actor.email == "hong@example.vn"
    with Session(ctx.engine) as session:
        user = session.exec(select(User)).one()
        assert (user.email, user.role, user.id) == ("hong@example.vn", Role.OWNER, actor.id)
        assert security.verify_password(user.password_hash, "mật-khẩu-dài")
    assert auth.shop_profile(ctx)["name"] == f"{SHOP} Q1"
    assert not window.setup_page.error.isVisible()


def test_setup_names_the_default_tags_in_its_language(qtbot, ctx):
    """Set up in English, the defaults are "Potential" and "Often returns"; in
    Vietnamese they are named in Vietnamese (user data: they stay so whatever the UI
    language later), each with its key."""
    switch_language(qtbot, "vi")
    window = welcome(qtbot, ctx)
    fill_setup(window, "mật-khẩu-dài")
    with qtbot.waitSignal(window.signedIn, timeout=10_000):
        click(qtbot, window.setup_page.button)
    with ctx.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT default_key, name FROM tags ORDER BY id").all()
    assert [tuple(r) for r in rows] == [("potential", "Tiềm năng"),
                                        ("often_returns", "Hay hoàn hàng")]  # fmt: skip


def test_setup_with_different_passwords_stops_before_the_service(qtbot, ctx):
    window = welcome(qtbot, ctx)
    fill_setup(window, "first-password", "second-password")
    with qtbot.assertNotEmitted(window.signedIn, wait=300):
        click(qtbot, window.setup_page.button)
        # Shown at once, on the UI thread: nothing was submitted.
        assert window.setup_page.error.isVisible()
        assert window.setup_page.button.isEnabled()
    assert window.setup_page.error.text() == "The two passwords differ."
    assert auth.needs_setup(ctx.engine)


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_setup_with_a_short_password_shows_the_translated_error(qtbot, ctx, lang):
    window = welcome(qtbot, ctx)
    switch_language(qtbot, lang)
    fill_setup(window, "short1")
    with qtbot.assertNotEmitted(window.signedIn, wait=0):
        click(qtbot, window.setup_page.button)
        shown = wait_for_error(qtbot, window)
    source = "The password must have at least 8 characters."
    assert shown == (source if lang == "en" else vietnamese("WelcomeWindow", source))
    # Not the service's own English wording.
    assert shown != "Password must be at least 8 characters"
    assert auth.needs_setup(ctx.engine)


def test_sign_in_errors_say_the_same_and_the_right_password_works(qtbot, ctx, owner):
    window = welcome(qtbot, ctx)
    page = window.login_page
    assert not window.showing_setup and page.isVisible() and not window.setup_page.isVisible()
    assert page.title.text() == "Sign in"

    def attempt(email: str, password: str) -> None:
        page.email.clear()
        page.password.clear()
        qtbot.keyClicks(page.email, email)
        qtbot.keyClicks(page.password, password)
        click(qtbot, page.button)

    with qtbot.assertNotEmitted(window.signedIn, wait=0):
        attempt(OWNER_EMAIL, "wrong-password")
        wrong_password = wait_for_error(qtbot, window)
        attempt("nobody@example.vn", OWNER_PASSWORD)
        unknown_email = wait_for_error(qtbot, window)
    assert wrong_password == unknown_email == "Wrong email or password."

    page.email.clear()
    page.password.clear()
    qtbot.keyClicks(page.email, OWNER_EMAIL.upper())
    qtbot.keyClicks(page.password, OWNER_PASSWORD)
    with qtbot.waitSignal(window.signedIn, timeout=10_000) as signed:
        qtbot.keyClick(page.password, Qt.Key.Key_Return)  # Enter signs in too
    actor = signed.args[0]
    assert (actor.id, actor.role, actor.email) == (owner.id, Role.OWNER, OWNER_EMAIL)


# Main window --------------------------------------------------------------------------
def main_window(qtbot, ctx: ServiceContext, settings: Settings) -> MainWindow:
    window = MainWindow(ctx, ui_settings_for(settings), SHOP)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def open_tab(qtbot, window: MainWindow, key: str) -> OrdersPage:
    """Select a list tab and wait until its page shows (a new page shows on the next loop)
    with its rows (and, on the Orders tab, its status counts)."""
    page = window.select_tab(key)
    assert isinstance(page, OrdersPage)
    qtbot.waitUntil(page.isVisible)
    qtbot.waitUntil(lambda: page.model.complete)
    if isinstance(page, OrdersPage):
        qtbot.waitUntil(lambda: not page.counts_pending)
    return page


def tab_texts(window: MainWindow) -> list[str]:
    return [window.tabs.tabText(i) for i in range(window.tabs.count())]


@pytest.fixture
def staff_ctx(ctx: ServiceContext, owner: Actor) -> ServiceContext:
    """A staff member who may open orders only."""
    with Session(ctx.engine) as session:
        user = User(
            name="Trần Văn Nhân",
            email="nhan@example.vn",
            password_hash=security.hash_password("nhan-password"),
            role=Role.STAFF,
        )
        session.add(user)
        session.flush()
        session.add(UserModuleAccess(user_id=user.id, module=Module.ORDERS))
        session.commit()
        actor = auth.actor_for(session, user)
    assert actor.modules == frozenset({Module.ORDERS})
    return ctx.with_actor(actor)


def test_an_owner_who_forgot_the_password_follows_the_link_and_gets_back_in(
    qtbot, ctx, owner, engine
):
    from PySide6.QtCore import QPoint

    from primedist.ui.welcome import RecoveryDialog

    window = welcome(qtbot, ctx)
    page = window.login_page
    qtbot.keyClicks(page.email, OWNER_EMAIL)
    assert page.forgot.text().endswith(">Forgot your password?</a>")
    with qtbot.waitSignal(page.forgot.linkActivated, timeout=2_000):
        link_at = QPoint(page.forgot.width() - 12, page.forgot.height() // 2)
        qtbot.mouseClick(page.forgot, Qt.MouseButton.LeftButton, pos=link_at)
    dialog = window.findChild(RecoveryDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert "Settings → Staff" in dialog.staff_text.text()
    command = dialog.command.toPlainText()
    assert command.endswith(f"staff reset-password {OWNER_EMAIL}")
    assert str(ctx.settings.data_dir) in command
    dialog.email.clear()
    assert dialog.command.toPlainText().endswith("reset-password EMAIL")  # follows the email field
    dialog.email.setText(OWNER_EMAIL)
    click(qtbot, dialog.copy_button)
    assert QApplication.clipboard().text() == command

    # Run it as the owner would in a terminal on this computer.
    engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRIMEDIST_")}
    done = subprocess.run(shlex.split(command), capture_output=True, text=True, env=env,
                          timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    one_time = done.stdout.strip().rsplit(" ", 1)[-1]
    dialog.accept()

    page.password.clear()
    qtbot.keyClicks(page.password, one_time)
    with qtbot.waitSignal(window.signedIn, timeout=10_000) as signed:
        click(qtbot, page.button)
    actor = signed.args[0]
    assert (actor.id, actor.must_change_password) == (owner.id, True)  # chooses a new one next


def test_owner_sees_six_tabs(qtbot, owner_ctx, settings):
    window = main_window(qtbot, owner_ctx, settings)
    assert tab_texts(window) == ENGLISH_TABS
    assert list(window.tab_pages) == [t.lower() for t in ENGLISH_TABS]
    assert window.windowTitle() == f"Prime Distribution — {SHOP}"
    assert window.shop_label.text() == SHOP


def test_staff_sees_only_the_tabs_granted(qtbot, staff_ctx, settings):
    window = main_window(qtbot, staff_ctx, settings)
    assert tab_texts(window) == ["Home", "Orders"]
    page = window.select_tab("orders")
    assert isinstance(page, OrdersPage)
    assert window.user_label.text() == "Signed in as Trần Văn Nhân (Staff)"


def visible_texts(window: MainWindow) -> list[str]:
    """What the user can read: labels, buttons, placeholders, tabs, table headers, title."""
    texts = [window.windowTitle()]
    for label in window.findChildren(QLabel):
        if label.isVisible() and label.text():
            texts.append(label.text())
    for button in window.findChildren(QPushButton):
        if button.isVisible() and button.text():
            texts.append(button.text())
    for edit in window.findChildren(QLineEdit):
        if edit.isVisible() and edit.placeholderText():
            texts.append(edit.placeholderText())
    for bar in window.findChildren(QTabBar):
        if bar.isVisible():
            texts += [bar.tabText(i) for i in range(bar.count())]
    for view in window.findChildren(QTableView):
        if view.isVisible():
            model = view.model()
            texts += [
                model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())
            ]
    return texts


def _pattern(text: str) -> re.Pattern[str]:
    """A catalogue string as a regex: %s / %n / %1 placeholders match anything."""
    parts = re.split(r"%(?:n|s|L?\d)", text)
    return re.compile(".*".join(re.escape(p) for p in parts), re.DOTALL)


def untranslated(texts: list[str], lang: str) -> list[str]:
    """Texts still in the other language: exact strings, or catalogue patterns."""
    catalogue = load_catalogue()
    pairs = [
        (e.source, e.translations[0])
        for e in catalogue.values()
        if e.translations[0] and e.translations[0] != e.source
    ]
    # In Vietnamese nothing may read as an English source; in English, no Vietnamese.
    wrong = {src if lang == "vi" else vi for src, vi in pairs}
    right = {vi if lang == "vi" else src for src, vi in pairs}
    wrong -= right  # a string that is correct in some context is not evidence
    patterns = [_pattern(w) for w in wrong if "%" in w]
    return [
        t
        for t in texts
        if t in wrong or (any(p.fullmatch(t) for p in patterns) and not _pattern_ok(t, right))
    ]


def _pattern_ok(text: str, right: set[str]) -> bool:
    return any(_pattern(r).fullmatch(text) for r in right if "%" in r)


def test_language_switch_retranslates_the_open_window(qtbot, owner_ctx, settings):
    shop = make_shop(owner_ctx.engine, "Shopee Quận 1", "shopee")
    make_orders(
        owner_ctx.engine, shop, 12, start=datetime(2026, 5, 1, tzinfo=UTC), step=timedelta(hours=1)
    )
    window = main_window(qtbot, owner_ctx, settings)
    page = open_tab(qtbot, window, "orders")
    english = visible_texts(window)
    # The check has teeth: in English the window is full of strings the catalogue translates.
    assert len(untranslated(english, "vi")) >= 15
    assert "Order value" in english and "Search by order ID, customer name or phone" in english

    switch_language(qtbot, "vi")
    assert current_language() == "vi"
    assert tab_texts(window) == VIETNAMESE_TABS
    vietnamese_texts = visible_texts(window)
    assert untranslated(vietnamese_texts, "vi") == []
    assert vietnamese("columns", "Order value") in vietnamese_texts
    assert window.jobs.label.text() == vietnamese("JobsIndicator", "No background jobs")
    assert page.count.text() == vietnamese("orders", "%n orders").replace("%n", "12")
    signed_in = vietnamese("MainWindow", "Signed in as %s (%s)")
    assert window.user_label.text() == signed_in % ("Chủ Thử", vietnamese("enum", "Owner"))
    # The list still shows its rows after the retranslation refresh, with Vietnamese labels.
    qtbot.waitUntil(lambda: page.model.complete)
    assert page.model.rowCount() == 12
    statuses = {vietnamese("enum", ENUM_LABELS[s]) for s in OrderStatus}
    shown = {page.model.data(page.model.index(r, 5)) for r in range(12)}
    assert shown and shown <= statuses

    switch_language(qtbot, "en")
    assert tab_texts(window) == ENGLISH_TABS
    assert untranslated(visible_texts(window), "en") == []
    assert visible_texts(window) == english


@pytest.mark.usefixtures("app_style")
def test_at_the_smallest_window_home_scrolls_instead_of_overlapping(qtbot, owner_ctx, settings):
    """At the window's minimum size the Home page keeps every card at its own height and
    scrolls up and down (before, "Latest events" was drawn over the channel table)."""
    window = main_window(qtbot, owner_ctx, settings)
    window.resize(window.minimumSize())
    home = window.select_tab("home")
    qtbot.waitUntil(home.isVisible)
    scroll = window.tab_pages["home"].findChild(QScrollArea, "scroll_home")
    assert scroll is not None and scroll.widget() is home
    qtbot.waitUntil(lambda: home.height() >= home.minimumSizeHint().height())
    assert scroll.verticalScrollBar().maximum() > 0
    assert home.width() <= scroll.viewport().width()  # never sideways
    assert window.tab_pages["orders"].scrolls is False  # a list pages its rows instead


def test_getting_started_steps_open_their_screens(qtbot, owner_ctx, settings):
    """Home's first steps lead to Products, Settings → Sales channels and a new sale."""
    from primedist.ui.orders.sale import SaleDialog

    window = main_window(qtbot, owner_ctx, settings)
    home = window.select_tab("home")
    card = home.first_steps
    qtbot.waitUntil(lambda: card.steps is not None and card.isVisible())
    qtbot.mouseClick(card.buttons["products"], Qt.MouseButton.LeftButton)
    assert window.tabs.currentWidget().key == "products"
    window.start_step("shop_linked")
    assert window.tabs.currentWidget().key == "settings"
    settings_page = window.tab_pages["settings"].page
    assert settings_page.sections.currentItem().text() == "Sales channels"
    window.start_step("orders")
    assert window.tabs.currentWidget().key == "orders"
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(SaleDialog)))
    for dialog in window.findChildren(SaleDialog):
        dialog.close()
    orders = window.tab_pages["orders"].page
    close_page(qtbot, orders, lambda: not orders.busy and not orders.counts_pending)


def test_geometry_and_tab_are_restored(qtbot, owner_ctx, settings):
    window = main_window(qtbot, owner_ctx, settings)
    assert window.tabs.currentWidget().key == "home"
    window.resize(1000, 700)
    window.select_tab("customers")
    qtbot.wait(1)
    window.save_state()
    window.close()

    again = MainWindow(owner_ctx, ui_settings_for(settings), SHOP)
    qtbot.addWidget(again)
    assert again.tabs.currentWidget().key == "customers"
    assert again.tab_pages["customers"].page is not None  # the restored tab is built
    # The offscreen screen is 800 px wide: Qt keeps a restored window on screen (its
    # minimum width is capped to the screen's), so only the height can come back exactly.
    screen = QApplication.primaryScreen().availableGeometry()
    assert again.height() == 700
    if screen.width() >= 1010:
        assert again.width() == 1000
    else:
        assert again.minimumWidth() <= again.width() <= screen.width()


GEOMETRY_SCRIPT = """
import json, sys
from pathlib import Path
from primedist.config import resolve_settings
from primedist.db.store import open_store
from primedist.services import auth
from primedist.services.context import ServiceContext
from primedist.ui.app import make_app, ui_settings_for
from primedist.ui.main_window import MainWindow

app = make_app(["t"])
settings = resolve_settings(Path(sys.argv[1]))
ctx = ServiceContext(open_store(settings), settings=settings)
ctx = ctx.with_actor(auth.owner_actor(ctx))
first = MainWindow(ctx, ui_settings_for(settings), "S")
first.show()
first.resize(1234, 777)
first.select_tab("orders")
app.processEvents()
first.close()  # closing saves the state
app.processEvents()
second = MainWindow(ctx, ui_settings_for(settings), "S")
second.show()
app.processEvents()
size = second.size()
print(json.dumps([size.width(), size.height(), second.tabs.currentWidget().key]))
second.close()
"""


def test_geometry_is_restored_exactly_on_a_large_screen(owner_ctx, settings, tmp_path):
    """The same round trip in a process whose offscreen screen is 1920×1080."""
    screen = tmp_path / "screen.json"
    screen.write_text(
        json.dumps({"screens": [{"name": "s", "x": 0, "y": 0, "width": 1920, "height": 1080}]})
    )
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={screen}"}
    owner_ctx.engine.dispose()  # the subprocess opens the same SQLite file
    out = subprocess.run(
        [sys.executable, "-c", GEOMETRY_SCRIPT, str(settings.data_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [1234, 777, "orders"]


def test_status_bar_shows_user_data_dir_and_idle_jobs(qtbot, owner_ctx, settings):
    window = main_window(qtbot, owner_ctx, settings)
    assert window.user_label.text() == "Signed in as Chủ Thử (Owner)"
    assert window.data_label.text() == f"Data: {settings.data_dir}"
    assert str(settings.data_dir) in window.data_label.text()
    assert window.jobs.label.text() == "No background jobs"
    assert window.jobs.label.isVisible()
    assert not window.jobs.bar.isVisible() and not window.jobs.cancel_button.isVisible()
    assert window.statusBar().isVisible()


def test_orders_tab_lists_and_searches(qtbot, owner_ctx, settings):
    engine = owner_ctx.engine
    shop = make_shop(engine, "Shopee Quận 1", "shopee")
    names = ("Đặng Văn Đạt", "Lê Thị Lan", "Nguyễn Văn Đạt", "Đặng Văn Đức", "Bùi Gia Hương")
    make_orders(
        engine,
        shop,
        40,
        start=datetime(2026, 5, 1, tzinfo=UTC),
        step=timedelta(hours=2),
        buyer_names=names,
    )
    window = main_window(qtbot, owner_ctx, settings)
    page = open_tab(qtbot, window, "orders")
    assert window.tabs.currentWidget().key == "orders"
    assert page.model.rowCount() == 40
    assert page.count.text() == "40 orders"
    newest = page.model.data(page.model.index(0, 0))
    assert newest == f"DH{shop:02d}00000040"  # newest first

    emitted: list[str] = []
    page.search.searchChanged.connect(emitted.append)
    qtbot.keyClicks(page.search, "dang van dat")
    qtbot.waitUntil(lambda: page.model.rowCount() == 8, timeout=10_000)
    assert emitted == ["dang van dat"]  # one query after typing paused, not one per key
    assert page.count.text() == "8 orders"
    buyers = {page.model.data(page.model.index(r, 7)) for r in range(8)}
    assert buyers == {"Đặng Văn Đạt"}

    page.search.clear()
    qtbot.keyClick(page.search, Qt.Key.Key_Return)  # Enter searches at once
    assert page.model.rowCount() == 40 and page.count.text() == "40 orders"


def test_products_and_settings_tabs_hold_their_pages(qtbot, owner_ctx, settings):
    from primedist.ui.products.page import ProductsPage
    from primedist.ui.settings.low_stock import LowStockSettings
    from primedist.ui.settings.page import SettingsPage

    window = main_window(qtbot, owner_ctx, settings)
    products = window.select_tab("products")
    assert isinstance(products, ProductsPage)
    assert [products.tabs.tabText(i) for i in range(3)] == ["Products", "SKU groups", "Stock-take"]
    page = window.select_tab("settings")
    assert isinstance(page, SettingsPage)
    assert isinstance(page.section("low_stock"), LowStockSettings)
    assert page.stack.currentIndex() == 0
    last = page.select_section("audit")
    assert last.isVisibleTo(page)
    assert page.stack.currentIndex() == page.sections.count() - 1  # the audit log is last
    window.close()


@pytest.mark.usefixtures("app_style")
def test_the_style_sheet_images_are_real_files(qapp) -> None:
    """The drop-down chevrons (combo boxes and menu buttons, which had no arrow at all)
    come from url()s made absolute when the style is applied."""
    from PySide6.QtGui import QImageReader

    sheet = qapp.styleSheet()
    urls = re.findall(r"url\(([^)]+)\)", sheet)
    assert "QComboBox::down-arrow" in sheet and urls and "@ICONS@" not in sheet
    for url in urls:
        assert Path(url).is_absolute() and Path(url).is_file(), url
        assert not QImageReader(url).read().isNull(), url


def test_the_main_window_fits_a_screen_lower_than_it_wants(qtbot, owner_ctx, settings) -> None:
    """No saved geometry and a screen too small for 1280×800 (the offscreen one is
    800×800, as a 1366×768 laptop is too low): the window starts maximized, its status
    bar on the screen; a size that fits is kept as asked."""
    from PySide6.QtWidgets import QWidget

    from primedist.ui.widgets import SCREEN_MARGIN, fit_to_screen

    window = main_window(qtbot, owner_ctx, settings)
    room = window.screen().availableGeometry()
    assert room.height() < 800 + SCREEN_MARGIN
    assert window.windowState() & Qt.WindowState.WindowMaximized
    assert window.frameGeometry().bottom() <= room.bottom()
    small = QWidget()
    qtbot.addWidget(small)
    assert not fit_to_screen(small, 400, 300)
    assert (small.width(), small.height()) == (400, 300)
    assert fit_to_screen(small, 400, 5000)
    assert small.height() == room.height() - SCREEN_MARGIN


def test_home_opens_the_customers_who_owe(qtbot, owner_ctx, settings) -> None:
    """Home's Customers owe card: the Customers tab, its list filtered to those who owe."""
    from primedist.queries.customers import CustomerFilter
    from primedist.ui.customers.page import CustomersPage

    window = main_window(qtbot, owner_ctx, settings)
    window.show_customers(CustomerFilter(owes_money=True))
    assert window.tabs.currentWidget() is window.tab_pages["customers"]
    page = window.select_tab("customers")  # the page the lazy tab built
    assert isinstance(page, CustomersPage)
    assert page.list.current_filter() == CustomerFilter(owes_money=True)
    assert page.list.quick_buttons["owes_money"].isChecked()
