"""Vietnamese text folding for search keys, FTS5 queries and LIKE patterns."""

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
