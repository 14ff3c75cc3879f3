"""Messages for people, written once in English by the layers below the UI and shown by
the UI in the user's language.

`msg("Order {order} is {status}: it cannot become {to}.", order=..., status=..., to=...)`
is the English text itself (a `str`: logs, the CLI, tests and `in` checks read it as
before), and it keeps its template and values. The UI translates the template (context
"service") and fills in the values in the user's words (an order status by its label, a
number with the language's separators): `primedist/ui/messages.py`.

`packaging/update_translations.py` collects every `msg("…")` template of the package into
the UI's catalogue, so a template is translated like any UI text.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import date, datetime
from enum import Enum
from typing import Any

from primedist.core.clock import format_date, format_datetime, shop_tz

#: The translation context of the templates.
CONTEXT = "service"


class Message(str):
    """English text that also carries its template and values."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, values: dict[str, Any]) -> Message:
        english = {k: _english(v) for k, v in values.items()}
        text = super().__new__(cls, template.format(**english) if values else template)
        text.template = template
        text.values = values
        return text

    def __reduce__(self) -> tuple[Any, ...]:  # copy / pickle keep the template
        return (Message, (self.template, self.values))


def msg(template: str, /, **values: Any) -> Message:
    """A message from a literal `template` with plain `{name}` fields (no format specs:
    the UI formats the values). An int is a quantity ("1,204"): pass ids and codes as str;
    a list is its items joined with ", "; a date or datetime reads as the shop writes it
    (`day_text`)."""
    return Message(template, values)


def day_text(value: date, lang: str = "en") -> str:
    """A date as the app shows it in both languages, ``01/12/2026``; a datetime with its
    time, ``01/12/2026 14:05``: an aware one in the shop's zone, a naive one as written
    (a file's local time)."""
    if not isinstance(value, datetime):
        return format_date(value, lang)
    if value.tzinfo is not None:
        return format_datetime(value, shop_tz(), lang)
    return f"{format_date(value, lang)} {value.hour:02d}:{value.minute:02d}"


def _english(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, date):
        return day_text(value)
    if isinstance(value, list | tuple):  # a list of items (messages): "a, b"
        return ", ".join(str(_english(v)) for v in value)
    return value


# --------------------------------------------------------------------------- stored


class Label(str):
    """An enum's value read back from a stored message (the UI shows it by its label)."""

    @property
    def value(self) -> str:
        return str(self)


def stored_args(text: str | None) -> str | None:
    """The JSON to keep beside a stored English `text` so the UI can word it again in the
    reader's language later (None for a plain string: it stays as it is)."""
    if not isinstance(text, Message):
        return None
    return json.dumps(_encode(text), ensure_ascii=False, separators=(",", ":"))


def restored(text: str | None, args: str | None) -> str:
    """The stored `text` again, as the Message its `args` describe (the English `text`
    itself when there are none, or they are damaged: an older row, a hand edit)."""
    english = text or ""
    if not args:
        return english
    try:
        message = _decode(json.loads(args))
        if isinstance(message, Message):
            message.template.format(**message.values)  # every field has its value
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return english
    return message if isinstance(message, Message) else english


def reread(text: str, template: str) -> Message | None:
    """`text`, stored as plain English, read back as the Message of `template` when it is
    one (a "1,234" field becomes the number again); None when it is not. For the rows
    that keep only the English (an order's status history notes)."""
    found = _template_pattern(template).fullmatch(text)
    if found is None:
        return None
    values = {k: int(v.replace(",", "")) if _THOUSANDS.fullmatch(v) else v
              for k, v in found.groupdict().items()}  # fmt: skip
    return Message(template, values)


_THOUSANDS = re.compile(r"-?\d{1,3}(,\d{3})*")


@functools.lru_cache(maxsize=256)
def _template_pattern(template: str) -> re.Pattern[str]:
    """The regular expression of a template, made once: a list reads hundreds of rows back
    against the same few templates."""
    fields = re.split(r"\{(\w+)\}", template)
    pattern = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)"
                      for i, part in enumerate(fields))  # fmt: skip
    return re.compile(pattern, re.DOTALL)


def _encode(value: Any) -> Any:
    if isinstance(value, Message):
        return {"t": value.template, "v": {k: _encode(v) for k, v in value.values.items()}}
    if isinstance(value, Enum | Label):
        return {"e": str(value.value)}
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return value
    if isinstance(value, date):  # a date again when read back, for the reader's format
        return {"d": value.isoformat()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return str(value)


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "e" in value:
            return Label(value["e"])
        if "d" in value:
            text = str(value["d"])
            return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)
        return Message(str(value["t"]), {str(k): _decode(v) for k, v in value["v"].items()})
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return str(value)
