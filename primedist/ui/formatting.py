"""Display text for list cells, per column kind, in the current language and shop zone."""

from __future__ import annotations

import os
from datetime import date, datetime, tzinfo
from pathlib import PurePath
from typing import Any

from primedist.core import money
from primedist.core.clock import as_utc, format_date, format_datetime, shop_tz
from primedist.core.money import format_money, format_number
from primedist.core.phone import format_phone
from primedist.ui.i18n import current_language
from primedist.ui.labels import enum_label


def when_text(dt: datetime) -> str:
    """A time from the database in the shop's zone and the reader's language."""
    return format_datetime(as_utc(dt), shop_tz(), current_language())


#: The minus of a signed figure (U+2212, as the app's other signed columns: an account's
#: entries, a supplier's balance changes): as wide as the plus, unlike a hyphen.
MINUS = money.MINUS


def money_text(amount: int, lang: str | None = None) -> str:
    """An amount of money as a screen shows it, in the UI language: ``50.000 ₫``,
    ``−50.000 ₫`` (vi), ``−50,000 VND`` (en). A printed document writes it the same way
    (`core.money.money_text`), an Excel export as a number formatted so
    (`core.money.money_number_format`)."""
    return money.money_text(amount, lang or current_language())


def signed_number(n: int, lang: str | None = None) -> str:
    """A change in a count with its sign, in the UI language: ``+31``, ``−3.740``, ``0``."""
    body = format_number(abs(n), lang or current_language())
    return ("+" if n > 0 else MINUS if n < 0 else "") + body


def phone_text(phone: str | None) -> str:
    """A phone as every list and form shows it: `0939921717` → `0939 921 717` (other forms,
    a marketplace's mask or a foreign number, as stored)."""
    return format_phone(phone)  # the receipts print it the same way


#: (thousands, decimal) separators for decimals, per UI language (as core.money's).
_DECIMAL_SEPARATORS = {"vi": (".", ","), "en": (",", ".")}


def format_decimal(value: float, lang: str | None = None, digits: int = 2) -> str:
    """A number with fixed decimals in the UI language: ``1.234,50`` (vi), ``1,234.50`` (en)."""
    thousands, decimal = _DECIMAL_SEPARATORS.get((lang or current_language())[:2], (",", "."))
    whole, _dot, fraction = f"{value:,.{digits}f}".partition(".")
    whole = whole.replace(",", thousands)
    return f"{whole}{decimal}{fraction}" if fraction else whole


def format_percent(value: float, lang: str | None = None, digits: int = 2) -> str:
    """A percentage in the UI language: ``225,00%`` (vi), ``225.00%`` (en)."""
    return format_decimal(value, lang, digits) + "%"


def format_success_rate(percent: float, lang: str | None = None) -> str:
    """A customer's success rate (0–100) wherever it shows — the Customers list, the
    customer's statistics: a whole percent, ``82%``, as the list's rate filter reads it
    (`queries.customers`: a half to the even one). The float noise of a rate computed
    another way (81.5 as 81.49999…) is rounded off first, so every screen agrees."""
    return format_percent(round(percent, 9), lang, 0)


def format_file_size(size: int, lang: str | None = None) -> str:
    """A file's size the way file managers say it: ``820 KB``, ``40,1 MB`` (vi), ``1.2 GB``."""
    for step, unit in ((1024**3, "GB"), (1024**2, "MB")):
        if size >= step:
            return f"{format_decimal(size / step, lang, 1)} {unit}"
    return f"{format_decimal(max(1, size // 1024), lang, 0)} KB"


#: A path in a sentence is shortened past this many characters (`short_path`).
SHORT_PATH = 40


def short_path(path: str, limit: int = SHORT_PATH) -> str:
    """A folder's or file's path for a sentence: whole when short, else its last parts
    after "…" (``…/primedist/backups``), at least its name: the start of a long path
    (the user's home, the app's data) tells a reader nothing."""
    if len(path) <= limit:
        return path
    parts = PurePath(path).parts
    kept = 1
    while kept < len(parts) - 1 and len(str(PurePath(*parts[-kept - 1 :]))) + 2 <= limit:
        kept += 1
    return f"…{os.sep}{PurePath(*parts[-kept:])}"


#: (step, suffix per language) for `format_compact`, largest first.
_COMPACT_STEPS = ((1e9, {"vi": " tỷ", "en": "B"}), (1e6, {"vi": " tr", "en": "M"}),
                  (1e3, {"vi": "k", "en": "k"}))  # fmt: skip


def format_compact(value: float, lang: str | None = None) -> str:
    """A short figure for a chart axis: ``25 tr`` / ``1,5 tỷ`` (vi), ``25M`` / ``1.5B`` (en);
    below a thousand the plain number (with one decimal when it has one)."""
    code = (lang or current_language())[:2]
    for step, suffixes in _COMPACT_STEPS:
        if abs(value) >= step:
            return _short(value / step, code) + suffixes.get(code, suffixes["en"])
    return _short(value, code)


def _short(value: float, lang: str) -> str:
    """At most one decimal, none when it is 0: 25 → ``25``, 1.5 → ``1,5`` (vi)."""
    rounded = round(value, 1)
    if rounded == int(rounded):
        return format_number(int(rounded), lang)
    return format_decimal(rounded, lang, 1)


class CellFormatter:
    """Callable (kind, value) → text; reads the language at call time."""

    def __init__(self, tz: tzinfo | None = None) -> None:
        self.tz = tz or shop_tz()

    def __call__(self, kind: str, value: Any) -> str:
        if value is None:
            return ""
        lang = current_language()
        if kind == "money":
            return format_money(int(value), lang)
        if kind == "int":
            return format_number(int(value), lang)
        if kind == "datetime" and isinstance(value, datetime):
            return format_datetime(value, self.tz, lang)
        if kind == "date" and isinstance(value, date):
            return format_date(value, lang, self.tz)
        if kind == "enum":
            return enum_label(value)
        if kind == "bool":
            return "✓" if value else ""
        return str(value)
