"""Deleting a customer group (Settings → Customer groups) or a tag (Customers → Tags)
switches off the vouchers that were only for it: the delete question names them first."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy.engine import Engine

from primedist.domain.enums import DiscountKind
from primedist.services import tags as tags_svc
from primedist.services.context import ServiceContext
from primedist.services.loyalty import levels as levels_svc
from primedist.services.loyalty.vouchers import VoucherDraft, list_vouchers, save_voucher
from primedist.ui.customers import segments as segments_ui
from primedist.ui.customers.segments import TagsDialog
from primedist.ui.settings.levels import LevelsSettings
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


def switched_on(ctx: ServiceContext) -> dict[str, bool]:
    return {row.draft.code: row.draft.is_active for row in list_vouchers(ctx)}


def test_deleting_a_group_names_the_vouchers_it_switches_off(
    qtbot: Any, engine: Engine, owner_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    vip = levels_svc.save_level(owner_ctx, name="VIP", code="VIP")
    gold = levels_svc.save_level(owner_ctx, name="Vàng", code="GOLD")
    levels_svc.save_level(owner_ctx, name="Thường", code="REG")
    for code in ("VIP15", "VIP5"):
        save_voucher(owner_ctx, VoucherDraft(code, kind=DiscountKind.PERCENT, value=15,
                                             level_ids=(vip,)))  # fmt: skip
    save_voucher(owner_ctx, VoucherDraft("THANTHIET", value=30_000, level_ids=(vip, gold)))
    asked: list[str] = []

    def answer(_parent: Any, _title: str, text: str) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    section = show_widget(qtbot, LevelsSettings(owner_ctx), 900, 700)
    qtbot.waitUntil(lambda: section.table.rowCount() == 3, timeout=WAIT)
    section.table.selectRow(0)
    qtbot.waitUntil(lambda: section.delete_button.isEnabled(), timeout=WAIT)
    assert section.current() is not None and section.current().id == vip  # type: ignore[union-attr]
    qtbot.mouseClick(section.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.table.rowCount() == 2, timeout=WAIT)
    assert asked == [
        "Delete the level VIP? Its 0 members fall back to no level and its prices are "
        "removed.\n\nVouchers VIP15, VIP5 are only for this group: they will be switched off."
    ]
    assert switched_on(owner_ctx) == {"VIP15": False, "VIP5": False, "THANTHIET": True}
    # A group no voucher depends on alone: the question as before.
    section.table.selectRow(1)
    qtbot.waitUntil(lambda: section.delete_button.isEnabled(), timeout=WAIT)
    qtbot.mouseClick(section.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.table.rowCount() == 1, timeout=WAIT)
    assert asked[1] == ("Delete the level Thường? Its 0 members fall back to no level and its "
                        "prices are removed.")  # fmt: skip
    assert levels_svc.vouchers_only_for_level(owner_ctx, gold) == ["THANTHIET"]


def test_deleting_a_tag_names_the_vouchers_it_switches_off(
    qtbot: Any, owner_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    wholesale = tags_svc.create_tag(owner_ctx, "Khách sỉ")
    save_voucher(owner_ctx, VoucherDraft("SI20", kind=DiscountKind.PERCENT, value=20,
                                         tag_ids=(wholesale,)))  # fmt: skip
    asked: list[str] = []

    def confirm(_parent: Any, _title: str, text: str) -> bool:
        asked.append(text)
        return True

    monkeypatch.setattr(segments_ui, "ask_confirm", confirm)
    dialog = TagsDialog(owner_ctx)
    with qtbot.waitSignal(dialog.loaded, timeout=WAIT):
        show_widget(qtbot, dialog, 460, 420)
    dialog.select_id(wholesale)
    with qtbot.waitSignal(dialog.loaded, timeout=WAIT):
        dialog.delete_button.click()
    assert asked == ["Delete tag Khách sỉ? It is taken off its 0 customers.\n\n"
                     "Vouchers SI20 are only for this tag: they will be switched off."]  # fmt: skip
    assert switched_on(owner_ctx) == {"SI20": False}
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT)
