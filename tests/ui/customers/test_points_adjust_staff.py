"""The customer's Points tab for a staff member: the points and ledger shown, the manual
adjustment off with the reason (points are money off: the owner or a manager adjusts them);
a manager still adjusts."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from primedist.domain.enums import Module, Role
from primedist.domain.user import User
from primedist.services import auth, staff
from primedist.services.context import ServiceContext
from primedist.ui.customers.detail import CustomerDetailDialog
from tests.services.loyalty.conftest import customer, customers_with
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet", "english")


def signed_in(owner_ctx: ServiceContext, email: str, role: Role) -> ServiceContext:
    staff.add_staff(owner_ctx, name=email.split("@")[0], email=email, role=role,
                    modules=[Module.CUSTOMERS, Module.ORDERS])  # fmt: skip
    with Session(owner_ctx.engine) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        return owner_ctx.with_actor(auth.actor_for(session, user))


def open_detail(qtbot, ctx: ServiceContext, cid: int) -> CustomerDetailDialog:
    dialog = show_widget(qtbot, CustomerDetailDialog(ctx, cid), 1100, 760)
    qtbot.waitUntil(lambda: not dialog.stats_loading, timeout=WAIT)
    return dialog


def test_staff_see_the_points_but_cannot_adjust_them(
    qtbot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    (cid,) = customers_with(engine, [{"points_balance": 40, "points_earned": 40}])
    clerk = signed_in(owner_ctx, "thu.ngan@shop.vn", Role.STAFF)
    dialog = open_detail(qtbot, clerk, cid)
    assert "Remaining 40" in dialog.points_summary.text()
    bar = dialog.points_adjust
    bar.delta.setValue(1_000_000)
    bar.reason.setText("khách quen")
    assert not bar.delta.isEnabled() and not bar.reason.isEnabled()
    assert not bar.button.isEnabled()
    refusal = "Only the owner or a manager adjusts points."
    assert bar.message.text() == refusal and bar.button.toolTip() == refusal
    qtbot.mouseClick(bar.button, Qt.MouseButton.LeftButton)
    assert customer(engine, cid).points_balance == 40


def test_a_manager_adjusts_points(qtbot, engine: Engine, owner_ctx: ServiceContext) -> None:
    (cid,) = customers_with(engine, [{"points_balance": 40, "points_earned": 40}])
    manager = signed_in(owner_ctx, "quan.ly@shop.vn", Role.MANAGER)
    dialog = open_detail(qtbot, manager, cid)
    bar = dialog.points_adjust
    assert bar.message.text() == ""
    bar.delta.setValue(10)
    bar.reason.setText("quà sinh nhật")
    assert bar.button.isEnabled()
    with qtbot.waitSignal(dialog.changed, timeout=WAIT):
        qtbot.mouseClick(bar.button, Qt.MouseButton.LeftButton)
    row = customer(engine, cid)
    assert (row.points_balance, row.points_earned) == (50, 50)
    assert "Remaining 50" in dialog.points_summary.text()
