"""Home's latest events in a narrow window: a long line wraps at the list's width, whole,
with no sideways scroll bar (it covered a line of the five), and the list grows to hold
its lines again after the window narrows."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot
from sqlmodel import Session

from primedist.domain.enums import ActivityKind
from primedist.services import activity
from primedist.services.context import ServiceContext
from primedist.ui.home.page import HomePage
from tests.ui.home.test_home import make_page

pytestmark = pytest.mark.usefixtures("english")

LONG_FILE = "don-hang-thang-muoi-mot-tu-shopee-lazada-tiki-va-tiktok-shop-ban-cuoi-cung.xlsx"


def every_line_whole(page: HomePage) -> bool:
    feed = page.events
    bottom = max(feed.visualItemRect(feed.item(r)).bottom() for r in range(feed.count()))
    return bottom < feed.viewport().height() and all(
        feed.visualItemRect(feed.item(r)).right() < feed.viewport().width()
        for r in range(feed.count())
    )


def test_a_long_event_wraps_whole_in_a_narrow_window(
    qtbot: QtBot, owner_ctx: ServiceContext
) -> None:
    now = owner_ctx.clock.now()
    with Session(owner_ctx.engine) as session:
        for n in range(3):
            activity.post(session, ActivityKind.IMPORT, now, what="orders", file=LONG_FILE,
                          created=n + 1, updated=0, rejected=0)  # fmt: skip
        session.commit()
    page = make_page(qtbot, owner_ctx)
    page.resize(1400, 900)
    page.show()
    qtbot.waitExposed(page)
    feed = page.events
    assert feed.count() == 3 and LONG_FILE in feed.item(0).text()
    wide = feed.maximumHeight()
    page.resize(800, 900)
    qtbot.waitUntil(lambda: feed.width() < 820)
    qtbot.waitUntil(lambda: every_line_whole(page))
    assert not feed.horizontalScrollBar().isVisible()
    assert not feed.verticalScrollBar().isVisible()
    assert feed.maximumHeight() > wide  # the wrapped lines are two each
