"""Edit staff corrects a mistyped email (the field is editable), and an email another
account uses is refused in the dialog, which stays open. Real page, real migrated store."""

from __future__ import annotations

from typing import Any

import pytest

from primedist.domain.enums import Role
from primedist.services import staff
from primedist.services.context import ServiceContext
from primedist.ui.settings.staff import StaffSettings
from tests.conftest import OWNER_EMAIL
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


def test_the_owner_corrects_a_staff_members_email(qtbot: Any, owner_ctx: ServiceContext) -> None:
    staff.add_staff(owner_ctx, name="Lan", email="lan@shpo.vn", role=Role.STAFF)
    page = show_widget(qtbot, StaffSettings(owner_ctx))
    qtbot.waitUntil(lambda: page.table.rowCount() == 2, timeout=WAIT)
    page.select_email("lan@shpo.vn")
    dialog = page.edit_selected()
    assert dialog is not None and dialog.email.isEnabled()

    dialog.email.setText(OWNER_EMAIL)
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=WAIT)
    assert dialog.message.text() == f"The email {OWNER_EMAIL} is already used by another account."
    assert dialog.isVisible()

    dialog.email.setText("lan@shop.vn")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        dialog.submit()
    qtbot.waitUntil(lambda: any(m.email == "lan@shop.vn" for m in page.members), timeout=WAIT)
    assert sorted(m.email for m in staff.list_staff(owner_ctx)) == ["lan@shop.vn", OWNER_EMAIL]
