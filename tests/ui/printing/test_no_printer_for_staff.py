"""No printer chosen for the receipt: who may open Settings is offered Printers &
templates; a cashier with Orders only, who cannot open it, is told to ask the shop owner.
The same for the end-of-day report, and for goods paperwork on a thermal invoice printer."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtWidgets import QPushButton, QWidget

from primedist.domain.enums import Module, Role
from primedist.printing.errors import PrinterNotFound, PrintError
from primedist.printing.model import DocumentType, PrintTarget, TargetKind
from primedist.printing.store import load_profile, save_profile
from primedist.services import auth, staff
from primedist.services.context import ServiceContext
from primedist.services.end_of_day import end_of_day
from primedist.ui.printing.actions import OrderPrinter
from primedist.ui.printing.jobs import print_end_of_day, print_goods_receipt
from tests.printing.test_goods_documents_thermal import thermal_invoice  # noqa: F401  (fixture)
from tests.printing.test_goods_receipt_print import delivery

pytestmark = pytest.mark.usefixtures("english")


def cashier(owner_ctx: ServiceContext) -> ServiceContext:
    """Lan, staff with Orders only, signed in with her own password."""
    issued = staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF,
                             modules=(Module.ORDERS,))  # fmt: skip
    first = owner_ctx.with_actor(auth.login(owner_ctx, "lan@shop.vn", issued.one_time_password))
    return owner_ctx.with_actor(staff.choose_password(first, "lan-own-pass"))


def print_failure(qtbot, ctx: ServiceContext, order_id: int) -> tuple[str, str, bool]:  # noqa: ANN001
    """The failure box's text, its advice, and whether it offers Open printer settings."""
    widget = QWidget()
    qtbot.addWidget(widget)
    printer = OrderPrinter(widget, ctx)
    with qtbot.waitSignal(printer.failed, timeout=15_000) as failed:
        printer.print([order_id], DocumentType.RECEIPT)
    box = printer.error_box
    assert box is not None and box.text() == failed.args[0]
    settings = box.findChild(QPushButton, "printOpenSettings") is not None
    box.close()
    return failed.args[0], box.informativeText(), settings


def test_no_printer_chosen_sends_only_who_may_open_settings_there(qtbot, shop_ctx,
                                                                    sample_order):  # fmt: skip
    profile = load_profile(shop_ctx, DocumentType.RECEIPT)
    no_printer = PrintTarget(TargetKind.SYSTEM, name="")
    save_profile(shop_ctx, replace(profile, target=no_printer, preview=False))
    said = "No printer is set up yet, so nothing was printed."
    assert print_failure(qtbot, shop_ctx, sample_order.id) == (
        said,
        "You can see it on screen and save it as a PDF. To print on paper, choose a printer in "
        "the printer settings.",
        True,
    )
    assert print_failure(qtbot, cashier(shop_ctx), sample_order.id) == (
        said,
        "You can see it on screen and save it as a PDF. To print on paper, ask the shop owner "
        "to choose a printer (Settings → Printers & templates).",
        False,
    )


def staff_member(owner_ctx: ServiceContext, module: Module) -> ServiceContext:
    """Staff with `module` only (no Settings), signed in with their own password."""
    issued = staff.add_staff(owner_ctx, name="Minh", email="minh@shop.vn", role=Role.STAFF,
                             modules=(module,))  # fmt: skip
    first = owner_ctx.with_actor(auth.login(owner_ctx, "minh@shop.vn", issued.one_time_password))
    return owner_ctx.with_actor(staff.choose_password(first, "minh-own-pass"))


def test_the_end_of_day_report_without_a_printer_sends_a_cashier_to_the_owner(
    qapp, shop_ctx  # noqa: ANN001
) -> None:  # fmt: skip
    profile = load_profile(shop_ctx, DocumentType.RECEIPT)
    save_profile(shop_ctx, replace(profile, target=PrintTarget(TargetKind.SYSTEM, name="")))
    for ctx, advice in ((shop_ctx, "choose one in Settings → Printers & templates."),
                        (cashier(shop_ctx), "ask the shop owner to choose one (Settings → "
                                            "Printers & templates).")):  # fmt: skip
        with pytest.raises(PrinterNotFound) as err:
            print_end_of_day(ctx, end_of_day(ctx))
        assert err.value.user_message == f"No printer is chosen for this document: {advice}"


def test_goods_paperwork_on_a_thermal_invoice_printer_sends_staff_to_the_owner(
    qapp, shop_ctx, thermal_invoice  # noqa: ANN001, F811
) -> None:  # fmt: skip
    receipt = delivery(shop_ctx).id
    with pytest.raises(PrintError) as err:
        print_goods_receipt(staff_member(shop_ctx, Module.PRODUCTS), receipt)
    text = err.value.user_message
    assert "ask the shop owner to choose a system printer for the invoice" in text
    assert "Save as PDF" in text and thermal_invoice.jobs == []
