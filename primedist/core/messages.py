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

from typing import Any

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
    a list is its items joined with ", "."""
    return Message(template, values)


def _english(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, list | tuple):  # a list of items (messages): "a, b"
        return ", ".join(str(_english(v)) for v in value)
    return value
