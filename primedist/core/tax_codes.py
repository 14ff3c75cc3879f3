"""Whether a text is a Vietnamese tax code (mã số thuế): the shop's own, printed on its
receipts and invoices, and its suppliers' (one rule for both)."""

from __future__ import annotations

import re

from primedist.core.messages import Message, msg

#: 10 digits; a branch's 13, its last 3 after a hyphen or not (0101234567-001).
_TAX_CODE_RE = re.compile(r"\d{10}(-?\d{3})?")


def tax_code_problem(code: str) -> Message | None:
    """What is wrong with `code` (None: a tax code, or none given)."""
    if not code or _TAX_CODE_RE.fullmatch(code):
        return None
    return msg("A tax code has 10 digits (a branch's 13, as 0101234567-001): {code} is not one.",
               code=code)  # fmt: skip
