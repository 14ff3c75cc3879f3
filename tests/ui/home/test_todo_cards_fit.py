"""Home's eight to-do cards fit the window: one row when there is room, two rows of four
on a 1024-pixel screen (one row pushed the page past the window's edge and cut the titles
"Trả hàng/Hoàn tiền", "Sản phẩm chưa bán" and the money of "Khách nợ")."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from primedist.services.context import ServiceContext
from primedist.ui.app import apply_style
from primedist.ui.i18n import install_language
from tests.services.report_data import build
from tests.ui.home.test_home import make_page

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def vietnamese() -> Iterator[None]:
    """The app's look (its stylesheet and font: the cards' real sizes) in Vietnamese."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    font, sheet = app.font(), app.styleSheet()
    apply_style(app)
    install_language("vi")
    yield
    install_language("en")
    app.setStyleSheet(sheet)
    app.setFont(font)


def rows_of(page) -> set[int]:  # type: ignore[no-untyped-def]
    return {page.todo_row.grid.getItemPosition(page.todo_row.grid.indexOf(c))[0]
            for c in page.todo_row.cards if not c.isHidden()}  # fmt: skip


def test_eight_cards_take_two_rows_on_a_small_screen_and_nothing_is_cut(
    qtbot: QtBot, ctx: ServiceContext, vietnamese: None
) -> None:
    build(ctx.engine)
    page = make_page(qtbot, ctx)
    page.owing.value.setText("4.372.000 ₫")  # a shop whose customers owe: the eighth card
    page.owing.show()
    page.todo_row.arrange()
    page.resize(1000, 700)
    page.show()
    qtbot.waitUntil(lambda: rows_of(page) == {0, 1})
    shown = [c for c in page.todo_row.cards if not c.isHidden()]
    assert len(shown) == 8
    for card in shown:
        for label in (card.title, card.value):
            assert label.sizeHint().width() <= label.width(), label.text()
    assert page.minimumSizeHint().width() <= 1000

    page.resize(1600, 700)
    qtbot.waitUntil(lambda: rows_of(page) == {0})  # room again: one row
