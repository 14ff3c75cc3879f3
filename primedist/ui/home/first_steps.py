"""Home's "Getting started" card: a new shop's four first steps (the shop's address or
phone for its receipts, products, a linked marketplace shop, the first sale), each ticked
once done and one click from its screen. Home shows it until the shop has its first order.
The marketplace step says where an app's ID and key come from and offers the way without
them: importing a Seller Center export (the step's `stepChosen` key IMPORT_ORDERS)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from primedist.services.reports import FirstSteps
from primedist.ui.widgets import set_style_property

#: The steps in order: the FirstSteps field each one reads.
STEPS = ("shop_details", "products", "shop_linked", "orders")
#: The marketplace step's other way (no app ID and key): import a Seller Center export.
IMPORT_ORDERS = "import_orders"
DONE, TODO = "✓", "○"


class FirstStepsCard(QFrame):
    """The steps with a tick or a circle, and a button to the screen of each."""

    #: A step's button was clicked: its key (one of STEPS).
    stepChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstSteps")
        self.steps: FirstSteps | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.intro = QLabel()
        self.intro.setObjectName("muted")
        layout.addWidget(self.title)
        layout.addWidget(self.intro)
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setColumnStretch(2, 1)
        self.marks: dict[str, QLabel] = {}
        self.texts: dict[str, QLabel] = {}
        self.buttons: dict[str, QPushButton] = {}
        row = 0
        for key in STEPS:
            mark, text, button = QLabel(TODO), QLabel(), self._link(key)
            mark.setObjectName("stepMark")
            grid.addWidget(mark, row, 0)
            grid.addWidget(text, row, 1)
            grid.addWidget(button, row, 2, Qt.AlignmentFlag.AlignLeft)
            self.marks[key], self.texts[key], self.buttons[key] = mark, text, button
            row += 1
            if key == "shop_linked":
                row = self._add_no_app_way(grid, row)
        layout.addLayout(grid)
        self.retranslate()
        self.hide()

    def _link(self, key: str) -> QPushButton:
        button = QPushButton()
        button.setObjectName("linkButton")
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.clicked.connect(lambda _c=False, k=key: self.stepChosen.emit(k))
        return button

    def _add_no_app_way(self, grid: QGridLayout, row: int) -> int:
        """Under the marketplace step: where its app ID and key come from, and the way
        without them (a household shop has no app): import a Seller Center export. The row
        after it."""
        self.no_app_note = QLabel()
        self.no_app_note.setObjectName("muted")
        self.no_app_note.setWordWrap(True)
        self.import_button = self._link(IMPORT_ORDERS)
        grid.addWidget(self.no_app_note, row, 1)
        grid.addWidget(self.import_button, row, 2, Qt.AlignmentFlag.AlignLeft)
        return row + 1

    def show_steps(self, steps: FirstSteps) -> None:
        """Tick the steps done; the card shows only while the shop has no order."""
        self.steps = steps
        for key in STEPS:
            done = bool(getattr(steps, key))
            self.marks[key].setText(DONE if done else TODO)
            set_style_property(self.marks[key], "done", done)
        for widget in (self.no_app_note, self.import_button):  # done: nothing more to say
            widget.setVisible(not steps.shop_linked)
        self.setVisible(steps.pending)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Getting started"))
        self.intro.setText(self.tr("Four steps to your first sale:"))
        texts = {
            "shop_details": (self.tr("Add the shop's address and phone for its receipts"),
                             self.tr("Open Shop details")),
            "products": (self.tr("Add your products, or import them from a file"),
                         self.tr("Open Products")),
            "shop_linked": (self.tr("Connect your Shopee, Lazada, Tiki or TikTok Shop shop"),
                            self.tr("Open Sales channels")),
            "orders": (self.tr("Make your first sale (or import your orders)"),
                       self.tr("New order")),
        }  # fmt: skip
        for key, (text, button) in texts.items():
            self.texts[key].setText(text)
            self.buttons[key].setText(button)
        self.no_app_note.setText(self.tr(
            "Connecting needs your app's ID and key from the marketplace's open platform "
            "(e.g. Shopee Open Platform), or ask your software provider. Without them, "
            "import the orders you export from Seller Center."))  # fmt: skip
        self.import_button.setText(self.tr("Import orders from a file"))
