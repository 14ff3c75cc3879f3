"""The Orders list in a 1024 px window (1024×768, or a 1280 px laptop at 125 %) with a
demo shop's data: the status tabs all show, and the columns fit without a sideways
scroll bar (they added up to 1250 px against 975 of room: the phone and the order date
were off-screen); a cell cut with "…" shows whole as its tooltip. At 1366 px nothing is
narrower than before."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from primedist.queries.orders import orders
from primedist.services.context import ServiceContext
from primedist.ui.orders import tab
from primedist.ui.orders.tab import NARROW_WIDTHS, VIEW_WIDTHS, OrderCells, OrdersPage
from tests.factories import make_orders, make_shop
from tests.ui.support import WAIT, close_page, show_widget

pytestmark = pytest.mark.usefixtures("app_style", "shown")

#: A demo shop's status counts (the tab texts grow with them).
DEMO_COUNTS = {"all": 20_035, "pending": 47, "confirmed": 44, "shipping": 112,
               "completed": 16_059, "cancelled": 2_551, "return_refund": 1_222}  # fmt: skip
#: The demo's shops and the longest texts of its list.
SHOPS = (("Prime Store - TikTok Shop", "tiktok"), ("Prime Official - Shopee", "shopee"),
         ("Prime Store - Lazada", "lazada"), ("Prime Demo Shop", "offline"))  # fmt: skip
LONG_ID = "576001872819033045"
NAMES = ("Nguyễn Tuyết Diệp", "Hoàng Hoàng Việt", "Phạm Diệu Loan")


@pytest.fixture(params=["en", "vi"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    request.getfixturevalue("english" if request.param == "en" else "vietnamese")
    yield request.param


@pytest.fixture
def demo_like(owner_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = owner_ctx.engine
    start = datetime(2026, 12, 7, 16, 43, tzinfo=UTC)
    for i, (name, channel) in enumerate(SHOPS):
        shop = make_shop(engine, name, channel)
        make_orders(engine, shop, 8, start=start + timedelta(minutes=i), step=timedelta(hours=1),
                    buyer_names=NAMES, totals=[1_077_500] * 8, seed=i)  # fmt: skip
    with engine.begin() as conn:  # marketplace order IDs are up to 18 digits
        first = conn.execute(sa.select(sa.func.min(orders.c.id))).scalar_one()
        long_id = orders.update().where(orders.c.id == first)
        conn.execute(long_id.values(external_id=LONG_ID, flagged=False))
    real = tab.count_statuses
    monkeypatch.setattr(tab, "count_statuses", lambda *a: {**real(*a), **DEMO_COUNTS})


def open_page(qtbot: QtBot, ctx: ServiceContext, width: int) -> OrdersPage:
    # The page spans the main window (its margins are its own).
    page = show_widget(qtbot, OrdersPage(ctx), width=width, height=640)
    qtbot.waitUntil(lambda: not page.busy and not page.counts_pending and bool(page.counts),
                    timeout=WAIT)  # fmt: skip
    qtbot.waitUntil(lambda: page.model.rowCount() == 32, timeout=WAIT)
    qtbot.wait(50)
    return page


def cells(page: OrdersPage) -> list[tuple[str, str, str | None]]:
    """Each shown cell: its column, text and what hovering it shows."""
    view, model = page.view, page.model
    delegate = view.itemDelegate()
    assert isinstance(delegate, OrderCells)
    keys = [c.key for c in model.spec.columns]
    return [
        (keys[c], str(model.index(r, c).data()), delegate.tip(view, model.index(r, c)))
        for r in range(model.rowCount())
        for c in range(model.columnCount())
        if not view.isColumnHidden(c)
    ]


def whole(page: OrdersPage, key: str, text: str) -> bool:
    """The cell's text shows whole: no tooltip has to say it (or only the model's own)."""
    model = page.model
    column = model.col[key]
    for r in range(model.rowCount()):
        index = model.index(r, column)
        if index.data() == text:
            delegate = page.view.itemDelegate()
            assert isinstance(delegate, OrderCells)
            own = index.data(Qt.ItemDataRole.ToolTipRole)
            return bool(delegate.tip(page.view, index) == own)
    raise AssertionError(f"no {text!r} in {key}")


def test_the_list_and_the_status_tabs_fit_a_1024_px_window(
    qtbot: QtBot, owner_ctx: ServiceContext, demo_like: None, language: str
) -> None:
    page = open_page(qtbot, owner_ctx, 1024)
    view, header, bar = page.view, page.view.horizontalHeader(), page.status_tabs
    # No sideways scrolling: the phone and the order date are on screen (they added up
    # to 1250 px against 976).
    assert header.length() <= view.viewport().width()
    assert view.horizontalScrollBar().maximum() == 0
    assert view.property("narrow") is True
    # Every cell reads whole, or shows whole as its tooltip.
    for key, text, tip in cells(page):
        assert tip is None or text in tip or key == "shop", (key, text, tip)
    # An 18-digit marketplace order ID and the customers' names read whole.
    assert whole(page, "external_id", LONG_ID)
    assert all(whole(page, "buyer_name", name) for name in NAMES)
    for r in range(page.model.rowCount()):  # the date and the phone are never cut
        for key in ("created_at", "buyer_phone", "total"):
            assert whole(page, key, page.model.index(r, page.model.col[key]).data())
    # A shop name short of room drops the channel its icon shows, its tooltip is whole.
    store = [tip for key, _t, tip in cells(page) if key == "shop"]
    assert "Prime Store - TikTok Shop" in store  # shown "Prime Store" beside its icon
    # The seven status tabs all show, with their counts: no scroll arrows.
    tabs = [bar.tabRect(i) for i in range(bar.count())]
    assert tabs[-1].right() < bar.width()
    assert page.tight_tabs is (language == "vi")  # English fits as it was
    assert bar.tabText(6).startswith(("Return/Refund (1", "Trả hàng/Hoàn tiền (1"))
    close_page(qtbot, page)


def test_nothing_is_narrower_in_a_1366_px_window(
    qtbot: QtBot, owner_ctx: ServiceContext, demo_like: None, language: str
) -> None:
    page = open_page(qtbot, owner_ctx, 1366)
    view, header = page.view, page.view.horizontalHeader()
    assert not view.property("narrow") and not page.tight_tabs
    for i, column in enumerate(page.model.spec.columns):
        if not header.isSectionHidden(i):
            own = VIEW_WIDTHS.get(column.key, column.width)
            assert view.columnWidth(i) >= own > NARROW_WIDTHS[column.key], column.key
    assert header.length() == view.viewport().width()  # the customer takes the rest
    # Narrowed then widened again: the columns are back to their widths.
    page.resize(1024, 640)
    qtbot.waitUntil(lambda: bool(view.property("narrow")))
    page.resize(1366, 640)
    qtbot.waitUntil(lambda: not view.property("narrow"))
    shop = page.model.col["shop"]
    assert view.columnWidth(shop) == VIEW_WIDTHS["shop"]
    close_page(qtbot, page)
