"""Small shared widgets: language picker, debounced search box, jobs indicator."""

from __future__ import annotations

from collections.abc import Iterable

import shiboken6
from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QGuiApplication, QIcon, QKeyEvent, QPainter, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.paths import ICONS
from primedist.ui.i18n import LANGUAGES, current_language
from primedist.ui.messages import localize
from primedist.ui.ops import tracker


def rows_height(table: QTableView) -> int:
    """The height that shows a table's header and every row, and nothing below them."""
    rows = sum(table.rowHeight(r) for r in range(table.model().rowCount()))
    header = table.horizontalHeader().sizeHint().height()
    return header + rows + 2 * table.frameWidth() + 2


#: The horizontal padding of a table cell in style.qss (`QTableView::item`), both sides.
CELL_PADDING = 16


class CellColours(QStyledItemDelegate):
    """Paints a cell's own background (`Qt.BackgroundRole`: QTableWidgetItem.setBackground,
    a model's colour) under its text. With the style sheet's `QTableView::item` rule (its
    padding and bottom line) Qt draws every cell from that rule and drops the cell's colour:
    an error cell set to red came out white. A selected cell keeps the selection's colour
    (drawn under the cell), so the selection still shows. Set on every view that colours
    cells (`show_cell_colours`); WrapDelegate derives from it."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        colour = index.data(Qt.ItemDataRole.BackgroundRole)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if colour is not None and not selected:
            brush = colour if isinstance(colour, QBrush) else QBrush(colour)
            if brush.style() != Qt.BrushStyle.NoBrush:
                painter.fillRect(option.rect, brush)
        super().paint(painter, option, index)


def show_cell_colours(view: QAbstractItemView) -> None:
    """The view paints its cells' own background colours (see CellColours)."""
    if not isinstance(view.itemDelegate(), CellColours):
        view.setItemDelegate(CellColours(view))


class WrapDelegate(CellColours):
    """Row heights for word-wrapped cells that count the style sheet's cell padding: Qt's
    own hint wraps the text at the whole column width, so a cell's last line came out
    elided ("Kem chống / nắng SPF50+ ...")."""

    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        self.table = table

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if not isinstance(text, str) or not text:
            return hint
        # Less the style sheet's padding and the style's text margin (3 px a side): at 2 px
        # less a line that just fits here was wrapped by the painter, and its end elided.
        width = max(1, self.table.columnWidth(index.column()) - CELL_PADDING - 6)
        box = option.fontMetrics.boundingRect(
            QRect(0, 0, width, 1_000_000), Qt.TextFlag.TextWordWrap, text
        )
        return QSize(hint.width(), max(hint.height(), box.height() + 10))


def longest_word(table: QTableWidget, column: int) -> int:
    """The width of the column's longest word, with the cell's padding: the narrowest it
    can wrap to without cutting a word."""
    metrics = table.fontMetrics()
    cells = (table.item(row, column) for row in range(table.rowCount()))
    words = (word for cell in cells if cell is not None for word in cell.text().split())
    return max((metrics.horizontalAdvance(w) for w in words), default=0) + CELL_PADDING + 8


def align_headers(table: QTableWidget, right: Iterable[int] = ()) -> None:
    """Headers sit over their cells: on the left, but for the `right` (number) columns.
    The header items keep this through setHorizontalHeaderLabels (it reuses them)."""
    table.horizontalHeader().setDefaultAlignment(
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    )
    for c in right:
        item = table.horizontalHeaderItem(c)
        if item is None:
            item = QTableWidgetItem()
            table.setHorizontalHeaderItem(c, item)
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def column_scroll(column: QWidget, name: str, scroll: QScrollArea | None = None) -> QScrollArea:
    """A frameless scroll area (`scroll`, else a new one) around a column of widgets: as
    wide as the area, scrolling up and down only when there is not room for all of it."""
    scroll = scroll if scroll is not None else QScrollArea()
    scroll.setObjectName(name)
    scroll.setWidget(column)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the fields, not the area
    return scroll


class WholeFormScroll(QScrollArea):
    """A scroll area that asks for its whole form (Qt caps a scroll area's hint at 24
    lines), and asks again whenever the form's layout changes (a form inside a scroll area
    does not tell the dialog's layout by itself)."""

    def setWidget(self, widget: QWidget) -> None:
        super().setWidget(widget)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(watched, event)

    def sizeHint(self) -> QSize:
        column = self.widget()
        return super().sizeHint() if column is None else column.sizeHint()


class WholeColumnScroll(WholeFormScroll):
    """A `column_scroll` area that asks for its whole column, and never for more: on a
    small screen (1024×576 at 125 %) it is lower than the column and scrolls, and a
    field reached by a shortcut or Tab is scrolled into view."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._show_focused)

    def _show_focused(self, _old: QWidget | None, new: QWidget | None) -> None:
        """The whole field and a caption line above it (ensureWidgetVisible shows only a
        line edit's cursor, half of the field at the edge)."""
        column = self.widget()
        if new is None or column is None or not column.isAncestorOf(new):
            return
        centre = new.mapTo(column, new.rect().center())
        above = new.fontMetrics().lineSpacing() + 8
        self.ensureVisible(centre.x(), centre.y(), 0, new.height() // 2 + above)


#: The widest a settings form grows: a name, an email or an amount needs no whole screen,
#: and a Save button under a 1,000-pixel field reads as a banner, not as a button.
FORM_MAX_WIDTH = 560


def add_narrow(layout: QVBoxLayout, content: QWidget | QLayout) -> QWidget:
    """Add `content` (a form, a group box) to `layout` at the left, as wide as the room
    but at most FORM_MAX_WIDTH; returns the widget added."""
    if isinstance(content, QLayout):
        holder = QWidget()
        holder.setLayout(content)
        content.setContentsMargins(0, 0, 0, 0)
        content = holder
    content.setMaximumWidth(FORM_MAX_WIDTH)
    row = QHBoxLayout()  # the room beyond the form's widest goes to the space after it
    row.addWidget(content, 1)
    row.addStretch(0)
    layout.addLayout(row)
    return content


def button_row(*buttons: QWidget) -> QHBoxLayout:
    """Buttons at their own width, from the left."""
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    return row


def button_text(text: str) -> str:
    """A text for a button, a menu entry or a tick box as it is written: a button takes
    "&" as the mark of a shortcut key and hides it (a category "Giày dép & Túi" read
    "Giày dép _Túi"), "&&" shows one. For names and other texts users write."""
    return text.replace("&", "&&")


def set_style_property(widget: QWidget, name: str, value: object) -> None:
    """Set a property the stylesheet selects on (``[done="true"]``) and have it restyle
    the widget (Qt does not re-apply a stylesheet when a property changes)."""
    if widget.property(name) != value:
        widget.setProperty(name, value)
        widget.style().unpolish(widget)
        widget.style().polish(widget)


def icon(name: str) -> QIcon:
    """An icon from resources/icons (SVG)."""
    return QIcon(str(ICONS / f"{name}.svg"))


class LanguageCombo(QComboBox):
    """Tiếng Việt / English; emits the language code chosen.

    Only an explicit pick switches the app's language: an item chosen in the open list
    (a click, or Enter there). On the closed box Up/Down open the list, and typed letters,
    the other moving keys and the wheel do nothing: one stray key, a search or a barcode
    scan typed there switched the whole app (Down, or a word starting with "e"). Out of the
    Tab order too: a click gives it the focus, the Tab key never does."""

    languageChosen = Signal(str)

    #: Keys a closed QComboBox moves its current item with (and reports as a pick).
    MOVING_KEYS = (Qt.Key.Key_Home, Qt.Key.Key_End, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("languageCombo")
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        for code, name in LANGUAGES.items():
            self.addItem(name, code)
        self._show_current()
        self.activated.connect(self._picked)

    def _picked(self, index: int) -> None:
        code = self.itemData(index)
        if isinstance(code, str) and code != current_language():
            self.languageChosen.emit(code)

    def _show_current(self) -> None:
        self.setCurrentIndex(max(0, self.findData(current_language())))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.showPopup()  # the pick is Enter (or a click) in the list
        elif key in self.MOVING_KEYS or (event.text().isprintable() and event.text().strip()):
            event.ignore()
        else:
            super().keyPressEvent(event)  # Space, F4, Alt+Down open the list; Esc...

    def wheelEvent(self, event: QWheelEvent) -> None:
        event.ignore()  # the page under the pointer scrolls, the language stays

    def changeEvent(self, event: QEvent) -> None:
        # Switched elsewhere (the other language box): show it (no pick, no signal).
        if event.type() == QEvent.Type.LanguageChange:
            self._show_current()
        super().changeEvent(event)


class SearchBox(QLineEdit):
    """A search field that emits `searchChanged` once typing pauses (no query per key).
    Enter searches at once; Down goes to its list (`set_list`, else the next list in the
    Tab order) on the selected row, or on the first one when none is selected."""

    searchChanged = Signal(str)
    DEBOUNCE_MS = 250

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchBox")
        self.setClearButtonEnabled(True)
        self.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.DEBOUNCE_MS)
        self._timer.timeout.connect(lambda: self.searchChanged.emit(self.text()))
        self.textEdited.connect(lambda _t: self._timer.start())
        self.returnPressed.connect(self._emit_now)
        self._list: QAbstractItemView | None = None

    def _emit_now(self) -> None:
        self._timer.stop()
        self.searchChanged.emit(self.text())

    def set_list(self, view: QAbstractItemView) -> None:
        """The list this box searches (where Down goes)."""
        self._list = view

    def list_view(self) -> QAbstractItemView | None:
        """The list set, else the first list shown after the box in the Tab order (the
        rows under it)."""
        if self._list is not None and shiboken6.isValid(self._list):
            return self._list
        widget = self.nextInFocusChain()
        while widget is not None and widget is not self:
            if (isinstance(widget, QAbstractItemView) and widget.isVisible()
                    and widget.window() is self.window()):  # fmt: skip
                return widget
            widget = widget.nextInFocusChain()
        return None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        plain = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if event.key() == Qt.Key.Key_Down and plain == Qt.KeyboardModifier.NoModifier:
            if self._go_to_list():
                return
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()  # it searched: not also a dialog's default button

    def _go_to_list(self) -> bool:
        """Focus the list on its selected row, else its first row; False (the focus
        stays) when there is no list or it has no rows."""
        view = self.list_view()
        if view is None or not view.isEnabled():
            return False
        if self._timer.isActive():
            self._emit_now()  # the rows of what was typed, not those before it
        model = view.model()
        if model is None or model.rowCount() == 0:
            return False
        view.setFocus(Qt.FocusReason.OtherFocusReason)
        selection = view.selectionModel()
        if selection is None or not selection.hasSelection():
            view.setCurrentIndex(model.index(0, first_shown_column(view)))
        return True


def first_shown_column(view: QAbstractItemView) -> int:
    """The leftmost column a table shows (its first may be hidden or moved); 0 for a list."""
    if not isinstance(view, QTableView):
        return 0
    header = view.horizontalHeader()
    for visual in range(header.count()):
        logical = header.logicalIndex(visual)
        if not header.isSectionHidden(logical):
            return logical
    return 0


class JobsIndicator(QWidget):
    """Status-bar view of background jobs: what runs, how far, and a Cancel button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("jobsIndicator")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.bar.setFixedWidth(120)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("linkButton")
        self.cancel_button.setIconSize(QSize(12, 12))
        self.cancel_button.clicked.connect(self._cancel)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        tracker().changed.connect(self.refresh)
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.refresh()
        super().changeEvent(event)

    def refresh(self) -> None:
        jobs = tracker().jobs
        busy = bool(jobs)
        self.bar.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.cancel_button.setText(self.tr("Cancel"))
        if not busy:
            self.label.setText(self.tr("No background jobs"))
            return
        job = jobs[0]
        more = self.tr(" (+%n more)", "", len(jobs) - 1) if len(jobs) > 1 else ""
        # A service's progress text is a Message (its numbers in the user's separators).
        message = localize(job.progress.message)
        if message == job.title:  # the first step often repeats the job's title
            message = ""
        self.label.setText(f"{job.title} {message}{more}".strip())
        self.bar.setValue(int(job.progress.fraction * 100))

    def _cancel(self) -> None:
        for job in tracker().jobs:
            job.progress.cancel()
        self.label.setText(self.tr("Cancelling…"))


#: Room kept free around a window sized to a small screen: its title bar and borders
#: (known only once it is on the screen: until then this much is assumed) and slack.
SCREEN_MARGIN = 40


def fit_to_screen(window: QWidget, width: int, height: int) -> bool:
    """Size a top-level window `width` × `height`, or smaller so that it and its frame fit
    its screen's free area (a 1366×768 laptop, 1024×576 at 125 %); True when the screen
    was too small for the size wanted. A window cannot be made lower than its layout's
    minimum: a dialog meant for small screens lets its content scroll instead."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    fitted = False
    if screen is not None:
        room = screen.availableGeometry()
        # The title bar and borders (frameGeometry is the window's size until it has them).
        frame_w = window.frameGeometry().width() - window.width()
        frame_h = window.frameGeometry().height() - window.height()
        room_w = room.width() - max(SCREEN_MARGIN, frame_w)
        room_h = room.height() - max(SCREEN_MARGIN, frame_h)
        fitted = width > room_w or height > room_h
        width, height = min(width, room_w), min(height, room_h)
    window.resize(width, height)
    return fitted


def center_on_screen(window: QWidget) -> None:
    """Place a top-level window in the middle of its screen (no saved geometry yet)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    frame = window.frameGeometry()
    frame.moveCenter(screen.availableGeometry().center())
    window.move(frame.topLeft())
