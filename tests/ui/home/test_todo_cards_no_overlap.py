"""The "Customers owe" card shown after it was hidden takes a place of its own in the
to-do row: it sat on top of "Pending" after a sign-in and a switch to English at 1366
pixels (Qt hid it when it joined the row as the page showed, the row left it out, and it
was then shown where it last was)."""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import Engine

from primedist.domain.enums import PaymentMethod
from primedist.services import orders
from primedist.services.context import ServiceContext
from primedist.ui.home.page import HomePage
from primedist.ui.i18n import install_language
from tests.factories import make_customers, make_product
from tests.ui.home.test_home import make_page, refreshed

pytestmark = pytest.mark.usefixtures("quiet", "app_style")


def settled(qtbot: QtBot, page: HomePage) -> None:
    """The row as the user sees it once Qt's queued shows and layouts have run."""
    qtbot.wait(50)
    assert laid_out(page)
    assert overlaps(page) == []


def overlaps(page: HomePage) -> list[tuple[str, str]]:
    shown: list[QWidget] = [c for c in page.todo_row.cards if not c.isHidden()]
    return [(a.key, b.key) for a, b in itertools.combinations(shown, 2)  # type: ignore[attr-defined]
            if a.geometry().intersects(b.geometry())]  # fmt: skip


def laid_out(page: HomePage) -> bool:
    """Every shown card in the row's grid, inside the row."""
    row = page.todo_row
    return all(row.grid.indexOf(c) >= 0 and row.rect().contains(c.geometry())
               for c in row.cards if not c.isHidden())  # fmt: skip


def test_the_owing_card_shown_later_overlaps_no_card(
    qtbot: QtBot, owner_ctx: ServiceContext, engine: Engine
) -> None:
    install_language("vi")
    page = make_page(qtbot, owner_ctx)
    assert page.owing.isHidden() and not page.owing.isWindow()  # never a window of its own
    page.resize(1366, 760)
    page.show()
    qtbot.waitExposed(page)
    # A customer comes to owe: the card shows while the page does.
    (cup,) = make_product(engine, "Cốc sứ", [("COC-1", 45_000, 20)])
    (cid,) = make_customers(engine, 1)
    orders.create_order(owner_ctx, orders.OrderDraft(
        lines=(orders.DraftLine(cup, 2),), customer_id=cid,
        payment_method=PaymentMethod.ON_ACCOUNT, paid_now=10_000))  # fmt: skip
    refreshed(qtbot, page, page.refresh)
    qtbot.waitUntil(lambda: not page.owing.isHidden())
    settled(qtbot, page)

    # English: the titles change width, the row is laid out again.
    install_language("en")
    qtbot.waitUntil(lambda: page.owing.title.text() == "Customers owe (1)")
    settled(qtbot, page)

    # Hidden and shown again by anyone, not only the page's refresh.
    page.owing.hide()
    settled(qtbot, page)
    page.owing.show()
    settled(qtbot, page)
    assert page.todo_row.grid.indexOf(page.owing) >= 0


def test_one_row_when_it_fits_and_no_gap_for_the_hidden_card(
    qtbot: QtBot, owner_ctx: ServiceContext
) -> None:
    """The row is laid out again when the cards' sizes change at the same width (the
    app's style, a language): seven cards are one row at 1366 pixels (they stayed two as
    first measured); the hidden card kept in the grid leaves no gap below."""
    page = make_page(qtbot, owner_ctx)
    page.resize(1366, 760)
    page.show()
    qtbot.waitExposed(page)
    assert page.owing.isHidden()
    settled(qtbot, page)
    tallest = max(c.height() for c in page.todo_row.cards if not c.isHidden())
    assert page.todo_row.height() == tallest
