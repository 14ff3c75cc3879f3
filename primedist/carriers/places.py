"""Matching an order's address words with a carrier's master data (pure functions).

An order says "TP. Hồ Chí Minh", "Quận 1", "Phường Bến Nghé"; GHN's lists say "Hồ Chí
Minh", "Quận 1", "Phường Bến Nghé" with aliases. The kind of place in front ("Quận",
"Phường", "TP.") is dropped before comparing, diacritics are folded. `search_rank` is
how a typed search finds a place: accents optional, part of a word, the initials.
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


def search_rank(query: str, name: str, aliases: Sequence[str] = ()) -> int | None:
    """How well a search typed the way a shop owner types it finds the place `name` (or
    one of its `aliases`); lower is better, None when it does not. Folded and without
    the kind of place ("tp hcm" is "hcm"): 0 the same name ("ha noi", "hanoi"), 1 its
    initials ("hcm", "hn"), 2 the name starts so ("ho chi"), 3 a word of it starts so,
    4 every word is somewhere in it ("nang" finds Đà Nẵng)."""
    typed = bare_name(query) or " ".join(fold(query).split())
    if not typed:
        return None
    keys = [bare_name(key) for key in (name, *aliases)]
    keys = [key for key in keys if key]
    compact = typed.replace(" ", "")
    if any(typed == key or compact == key.replace(" ", "") for key in keys):
        return 0
    # Initials only of names of two words or more: "h" is no search for "Huế".
    if len(compact) > 1 and any(compact == _initials(key) for key in keys if " " in key):
        return 1
    words = typed.split()
    # Every word in one spelling of it; a kind word typed alone ("phuong") is in the name.
    found = [key for key in (*keys, *(" ".join(fold(k).split()) for k in (name, *aliases)))
             if all(word in key for word in words)]  # fmt: skip
    if not found:
        return None
    if any(key.startswith(typed) for key in found):
        return 2
    if any(part.startswith(words[0]) for key in found for part in key.split()):
        return 3
    return 4


def _initials(key: str) -> str:
    return "".join(word[0] for word in key.split())
