# ruff: noqa: F811  (pytest fixtures imported from the service tests)
"""Orders → Print → Shipping labels on a selection: the carriers' labels of every selected
order in one document (one PDF, one page a label in the list's order; one print job), the
orders without a label named after in one message with why. Against the carrier sandbox
(real HTTP) and a real CUPS queue; the PDF read back with poppler."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from primedist.carriers.base import LabelDocument
from primedist.services import shipping as svc
from primedist.services.context import ServiceContext
from primedist.services.shipping_labels import LeftOut, MergedLabels
from primedist.ui.ops import tracker
from primedist.ui.orders.shipment import LABEL_PRINTER_KEY
from primedist.ui.orders.tab import OrdersPage
from primedist.ui.printing import carrier_labels
from tests.printing.conftest import cups  # noqa: F401  (the session's CUPS)
from tests.printing.support import pdf_pages_mm, pdf_text
from tests.services.test_bulk_shipping import order_to
from tests.services.test_shipping import FAST, draft, fast_factory, ghn_id, sandbox  # noqa: F401
from tests.ui.printing.test_print_actions import menu_action
from tests.ui.support import WAIT, close_page, show_widget

pytestmark = pytest.mark.usefixtures("english", "quiet")


@pytest.fixture
def orders(owner_ctx: ServiceContext, ghn_id, fast_factory) -> dict[str, int]:
    """Two orders shipped with GHN, one not shipped."""
    ctx = owner_ctx
    found = {}
    for key, ward in (("first", "Phường Bến Nghé"), ("second", "Phường Đa Kao")):
        found[key] = order_to(ctx, ctx.engine, province="Hồ Chí Minh", ward=ward)
        svc.request_shipment(ctx, found[key], draft(ctx, found[key], ghn_id))
    svc.deliver_carrier_outbox(ctx, factory=fast_factory)
    found["not_shipped"] = order_to(ctx, ctx.engine, province="Hà Nội", ward="Phường Kim Mã")
    return found


@pytest.fixture
def page(qtbot, owner_ctx: ServiceContext, orders) -> Iterator[OrdersPage]:
    p = show_widget(qtbot, OrdersPage(owner_ctx), height=760)
    qtbot.waitUntil(lambda: not p.busy and p.model.loaded_keys >= len(orders), timeout=WAIT)
    yield p
    close_page(qtbot, p, lambda: not p.busy and not p.counts_pending)


def number(ctx: ServiceContext, order_id: int) -> str:
    with ctx.engine.connect() as conn:
        return conn.execute(sa.text("SELECT external_id FROM orders WHERE id = :i"),
                            {"i": order_id}).scalar_one()  # fmt: skip


def code(ctx: ServiceContext, order_id: int) -> str:
    return svc.order_shipments(ctx, order_id)[0].carrier_order_code or ""


def pdf_submenu_action(page: OrdersPage, name: str):
    menu = page.print_button.menu()
    menu.aboutToShow.emit()  # the texts, as when it opens
    pdf = next(a.menu() for a in menu.actions() if a.menu() and a.menu().objectName() == "pdfMenu")
    return next(a for a in pdf.actions() if a.objectName() == name)


def test_save_as_pdf_makes_one_file_and_names_the_orders_left_out(
    qtbot, page, orders, owner_ctx, monkeypatch, tmp_path
):
    ctx = owner_ctx
    offered: list[Path] = []
    target = tmp_path / "labels.pdf"

    def ask(_parent, _ctx, _purpose, _title, suggested: Path, _filters):
        offered.append(suggested)
        return target, "PDF document (*.pdf)"

    monkeypatch.setattr(carrier_labels, "ask_save_file", ask)
    assert page.select_ids(orders.values()) == 3
    chosen = page.selected_ids()  # the list's order
    action = pdf_submenu_action(page, "pdf_shipping_labels")
    assert action.text() == "Shipping labels…"
    action.trigger()
    qtbot.waitUntil(lambda: page.carrier_labels.left_out_box is not None, timeout=WAIT)

    ends = [number(ctx, chosen[0]), number(ctx, chosen[-1])]
    assert offered[0].name == f"shipping-labels-{ends[0]}_{ends[1]}.pdf"
    # One page a label, the shipped orders in the list's order.
    assert len(pdf_pages_mm(target)) == 2
    shipped = [i for i in chosen if i != orders["not_shipped"]]
    text = pdf_text(target)
    assert text.index(code(ctx, shipped[0])) < text.index(code(ctx, shipped[1]))
    # One message after: how many were saved, and each order left out with why.
    box = page.carrier_labels.left_out_box
    assert box.isVisible() and box.text() == "2 labels saved in labels.pdf, one per page."
    assert box.informativeText() == (
        f"1 order is not in it:\n{number(ctx, orders['not_shipped'])}: "
        "It has no shipment with a carrier: ship it first."
    )
    box.button(QMessageBox.StandardButton.Ok).click()
    assert page.message_bar.label.text() == "2 labels saved in labels.pdf, one per page."


def test_print_sends_one_job_to_the_label_printer(qtbot, page, orders, owner_ctx, cups):
    ctx = owner_ctx
    prefs = QSettings(str(ctx.settings.data_dir / "ui.ini"), QSettings.Format.IniFormat)
    prefs.setValue(LABEL_PRINTER_KEY, cups.capture)  # chosen beside an order's Print label
    prefs.sync()
    ids = [orders["second"], orders["first"]]
    assert page.select_ids(ids) == 2
    before = cups.jobs()
    action = menu_action(page.print_button, "print_shipping_labels")
    assert action.text() == "Shipping labels"
    action.trigger()
    job = cups.wait_job(before)  # one job for both
    assert len(pdf_pages_mm(job)) == 2
    text = pdf_text(job)
    listed = page.selected_ids()
    assert text.index(code(ctx, listed[0])) < text.index(code(ctx, listed[1]))
    qtbot.waitUntil(lambda: not page.carrier_labels.busy, timeout=WAIT)
    assert page.carrier_labels.left_out_box is None  # nothing left out: no box
    assert page.message_bar.label.text() == f"2 labels sent to {cups.capture} (one print job)."


def test_cancel_while_the_labels_are_fetched_saves_nothing(
    qtbot, page, orders, owner_ctx, monkeypatch, tmp_path
):
    target = tmp_path / "labels.pdf"
    monkeypatch.setattr(carrier_labels, "ask_save_file", lambda *_a: (target, ""))
    fetching, release = threading.Event(), threading.Event()

    def slow_carrier(ctx: ServiceContext, account_id: int) -> svc.Carrier:
        client = svc.carrier_for(ctx, account_id, FAST)
        real = client.label

        def label(code: str) -> LabelDocument:
            fetching.set()  # the carrier is slow to answer: Cancel is pressed meanwhile
            release.wait(10)
            return real(code)

        client.label = label  # type: ignore[method-assign]
        return client

    page.carrier_labels.factory = slow_carrier
    assert page.select_ids([orders["first"], orders["second"]]) == 2
    pdf_submenu_action(page, "pdf_shipping_labels").trigger()
    assert fetching.wait(10)
    op = page.carrier_labels.op
    assert op is not None and op.job in tracker().jobs  # shown with Cancel in the jobs bar
    op.job.progress.cancel()
    release.set()
    qtbot.waitUntil(lambda: not page.carrier_labels.busy, timeout=WAIT)
    assert not target.exists()  # nothing written, nothing said as done
    assert page.carrier_labels.left_out_box is None and page.carrier_labels.error_box is None
    assert not page.message_bar.isVisible()


def test_a_long_list_left_out_names_the_first_and_keeps_all_in_the_details():
    left = tuple(
        LeftOut(i, f"DH261207-{i:04d}", "It has no shipment with a carrier: ship it first.")
        for i in range(1, 21)
    )
    result = MergedLabels(None, 0, 0, left)
    shown = carrier_labels.left_out_text(result, carrier_labels.LEFT_OUT_SHOWN).splitlines()
    assert shown[0] == "20 orders are not in it:" and len(shown) == 1 + 15 + 1
    assert shown[-1] == "… and 5 more: see Show Details."
    every = carrier_labels.left_out_text(result).splitlines()
    assert every[1:] == [f"DH261207-{i:04d}: It has no shipment with a carrier: ship it first."
                         for i in range(1, 21)]  # fmt: skip
