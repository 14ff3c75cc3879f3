"""Building blocks of the fixed-shape printed reports (end of day, goods receipt): escaped
texts from a table of (English, Vietnamese) pairs, money and numbers in the document's
language, and simple two-column tables that Qt's HTML renders alike on a roll and on A4."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, tzinfo

from primedist.core.clock import format_date, format_datetime
from primedist.core.money import format_money, format_number
from primedist.printing.content import pick
from primedist.printing.template import escape


class ReportHtml:
    """Escaped texts, money and two-column tables in the document's language."""

    def __init__(self, lang: str, tz: tzinfo, texts: Mapping[str, tuple[str, str]]) -> None:
        self.lang, self.tz, self.texts = lang, tz, texts

    def t(self, key: str) -> str:
        return escape(pick(self.texts[key], self.lang))

    def money(self, amount: int) -> str:
        return escape(format_money(amount, self.lang))

    def number(self, n: int) -> str:
        return escape(format_number(n, self.lang))

    def when(self, dt: datetime) -> str:
        return escape(format_datetime(dt, self.tz, self.lang))

    def day(self, d: date) -> str:
        """A calendar day (no time, no zone: already the shop's day) as the shop writes it."""
        return escape(format_date(d, self.lang))

    @staticmethod
    def row(label: str, value: str, bold: bool = False) -> str:
        if bold:
            label, value = f"<b>{label}</b>", f"<b>{value}</b>"
        return f'<tr><td>{label}</td><td align="right">{value}</td></tr>'

    @staticmethod
    def table(rows: list[str]) -> str:
        return '<table width="100%" cellspacing="0" cellpadding="1">' + "".join(rows) + "</table>"

    def section(self, key: str, rows: list[str]) -> str:
        return f"<hr><p style='margin:0'><b>{self.t(key)}</b></p>" + self.table(rows)

    def head(self, name: str, *contact: str) -> list[str]:
        """A slip's top: the shop's name, its address and phone lines (those given) and the
        document's title (`title` of the texts), centred."""
        parts = []
        if name:
            parts.append(f'<p align="center" style="font-size:12pt; font-weight:bold; '
                         f'margin:0">{escape(name)}</p>')  # fmt: skip
        parts += [f'<p align="center" style="margin:0">{escape(line)}</p>' for line in contact
                  if line]  # fmt: skip
        parts.append(f'<p align="center" style="font-size:11pt; font-weight:bold; '
                     f'margin-top:6px; margin-bottom:4px">{self.t("title")}</p>')  # fmt: skip
        return parts
