"""The `search_text` column of searchable records (customers, products, orders).

One function so every writer (services, imports, sync, demo data) indexes records the same
way the search box folds its query.
"""

from __future__ import annotations

from collections.abc import Iterable

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
