"""The sale screen on a 1366×768 laptop in Vietnamese, as it opens: a member with a level
and points chosen, nothing scrolls (the card's "… · Kim cương · 5.681 điểm" wrapped to a
third line, the fields scrolled and "Tiền khách đưa (F4)" was half hidden); the
customer field's hint is whole (its "(F3)" was cut to "(…"); two problems are both read
whole (the second was cut behind a scroll bar), without the knock-on "paid now must be
less than the total 0" nor a debt below zero."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QRect
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import Engine

from primedist.domain.customer import Customer
from primedist.domain.enums import PaymentMethod, Rank
from primedist.services.context import ServiceContext
from primedist.services.sale_lookup import get_customer
from primedist.ui.orders.sale import PAYMENT_METHODS, SaleDialog
from tests.factories import make_customers, make_product
from tests.ui.orders.test_sale_dialog import SHIRT_S, scan, settle

pytestmark = pytest.mark.usefixtures("vietnamese", "app_style")

SCREEN = QRect(0, 0, 1366, 768)


@pytest.fixture(autouse=True)
def laptop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _s: SCREEN)
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)


def whole(widget: QWidget) -> bool:
    return widget.isVisible() and widget.visibleRegion().boundingRect() == widget.rect()


@pytest.fixture
def sale(qtbot: QtBot, owner_ctx: ServiceContext, engine: Engine) -> SaleDialog:
    """A sale of a shirt to Phạm Thị Hân, Kim cương with 5,681 points."""
    make_product(engine, "Áo sơ mi linen nữ", [("ASML0001-DEN-S", 299_000, 10)],
                 barcodes=[SHIRT_S])  # fmt: skip
    (han,) = make_customers(engine, 1, names=["Phạm Thị Hân"])
    with engine.begin() as conn:
        conn.execute(sa.update(Customer).where(Customer.id == han)
                     .values(rank=Rank.DIAMOND, points_balance=5_681))  # fmt: skip
    dialog = SaleDialog(owner_ctx)  # its own size for this screen
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    scan(qtbot, dialog, SHIRT_S)
    dialog.set_customer(get_customer(owner_ctx, han))
    settle(qtbot, dialog)
    qtbot.wait(50)  # the layout of the card
    return dialog


def test_a_member_chosen_nothing_scrolls(sale: SaleDialog) -> None:
    assert sale.height() <= SCREEN.height() - 40  # the size it opens at on this screen
    assert sale.fields_scroll.verticalScrollBar().maximum() == 0
    card = sale.customer_card
    assert card.text().endswith("Kim cương  ·  5.681 điểm")
    assert card.toolTip() == ""  # nothing of it cut
    for line in (card.first, card.second):
        assert line.height() < 2 * line.fontMetrics().lineSpacing()  # one line each
    assert whole(sale.cash) and whole(sale.pay_captions[5])
    assert sale.pay_captions[5].text() == "Tiền khách đưa (F4)"
    assert sale.customer_box.title().endswith("(F3)")
    search = sale.customer_search
    hint = search.fontMetrics().horizontalAdvance(search.placeholderText())
    assert hint <= search.width() - 24  # the hint whole (its frame, padding, clear button)


def test_a_long_name_is_cut_with_its_whole_in_the_tooltip(
    sale: SaleDialog, engine: Engine, owner_ctx: ServiceContext
) -> None:
    long_name = "Công ty TNHH Thương mại Dịch vụ Xuất nhập khẩu Hoàng Gia Phát"
    (company,) = make_customers(engine, 1, names=[long_name])
    sale.set_customer(get_customer(owner_ctx, company))
    card = sale.customer_card
    assert card.first.text().count("…") == 1 and card.toolTip().startswith(long_name)
    assert sale.fields_scroll.verticalScrollBar().maximum() == 0


def test_two_problems_are_read_whole(qtbot: QtBot, sale: SaleDialog) -> None:
    """A discount over the goods, on account with 10,000 paid now, and a negative shipping
    fee (a voucher is not checked while the discount is refused)."""
    sale.payment.setCurrentIndex(PAYMENT_METHODS.index(PaymentMethod.ON_ACCOUNT))
    sale.order_discount.setText("999999999")
    sale.paid_now.setText("10000")
    sale.shipping_fee.setText("-5000")
    settle(qtbot, sale)
    qtbot.wait(50)
    assert sale.problems == [
        "Giảm giá đơn phải từ 0 đến 299.000.",
        "Phí vận chuyển không được âm.",
    ]  # not also "Số tiền trả ngay phải nhỏ hơn tổng 0 …"
    assert sale.total_values["owed"].text() == "0 ₫"  # not −10.000 ₫
    assert sale.messages.verticalScrollBar().maximum() == 0
    assert whole(sale.problems_label)
