"""Money formatting and parsing; amounts are ints in the currency's smallest unit."""

from __future__ import annotations

import re
import unicodedata

# SQLite INTEGER is a signed 64-bit value; anything larger cannot be stored.
MAX_AMOUNT = 2**63 - 1

# (thousands separator, decimal separator) per UI language.
_SEPARATORS: dict[str, tuple[str, str]] = {"vi": (".", ","), "en": (",", ".")}

# ISO 4217 minor-unit digits for the currencies the shop can meet; VND has no minor unit.
_MINOR_DIGITS: dict[str, int] = {
    "VND": 0,
    "USD": 2,
    "EUR": 2,
    "SGD": 2,
    "CNY": 2,
    "THB": 2,
    "JPY": 0,
    "KRW": 0,
}

_CURRENCY = r"(?:₫|vnđ|vnd|đồng|đ)"
#: Shorthands shop owners type after a number, and the zeros each stands for: "150k",
#: "1,5tr", "2 triệu"; "1tr5" is 1,5tr (as said aloud: "một triệu rưỡi").
_UNITS = {"k": 3, "triệu": 6, "trieu": 6, "tr": 6}
_UNIT = "|".join(sorted(_UNITS, key=len, reverse=True))
_AMOUNT_RE = re.compile(
    rf"(?P<s1>[+\-\u2212]?)(?P<c1>{_CURRENCY})?(?P<s2>[+\-\u2212]?)"
    rf"(?P<num>[0-9](?:[0-9., ]*[0-9])?)(?:(?P<unit>{_UNIT})(?P<tail>[0-9]{{1,3}})?)?"
    rf"(?P<c2>{_CURRENCY})?"
)
# A space that is not between two digits is only padding around a sign or currency.
_PADDING_RE = re.compile(r"(?<![0-9]) | (?![0-9])")


def _lang(lang: str) -> str:
    """Reduce a locale such as ``vi_VN`` or ``en-US`` to a supported language code."""
    code = lang.replace("-", "_").split("_", 1)[0].lower()
    if code not in _SEPARATORS:
        raise ValueError(f"unsupported language {lang!r}")
    return code


def format_number(n: int, lang: str = "vi") -> str:
    """Format an integer with the language's thousands separator."""
    thousands, _ = _SEPARATORS[_lang(lang)]
    return f"{n:,}".replace(",", thousands)


def format_money(amount: int, lang: str = "vi", currency: str = "VND") -> str:
    """Format an amount in minor units, e.g. ``180.392.199 ₫`` (vi) or ``180,392,199 VND`` (en)."""
    code = _lang(lang)
    iso = currency.upper()
    digits = _MINOR_DIGITS.get(iso)
    if digits is None:
        raise ValueError(f"unsupported currency {currency!r}")
    _, decimal = _SEPARATORS[code]
    units, minor = divmod(abs(amount), 10**digits)
    body = format_number(units, code)
    if digits:
        body += f"{decimal}{minor:0{digits}d}"
    symbol = "₫" if iso == "VND" and code == "vi" else iso
    sign = "-" if amount < 0 else ""
    return f"{sign}{body} {symbol}"


#: The minus of a negative amount shown to people (U+2212: as wide as the plus, unlike the
#: hyphen `format_money` writes, which files and the command line keep).
MINUS = "\u2212"


def money_text(amount: int, lang: str = "vi") -> str:
    """An amount as the app's screens and printed documents show it: ``50.000 ₫`` (vi) or
    ``50,000 VND`` (en), below zero with the minus sign: ``−50.000 ₫``."""
    text = format_money(abs(amount), lang)
    return f"{MINUS}{text}" if amount < 0 else text


def money_number_format(lang: str = "vi") -> str:
    """The spreadsheet number format showing a number of đồng as `money_text` writes it,
    ``#,##0 "₫";"−"#,##0 "₫"`` (vi), ``#,##0 "VND";"−"#,##0 "VND"`` (en): the cell stays a
    number; the thousands separator is the spreadsheet's own."""
    symbol = format_money(0, lang).rsplit(" ", 1)[1]
    return f'#,##0 "{symbol}";"{MINUS}"#,##0 "{symbol}"'


def format_money_range(lo: int, hi: int, lang: str = "vi", currency: str = "VND") -> str:
    """Format a price range such as ``29.000 ₫ - 49.000 ₫``; a single value when lo == hi."""
    if lo > hi:
        raise ValueError(f"range start {lo} is greater than its end {hi}")
    if lo == hi:
        return format_money(lo, lang, currency)
    return f"{format_money(lo, lang, currency)} - {format_money(hi, lang, currency)}"


def _is_grouped(groups: list[str]) -> bool:
    """Whether the pieces split on a thousands separator form valid 3-digit groups."""
    head, tail = groups[0], groups[1:]
    return (
        1 <= len(head) <= 3
        and not head.startswith("0")
        and all(len(g) == 3 for g in tail)
        and all(g.isdigit() for g in groups)
    )


def _scaled(num: str, lang: str, zeros: int) -> tuple[str, str] | None:
    """`num` thousands (`zeros` 3) or millions (6), as shop owners type prices ("150k",
    "1,5k", "1.5tr"): the (integer digits, fraction digits) of the amount in đồng. One
    separator before one or two digits is the decimal point in either language; before
    three it groups thousands ("1.500k" is 1.500.000), as in an amount without the k."""
    head, sep, tail = num.replace(",", ".").rpartition(".")
    if sep and "." not in head and 1 <= len(tail) <= 2 and head.isdigit() and tail.isdigit():
        return head + tail.ljust(zeros, "0"), ""
    parts = _split_number(num, lang)
    if parts is None or len(parts[1]) > zeros:
        return None
    int_part, frac = parts
    return int_part + frac.ljust(zeros, "0"), ""


def _split_number(num: str, lang: str) -> tuple[str, str] | None:
    """Split digits-with-separators into (integer digits, fraction digits), or None if invalid."""
    _, decimal = _SEPARATORS[lang]
    has_dot, has_comma = "." in num, "," in num
    if has_dot and has_comma:
        # Both present: the one that comes last is the decimal separator, whatever the language.
        dec = "." if num.rfind(".") > num.rfind(",") else ","
        if num.count(dec) != 1:
            return None
        int_part, frac = num.split(dec)
        groups = int_part.split("," if dec == "." else ".")
        return ("".join(groups), frac) if _is_grouped(groups) else None
    if has_dot or has_comma:
        sep = "." if has_dot else ","
        groups = num.split(sep)
        # VND has no minor unit, so "1.000" means one thousand even in English.
        if _is_grouped(groups):
            return "".join(groups), ""
        if len(groups) == 2 and sep == decimal:
            return groups[0], groups[1]
        return None
    return num, ""


def parse_money(text: str, lang: str = "vi") -> int:
    """Parse a whole VND amount such as ``180.392.199 ₫``, ``1.000.000đ``, ``-5,000 VND``
    or in thousands or millions, ``150k`` / ``1,5k`` / ``1,5tr`` / ``2 triệu``."""
    code = _lang(lang)
    compact = " ".join(unicodedata.normalize("NFC", text).split()).lower()
    if not compact:
        raise ValueError("an amount of money is required")
    compact = _PADDING_RE.sub("", compact)
    bad = ValueError(f"{text!r} is not an amount of money")
    match = _AMOUNT_RE.fullmatch(compact)
    if match is None or (match["c1"] and match["c2"]) or (match["s1"] and match["s2"]):
        raise bad
    # Spaces between digits group thousands ("5 000"), like the language's own separator.
    num = match["num"].replace(" ", _SEPARATORS[code][0])
    unit, tail = match["unit"], match["tail"]
    if tail and not num.isdigit():
        raise bad  # "1.5tr5"
    parts: tuple[str, str] | None
    if tail:  # "1tr5" is 1.5tr, "1tr250" 1.25tr
        parts = num + tail.ljust(_UNITS[unit], "0"), ""
    elif unit:
        parts = _scaled(num, code, _UNITS[unit])
    else:
        parts = _split_number(num, code)
    if parts is None:
        raise bad
    int_part, frac = parts
    if frac.strip("0"):
        raise ValueError(f"{text!r} is not a whole number of đồng")
    value = int(int_part)
    if value > MAX_AMOUNT:
        raise ValueError(f"{text!r} is too large an amount")
    return -value if (match["s1"] or match["s2"]) in ("-", "\u2212") else value
