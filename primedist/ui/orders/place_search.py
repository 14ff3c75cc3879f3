"""Typing a place into an editable combo (the sale's province, the address picker's
province / district / ward) the way a shop owner types it while the customer is on the
phone: accents optional, part of a word, the initials ("hcm", "sai gon", "nang" — see
`carriers.places.search_rank`). The popup lists what the text finds, best first; Enter or
Tab takes the highlighted one, or else the first (a text nothing finds stays as typed).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QStringListModel, Qt
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QComboBox, QCompleter, QLineEdit


class PlaceSearch(QObject):
    """Folded search on `combo`: `search(text)` gives the names it finds, best first;
    `pick(name)` chooses one of the combo's names (a click, Enter or Tab)."""

    def __init__(self, combo: QComboBox, search: Callable[[str], list[str]],
                 pick: Callable[[str], None]) -> None:  # fmt: skip
        super().__init__(combo)
        self._combo, self._search, self._pick = combo, search, pick
        #: Typed since the last place was taken: Enter or Tab on a place left as it was
        #: must not choose it again (the address picker would load its districts anew).
        self._edited = False
        completer = QCompleter(QStringListModel(combo), combo)
        # We filter (folded): the completer only shows what we hand it.
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        combo.setCompleter(completer)
        line = combo.lineEdit()
        assert line is not None  # an editable combo
        self._line: QLineEdit = line
        line.textEdited.connect(self._typed)
        # Enter reaches the line edit even while the popup is open (the completer hands
        # it over first); the highlighted row's name is then the text.
        line.returnPressed.connect(self.settle)
        completer.activated.connect(self._picked)
        # An editable combo is its line edit's focus proxy: the focus leaves the combo.
        combo.installEventFilter(self)
        line.installEventFilter(self)

    def completer(self) -> QCompleter:
        completer = self._combo.completer()
        assert completer is not None
        return completer

    def _typed(self, text: str) -> None:
        self._edited = True
        names = self._search(text) if text.strip() else []
        model = self.completer().model()
        assert isinstance(model, QStringListModel)
        model.setStringList(names)
        if names:
            self.completer().complete()
        else:
            popup = self.completer().popup()
            if popup is not None:
                popup.hide()

    def _picked(self, name: str) -> None:
        if self._combo.findText(name, Qt.MatchFlag.MatchExactly) >= 0:
            self._edited = False
            self._pick(name)

    def settle(self) -> None:
        """The text typed since the last place was taken, as a place: the one it names,
        or else the first it finds."""
        text = self._line.text()
        if not self._edited or not text.strip():
            return
        if self._combo.findText(text, Qt.MatchFlag.MatchExactly) >= 0:
            self._picked(text)
            return
        found = self._search(text)
        if found:
            self._picked(found[0])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Tab (with or without the popup) leaves the field: the text becomes a place as
        # with Enter. Not any focus loss: switching to Zalo to read the address must not
        # turn a half-typed name into a place.
        if (watched in (self._combo, self._line) and event.type() == QEvent.Type.FocusOut
                and isinstance(event, QFocusEvent)
                and event.reason() in (Qt.FocusReason.TabFocusReason,
                                       Qt.FocusReason.BacktabFocusReason)):  # fmt: skip
            self.settle()
        return False
