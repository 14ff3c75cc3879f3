"""The till on a 1024 × 768 screen, in Vietnamese and English: the line total and the
stock stay in sight with no sideways scroll bar (they sat behind one, the variant cut to
"Men rạn / 1…"), the Discount column waiting until a line has a discount; and a long
"Saved … — change due …" no longer widens the window (984 → 1014 pixels), shortened by
whole words with the order number and the amount whole ("…hừa trả khách" was cut by
letters)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QScreen
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.product import Variant
from primedist.services.context import ServiceContext
from primedist.ui.i18n import install_language
from primedist.ui.orders.sale import (
    ELLIPSIS,
    PRODUCT_MIN_WIDTH,
    LinesModel,
    SaleDialog,
    shorten_at_words,
)
from tests.factories import make_product
from tests.ui.conftest import back_to_english
from tests.ui.orders.test_sale_dialog import questions, scan, settle  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("app_style")

BOWL, VASE = "8930000000011", "8930000000028"
variants_t = table_of(Variant)


@pytest.fixture(params=["vi", "en"])
def language(request: pytest.FixtureRequest, qapp: object) -> Iterator[str]:
    install_language(request.param)
    yield request.param
    back_to_english()


def till(qtbot: QtBot, ctx: ServiceContext, engine: Engine, monkeypatch: pytest.MonkeyPatch,
         screen_width: int) -> SaleDialog:  # fmt: skip
    """The till as it sizes itself on a `screen_width` × 768 screen, with a bowl of a long
    variant and SKU, and a vase."""
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _s: QRect(0, 0, screen_width, 768))
    bowl, _vase = make_product(engine, "Bát cơm men lam Bát Tràng vẽ tay",
                               [("BAT-COM-MEN-RAN-16", 49_000, 10), ("BINH-LOC-01", 1_500_000, 3)],
                               barcodes=[BOWL, VASE])  # fmt: skip
    with engine.begin() as conn:
        conn.execute(variants_t.update().where(variants_t.c.id == bowl)
                     .values(option1="Men rạn", option2="16 cm"))  # fmt: skip
    dialog = SaleDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    for code in (BOWL, VASE):
        scan(qtbot, dialog, code)
    settle(qtbot, dialog)
    qtbot.wait(50)  # the layout of the lines
    return dialog


def in_sight(dialog: SaleDialog, col: int) -> bool:
    view = dialog.lines
    left = view.columnViewportPosition(col)
    shown = not view.isColumnHidden(col)
    return shown and left >= 0 and left + view.columnWidth(col) <= view.viewport().width()


def no_sideways_scrolling(dialog: SaleDialog) -> bool:
    view = dialog.lines
    return (view.horizontalHeader().length() <= view.viewport().width()
            and not view.horizontalScrollBar().isVisible())  # fmt: skip


def test_at_1024_the_line_total_and_stock_are_in_sight(
    qtbot: QtBot, owner_ctx: ServiceContext, engine: Engine, monkeypatch: pytest.MonkeyPatch,
    language: str,
) -> None:  # fmt: skip
    dialog = till(qtbot, owner_ctx, engine, monkeypatch, 1024)
    assert dialog.width() <= 1000
    view = dialog.lines
    assert no_sideways_scrolling(dialog)
    assert in_sight(dialog, LinesModel.SUBTOTAL) and in_sight(dialog, LinesModel.STOCK)
    # The long variant whole; no discount yet: its column waits.
    assert view.columnWidth(LinesModel.VARIANT) >= view.sizeHintForColumn(LinesModel.VARIANT)
    assert view.isColumnHidden(LinesModel.DISCOUNT)
    # A discount on a line (the row menu's "Discount on this line…"): its column shows,
    # the line total still in sight.
    view.edit_discount(0)
    editor = view.indexWidget(view.currentIndex()) or dialog.focusWidget()
    assert view.currentIndex().column() == LinesModel.DISCOUNT and editor is not None
    assert dialog.model.setData(dialog.model.index(0, LinesModel.DISCOUNT), "5.000")
    settle(qtbot, dialog)
    qtbot.wait(50)
    assert in_sight(dialog, LinesModel.DISCOUNT) and in_sight(dialog, LinesModel.SUBTOTAL)
    assert in_sight(dialog, LinesModel.STOCK) and no_sideways_scrolling(dialog)


def test_at_1366_every_column_has_its_room(
    qtbot: QtBot, owner_ctx: ServiceContext, engine: Engine, monkeypatch: pytest.MonkeyPatch,
    language: str,
) -> None:  # fmt: skip
    dialog = till(qtbot, owner_ctx, engine, monkeypatch, 1366)
    view = dialog.lines
    assert no_sideways_scrolling(dialog)
    assert all(in_sight(dialog, col) for col in range(LinesModel.PRODUCT + 1, 8))
    assert view.columnWidth(LinesModel.PRODUCT) > PRODUCT_MIN_WIDTH
    assert view.columnWidth(LinesModel.SKU) >= 128  # as before
    assert view.columnWidth(LinesModel.VARIANT) >= view.sizeHintForColumn(LinesModel.VARIANT)


def test_a_long_saved_message_does_not_widen_the_till(
    qtbot: QtBot, owner_ctx: ServiceContext, engine: Engine, monkeypatch: pytest.MonkeyPatch,
    language: str,
) -> None:  # fmt: skip
    dialog = till(qtbot, owner_ctx, engine, monkeypatch, 1024)
    width = dialog.width()
    dialog.cash.setText("2000000")
    settle(qtbot, dialog)
    monkeypatch.setattr(dialog.print_receipt, "isChecked", lambda: False)
    dialog.save()
    qtbot.waitUntil(lambda: dialog.saved_label.isVisible())
    qtbot.wait(50)  # the layout of the message
    text = dialog.saved_label.text()
    assert "451" in text  # the change due, 2,000,000 − 1,549,000
    assert dialog.width() == width and dialog.minimumSizeHint().width() <= width
    # Shortened: whole in its tooltip.
    assert dialog.saved_label.toolTip() in ("", text)


def test_a_shortened_saved_message_keeps_whole_words_the_number_and_the_amount(
    qtbot: QtBot, owner_ctx: ServiceContext, engine: Engine, monkeypatch: pytest.MonkeyPatch,
    vietnamese: None,
) -> None:  # fmt: skip
    """In Vietnamese at 1024 the counter sale's "Đã lưu DH… — tiền thừa trả khách 451.000 ₫"
    is a little wider than its room: words go from its end ("khách"), never letters of one,
    and the order number and the change due stay whole."""
    dialog = till(qtbot, owner_ctx, engine, monkeypatch, 1024)
    dialog.cash.setText("2000000")
    settle(qtbot, dialog)
    monkeypatch.setattr(dialog.print_receipt, "isChecked", lambda: False)
    dialog.save()
    label = dialog.saved_label
    qtbot.waitUntil(label.isVisible)
    qtbot.wait(50)  # the layout of the message
    assert dialog.last_created is not None
    number = dialog.last_created.external_id
    text = label.text()
    assert text == f"Đã lưu {number} — tiền thừa trả khách 451.000 ₫"
    shown = label.shown_text()
    assert shown != text and label.toolTip() == text
    assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()
    assert number in shown.split() and shown.endswith(" 451.000 ₫")
    words = [word for word in shown.split() if word != ELLIPSIS]
    assert all(word in text.split() for word in words)  # whole words only
    assert shown.startswith(f"Đã lưu {number} — tiền")


def test_shortening_drops_words_from_the_end_never_a_number() -> None:
    text = "Saved DH261120-0001 — change due 451,000 VND"
    assert shorten_at_words(text, 99, len) == text
    assert shorten_at_words(text, 42, len) == "Saved DH261120-0001 — change … 451,000 VND"
    assert shorten_at_words(text, 35, len) == "Saved DH261120-0001 — … 451,000 VND"
    assert shorten_at_words(text, 30, len) == "… DH261120-0001 … 451,000 VND"
    # Short of room for the number and the amount: the whole words from the start.
    assert shorten_at_words(text, 24, len) == "Saved DH261120-0001 — …"
    assert shorten_at_words(text, 9, len) == "Saved …"
    assert shorten_at_words(text, 3, len) == ELLIPSIS
