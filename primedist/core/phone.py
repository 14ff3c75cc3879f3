"""Vietnamese phone number normalisation, masking detection and search variants."""

from __future__ import annotations

import re

_ALLOWED_RE = re.compile(r"[0-9\s().\-+]+")
_SEPARATORS_RE = re.compile(r"[\s().\-+]")
_MASK_CHARS = frozenset("*xX•●")
_DIGITS = frozenset("0123456789")

# The 2018 renumbering moved 11-digit mobiles (01xx) to 10 digits; old customer lists
# still hold them, so map the old prefix (without its 0) to the new one.
_OLD_MOBILE_PREFIXES: dict[str, str] = {
    # Viettel
    "162": "32", "163": "33", "164": "34", "165": "35",
    "166": "36", "167": "37", "168": "38", "169": "39",
    # MobiFone
    "120": "70", "121": "79", "122": "77", "126": "76", "128": "78",
    # VinaPhone
    "123": "83", "124": "84", "125": "85", "127": "81", "129": "82",
    # Vietnamobile, Gmobile
    "186": "56", "188": "58", "199": "59",
}  # fmt: skip


def _vn_national(nsn: str) -> str | None:
    """Turn a Vietnamese national significant number (no leading 0) into ``0…`` form."""
    if len(nsn) == 10 and nsn[:3] in _OLD_MOBILE_PREFIXES:
        nsn = _OLD_MOBILE_PREFIXES[nsn[:3]] + nsn[3:]
    if len(nsn) == 9 and nsn[0] in "35789":  # mobile
        return "0" + nsn
    if len(nsn) == 10 and nsn[0] == "2":  # landline: 2x/2xx area code
        return "0" + nsn
    return None


def normalize_phone(raw: str | None) -> str | None:
    """Normalise to ``0939921717`` for Vietnam or E.164 ``+6581234567`` abroad; None if invalid."""
    if raw is None:
        return None
    text = raw.strip()
    if not text or not _ALLOWED_RE.fullmatch(text):
        return None
    plus = text.find("+")
    # A single "+" may only be preceded by an opening parenthesis, as in "(+84)".
    if plus >= 0 and (text.count("+") > 1 or text[:plus].replace("(", "").strip()):
        return None
    digits = _SEPARATORS_RE.sub("", text)
    if len(digits) < 8:
        return None
    if plus >= 0 or digits.startswith("00"):
        intl = digits[2:] if plus < 0 else digits
        if intl.startswith("84"):
            # "+84 (0) 939…" keeps the trunk 0 by mistake.
            nsn = intl[2:]
            return _vn_national(nsn[1:] if nsn.startswith("0") else nsn)
        if intl.startswith("0") or not 8 <= len(intl) <= 15:
            return None
        return "+" + intl
    if digits.startswith("0"):
        return _vn_national(digits[1:])
    if digits.startswith("84") and len(digits) in (11, 12):
        return _vn_national(digits[2:])
    if digits.startswith(("1800", "1900")) and len(digits) in (8, 10):
        return digits  # toll-free / premium service numbers have no trunk 0
    # Spreadsheets drop the leading 0 of numbers stored as integers.
    return _vn_national(digits)


def format_phone(phone: str | None) -> str:
    """A stored phone as people read it: `0939921717` → `0939 921 717` (other forms, a
    marketplace's mask or a foreign number, as stored)."""
    if phone and len(phone) == 10 and phone.isdigit():
        return f"{phone[:4]} {phone[4:7]} {phone[7:]}"
    return phone or ""


def is_masked_phone(raw: str) -> bool:
    """Whether a marketplace masked the number, e.g. ``(+84)93*****17`` or ``******717``."""
    rest = _SEPARATORS_RE.sub("", raw)
    masks = sum(c in _MASK_CHARS for c in rest)
    return masks > 0 and len(rest) >= 6 and all(c in _DIGITS or c in _MASK_CHARS for c in rest)


def phone_search_variants(norm: str) -> list[str]:
    """Forms of a normalised number to index for search, e.g. ``0939921717`` and ``84939921717``."""
    if norm.startswith("0") and norm[1:].isdigit():
        return [norm, "84" + norm[1:]]
    if norm.startswith("+") and norm[1:].isdigit():
        return [norm, norm[1:]]
    return [norm]


def looks_like_phone_query(q: str) -> bool:
    """Whether a search query is a phone number (digits once separators are removed)."""
    rest = _SEPARATORS_RE.sub("", q)
    return len(rest) >= 3 and rest.isascii() and rest.isdigit()
