"""End of day → Payment methods on a 1366×768 laptop, in Vietnamese, with big amounts in
every column: each column whole (visual hunt: "Thu nợ", the last one, was cut at the edge
at 1100 px), and a method with no debt paid reads "0 ₫" like every other empty figure
(it was blank)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QScreen
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.core.money import format_money
from primedist.domain.enums import PaymentMethod
from primedist.services import customer_account as account
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.ui.i18n import install_language
from primedist.ui.orders.end_of_day import EndOfDayDialog
from tests.factories import make_customers, make_product
from tests.ui.support import WAIT

pytestmark = pytest.mark.usefixtures("quiet", "app_style")

PRICE = 45_000_000


@pytest.fixture
def big_day(owner_ctx: ServiceContext, engine: Engine, clock: FixedClock) -> None:
    """2026-11-20, 10:00 local: 135.000.000 ₫ in cash (45.000.000 ₫ of it returned), the
    same by transfer, and on account; 99.000.000 ₫ of that debt paid in cash."""
    clock.set(datetime(2026, 11, 20, 3, tzinfo=UTC))
    (watch,) = make_product(engine, "Đồng hồ", [("DH-1", PRICE, 100)])
    (buyer,) = make_customers(engine, 1, names=["Nguyễn Thị Hoa"])
    for method in (PaymentMethod.CASH, PaymentMethod.BANK_TRANSFER, PaymentMethod.ON_ACCOUNT):
        draft = svc.OrderDraft(lines=(svc.DraftLine(watch, 3),), payment_method=method,
                               customer_id=buyer)  # fmt: skip
        order = svc.create_order(owner_ctx, draft)
        if method == PaymentMethod.CASH:
            line = svc.order_detail(owner_ctx, order.id).lines[0]
            assert line.id is not None
            svc.return_order(owner_ctx, order.id, {line.id: 1}, reason="Đổi ý")
    clock.set(clock.now() + timedelta(minutes=5))
    account.receive_payment(owner_ctx, buyer, 99_000_000)


def test_every_payment_column_is_whole_on_a_laptop(
    qtbot: QtBot, owner_ctx: ServiceContext, big_day: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _s: QRect(0, 0, 1366, 768))
    install_language("vi")  # the longer headers ("quiet" puts English back)
    dialog = EndOfDayDialog(owner_ctx)
    qtbot.addWidget(dialog)
    dialog.show()  # at the size it takes by itself
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.report is not None and not dialog.status.text(), timeout=WAIT)
    assert dialog.width() <= 1366 and dialog.height() <= 768
    table, header = dialog.payments, dialog.payments.horizontalHeader()
    rows = {table.item(r, 0).text(): [table.item(r, c).text() for c in range(7)]
            for r in range(table.rowCount())}  # fmt: skip
    assert rows["Tiền mặt"][6] == format_money(99_000_000, "vi")
    assert rows["Chuyển khoản"][6] == rows["Ghi nợ"][6] == "0 ₫"
    assert rows["Tiền mặt"][4] == format_money(PRICE, "vi")
    qtbot.waitUntil(lambda: header.length() <= table.viewport().width())  # nothing past the edge
    assert table.horizontalScrollBar().maximum() == 0
    for c in range(table.columnCount()):
        wanted = max(table.sizeHintForColumn(c), header.sectionSizeHint(c))
        assert table.columnWidth(c) >= wanted, (c, table.horizontalHeaderItem(c).text())
