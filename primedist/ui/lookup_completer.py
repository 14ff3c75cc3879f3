"""A field's suggestions read from the database as the user types: a customer by name,
phone or code (the referrer of Add customer), a product by SKU or name (a level price).

Qt's own completer filters a list it holds, comparing accents ("lan" never finds
"Lân"); here the service is asked (a folded search, a few rows), each row shows what
tells it apart ("Nguyễn Khánh Chi · 0970 603 869 · KH000006") and picking it puts its
value in the field (the code the form saves), so typing the value itself still works.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QCompleter, QLineEdit

from primedist.errors import PrimedistError

#: The item role holding the value a row puts in the field.
VALUE_ROLE = Qt.ItemDataRole.UserRole + 1
#: Typed this long after the last key: a burst of keys asks once.
DELAY_MS = 150
#: Letters typed before anything is offered (one letter finds half the customers).
MIN_CHARS = 2

#: What a search gives: (the row's text, the value it puts in the field).
Offer = tuple[str, str]


class LookupCompleter(QCompleter):
    """Offers under `field` what `search` finds for the text typed (looked up after a
    short pause, at least MIN_CHARS); a row picked puts its value in the field."""

    #: A row was picked: its value (now the field's text).
    picked = Signal(str)

    def __init__(self, field: QLineEdit, search: Callable[[str], Sequence[Offer]]) -> None:
        super().__init__(field)
        self.field = field
        self.search = search
        self.rows = QStandardItemModel(self)
        self.setModel(self.rows)
        # The field gets the value, the popup shows the text; the search did the filtering.
        self.setCompletionRole(VALUE_ROLE)
        self.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DELAY_MS)
        self.timer.timeout.connect(self.offer)
        field.setCompleter(self)
        field.textEdited.connect(self._typed)
        self.activated.connect(self._activated)

    def _typed(self, _text: str) -> None:
        # The rows of the text before are no answer to this one: gone at once.
        self.rows.clear()
        self.timer.start()

    def offer(self) -> None:
        """Look the field's text up and show what it finds (nothing: no popup)."""
        self.timer.stop()
        text = self.field.text().strip()
        offers: Sequence[Offer] = []
        if len(text) >= MIN_CHARS:
            try:
                offers = self.search(text)
            except PrimedistError:  # no access, the store unreachable: no suggestion
                offers = []
        self.rows.clear()
        for shown, value in offers:
            item = QStandardItem(shown)
            item.setData(value, VALUE_ROLE)
            item.setToolTip(shown)
            self.rows.appendRow(item)
        popup = self.popup()
        if popup is None:
            return
        if not offers or not self.field.hasFocus():
            popup.hide()
            return
        popup.setMinimumWidth(self._width_needed(popup))
        self.complete()

    def _width_needed(self, popup: QAbstractItemView) -> int:
        """As wide as the longest row (within the screen): "name · phone · code" is wider
        than a code field."""
        widest = max((popup.sizeHintForIndex(self.rows.index(r, 0)).width()
                      for r in range(self.rows.rowCount())), default=0)  # fmt: skip
        widest += 2 * popup.frameWidth() + 8
        if self.rows.rowCount() > self.maxVisibleItems():
            widest += popup.verticalScrollBar().sizeHint().width()
        screen = self.field.screen()
        room = screen.availableGeometry().width() if screen is not None else widest
        return min(max(widest, self.field.width()), room)

    def _activated(self, value: str) -> None:
        self.timer.stop()  # the field's new text is the value, not a search
        self.picked.emit(value)
