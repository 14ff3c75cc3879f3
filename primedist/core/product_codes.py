"""The spellings a product code may be typed or scanned in other than the one saved."""

from __future__ import annotations

import re

#: "20*8934567890120": 20 of what the code names (KiotViet's way); "20*" alone: a
#: quantity for the line scanned last.
TIMES = re.compile(r"^\s*(\d+)\s*\*\s*(.*)$")

#: The shortest barcode (EAN-8): "30 32" may be sizes searched for, not a code.
MIN_BARCODE_DIGITS = 8


def other_code_spellings(text: str) -> list[str]:
    """The other ways a product code typed as `text` may have been saved: without the
    spaces of its printed digit groups, and a UPC-A code (12 digits) as its EAN-13
    (the same digits after a 0) or the other way round. Only codes of digits and
    spaces: a name ("ao thun 2") is never joined up."""
    compact = "".join(text.split())
    if not (compact.isascii() and compact.isdigit() and len(compact) >= MIN_BARCODE_DIGITS):
        return []
    spellings = [compact]
    if len(compact) == 12:
        spellings.append("0" + compact)
    elif len(compact) == 13 and compact.startswith("0"):
        spellings.append(compact[1:])
    return [code for code in spellings if code != text]


def split_times(text: str) -> tuple[int | None, str]:
    """A scan or search typed as "N*code" split into (N, code): "20*8934…" → (20, "8934…"),
    "20 * áo" → (20, "áo"), "20*" → (20, ""); anything else → (None, the text stripped).
    Goods receipts and the stock-take read their scan fields the same way."""
    times = TIMES.match(text)
    if times is None:
        return None, text.strip()
    return int(times.group(1)), times.group(2).strip()
