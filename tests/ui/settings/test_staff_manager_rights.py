"""A manager's Staff page offers only what the services let a manager do: the owner's and
the other managers' accounts are not theirs to edit, disable or reset (the buttons are off
and say why), and the role box offers no Manager (only the owner makes managers). Driven
through the real page on a real migrated store."""

from __future__ import annotations

from typing import Any

import pytest

from primedist.domain.enums import Module, Role
from primedist.services import staff
from primedist.services.context import Actor, ServiceContext
from primedist.ui.settings.staff import StaffDialog, StaffSettings
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")
OWNER_ONLY = "Only the owner may change the owner's or a manager's account."


def add(owner_ctx: ServiceContext, name: str, role: Role) -> Actor:
    m = staff.add_staff(owner_ctx, name=name, email=f"{name.lower()}@shop.vn", role=role,
                        modules=[Module.ORDERS]).member  # fmt: skip
    return Actor(m.id, m.name, m.email, m.role, m.modules)


def buttons(page: StaffSettings, email: str) -> tuple[bool, bool, bool, str]:
    page.select_email(email)
    return (page.edit_button.isEnabled(), page.active_button.isEnabled(),
            page.reset_button.isEnabled(), page.edit_button.toolTip())  # fmt: skip


def roles(dialog: StaffDialog) -> list[str]:
    return [dialog.role.itemData(i) for i in range(dialog.role.count())]


def test_a_manager_is_offered_only_the_staff_accounts_and_no_manager_role(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    mai = add(owner_ctx, "Mai", Role.MANAGER)
    add(owner_ctx, "Binh", Role.MANAGER)
    add(owner_ctx, "Lan", Role.STAFF)
    page = show_widget(qtbot, StaffSettings(owner_ctx.with_actor(mai)))
    qtbot.waitUntil(lambda: page.table.rowCount() == 4, timeout=WAIT)

    assert buttons(page, owner_ctx.actor.email) == (False, False, False, OWNER_ONLY)
    assert page.active_button.toolTip() == page.reset_button.toolTip() == OWNER_ONLY
    assert buttons(page, "binh@shop.vn") == (False, False, False, OWNER_ONLY)
    assert page.edit_selected() is None  # a double-click on the row opens nothing
    # Her own account: edit only (her password is changed in My account, reset by the
    # owner); a staff member's: everything.
    assert buttons(page, "mai@shop.vn") == (True, False, False, "")
    assert page.reset_button.toolTip() == OWNER_ONLY
    assert buttons(page, "lan@shop.vn") == (True, True, True, "")

    dialog = page.edit_selected()
    assert dialog is not None
    assert roles(dialog) == [Role.STAFF.value]  # no Manager to pick for Lan
    dialog.reject()
    new = page.add_member()
    assert roles(new) == [Role.STAFF.value]
    new.reject()
    page.select_email("mai@shop.vn")
    own = page.edit_selected()
    assert own is not None and Role.MANAGER.value in roles(own)  # she keeps her own role
    assert own.role.currentData() == Role.MANAGER.value
    own.reject()


def test_the_owner_manages_every_account_and_makes_managers(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    add(owner_ctx, "Binh", Role.MANAGER)
    add(owner_ctx, "Lan", Role.STAFF)
    page = show_widget(qtbot, StaffSettings(owner_ctx))
    qtbot.waitUntil(lambda: page.table.rowCount() == 3, timeout=WAIT)
    assert buttons(page, "binh@shop.vn") == (True, True, True, "")
    assert buttons(page, "lan@shop.vn") == (True, True, True, "")
    dialog = page.edit_selected()
    assert dialog is not None and Role.MANAGER.value in roles(dialog)
    dialog.reject()
