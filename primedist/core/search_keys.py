"""The `search_text` column of searchable records (customers, products, orders).

One function so every writer (services, imports, sync, demo data) indexes records the same
way the search box folds its query; `product_search_text` for every writer of a product's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from primedist.core.phone import is_masked_phone, normalize_phone, phone_search_variants
from primedist.core.text import fold


def phone_terms(phone: str | None) -> list[str]:
    """Every form a phone is typed in (`0939…`, `84939…`); masked or bad values add none."""
    if not phone or is_masked_phone(phone):
        return []
    norm = normalize_phone(phone)
    return phone_search_variants(norm) if norm else []


def search_text(*parts: str | None, phones: Iterable[str | None] = ()) -> str:
    """Folded words of `parts` plus every searchable form of `phones`."""
    words = [p for p in parts if p]
    for phone in phones:
        words += phone_terms(phone)
    return fold(" ".join(words))


#: What a variant adds to its product's search text: (SKU, barcode, option1, option2).
VariantWords = Sequence[str | None]


def product_search_text(name: str, variants: Iterable[VariantWords]) -> str:
    """A product's `search_text`: its name, then each of its (active) variants' SKU,
    barcode and option values ("Xanh rêu", "M"), so "ao so mi xanh reu" finds it. A value
    several variants share (a colour in every size) is written once: the text stays short."""
    # Folded part by part (= `search_text` of them all): the codes take `fold`'s ASCII
    # path, and 100k products are folded in about a second, not four.
    words = dict.fromkeys([fold(name)])
    for variant in variants:
        words.update(dict.fromkeys(fold(p) for p in variant if p))
    return " ".join(w for w in words if w)
