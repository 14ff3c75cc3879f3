"""The staff right "Export data": a box under the modules in Settings → Staff, off for a new
account, open only to a staff role, saved (and audited) with the rest and named in the
list's Modules column. A staff member signed in without it finds Export greyed out on the
Orders and Customers lists, the tooltip saying who may; with it, Export works as before.
Taking it away signs the person out, as taking a module does. Real widgets, real store."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtWidgets import QPushButton, QWidget
from sqlmodel import Session, col, select

from primedist.config import Settings
from primedist.domain.audit import AuditEvent
from primedist.domain.enums import Module, Role
from primedist.domain.user import User
from primedist.services import auth, staff
from primedist.services.context import ServiceContext
from primedist.ui.app import GuiSession
from primedist.ui.main_window import MainWindow, rights_lost
from primedist.ui.orders.tab import OrdersPage
from primedist.ui.settings.audit_labels import field_label
from primedist.ui.settings.staff import COL_MODULES, StaffSettings
from tests.conftest import FIXED_NOW
from tests.factories import make_orders, make_shop
from tests.ui.support import WAIT, assert_db_worker_idle, show_widget
from tests.ui.test_access_changed_signs_out import CHANGED, back_at_sign_in

pytestmark = pytest.mark.usefixtures("quiet")

WHO = "Only the owner, a manager or staff with the right “Export data” may export"


def row_text(page: StaffSettings, email: str, column: int) -> str:
    row = next(i for i, m in enumerate(page.members) if m.email == email)
    return page.table.item(row, column).text()


def test_the_right_is_ticked_saved_and_taken_away(qtbot: Any, owner_ctx: ServiceContext) -> None:
    page = show_widget(qtbot, StaffSettings(owner_ctx))
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=WAIT)
    dialog = page.add_member()
    box = dialog.exports_box
    assert box.objectName() == "right_exports" and box.text() == "Export data"
    assert not box.isChecked() and box.isEnabled()  # new: off; for any staff member
    assert "owner and managers always may" in box.toolTip()
    dialog.name.setText("Trần Lan")
    dialog.email.setText("lan@shop.vn")
    dialog.module_boxes[Module.ORDERS].setChecked(True)
    box.setChecked(True)
    dialog.role.setCurrentIndex(dialog.role.findData(Role.MANAGER.value))
    assert not box.isEnabled()  # a manager always may
    dialog.role.setCurrentIndex(dialog.role.findData(Role.STAFF.value))
    assert box.isEnabled() and box.isChecked()
    dialog.submit()
    qtbot.waitUntil(lambda: page.table.rowCount() == 2, timeout=WAIT)
    (lan,) = [m for m in staff.list_staff(owner_ctx) if m.email == "lan@shop.vn"]
    assert lan.can_export and not lan.can_refund and lan.modules == {Module.ORDERS}
    assert row_text(page, "lan@shop.vn", COL_MODULES) == "Orders, Export data"

    page.select_email("lan@shop.vn")
    edit = page.edit_selected()
    assert edit is not None and edit.exports_box.isChecked() and edit.exports_box.isEnabled()
    edit.exports_box.setChecked(False)
    with qtbot.waitSignal(edit.accepted, timeout=WAIT):
        edit.submit()
    assert not staff.get_member(owner_ctx, lan.id).can_export
    qtbot.waitUntil(lambda: row_text(page, "lan@shop.vn", COL_MODULES) == "Orders", timeout=WAIT)

    with Session(owner_ctx.engine) as session:
        (update,) = session.exec(select(AuditEvent).where(AuditEvent.action == "staff.update")
                                 .order_by(col(AuditEvent.id))).all()  # fmt: skip
    assert json.loads(update.before_json or "") == {"can_export": True}
    assert json.loads(update.after_json or "") == {"can_export": False}
    assert field_label("can_export") == "export data"  # how the log names it


def sign_in(qapp: Any, ctx: ServiceContext, owner_ctx: ServiceContext, settings: Settings,
            *modules: Module, exports: bool) -> tuple[GuiSession, MainWindow, int]:  # fmt: skip
    """Lan, a staff member with `modules`, signed in to the app's window."""
    issued = staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF,
                             modules=modules, can_export=exports)  # fmt: skip
    session = GuiSession(qapp, settings, ctx)
    main = session.open_main(auth.login(ctx, "lan@shop.vn", issued.one_time_password))
    return session, main, issued.member.id


def export_button(main: MainWindow, tab: str) -> QPushButton:
    main.select_tab(tab)
    button = main.tab_pages[tab].findChild(QPushButton, "exportButton")
    assert button is not None
    return button


def test_an_orders_only_window_without_the_right_has_export_greyed_out(
    qtbot: Any, qapp: Any, ctx: ServiceContext, owner_ctx: ServiceContext, settings: Settings
) -> None:
    make_orders(owner_ctx.engine, make_shop(owner_ctx.engine, "Shopee Lan"), 2,
                start=FIXED_NOW - timedelta(hours=1), step=timedelta(minutes=1))  # fmt: skip
    _session, main, _lan = sign_in(qapp, ctx, owner_ctx, settings, Module.ORDERS,
                                   exports=False)  # fmt: skip
    qtbot.addWidget(main)
    assert list(main.tab_pages) == ["home", "orders"]
    button = export_button(main, "orders")
    page = main.tab_pages["orders"].page
    assert isinstance(page, OrdersPage)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=WAIT)
    assert not button.isEnabled() and button.toolTip().startswith(WHO)
    # A row selected (the button's text and tooltip follow the selection): still greyed out.
    page.view.selectRow(0)
    qtbot.waitUntil(lambda: button.text() == "Export (1)", timeout=WAIT)
    assert not button.isEnabled() and button.toolTip().startswith(WHO)
    main.close()


@pytest.mark.parametrize("exports", [False, True])
def test_the_customers_list_follows_the_right_too(
    qtbot: Any, qapp: Any, ctx: ServiceContext, owner_ctx: ServiceContext, settings: Settings,
    exports: bool,
) -> None:  # fmt: skip
    _session, main, _lan = sign_in(qapp, ctx, owner_ctx, settings, Module.ORDERS,
                                   Module.CUSTOMERS, exports=exports)  # fmt: skip
    qtbot.addWidget(main)
    for tab in ("orders", "customers"):
        button = export_button(main, tab)
        qtbot.waitUntil(lambda b=button: b.toolTip() != "", timeout=WAIT)
        assert button.isEnabled() is exports, tab
        assert button.toolTip().startswith(WHO) is not exports, tab
    main.close()


def test_the_right_taken_away_signs_out_and_given_does_not(
    qtbot: Any, qapp: Any, ctx: ServiceContext, owner_ctx: ServiceContext, settings: Settings
) -> None:
    session, main, lan = sign_in(qapp, ctx, owner_ctx, settings, Module.ORDERS, exports=True)
    before = main.ctx.actor
    assert before.may_export and main.check_access()
    assert not rights_lost(replace(before, can_export=False), before)  # given: work on
    staff.update_staff(owner_ctx, lan, name="Lan", role=Role.STAFF, modules=[Module.ORDERS],
                       can_export=False)  # fmt: skip
    assert not main.check_access()  # her windows offered exports: signed out
    back_at_sign_in(qtbot, session, CHANGED)


def test_the_right_given_enables_export_at_once(
    qtbot: Any, qapp: Any, ctx: ServiceContext, owner_ctx: ServiceContext, settings: Settings
) -> None:
    make_orders(owner_ctx.engine, make_shop(owner_ctx.engine, "Shopee Lan"), 2,
                start=FIXED_NOW - timedelta(hours=1), step=timedelta(minutes=1))  # fmt: skip
    session, main, lan = sign_in(qapp, ctx, owner_ctx, settings, Module.ORDERS, exports=False)
    qtbot.addWidget(main)
    button = export_button(main, "orders")
    page = main.tab_pages["orders"].page
    assert isinstance(page, OrdersPage)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=WAIT)
    assert not button.isEnabled() and button.toolTip().startswith(WHO)
    staff.update_staff(owner_ctx, lan, name="Lan", role=Role.STAFF, modules=[Module.ORDERS],
                       can_export=True)  # fmt: skip
    assert main.check_access()  # the window's usual look at the account: still signed in
    assert session.main is main and main.ctx.actor.may_export and page.ctx.actor.may_export
    assert button.isEnabled() and button.toolTip() == "Export every order of this view to Excel"
    # The page's own updates keep it enabled (its context holds the right too).
    page.view.selectRow(0)
    qtbot.waitUntil(lambda: button.text() == "Export (1)", timeout=WAIT)
    assert button.isEnabled() and not button.toolTip().startswith(WHO)
    main.close()


def every_export_page() -> list[tuple[str, Callable[[ServiceContext], QWidget]]]:
    """(name, build) of the other pages with an Export button (each has `export_button`)."""
    from primedist.ui.analytics.detail import DetailPage
    from primedist.ui.customers.segments import SegmentsPage
    from primedist.ui.orders.end_of_day import EndOfDayDialog
    from primedist.ui.products.groups import SkuGroupsPage
    from primedist.ui.products.list_page import ProductListPage
    from primedist.ui.products.purchase_orders import PurchaseOrdersPage
    from primedist.ui.products.receipts import GoodsReceiptsPage
    from primedist.ui.products.suppliers import SuppliersPage

    day = FIXED_NOW.date()
    return [
        ("end of day", EndOfDayDialog),
        ("segments", SegmentsPage),
        ("products", ProductListPage),
        ("SKU groups", SkuGroupsPage),
        ("purchase orders", PurchaseOrdersPage),
        ("goods receipts", GoodsReceiptsPage),
        ("suppliers", SuppliersPage),
        ("analytics", lambda c: DetailPage(c, "revenue", day - timedelta(days=7), day, ())),
    ]


@pytest.mark.parametrize("name", [name for name, _build in every_export_page()])
def test_every_other_export_button_is_greyed_out_without_the_right(
    qtbot: Any, owner_ctx: ServiceContext, name: str
) -> None:
    build = dict(every_export_page())[name]
    issued = staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF,
                             modules=list(Module))  # every module, not the right  # fmt: skip
    with Session(owner_ctx.engine) as session:
        user = session.get(User, issued.member.id)
        assert user is not None
        lan = owner_ctx.with_actor(auth.actor_for(session, user))
    page = show_widget(qtbot, build(lan))
    button = page.export_button  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: button.toolTip().startswith(WHO), timeout=WAIT)
    assert_db_worker_idle()  # the page's first load done: it set the button again
    qtbot.wait(50)
    assert not button.isEnabled() and button.toolTip().startswith(WHO), name
