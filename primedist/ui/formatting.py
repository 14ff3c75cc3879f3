"""Display text for list cells, per column kind, in the current language and shop zone."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

from primedist.core.clock import format_date, format_datetime, shop_tz
from primedist.core.money import format_money, format_number
from primedist.ui.i18n import current_language
from primedist.ui.labels import enum_label


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
