# ruff: noqa: F811  (pytest fixtures imported from the service tests)
"""The carrier's news in an order's status history reads in the reader's language: today's
notes, older ones stored in GHN's Vietnamese, and the return the carrier brought back.
Against the carrier sandbox on 127.0.0.1 and a real migrated database."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QCoreApplication, QTranslator

from primedist.domain.enums import PaymentMethod
from primedist.ui.i18n import install_language
from primedist.ui.orders.detail import OrderDetailDialog, _history_note
from tests.services.test_shipping import (  # noqa: F401  (fixtures)
    fast_factory,
    ghn_id,
    sandbox,
)
from tests.services.test_shipping_carrier_words import carrier_steps, paid_order, shipped_code

pytestmark = pytest.mark.usefixtures("quiet")

CARRIER_REASON = "Returned by the carrier ({shipment})"


class CarrierReasonVi(QTranslator):
    """The Vietnamese of the carrier's return reason, until the catalogue has it."""

    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: ANN001
        if context == "service" and source == CARRIER_REASON:
            return "Nhà vận chuyển hoàn về ({shipment})"
        return None  # a null string: the catalogue's own translation


def notes(qtbot, ctx, order_id: int) -> list[str]:
    dialog = OrderDetailDialog(ctx, order_id)
    qtbot.addWidget(dialog)
    table = dialog.history_table
    return [table.item(r, 3).text() for r in range(table.rowCount())]


def test_the_carriers_news_reads_in_the_readers_language(qtbot, owner_ctx, engine, sandbox,
                                                        ghn_id, fast_factory):  # fmt: skip
    order_id = paid_order(owner_ctx, engine, PaymentMethod.BANK_TRANSFER, "A1")
    code = shipped_code(owner_ctx, order_id, ghn_id, fast_factory)
    carrier_steps(owner_ctx, sandbox, code, fast_factory, "picked", "return", "returned")
    old_note = "GHN: Lấy hàng thành công (picked)"  # as older versions stored it
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE order_status_changes SET note = :n WHERE note = :old"),
                     {"n": old_note, "old": "GHN: Picked up"})  # fmt: skip
    assert notes(qtbot, owner_ctx, order_id)[1:] == [
        "GHN: Picked up", "GHN: Returning to the shop",
        f"Returned 2 item(s), refund 330,000: Returned by the carrier ({code})",
    ]  # fmt: skip
    install_language("vi")
    reason_vi = CarrierReasonVi()
    app = QCoreApplication.instance()
    app.installTranslator(reason_vi)
    try:
        vi = notes(qtbot, owner_ctx, order_id)[1:]
    finally:
        app.removeTranslator(reason_vi)
        install_language("en")
    assert vi[:2] == ["GHN: Lấy hàng thành công", "GHN: Chuyển hoàn"]
    assert vi[2].endswith(f"Nhà vận chuyển hoàn về ({code})")
    assert "Returned" not in vi[2]


def test_a_note_that_only_looks_like_the_carriers_is_shown_as_typed():
    for typed in ("Khách: đổi ý", "Shopee: Picked up", "GHN: gọi lại (sau)",
                  "GHN: Lấy hàng (not_a_status)"):  # fmt: skip
        assert _history_note(typed) == typed
    assert _history_note("J&T Express: Lost") == "J&T Express: Lost"
    assert _history_note("J&T Express: Hàng thất lạc (lost)") == "J&T Express: Lost"
