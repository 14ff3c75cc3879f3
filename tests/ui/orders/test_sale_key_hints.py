# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""The keys line under the sale's lines names only the keys that do something in the
mode at hand, and breaks between two keys, never inside one (visual hunt: a chat order
listed "F4 Cash received" with no cash field, and "+ / − / Ctrl+↑" over two lines)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.i18n import install_language
from primedist.ui.orders.sale import SaleDialog
from tests.ui.orders.test_sale_dialog import dialog, products, questions  # noqa: F401

pytestmark = pytest.mark.usefixtures("english")


SEPARATOR = "   ·   "


def hints(label: QLabel) -> list[str]:
    """The keys with their words, in order, whichever lines they are on."""
    return [hint for line in label.text().split("\n") for hint in line.split(SEPARATOR)]


def keys(dialog: SaleDialog) -> list[str]:
    """The keys listed, in order."""
    return [hint.split("  ")[0] for hint in hints(dialog.hints)]


def pay_by(dialog: SaleDialog, method: PaymentMethod) -> None:
    dialog.payment.setCurrentIndex(dialog.payment.findData(method))


def test_f4_is_listed_only_where_it_has_a_field(dialog: SaleDialog) -> None:
    assert "F4  Cash received" in dialog.hints.text()  # the counter's cash
    for source in (OrderSource.CHAT, OrderSource.PHONE):
        dialog.type_buttons[source].click()
        assert dialog.payment.currentData() == PaymentMethod.COD
        assert not dialog.cash.isVisible()
        assert "F4" not in keys(dialog) and "F4" not in dialog.hints.text()
        assert {"F2", "F3", "F6", "F7", "F8", "Esc"} <= set(keys(dialog))
        dialog._focus_cash()  # F4 out of habit: the delivery stays paid as chosen
        assert dialog.payment.currentData() == PaymentMethod.COD
    pay_by(dialog, PaymentMethod.CASH)  # a delivery paid in cash has the field again
    assert dialog.cash.isVisible() and "F4  Cash received" in dialog.hints.text()
    pay_by(dialog, PaymentMethod.ON_ACCOUNT)  # F4 goes to what is paid now
    assert dialog.paid_now.isVisible() and "F4  Paid now" in dialog.hints.text()
    dialog.type_buttons[OrderSource.COUNTER].click()
    assert "F4  Cash received" in dialog.hints.text()


def test_editing_an_order_does_not_list_the_exchange_key(
    qtbot: QtBot, owner_ctx: ServiceContext, products: dict[str, int]
) -> None:
    created = svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(products["AO-S"], 1),)))
    form = SaleDialog(owner_ctx, edit_order_id=created.id, edit_number=created.external_id)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    assert form.exchange_button.isHidden()
    assert "F8" not in keys(form) and "F2" in keys(form)


def lines_at(qtbot: QtBot, form: SaleDialog, width: int) -> list[str]:
    """The keys' lines once the dialog is `width` wide, each checked to fit the label."""
    label = form.hints
    form.resize(width, 768)
    qtbot.waitUntil(lambda: label.window().width() == width)
    room = label.contentsRect().width()
    lines = label.text().split("\n")
    metrics = label.fontMetrics()
    assert all(metrics.horizontalAdvance(line) <= room for line in lines), (room, lines)
    qtbot.waitUntil(lambda: label.height() >= len(lines) * metrics.lineSpacing())
    return lines


@pytest.mark.usefixtures("app_style")
@pytest.mark.parametrize("source", [OrderSource.COUNTER, OrderSource.CHAT])
def test_a_line_breaks_between_keys_never_inside_one(
    qtbot: QtBot, owner_ctx: ServiceContext, source: OrderSource
) -> None:
    install_language("vi")  # the longer words (English again after: the module's fixture)
    form = SaleDialog(owner_ctx)
    qtbot.addWidget(form)
    form.resize(1366, 768)
    form.show()
    qtbot.waitExposed(form)
    form.type_buttons[source].click()
    listed = hints(form.hints)
    quantity = next(h for h in listed if h.startswith("+ / − / Ctrl+↑ / Ctrl+↓"))
    for width in (1366, 1100, 900):  # and as the window narrows
        lines = lines_at(qtbot, form, width)
        assert len(lines) > 1  # the keys do not fit on one line in Vietnamese
        assert hints(form.hints) == listed  # the same keys, lines broken between them
        assert any(quantity in line for line in lines)  # whole on one line
