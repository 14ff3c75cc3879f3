"""Bulk printing with one print job per order, on a real CUPS queue that stops part way:
the message says how many were printed, and Retry prints only the orders not printed
(never a second slip of the ones that were)."""

from __future__ import annotations

import subprocess
from collections import Counter
from dataclasses import replace

import pytest
from PySide6.QtWidgets import QMessageBox

from primedist.printing.model import DocumentType, PrintTarget, TargetKind
from primedist.printing.store import load_profile, save_profile
from primedist.ui.orders.tab import OrdersPage
from primedist.ui.printing import jobs, render
from tests.printing.support import pdf_text, vietnamese_order
from tests.ui.printing.test_print_actions import menu_action

pytestmark = pytest.mark.usefixtures("english")

ORDERS, STOPS_AFTER = 5, 2


@pytest.fixture
def stops_after_two(cups, monkeypatch):
    """The capture queue pauses itself once two jobs were sent to it (as a printer that
    runs out of paper); resumed after the test."""
    sent = []
    real = render.print_to_printer

    def print_then_stop(documents, name, **kwargs):
        real(documents, name, **kwargs)
        sent.append(name)
        if len(sent) == STOPS_AFTER:
            subprocess.run(["cupsdisable", cups.capture], check=True)

    monkeypatch.setattr(render, "print_to_printer", print_then_stop)
    yield sent
    subprocess.run(["cupsenable", cups.capture], check=True)


def numbers_printed(cups, before: set[str], count: int, numbers: list[str]) -> Counter[str]:
    """Which order numbers the `count` jobs sent after `before` carry (each job's PDF)."""
    found: Counter[str] = Counter()
    for path in cups.wait_jobs(before, count):
        found.update(n for n in numbers if n in pdf_text(path))
    return found


def test_print_orders_says_how_far_it_got(qapp, engine, cups, shop_ctx, stops_after_two):
    ids = [vietnamese_order(engine, shop_ctx).id for _ in range(ORDERS)]
    with pytest.raises(jobs.PartlyPrinted) as err:
        jobs.print_orders(shop_ctx, ids, DocumentType.PACKING_SLIP, one_job=False,
                          target=PrintTarget(TargetKind.SYSTEM, name=cups.capture))  # fmt: skip
    assert err.value.printed == STOPS_AFTER and err.value.remaining == ids[STOPS_AFTER:]
    assert err.value.user_message.startswith("2 of 5 printed. The printer ")
    assert "paused or offline" in err.value.user_message


def test_retry_prints_only_the_orders_not_printed(qtbot, engine, cups, shop_ctx,
                                                  stops_after_two):  # fmt: skip
    numbers = [vietnamese_order(engine, shop_ctx).number for _ in range(ORDERS)]
    profile = load_profile(shop_ctx, DocumentType.PACKING_SLIP)
    save_profile(shop_ctx, replace(profile, target=PrintTarget(TargetKind.SYSTEM,
                                                               name=cups.capture)))  # fmt: skip
    page = OrdersPage(shop_ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == ORDERS)
    page.view.selectAll()
    qtbot.waitUntil(lambda: page.print_button.isEnabled())
    menu_action(page.print_button, "separateJobs").setChecked(True)
    before = cups.jobs()
    with qtbot.waitSignal(page.printer.failed, timeout=30_000) as failed:
        menu_action(page.print_button, "print_packing_slip").trigger()
    assert failed.args[0].startswith("2 of 5 printed. ")
    # Paper back in: the jobs sent before it stopped come out (the last may have waited).
    subprocess.run(["cupsenable", cups.capture], check=True)
    first = numbers_printed(cups, before, STOPS_AFTER, numbers)
    assert sum(first.values()) == STOPS_AFTER
    box = page.printer.error_box
    assert box is not None and box.isVisible()
    after_first = cups.jobs()
    with qtbot.waitSignal(page.printer.printed, timeout=30_000):
        box.button(QMessageBox.StandardButton.Retry).click()
    rest = numbers_printed(cups, after_first, ORDERS - STOPS_AFTER, numbers)
    assert first + rest == Counter(numbers)  # each order's slip once
    qtbot.waitUntil(lambda: "3 documents printed to" in page.message.text())
