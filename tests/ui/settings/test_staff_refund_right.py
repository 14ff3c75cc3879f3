"""Settings → Staff: the right "Refunds and returns" is a box under Orders in the add/edit
dialog, off for a new account, open only to a staff member with Orders, saved (and
audited) with the rest, and named in the list's Modules column. Real widgets, real store."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import Session, col, select

from primedist.domain.audit import AuditEvent
from primedist.domain.enums import Module, Role
from primedist.services import staff
from primedist.services.context import ServiceContext
from primedist.ui.settings.audit_labels import field_label
from primedist.ui.settings.staff import COL_MODULES, StaffSettings
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


def row_text(page: StaffSettings, email: str, column: int) -> str:
    row = next(i for i, m in enumerate(page.members) if m.email == email)
    return page.table.item(row, column).text()


def test_the_right_is_ticked_under_orders_saved_and_taken_away(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    page = show_widget(qtbot, StaffSettings(owner_ctx))
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=WAIT)
    dialog = page.add_member()
    box = dialog.refunds_box
    assert box.objectName() == "right_refunds" and box.text() == "Refunds and returns"
    assert not box.isChecked() and not box.isEnabled()  # new: off, and no Orders yet
    assert "owner and managers always may" in box.toolTip()
    dialog.name.setText("Trần Lan")
    dialog.email.setText("lan@shop.vn")
    dialog.module_boxes[Module.ORDERS].setChecked(True)
    assert box.isEnabled()
    box.setChecked(True)
    dialog.role.setCurrentIndex(dialog.role.findData(Role.MANAGER.value))
    assert not box.isEnabled()  # a manager always may
    dialog.role.setCurrentIndex(dialog.role.findData(Role.STAFF.value))
    assert box.isEnabled() and box.isChecked()
    dialog.submit()
    qtbot.waitUntil(lambda: page.table.rowCount() == 2, timeout=WAIT)
    (lan,) = [m for m in staff.list_staff(owner_ctx) if m.email == "lan@shop.vn"]
    assert lan.can_refund and lan.modules == {Module.ORDERS}
    assert row_text(page, "lan@shop.vn", COL_MODULES) == "Orders, Refunds and returns"

    page.select_email("lan@shop.vn")
    edit = page.edit_selected()
    assert edit is not None and edit.refunds_box.isChecked() and edit.refunds_box.isEnabled()
    edit.refunds_box.setChecked(False)
    with qtbot.waitSignal(edit.accepted, timeout=WAIT):
        edit.submit()
    assert not staff.get_member(owner_ctx, lan.id).can_refund
    qtbot.waitUntil(lambda: row_text(page, "lan@shop.vn", COL_MODULES) == "Orders", timeout=WAIT)

    with Session(owner_ctx.engine) as session:
        (update,) = session.exec(select(AuditEvent).where(AuditEvent.action == "staff.update")
                                 .order_by(col(AuditEvent.id))).all()  # fmt: skip
    assert json.loads(update.before_json or "") == {"can_refund": True}
    assert json.loads(update.after_json or "") == {"can_refund": False}
    assert field_label("can_refund") == "refunds and returns"  # how the log names it
