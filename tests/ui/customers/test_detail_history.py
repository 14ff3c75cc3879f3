"""The customer detail's long histories and the points ledger's words: the Orders and
Points tabs say when they show only the newest rows and show more on demand (paged in
SQL); the reasons the app wrote in English are shown in the reader's language, and an
earn entry taking points back is a reversal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.enums import Channel, OrderSource, OrderStatus, PaymentMethod, PointsKind
from primedist.domain.loyalty import PointsEntry
from primedist.domain.order import Order
from primedist.services import orders as order_svc
from primedist.services.context import ServiceContext
from primedist.services.loyalty.points import adjust_points
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.customers.detail import ORDERS_PAGE, POINTS_PAGE, CustomerDetailDialog
from primedist.ui.i18n import install_language
from tests.factories import make_orders, make_product, make_shop
from tests.services.loyalty.conftest import customers_with
from tests.ui.support import WAIT, show_widget
from tests.ui.test_translations import vietnamese

pytestmark = pytest.mark.usefixtures("quiet")
orders_t = table_of(Order)
points_t = table_of(PointsEntry)
DAY1 = datetime(2026, 1, 1, 7, 0, tzinfo=UTC)


def open_detail(qtbot, ctx: ServiceContext, cid: int) -> CustomerDetailDialog:
    dialog = show_widget(qtbot, CustomerDetailDialog(ctx, cid), 1100, 760)
    qtbot.waitUntil(lambda: not dialog.stats_loading, timeout=WAIT)
    return dialog


def column(table, col: int) -> list[str]:
    return [table.item(r, col).text() for r in range(table.rowCount())]


def test_a_long_history_says_how_much_is_shown_and_shows_the_rest(
    qtbot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    """214 orders used to show as 200 rows, with no word about the other 14."""
    (cid,) = customers_with(engine, [{}])
    shop = make_shop(engine, "Shopee Hà Nội", Channel.SHOPEE)
    many = ORDERS_PAGE + 14
    ids = make_orders(engine, shop, many, start=DAY1, step=timedelta(hours=5),
                      customer_ids=[cid])  # fmt: skip
    with engine.begin() as conn:
        conn.execute(sa.insert(points_t), [
            {"customer_id": cid, "kind": PointsKind.ADJUST, "delta": 1, "balance_after": n + 1,
             "reason": "Quà", "created_at": DAY1 + timedelta(hours=n)}
            for n in range(POINTS_PAGE + 3)
        ])  # fmt: skip
    dialog = open_detail(qtbot, owner_ctx, cid)
    dialog.tabs.setCurrentIndex(1)
    table = dialog.orders_table
    assert table.rowCount() == ORDERS_PAGE
    assert dialog.orders_more_label.isVisible()
    assert dialog.orders_more_label.text() == "Showing the newest 200 of 214 orders."
    assert dialog.orders_more_button.text() == "Show 14 more"
    qtbot.mouseClick(dialog.orders_more_button, Qt.MouseButton.LeftButton)
    assert table.rowCount() == many
    shown = [int(table.item(r, 0).data(Qt.ItemDataRole.UserRole)) for r in range(many)]
    assert shown == list(reversed(ids))  # newest first, none twice, none missed
    assert not dialog.orders_more_label.isVisible()
    assert not dialog.orders_more_button.isVisible()
    dialog.reload()  # after a change: as many as were shown
    assert table.rowCount() == many

    dialog.tabs.setCurrentIndex(5)
    ledger = dialog.points_table
    assert ledger.rowCount() == POINTS_PAGE
    assert dialog.points_more_label.text() == "Showing the newest 500 of 503 points entries."
    qtbot.mouseClick(dialog.points_more_button, Qt.MouseButton.LeftButton)
    assert column(ledger, 3) == [str(n) for n in range(POINTS_PAGE + 3, 0, -1)]
    assert not dialog.points_more_button.isVisible()


def test_a_short_history_has_no_notice(qtbot, engine: Engine, owner_ctx: ServiceContext) -> None:
    (cid,) = customers_with(engine, [{}])
    shop = make_shop(engine, "Shopee Hà Nội", Channel.SHOPEE)
    make_orders(engine, shop, 3, start=DAY1, step=timedelta(days=1), customer_ids=[cid])
    dialog = open_detail(qtbot, owner_ctx, cid)
    dialog.tabs.setCurrentIndex(1)
    assert dialog.orders_table.rowCount() == 3
    assert not dialog.orders_more_label.isVisible()
    assert not dialog.orders_more_button.isVisible()


@pytest.fixture
def returned_order(engine: Engine, owner_ctx: ServiceContext) -> tuple[int, str]:
    """A customer's phone order of 4 shirts paid partly with 30 points, completed (earns),
    one shirt returned (corrected, its 7 of the 30 points given back), then the order
    coming back (reversed) and returned (the other 23 given back): every reason the app
    writes for an order's points."""
    shirt = make_product(engine, "Áo thun", [("AO-1", 125_000, 50)])[0]
    (cid,) = customers_with(engine, [{"points_balance": 40, "points_earned": 40}])
    draft = OrderDraft(lines=(DraftLine(shirt, 4),), customer_id=cid, source=OrderSource.PHONE,
                       payment_method=PaymentMethod.COD, points=30)  # fmt: skip
    oid = order_svc.create_order(owner_ctx, draft).id
    order_svc.change_status(owner_ctx, oid, OrderStatus.SHIPPING)
    order_svc.change_status(owner_ctx, oid, OrderStatus.COMPLETED)
    line = order_svc.order_detail(owner_ctx, oid).lines[0]
    order_svc.return_order(owner_ctx, oid, {line.id: 1}, reason="Lỗi", refund_amount=100_000)
    order_svc.change_status(owner_ctx, oid, OrderStatus.RETURN_REFUND, reason="Sai size")
    order_svc.change_status(owner_ctx, oid, OrderStatus.RETURNED, reason="Sai size")
    with engine.connect() as conn:
        code = conn.execute(sa.select(orders_t.c.external_id)
                            .where(orders_t.c.id == oid)).scalar_one()  # fmt: skip
    return cid, str(code)


def test_points_reasons_and_reversals_in_english(
    qtbot, engine: Engine, owner_ctx: ServiceContext, returned_order: tuple[int, str]
) -> None:
    cid, code = returned_order
    dialog = open_detail(qtbot, owner_ctx, cid)
    table = dialog.points_table
    # Newest first: given back, reversed, given back, corrected, earned, redeemed.
    assert column(table, 5) == [
        f"Given back: points redeemed on {code} (returned)",
        f"Reversed: {code} is return refund",
        f"Given back: points redeemed on returned items of {code}",
        f"Corrected: {code} (amount changed)",
        f"Earned on {code}",
        f"Redeemed on {code}",
    ]
    assert column(table, 1) == ["Refunded", "Reversed", "Refunded", "Reversed", "Earned",
                                "Redeemed"]  # fmt: skip
    assert column(table, 2)[1].startswith("\u2212")  # U+2212, not a hyphen


def test_points_reasons_and_reversals_in_vietnamese(
    qtbot, engine: Engine, owner_ctx: ServiceContext, returned_order: tuple[int, str]
) -> None:
    """The reasons were English in the Vietnamese window, and a reversal (−24) was
    labelled as earned points."""
    cid, code = returned_order
    adjusted = "Khách quen"  # typed by hand: shown as typed
    adjust_points(owner_ctx, cid, 5, adjusted)
    install_language("vi")
    try:
        dialog = open_detail(qtbot, owner_ctx, cid)
        table = dialog.points_table

        def vi(template: str, **values: str) -> str:
            return vietnamese("service", template).format(**values)

        returned = vietnamese("enum", "Returned")
        return_refund = vietnamese("enum", "Return/Refund")
        assert column(table, 5) == [
            adjusted,
            vi("Given back: points redeemed on {order} ({status})", order=code, status=returned),
            vi("Reversed: {order} is {status}", order=code, status=return_refund),
            vi("Given back: points redeemed on returned items of {order}", order=code),
            vi("Corrected: {order} (amount changed)", order=code),
            vi("Earned on {order}", order=code),
            vi("Redeemed on {order}", order=code),
        ]
        assert column(table, 1)[1:5] == [
            vietnamese("customers", "Refunded"),
            vietnamese("customers", "Reversed"),
            vietnamese("customers", "Refunded"),
            vietnamese("customers", "Reversed"),
        ]
        assert column(table, 1)[5] == vietnamese("customers", "Earned")
    finally:
        install_language("en")
