"""Templates: HTML with named placeholders, filled with escaped values.

The syntax (shown in Settings → Printers & templates):

* `{{name}}` — a value, HTML-escaped: an order note `<script>` or `{{x}}` prints as text.
* `{{#name}} … {{/name}}` — the part in between, only when `name` has a value; when `name`
  is a list (`lines`, `adjustments`) the part repeats once per item, and the item's own
  values (`{{quantity}}`, …) are used inside it.
* `{{^name}} … {{/name}}` — the part in between, only when `name` has no value (an empty
  list has no item: its item names cannot be used there).

A template is parsed once into a tree, and values are inserted into the output, never
into the template text: a value can never be read as a placeholder. Unknown names and
unbalanced sections are errors that name the placeholder and the line.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

from primedist.core.messages import msg
from primedist.core.text import clean_line, clean_text
from primedist.printing.errors import TemplateError

TAG = re.compile(r"\{\{\s*([#^/]?)\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
#: An <img> tag's source, quoted or not.
IMG_SRC = re.compile(
    r"""<img\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE
)

#: A value for a template: text, a list of items (each a mapping), or nothing.
Value: TypeAlias = "str | Sequence[Mapping[str, Value]] | None"
Context = Mapping[str, Value]


@dataclass
class _Section:
    name: str
    inverted: bool
    line: int
    parts: list[str | _Var | _Section] = field(default_factory=list)


@dataclass(frozen=True)
class _Var:
    name: str
    line: int


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def parse(text: str) -> list[str | _Var | _Section]:
    """The template as a tree; a TemplateError names a bad section and its line."""
    root = _Section("", False, 0)
    stack = [root]
    pos = 0
    for match in TAG.finditer(text):
        stack[-1].parts.append(text[pos : match.start()])
        pos = match.end()
        kind, name = match.group(1), match.group(2)
        line = _line_of(text, match.start())
        if kind in ("#", "^"):
            section = _Section(name, kind == "^", line)
            stack[-1].parts.append(section)
            stack.append(section)
        elif kind == "/":
            if len(stack) == 1 or stack[-1].name != name:
                if len(stack) > 1 and stack[-1].name:
                    raise TemplateError(
                        msg(
                            "Line {line}: {closing} closes a section that is not open (the "
                            "open section is {section}).",
                            line=str(line),
                            closing=_tag("/", name),
                            section=_tag("#", stack[-1].name),
                        )
                    )
                raise TemplateError(
                    msg(
                        "Line {line}: {closing} closes a section that is not open.",
                        line=str(line),
                        closing=_tag("/", name),
                    )
                )
            stack.pop()
        else:
            stack[-1].parts.append(_Var(name, line))
    stack[-1].parts.append(text[pos:])
    if len(stack) > 1:
        section = stack[-1]
        raise TemplateError(
            msg(
                "Line {line}: the section {section} is never closed (add {closing}).",
                line=str(section.line),
                section=_tag("#", section.name),
                closing=_tag("/", section.name),
            )
        )
    return root.parts


def check(text: str, known: Collection[str], item_names: Mapping[str, Collection[str]]) -> None:
    """Raise TemplateError for bad syntax or a placeholder that is not in `known` (or, inside
    a list section, in that list's item names). An inverted `{{^list}}` part prints when the
    list is empty: there is no item there, so its item names are unknown in it too. A list
    inside itself is refused: it repeats every item for every item (512 rows of 8 lines)."""

    def walk(parts: list[str | _Var | _Section], names: set[str], lists: tuple[str, ...]
             ) -> None:  # fmt: skip
        for part in parts:
            if isinstance(part, _Var):
                if part.name not in names:
                    raise _unknown(part.line, part.name, "", item_names)
            elif isinstance(part, _Section):
                if part.name not in names:
                    raise _unknown(part.line, part.name, "#^"[part.inverted], item_names)
                if part.inverted or part.name not in item_names:
                    walk(part.parts, names, lists)
                elif part.name in lists:
                    raise TemplateError(
                        msg(
                            "Line {line}: {section} is inside {section} itself: a list cannot "
                            "repeat inside itself.",
                            line=str(part.line),
                            section=_tag("#", part.name),
                        )
                    )
                else:
                    items = set(item_names[part.name])
                    walk(part.parts, names | items, (*lists, part.name))

    walk(parse(text), set(known), ())


def image_sources(text: str) -> list[tuple[int, str]]:
    """Each `<img src=…>` of a template: (its line, its source as written)."""
    return [
        (_line_of(text, found.start()), next(g for g in found.groups() if g is not None))
        for found in IMG_SRC.finditer(text)
    ]


def plain(value: str) -> str:
    """`value` safe to print or paste: without control characters (ESC, NUL…) or invisible
    format characters (bidi overrides…), its line breaks kept (`core.text.clean_text`). The
    services clean what they store; this is for what came before that, or around them."""
    return value if value.isprintable() else clean_text(value)


def plain_line(value: str) -> str:
    """`plain` for a value of one line (a name, a code): a line break in it is a space
    (`core.text.clean_line`)."""
    return value if value.isprintable() else clean_line(value)


def escape(value: str) -> str:
    """HTML-escaped text (`plain` first); line breaks kept as <br>."""
    return html.escape(plain(value), quote=True).replace("\n", "<br>")


def fill(text: str, context: Context) -> str:
    """The template with every placeholder replaced by its escaped value."""
    out: list[str] = []

    def render(parts: list[str | _Var | _Section], scopes: list[Context]) -> None:
        for part in parts:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, _Var):
                value = _lookup(scopes, part.name, part.line)
                out.append(escape(value) if isinstance(value, str) else "")
            else:
                value = _lookup(scopes, part.name, part.line)
                if part.inverted:
                    if not value:
                        render(part.parts, scopes)
                elif isinstance(value, str):
                    if value:
                        render(part.parts, scopes)
                elif value:
                    for item in value:
                        render(part.parts, [*scopes, item])

    render(parse(text), [context])
    return "".join(out)


def _lookup(scopes: list[Context], name: str, line: int) -> Value:
    for scope in reversed(scopes):
        if name in scope:
            return scope[name]
    raise _unknown(line, name, "")


def _tag(kind: str, name: str) -> str:
    """The tag as written in a template: `{{name}}`, `{{#name}}`, `{{/name}}`."""
    return "{{" + kind + name + "}}"


def _unknown(
    line: int, name: str, kind: str, item_names: Mapping[str, Collection[str]] | None = None
) -> TemplateError:
    """The error for `name` where it cannot be used; an item's name (`{{quantity}}`) outside
    its list says which list it belongs in: it is in the list beside the editor."""
    placeholder = _tag(kind, name)
    lists = [_tag("#", n) + "…" + _tag("/", n) for n, items in (item_names or {}).items()
             if name in items]  # fmt: skip
    if len(lists) == 1:
        return TemplateError(
            msg(
                "Line {line}: {placeholder} can only be used inside {section}.",
                line=str(line),
                placeholder=placeholder,
                section=lists[0],
            )
        )
    if lists:
        return TemplateError(
            msg(
                "Line {line}: {placeholder} can only be used inside one of these lists: "
                "{sections}.",
                line=str(line),
                placeholder=placeholder,
                sections=lists,
            )
        )
    return TemplateError(
        msg(
            "Line {line}: {placeholder} is not a known placeholder.",
            line=str(line),
            placeholder=placeholder,
        )
    )
