"""Vietnamese text folding for search keys, FTS5 queries and LIKE patterns; typed or
pasted text cleaned of control and invisible format characters (`clean_line`,
`clean_text`) before it is stored."""

from __future__ import annotations

import re
import unicodedata

_TOKEN_RE = re.compile(r"[^\W_]+")  # runs of letters and digits


def _strip_marks(text: str) -> str:
    """Lowercase, NFD-decompose and drop every non-spacing mark."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def _build_table() -> dict[int, str | None]:
    """Map each precomposed Latin letter to its lowercase, mark-free form."""
    table: dict[int, str | None] = {}
    # Latin-1 Supplement, Latin Extended-A/B and Latin Extended Additional hold every
    # precomposed Vietnamese letter (Extended Additional has the ones with two marks).
    for start, stop in ((0x00C0, 0x0250), (0x1E00, 0x1F00)):
        for cp in range(start, stop):
            folded = _strip_marks(chr(cp))
            if folded != chr(cp):
                table[cp] = folded
    # Decomposed input (e.g. text pasted from macOS) carries bare combining marks.
    for cp in range(0x0300, 0x0370):
        table[cp] = None
    # Unicode gives đ/Đ no decomposition: the bar is part of the letter.
    table[ord("đ")] = "d"
    table[ord("Đ")] = "d"
    for cp in range(ord("A"), ord("Z") + 1):
        table[cp] = chr(cp + 32)
    return table


_FOLD_TABLE = _build_table()


def fold(text: str) -> str:
    """Lowercase, strip diacritics (đ → d) and collapse whitespace for search keys."""
    if text.isascii():
        return " ".join(text.lower().split())
    # One C-level translate covers Vietnamese; only other scripts pay for NFD.
    folded = text.translate(_FOLD_TABLE)
    if not folded.isascii():
        folded = _strip_marks(folded).translate(_FOLD_TABLE)
    return " ".join(folded.split())


class WordFolder:
    """`fold` word by word, each word folded once: a big import's names come from a few
    thousand Vietnamese syllables, and folding every name with `str.translate` was a third
    of the time spent building its rows. Same answers as `fold`."""

    #: Words remembered at most (a file of random text must not fill the memory).
    MAX_WORDS = 200_000

    def __init__(self) -> None:
        self._words: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        words = self._words
        out = []
        for word in text.split():
            folded = words.get(word)
            if folded is None:
                folded = fold(word)
                if len(words) < self.MAX_WORDS:
                    words[word] = folded
            if folded:  # a lone combining mark folds to nothing
                out.append(folded)
        return " ".join(out)


def search_tokens(query: str) -> list[str]:
    """Fold a query and split it into letter/digit tokens."""
    return _TOKEN_RE.findall(fold(query))


def fts_match_query(query: str) -> str | None:
    """Build a safe FTS5 MATCH expression of quoted prefix tokens, or None if nothing to match."""
    # Quoting every token turns operators (OR, NEAR, -, *) into plain strings.
    tokens = [t.replace('"', "") for t in search_tokens(query)]
    quoted = [f'"{t}"*' for t in tokens if t]
    return " ".join(quoted) if quoted else None


def like_escape(s: str) -> str:
    """Escape ``\\``, ``%`` and ``_`` for ``LIKE ... ESCAPE '\\'``."""
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --------------------------------------------------------------------------- cleaning

#: ECMA-48 control sequences (`ESC [ … final`, or the 8-bit CSI): a coloured terminal's
#: text pasted into a name loses the whole sequence, not only its ESC.
_CSI_RE = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]")
#: An emoji tag sequence (the flag of Scotland: black flag, tag letters, cancel tag): its
#: tag characters are kept; anywhere else they are invisible text and are dropped.
_EMOJI_TAGS_RE = re.compile("(\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f)")
#: The joiners (ZWNJ, ZWJ): kept between two visible characters (emoji sequences such as
#: 👩‍👩‍👧, Persian and Indic scripts), dropped at the start or end of a word.
_JOINERS = "\u200c\u200d"
_STRAY_JOINERS_RE = re.compile(
    f"(?<![^\\s{_JOINERS}])[{_JOINERS}]+|[{_JOINERS}]+(?![^\\s{_JOINERS}])"
)


def _visible(text: str) -> str:
    """`text` without control, format and surrogate characters, each whitespace character
    a space (no line break is left)."""
    out = []
    for part in _EMOJI_TAGS_RE.split(_CSI_RE.sub("", text)):
        if _EMOJI_TAGS_RE.fullmatch(part):
            out.append(part)
            continue
        for ch in part:
            if ch.isprintable() or ch in _JOINERS:
                out.append(ch)
            elif ch.isspace():
                out.append(" ")
            elif unicodedata.category(ch) not in ("Cc", "Cf", "Cs"):
                out.append(ch)  # private use and not yet assigned (a newer emoji)
    return _STRAY_JOINERS_RE.sub("", "".join(out))


def clean_line(text: str | None) -> str:
    """One line of text as typed or pasted (a name, a code, a tag), safe to store, print
    and export: C0 and C1 control characters (ESC and NUL among them, and whole terminal
    colour sequences `ESC [ … m`), the invisible format characters (bidi embeddings,
    overrides, isolates and marks, zero-width space, word joiner, BOM, soft hyphen) and
    lone surrogates are dropped; ZWNJ and ZWJ stay between two visible characters (emoji
    sequences); every run of whitespace (tabs, line breaks, no-break spaces) is one space;
    no space at either end. Letters, marks (decomposed Vietnamese too) and emoji are kept
    as they are; "" when nothing visible is left."""
    if not text:
        return ""
    if text.isprintable():  # the usual case: nothing to drop (a space is printable)
        return " ".join(text.split())
    return " ".join(_visible(text).split())


def clean_code(text: str | None) -> str:
    """A code that is matched as stored (a SKU, a barcode, an order id, a shop's name when
    looked up): `clean_line`'s characters dropped and each tab or line break made a space,
    but the spaces inside kept as they are — "AO  1" stays the key it was."""
    if not text:
        return ""
    if text.isprintable():
        return text.strip()
    return "".join(" " if c.isspace() else c for c in _visible(text)).strip()


def clean_text(text: str | None) -> str:
    """Text of several lines (a note, an address block) cleaned as `clean_line` cleans a
    line, but its line breaks kept: every kind (CR LF, CR, VT, FF, NEL, U+2028…) becomes
    one "\\n"; a tab is a space, other spaces inside a line are kept, spaces at the end of
    a line dropped, and blank lines and spaces at the start and end of the text too."""
    if not text:
        return ""
    if text.isprintable():
        return text.strip()
    lines = [_visible(line).rstrip() for line in text.splitlines()]
    return "\n".join(lines).strip()
