"""The labels dialog never picks a printer by itself: with none remembered it shows
"— Choose a printer —" and Print waits until one is chosen (the first of the list is
often the A4 office printer); a remembered printer is chosen again."""

from __future__ import annotations

from dataclasses import replace

import pytest

from primedist.services import labels as svc
from primedist.services.context import ServiceContext
from tests.printing.conftest import cups  # noqa: F401  (the session's CUPS)
from tests.ui.products.test_labels_dialog import open_labels, products  # noqa: F401

pytestmark = pytest.mark.usefixtures("english", "no_crash")


def test_no_printer_is_chosen_until_the_user_picks_one(qtbot, owner_ctx, products, cups):  # noqa: F811
    dialog = open_labels(qtbot, owner_ctx, [products["shirt"]])
    assert dialog.printer.count() > 1  # the CUPS queues are there
    assert dialog.printer.currentIndex() == 0 and dialog.printer.currentData() == ""
    assert dialog.printer.currentText() == "— Choose a printer —"
    assert dialog.pdf_button.isEnabled() and not dialog.print_button.isEnabled()
    dialog.printer.setCurrentIndex(dialog.printer.findData(cups.capture))
    assert dialog.print_button.isEnabled()
    dialog.printer.setCurrentIndex(0)  # back to no printer
    assert not dialog.print_button.isEnabled()


def test_a_remembered_printer_is_chosen(qtbot, owner_ctx: ServiceContext, products, cups):  # noqa: F811
    saved = svc.load_settings(owner_ctx)
    svc.save_settings(owner_ctx, replace(saved, printer=cups.capture))
    dialog = open_labels(qtbot, owner_ctx, [products["shirt"]])
    assert dialog.printer.currentData() == cups.capture and dialog.print_button.isEnabled()
