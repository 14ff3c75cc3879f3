# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""Settings → Vouchers: the "at most" cap of every kind of voucher is shown; Delete… asks
first, naming the code; a used voucher's code is read-only in the editor; a demo voucher
saved unchanged keeps its dates."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from primedist.domain.enums import DiscountKind, OrderSource, PaymentMethod
from primedist.services import orders as order_svc
from primedist.services.context import ServiceContext
from primedist.services.loyalty.vouchers import VoucherDraft, list_vouchers, save_voucher
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.settings.vouchers import VoucherDialog, VouchersSettings
from tests.factories import make_product
from tests.services.test_demo import demo_ctx  # noqa: F401  (fixture)
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("english")


def discounts(section: VouchersSettings) -> dict[str, str]:
    table = section.table
    return {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}


def test_every_kind_of_voucher_shows_its_cap(qtbot: Any, owner_ctx: ServiceContext) -> None:
    save_voucher(owner_ctx, VoucherDraft("FREESHIP30", free_shipping=True, max_discount=30_000))
    save_voucher(owner_ctx, VoucherDraft("GIAM50", value=50_000, free_shipping=True,
                                         max_discount=60_000))  # fmt: skip
    save_voucher(owner_ctx, VoucherDraft("P10SHIP", kind=DiscountKind.PERCENT, value=10,
                                         free_shipping=True, max_discount=80_000))  # fmt: skip
    save_voucher(owner_ctx, VoucherDraft("GIAM20", value=20_000))
    section = show_widget(qtbot, VouchersSettings(owner_ctx), 1000, 600)
    assert discounts(section) == {
        "FREESHIP30": "free shipping (at most 30,000 VND)",
        "GIAM50": "50,000 VND + free shipping (at most 60,000 VND)",
        "P10SHIP": "10% + free shipping (at most 80,000 VND)",  # the shipping counted in it
        "GIAM20": "20,000 VND",
    }


def test_delete_asks_first_naming_the_code(
    qtbot: Any, owner_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_voucher(owner_ctx, VoucherDraft("TET2027", value=30_000))
    section = show_widget(qtbot, VouchersSettings(owner_ctx), 1000, 600)
    assert section.delete_button.text() == "Delete…"
    asked: list[tuple[str, str]] = []
    answer = QMessageBox.StandardButton.No

    def question(_parent: Any, title: str, text: str) -> QMessageBox.StandardButton:
        asked.append((title, text))
        return answer

    monkeypatch.setattr(QMessageBox, "question", question)
    section.table.selectRow(0)
    qtbot.mouseClick(section.delete_button, Qt.MouseButton.LeftButton)
    assert asked == [("Delete voucher", "Delete the voucher TET2027? This cannot be undone.")]
    assert [r.draft.code for r in list_vouchers(owner_ctx)] == ["TET2027"]  # No: kept

    answer = QMessageBox.StandardButton.Yes
    section.table.selectRow(0)
    qtbot.mouseClick(section.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.table.rowCount() == 0, timeout=WAIT)
    assert list_vouchers(owner_ctx) == []


def test_a_used_vouchers_code_is_read_only(
    qtbot: Any, engine: Any, owner_ctx: ServiceContext
) -> None:
    (shirt,) = make_product(engine, "Áo thun", [("AO-1", 100_000, 100)])
    save_voucher(owner_ctx, VoucherDraft("TET10", value=10_000))
    save_voucher(owner_ctx, VoucherDraft("HE2027", value=10_000))
    order_svc.create_order(owner_ctx, OrderDraft(
        lines=(DraftLine(shirt, 1),), voucher_code="TET10", source=OrderSource.PHONE,
        payment_method=PaymentMethod.COD))  # fmt: skip
    rows = {r.draft.code: r for r in list_vouchers(owner_ctx)}
    used = VoucherDialog(owner_ctx, rows["TET10"])
    qtbot.addWidget(used)
    assert used.code.isReadOnly()
    assert used.code.toolTip() == (
        "Used on 1 orders, which show this code: it cannot change. End this voucher and make "
        "a new one with the new code."
    )
    unused = VoucherDialog(owner_ctx, rows["HE2027"])
    qtbot.addWidget(unused)
    assert not unused.code.isReadOnly()


def test_a_demo_voucher_saved_unchanged_keeps_its_dates(
    qtbot: Any, demo_ctx: ServiceContext
) -> None:
    for row in list_vouchers(demo_ctx):
        dialog = VoucherDialog(demo_ctx, row)
        qtbot.addWidget(dialog)
        draft = dialog.draft()
        assert row.draft.starts_at is not None and row.draft.ends_at is not None
        assert (draft.starts_at, draft.ends_at) == (
            row.draft.starts_at.replace(tzinfo=UTC),
            row.draft.ends_at.replace(tzinfo=UTC),
        ), row.draft.code
