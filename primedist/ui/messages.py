"""The services' messages in the user's language (see primedist/core/messages.py).

A `Message` is translated by its template (context "service") and its values are put in
the user's words: an order status or payment method by its label, a number with the
language's separators, a date as dd/mm/yyyy, a nested message translated too (in English
as well: the labels, not the stored values). A plain string is shown as it is; a template
the catalogue does not have, in English.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import Enum
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QLabel

from primedist.core.messages import CONTEXT, Label, Message, day_text
from primedist.core.money import format_number
from primedist.errors import PrimedistError, ValidationError
from primedist.ui.i18n import current_language
from primedist.ui.labels import ENUM_LABELS, enum_label


def localize(text: str) -> str:
    """`text` in the current language when it is a Message with a translated template.
    English goes the same way (its template is itself): its values read as the labels
    too ("Shopee", "Return/Refund"), not as the enums' stored values."""
    if not isinstance(text, Message):
        return str(text)
    template = QCoreApplication.translate(CONTEXT, text.template)
    values = {name: _value(value) for name, value in text.values.items()}
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):  # a broken translation: the English, intact
        return str(text)


def error_text(exc: PrimedistError) -> str:
    """What to show for an expected error, in the current language where known."""
    if isinstance(exc, ValidationError) and isinstance(exc.reason, Message):
        reason = localize(exc.reason)
        where = []
        if exc.row is not None:
            row = format_number(exc.row, current_language())
            where.append(QCoreApplication.translate("service", "row {row}").format(row=row))
        if exc.column is not None:
            place = QCoreApplication.translate("service", "column {column}")
            where.append(place.format(column=repr(exc.column)))
        return f"{', '.join(where)}: {reason}" if where else reason
    return localize(exc.user_message)


def _value(value: Any) -> str:
    if isinstance(value, Message):
        return localize(value)
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, Enum | Label) and value.value in ENUM_LABELS:
        return enum_label(value.value)
    if isinstance(value, int) and not isinstance(value, bool):
        return format_number(value, current_language())
    if isinstance(value, date):  # and datetime: dd/mm/yyyy [HH:MM], as the app's lists
        return day_text(value, current_language())
    return str(value)


def say(label: QLabel, make: Callable[[], str], *, error: bool = False) -> None:
    """Show in `label` the message `make` returns, and make it again on a language change
    (the words translated anew, the names and numbers in it kept), until something else
    is written into the label. Whether the label shows is left to the caller."""
    resayer = label.findChild(_Resayer)
    if resayer is None:
        resayer = _Resayer(label)
    mark_error(label, error)
    resayer.said = make()
    resayer.make = make
    label.setText(resayer.said)


def mark_error(label: QLabel, error: bool) -> None:
    """Colour `label` as a refusal (red, `QLabel[error="true"]` in the style sheet) or not.
    A dynamic property reaches the style sheet only when the label is polished again: a
    refusal set after the label was shown stayed grey, as a success reads."""
    was = bool(label.property("error"))
    label.setProperty("error", error)
    if was != error:
        style = label.style()
        style.unpolish(label)
        style.polish(label)


def say_error(label: QLabel, exc: PrimedistError) -> None:
    """`say` the expected error `exc` (kept: its text is made again on a switch)."""
    say(label, lambda: error_text(exc), error=True)


class _Resayer(QObject):
    """Says a label's message again in the new language (see `say`)."""

    def __init__(self, label: QLabel) -> None:
        super().__init__(label)
        self.make: Callable[[], str] | None = None
        self.said = ""
        label.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.LanguageChange and self.make is not None
                and isinstance(watched, QLabel)):  # fmt: skip
            if watched.text() == self.said:
                self.said = self.make()
                watched.setText(self.said)
            else:  # the page wrote something else since: that is not ours to redo
                self.make = None
        return False
