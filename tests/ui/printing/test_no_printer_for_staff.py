"""No printer chosen for the receipt: who may open Settings is sent to Printers &
templates; a cashier with Orders only, who cannot open it, is told to ask the shop owner."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtWidgets import QWidget

from primedist.domain.enums import Module, Role
from primedist.printing.model import DocumentType, PrintTarget, TargetKind
from primedist.printing.store import load_profile, save_profile
from primedist.services import auth, staff
from primedist.services.context import ServiceContext
from primedist.ui.printing.actions import OrderPrinter

pytestmark = pytest.mark.usefixtures("english")


def cashier(owner_ctx: ServiceContext) -> ServiceContext:
    """Lan, staff with Orders only, signed in with her own password."""
    issued = staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF,
                             modules=(Module.ORDERS,))  # fmt: skip
    first = owner_ctx.with_actor(auth.login(owner_ctx, "lan@shop.vn", issued.one_time_password))
    return owner_ctx.with_actor(staff.choose_password(first, "lan-own-pass"))


def print_failure(qtbot, ctx: ServiceContext, order_id: int) -> str:  # noqa: ANN001
    widget = QWidget()
    qtbot.addWidget(widget)
    printer = OrderPrinter(widget, ctx)
    with qtbot.waitSignal(printer.failed, timeout=15_000) as failed:
        printer.print([order_id], DocumentType.RECEIPT)
    assert printer.error_box is not None and printer.error_box.text() == failed.args[0]
    printer.error_box.close()
    return failed.args[0]


def test_no_printer_chosen_sends_only_who_may_open_settings_there(qtbot, shop_ctx,
                                                                    sample_order):  # fmt: skip
    profile = load_profile(shop_ctx, DocumentType.RECEIPT)
    no_printer = PrintTarget(TargetKind.SYSTEM, name="")
    save_profile(shop_ctx, replace(profile, target=no_printer, preview=False))
    assert print_failure(qtbot, shop_ctx, sample_order.id) == (
        "No printer is chosen for this document: choose one in Settings → Printers & templates."
    )
    assert print_failure(qtbot, cashier(shop_ctx), sample_order.id) == (
        "No printer is chosen for this document: ask the shop owner to choose one (Settings → "
        "Printers & templates)."
    )
