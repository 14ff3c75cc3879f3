"""The carriers' shipping labels of many orders as one document: Orders → Print → *Shipping
labels* and *Save as PDF → Shipping labels…*, and Ship…'s *Print labels*.

`CarrierLabels(parent, ctx)` makes the document off the UI thread
(`services.shipping_labels.merged_labels`: one label after the other in the order of the
list, progress and Cancel in the jobs indicator), then sends it to the label printer as
one print job (CUPS), opens it in the PDF viewer (no label printer chosen on this
computer: the choice beside an order's *Print label*), or leaves it where *Save as PDF*
said. The orders left out are named after, each with its reason, in one message; the
others are in the document all the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from primedist.errors import Cancelled, PrimedistError
from primedist.services import shipping as shipping_svc
from primedist.services import shipping_labels as svc
from primedist.services.context import ServiceContext
from primedist.services.orders import order_numbers
from primedist.ui.file_dialogs import EXPORT, ask_save_file
from primedist.ui.labels import QT_TRANSLATE_NOOP
from primedist.ui.list_tools import count_text
from primedist.ui.messages import localize
from primedist.ui.ops import Job, Op
from primedist.ui.orders.shipment import (
    label_printer,
    open_file,
    print_pdf_file,
)
from primedist.ui.printing.actions import _file_part, print_failure_box

translate = QCoreApplication.translate
#: Orders named in the message's text; the others in its details (a long list).
LEFT_OUT_SHOWN = 15
#: The details button's words: Qt's own, which its catalogue has no Vietnamese for.
QT_WORDS = (QT_TRANSLATE_NOOP("QMessageBox", "Show Details..."),
            QT_TRANSLATE_NOOP("QMessageBox", "Hide Details..."))  # fmt: skip
#: Where the document of a print or an opening goes (beside the labels fetched).
FOLDER = "labels"


@dataclass(frozen=True)
class LabelsOutcome:
    """What became of the document: `how` is "printed" (to the printer `where`),
    "opened" (the file `where` in the PDF viewer) or "saved" (at `where`)."""

    result: svc.MergedLabels
    how: str
    where: str


def labels_file_name(numbers: Sequence[str]) -> str:
    """The document's file name: the words in the app's language and the first and last
    order numbers, e.g. "nhan-van-don-DH261207-0001_DH261207-0009.pdf"."""
    word = _file_part(translate("printing", "Shipping labels"), lower=True) or "labels"
    parts = [p for p in (_file_part(n) for n in dict.fromkeys(numbers)) if p]
    return "-".join([word, "_".join(parts)] if parts else [word]) + ".pdf"


def outcome_text(outcome: LabelsOutcome) -> str:
    """One sentence: how many labels went where ("" when none was in the document)."""
    n = outcome.result.labels
    if outcome.result.path is None:
        return translate("printing", "No label was printed: none of these orders has one.")
    if outcome.how == "printed":
        text = count_text(
            n,
            translate("printing", "%n label sent to %1 (one print job)."),
            translate("printing", "%n labels sent to %1 (one print job)."),
        )
    elif outcome.how == "opened":
        text = count_text(n, translate("printing", "%n label opened in the PDF viewer (%1)."),
                          translate("printing", "%n labels opened in the PDF viewer, one "
                                                "per page (%1)."))  # fmt: skip
    else:
        text = count_text(
            n,
            translate("printing", "%n label saved in %1."),
            translate("printing", "%n labels saved in %1, one per page."),
        )
    where = Path(outcome.where).name if outcome.how != "printed" else outcome.where
    return text.replace("%1", where)


def left_out_lines(result: svc.MergedLabels) -> list[str]:
    """ "DH261207-0003: why" for each order left out, in the order of the list."""
    return [f"{item.number}: {localize(item.reason)}" for item in result.left_out]


def left_out_text(result: svc.MergedLabels, limit: int | None = None) -> str:
    """The orders left out: how many, then each with its reason (the first `limit`)."""
    lines = left_out_lines(result)
    head = count_text(len(lines), translate("printing", "%n order is not in it:"),
                      translate("printing", "%n orders are not in it:"))  # fmt: skip
    shown = lines if limit is None else lines[:limit]
    more = len(lines) - len(shown)
    if more:
        shown.append(
            count_text(
                more,
                translate("printing", "… and %n more: see Show Details."),
                translate("printing", "… and %n more: see Show Details."),
            )
        )
    return "\n".join([head, *shown])


class CarrierLabels(QObject):
    """Prints or saves the carrier labels of orders as one document for a widget.

    `done(LabelsOutcome)` after; `failed(exc)` when nothing came of it (the printer
    refused, the file could not be written, Cancel). With `report` (the Orders tab)
    it says so itself: `printed(text)` for the tab's message line, a box naming the orders
    left out (`left_out_box`), the print failure box (`error_box`)."""

    done = Signal(object)
    failed = Signal(object)
    printed = Signal(str)

    def __init__(
        self, parent: QWidget, ctx: ServiceContext, *, report: bool = True,
        factory: shipping_svc.CarrierFactory = shipping_svc.carrier_for,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.widget = parent
        self.ctx = ctx
        self.report = report
        self.factory = factory
        self.busy = False
        self.left_out_box: QMessageBox | None = None
        self.error_box: QMessageBox | None = None
        self.op: Op[LabelsOutcome] | None = None

    # ------------------------------------------------------------------ entry points

    def print_labels(self, order_ids: Sequence[int], printer: str | None = None) -> None:
        """To `printer` (None: the label printer chosen on this computer); with none
        chosen, the document opens in the PDF viewer."""
        ids = list(order_ids)
        if not ids or self.busy:
            return
        name = label_printer(self.ctx) if printer is None else printer
        self._run(ids, self._folder() / self._name(ids), name)

    def save_labels(self, order_ids: Sequence[int], path: Path | None = None) -> None:
        """Into a PDF file (asks where when no `path` is given)."""
        ids = list(order_ids)
        if not ids or self.busy:
            return
        if path is None:
            folder = self.ctx.settings.export_dir if self.ctx.settings else Path.home()
            answer = ask_save_file(
                self.widget, self.ctx, EXPORT, translate("printing", "Save as PDF"),
                folder / self._name(ids), translate("printing", "PDF document (*.pdf)"),
            )  # fmt: skip
            if answer is None:
                return
            chosen = str(answer[0])
            path = Path(chosen if chosen.lower().endswith(".pdf") else chosen + ".pdf")
        self._run(ids, path, None)

    # ------------------------------------------------------------------ running

    def _folder(self) -> Path:
        if self.ctx.settings is None:
            return Path.home()
        return self.ctx.settings.data_dir / FOLDER

    def _name(self, ids: list[int]) -> str:
        ends = list(dict.fromkeys([ids[0], ids[-1]]))
        try:
            known = order_numbers(self.ctx, ends)
        except PrimedistError:
            known = {}
        return labels_file_name([known.get(i) or str(i) for i in ends])

    def _run(self, ids: list[int], target: Path, printer: str | None) -> None:
        """`printer`: a name to print on, "" to open the file, None to keep it (saved)."""
        ctx, factory = self.ctx, self.factory
        title = translate("printing", "Shipping labels")

        def work(job: Job) -> LabelsOutcome:
            result = svc.merged_labels(ctx, ids, target, factory=factory, progress=job.progress)
            if result.path is None:
                return LabelsOutcome(result, "none", "")
            if printer:
                job.progress.check()  # Cancel before the job goes: nothing printed
                print_pdf_file(result.path, printer, title=f"{title} {result.path.stem}")
                return LabelsOutcome(result, "printed", printer)
            return LabelsOutcome(result, "saved" if printer is None else "opened",
                                 str(result.path))  # fmt: skip

        def retry() -> None:
            self._run(ids, target, printer)

        self.busy = True
        # Carriers and printers, not the database writer: the network pool.
        op: Op[LabelsOutcome] = Op(self.widget, work, title=title, network=True)
        op.success(self._done).failure(lambda exc: self._failed(exc, retry))
        op.finally_(self._idle).with_progress()
        self.op = op
        op.run()

    def _idle(self) -> None:
        if shiboken6.isValid(self):
            self.busy = False

    def _done(self, outcome: LabelsOutcome) -> None:
        if not shiboken6.isValid(self):
            return
        if outcome.how == "opened":
            open_file(Path(outcome.where))
        if self.report:
            self._say(outcome)
        self.done.emit(outcome)

    def _say(self, outcome: LabelsOutcome) -> None:
        text = outcome_text(outcome)
        if not outcome.result.left_out:
            self.printed.emit(text)
            return
        box = QMessageBox(QMessageBox.Icon.Warning, translate("printing", "Shipping labels"),
                          text, QMessageBox.StandardButton.Ok, self.widget)  # fmt: skip
        box.setObjectName("labelsLeftOut")
        box.setTextFormat(Qt.TextFormat.PlainText)  # order numbers, carriers' words
        box.setInformativeText(left_out_text(outcome.result, LEFT_OUT_SHOWN))
        if len(outcome.result.left_out) > LEFT_OUT_SHOWN:
            box.setDetailedText(left_out_text(outcome.result))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.left_out_box = box
        box.open()
        self.printed.emit(text)

    def _failed(self, exc: BaseException, retry: Callable[[], None]) -> None:
        if not shiboken6.isValid(self):
            return
        if not isinstance(exc, PrimedistError):  # a bug: logged, the crash dialog
            from primedist.ui.ops import _report

            _report(self.widget, exc)
        elif self.report and not isinstance(exc, Cancelled):
            self.error_box = print_failure_box(
                self.widget, self.ctx, exc, retry=retry, settings=False
            )
        self.failed.emit(exc)  # Cancel too: the caller is not busy any more
