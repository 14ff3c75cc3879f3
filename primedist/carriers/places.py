"""Matching an order's address words with a carrier's master data (pure functions).

An order says "TP. Hồ Chí Minh", "Quận 1", "Phường Bến Nghé"; GHN's lists say "Hồ Chí
Minh", "Quận 1", "Phường Bến Nghé" with aliases. The kind of place in front ("Quận",
"Phường", "TP.") is dropped before comparing, diacritics are folded.
"""

from __future__ import annotations

from collections.abc import Sequence

from primedist.carriers.base import Place
from primedist.core.text import fold

#: Words that only say what kind of place it is ("Quận 1" is "1", "TP. Hồ Chí Minh" is
#: "Hồ Chí Minh"), dropped when an order's address name is compared with GHN's.
KIND_WORDS = ("thanh pho", "tp.", "tp", "tinh", "quan", "q.", "huyen", "thi xa", "tx.",
              "phuong", "p.", "xa", "thi tran", "tt.")  # fmt: skip


def bare_name(name: str) -> str:
    """The folded name without the kind of place in front ("tp. ho chi minh" → "ho chi minh"),
    a number without its leading zeros ("quận 01" is GHN's "Quận 1")."""
    text = fold(name).strip()
    changed = True
    while changed:
        changed = False
        for word in KIND_WORDS:
            if text.startswith(word + " ") or (word.endswith(".") and text.startswith(word)):
                text = text[len(word) :].strip()
                changed = True
    return " ".join(_number(word) for word in text.split())


def _number(word: str) -> str:
    return str(int(word)) if word.isascii() and word.isdigit() else word


def place_for_name(places: Sequence[Place], name: str) -> Place | None:
    """The place an address name means: the same name (folded, kind words ignored) or
    alias; when several match so ("Phường An Bình", "Xã An Bình"), the one named exactly
    so (folded); None when nothing or more than one place matches."""
    wanted = bare_name(name)
    if not wanted:
        return None
    found = [p for p in places
             if wanted in {bare_name(p.name), *(bare_name(a) for a in p.aliases)}]  # fmt: skip
    if len(found) > 1:
        whole = " ".join(fold(name).split())
        found = [p for p in found if " ".join(fold(p.name).split()) == whole]
    return found[0] if len(found) == 1 else None
