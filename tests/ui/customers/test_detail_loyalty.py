"""The customer detail's loyalty parts: the rank with its reason and history, pinning,
and the manual points adjustment (reason required, refusals shown inline)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy.engine import Engine

from primedist.domain.enums import Rank
from primedist.services.context import ServiceContext
from primedist.services.loyalty import levels, ranks
from primedist.ui.customers.detail import CustomerDetailDialog
from tests.services.loyalty.conftest import customer, customers_with
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet", "english")


def open_detail(qtbot, ctx: ServiceContext, cid: int) -> CustomerDetailDialog:
    dialog = show_widget(qtbot, CustomerDetailDialog(ctx, cid), 1100, 760)
    qtbot.waitUntil(lambda: not dialog.stats_loading, timeout=WAIT)
    return dialog


def test_the_rank_reason_history_and_pin(qtbot, engine: Engine, owner_ctx: ServiceContext) -> None:
    (cid,) = customers_with(engine, [{"total_expenses": 6_200_000}])
    ranks.recompute_ranks(owner_ctx)
    dialog = open_detail(qtbot, owner_ctx, cid)
    panel = dialog.rank_panel
    assert dialog.tabs.tabText(dialog.tabs.indexOf(panel)) == "Rank"
    # FIXED_NOW is 20/11/2026 in the shop's time zone.
    assert panel.reason.text() == "Gold since 20/11/2026 — 6,200,000 VND ≥ 5,000,000 VND"
    assert panel.history.rowCount() == 1
    assert [panel.history.item(0, c).text() for c in (1, 2, 4)] == ["Bronze", "Gold", "Chủ Thử"]
    with qtbot.waitSignal(dialog.changed, timeout=WAIT):
        panel.pin.click()
    assert customer(engine, cid).rank_pinned
    assert "leaves this customer alone" in panel.message.text()
    with qtbot.waitSignal(dialog.changed, timeout=WAIT):
        panel.pin.click()
    assert not customer(engine, cid).rank_pinned


def test_a_customer_never_recomputed_says_so(
    qtbot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    (cid,) = customers_with(engine, [{"rank": Rank.SILVER}])
    panel = open_detail(qtbot, owner_ctx, cid).rank_panel
    assert panel.reason.text() == "Silver: no rank change recorded yet"
    assert panel.history.rowCount() == 0


def test_points_adjusted_by_hand_with_a_reason(
    qtbot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    (cid,) = customers_with(engine, [{"points_balance": 20, "points_earned": 20}])
    dialog = open_detail(qtbot, owner_ctx, cid)
    bar = dialog.points_adjust
    bar.delta.setValue(-30)
    assert not bar.button.isEnabled()  # no reason yet
    bar.reason.setText("Đổi quà")  # (QTest cannot type "Đ")
    assert bar.button.isEnabled()
    qtbot.mouseClick(bar.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "has only 20 points" in bar.message.text(), timeout=WAIT)
    assert customer(engine, cid).points_balance == 20 and bar.button.isEnabled()
    bar.delta.setValue(15)
    with qtbot.waitSignal(dialog.changed, timeout=WAIT):
        qtbot.mouseClick(bar.button, Qt.MouseButton.LeftButton)
    assert customer(engine, cid).points_balance == 35
    assert bar.message.text() == "Points adjusted: 35 remaining."
    assert (bar.delta.value(), bar.reason.text()) == (0, "")
    assert "Remaining 35" in dialog.points_summary.text()
    table = dialog.points_table
    assert [table.item(0, c).text() for c in (2, 3, 5)] == ["+15", "35", "Đổi quà"]


def test_a_rank_given_by_hand_says_so(qtbot, engine: Engine, owner_ctx: ServiceContext) -> None:
    (cid,) = customers_with(engine, [{"total_expenses": 100_000}])
    ranks.set_rank(owner_ctx, cid, Rank.DIAMOND)
    panel = open_detail(qtbot, owner_ctx, cid).rank_panel
    assert panel.reason.text() == "Diamond — set by hand by Chủ Thử on 20/11/2026"
    assert panel.pin.isChecked() and panel.history.item(0, 3).text() == "set by hand"


def test_a_rank_lowered_by_hand_is_not_told_as_reached(
    qtbot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    """Diamond → Gold by hand for a customer who spent 17,528,000 VND read "Gold since … —
    17,528,000 VND ≥ 5,000,000 VND", as if the recompute had put them there."""
    (cid,) = customers_with(engine, [{"total_expenses": 17_528_000}])
    ranks.recompute_ranks(owner_ctx)
    assert customer(engine, cid).rank == Rank.DIAMOND
    ranks.set_rank(owner_ctx, cid, Rank.GOLD)
    panel = open_detail(qtbot, owner_ctx, cid).rank_panel
    assert panel.reason.text() == "Gold — set by hand by Chủ Thử on 20/11/2026"
    rows = [[panel.history.item(r, c).text() for c in (1, 2, 3, 4)] for r in range(2)]
    assert rows == [["Diamond", "Gold", "set by hand", "Chủ Thử"],
                    ["Bronze", "Diamond", "17,528,000 VND ≥ 10,000,000 VND", "Chủ Thử"]]


def test_rank_and_group_chosen_by_hand(qtbot, engine: Engine, owner_ctx: ServiceContext) -> None:
    wholesale = levels.save_level(owner_ctx, name="Khách sỉ", code="SI")
    (cid,) = customers_with(engine, [{"total_expenses": 100_000}])
    dialog = open_detail(qtbot, owner_ctx, cid)
    panel = dialog.rank_panel
    boxes = panel.rank_box, panel.level_box
    assert [b.currentText() for b in boxes] == ["Bronze", "No group"]
    assert [panel.level_box.itemText(i) for i in range(panel.level_box.count())] == [
        "No group", "Khách sỉ (SI)"]  # fmt: skip
    assert not panel.pin.isChecked()
    with qtbot.waitSignal(dialog.changed, timeout=WAIT):
        panel.rank_box.setCurrentIndex(panel.rank_box.findText("Gold"))
        panel.rank_box.activated.emit(panel.rank_box.currentIndex())
    qtbot.waitUntil(lambda: panel.rank_box.isEnabled(), timeout=WAIT)
    assert (customer(engine, cid).rank, customer(engine, cid).rank_pinned) == (Rank.GOLD, True)
    assert panel.message.text() == "Rank given by hand: Gold."
    assert panel.reason.text() == "Gold — set by hand by Chủ Thử on 20/11/2026"
    with qtbot.waitSignal(dialog.changed, timeout=WAIT):
        panel.level_box.setCurrentIndex(1)
        panel.level_box.activated.emit(1)
    qtbot.waitUntil(lambda: panel.level_box.isEnabled(), timeout=WAIT)
    row = customer(engine, cid)
    assert (row.level_id, row.level_pinned) == (wholesale, True)
    assert panel.message.text() == "Group given by hand: Khách sỉ (SI)."
    assert [b.currentText() for b in boxes] == ["Gold", "Khách sỉ (SI)"]
    assert panel.pin.isChecked()
    assert "Khách sỉ" in dialog.meta_label.text()


def test_the_rank_history_columns_hold_their_texts(
    qtbot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    """ "10,391,400 VND ≥ 10,000,000 VND" was cut in a fifth of the table's width beside
    half-empty rank columns; the reason takes the room the short columns leave."""
    (cid,) = customers_with(engine, [{"total_expenses": 10_391_400}])
    ranks.recompute_ranks(owner_ctx)
    dialog = show_widget(qtbot, CustomerDetailDialog(owner_ctx, cid), 1040, 720)
    qtbot.waitUntil(lambda: not dialog.stats_loading, timeout=WAIT)
    panel = dialog.rank_panel
    dialog.tabs.setCurrentWidget(panel)
    history = panel.history
    qtbot.waitUntil(lambda: history.rowCount() == 1, timeout=WAIT)
    qtbot.wait(50)
    assert history.item(0, 3).text() == "10,391,400 VND ≥ 10,000,000 VND"
    for c in range(5):
        assert history.sizeHintForColumn(c) <= history.columnWidth(c), c
    assert history.item(0, 3).toolTip() == history.item(0, 3).text()  # whole when cut
