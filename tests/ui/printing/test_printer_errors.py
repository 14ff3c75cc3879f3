"""The printer errors are worded in the app's language: each goes through
QCoreApplication.translate (context "printing"), also on the print worker, so a catalogue
that has them shows them in Vietnamese. A stand-in catalogue shows which text went
through it; without one the words are the English ones the CLI prints."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator

from primedist.printing import cups
from primedist.printing.errors import PrinterNotFound, PrinterOffline, PrinterRejected
from primedist.printing.model import DocumentType, PrintTarget, TargetKind
from primedist.printing.store import load_profile, save_profile
from primedist.ui.orders.detail import OrderDetailDialog
from primedist.ui.printing import render
from primedist.ui.printing.labels import LabelJob, print_labels

pytestmark = pytest.mark.usefixtures("english")

#: A stand-in catalogue for context "printing" (the order of %1 and %2 swapped once).
CATALOGUE = {
    "No printer is chosen for this document: choose one in Settings → Printers & "
    "templates.": "Chưa chọn máy in cho loại chứng từ này.",
    "none (is the print service running?)": "không có",
    "The printer %1 is not installed on this computer. Printers found: %2.":
        "Máy in có trên máy: %2. Không có máy in %1.",
    "The printer %1 is refusing new jobs. Turn job acceptance back on (or choose another "
    "printer), then try again.": "Máy in %1 đang từ chối lệnh in mới.",
    "The printer %1 is paused or offline (%2). Resume it, then try again.":
        "Máy in %1 đang tạm dừng (%2).",
    "The printer %1 is paused or offline. Resume it, then try again.":
        "Máy in %1 đang tạm dừng.",
    "No printer is chosen for the labels: choose one in Products → Print labels (or give "
    "--printer NAME).": "Chưa chọn máy in tem.",
}  # fmt: skip


class StandIn(QTranslator):
    def __init__(self) -> None:
        super().__init__()
        self.asked: list[tuple[str, str]] = []

    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: ANN001, ANN201
        self.asked.append((context, source))
        return CATALOGUE.get(source) if context == "printing" else None

    def isEmpty(self) -> bool:  # noqa: N802
        return False


@pytest.fixture
def catalogue(qapp) -> Iterator[StandIn]:
    translator = StandIn()
    qapp.installTranslator(translator)
    yield translator
    qapp.removeTranslator(translator)


def raised(name: str) -> str:
    with pytest.raises((PrinterNotFound, PrinterOffline, PrinterRejected)) as err:
        render.check_printer(name)
    return err.value.user_message


def queue(monkeypatch, names: list[str], state: cups.QueueState | None = None) -> None:
    monkeypatch.setattr(render, "available_printers", lambda: list(names))
    monkeypatch.setattr(cups, "queue_state", lambda _name: state)


STOPPED = cups.QueueState(accepting=True, state=cups.STOPPED, message="")


def test_check_printer_words_come_from_the_catalogue(monkeypatch, catalogue):
    queue(monkeypatch, [])
    assert raised("") == "Chưa chọn máy in cho loại chứng từ này."
    assert raised("Old_Laser") == "Máy in có trên máy: không có. Không có máy in 'Old_Laser'."
    queue(monkeypatch, ["Kho_1", "Quay_%2"])  # a name's own "%2" is not a placeholder
    assert raised("Old_Laser") == "Máy in có trên máy: Kho_1, Quay_%2. Không có máy in 'Old_Laser'."
    queue(monkeypatch, ["Quay"], replace(STOPPED, accepting=False, state=3))
    assert raised("Quay") == "Máy in 'Quay' đang từ chối lệnh in mới."
    queue(monkeypatch, ["Quay"], STOPPED)
    assert raised("Quay") == "Máy in 'Quay' đang tạm dừng."
    queue(monkeypatch, ["Quay"], replace(STOPPED, message="Hết giấy"))
    assert raised("Quay") == "Máy in 'Quay' đang tạm dừng (Hết giấy)."
    with pytest.raises(PrinterNotFound, match="^Chưa chọn máy in tem.$"):
        print_labels(LabelJob.__new__(LabelJob), "")
    assert {source for context, source in catalogue.asked if context == "printing"} == set(
        CATALOGUE
    )  # each message asked for, in its context


def test_without_a_catalogue_the_words_are_english(monkeypatch):
    queue(monkeypatch, [])
    assert raised("") == (
        "No printer is chosen for this document: choose one in Settings → Printers & templates."
    )
    assert raised("Old_Laser") == (
        "The printer 'Old_Laser' is not installed on this computer. Printers found: none "
        "(is the print service running?)."
    )
    queue(monkeypatch, ["Quay"], replace(STOPPED, message="Out of paper"))
    assert raised("Quay") == (
        "The printer 'Quay' is paused or offline (Out of paper). Resume it, then try again."
    )


def test_the_print_button_shows_the_translated_error(qtbot, monkeypatch, catalogue, shop_ctx,
                                                     sample_order):  # fmt: skip
    """Checked on the print worker, shown in the error box as the catalogue words it."""
    queue(monkeypatch, [])
    profile = load_profile(shop_ctx, DocumentType.INVOICE)
    target = PrintTarget(TargetKind.SYSTEM, name="Old_Laser")
    save_profile(shop_ctx, replace(profile, target=target, preview=False))
    dialog = OrderDetailDialog(shop_ctx, sample_order.id)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.printer.failed, timeout=15_000) as failed:
        dialog.printer.print([sample_order.id], DocumentType.INVOICE)
    expected = "Máy in có trên máy: không có. Không có máy in 'Old_Laser'."
    assert failed.args == [expected]
    box = dialog.printer.error_box
    assert box is not None and box.text() == expected
    box.close()
    assert QCoreApplication.translate("printing", "none (is the print service running?)") == (
        "không có"
    )
