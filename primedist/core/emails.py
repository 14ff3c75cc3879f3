"""Whether a text is an email address one can write to: what staff sign in with, and the
emails of customers and suppliers (one rule for all of them)."""

from __future__ import annotations

import re

#: A dot-separated domain of letters, digits and hyphens, ending in a name of letters.
_DOMAIN_RE = re.compile(r"(?:[^\W_](?:(?:[^\W_]|-)*[^\W_])?\.)+[^\W\d_]{2,}")
#: What never stands in the part before the @ of an ordinary address.
_NOT_IN_LOCAL = re.compile(r'[ \t\r\n"(),:;<>\[\]\\@]')


def is_email(text: str) -> bool:
    """`name@shop.vn`; not `a@@b.vn`, `a@.vn`, `a@b..vn`, `.a@b.vn`, `a@b.vn.` or one with
    a space or a tab."""
    local, at, domain = text.rpartition("@")
    if not at or not local or len(text) > 254:
        return False
    if _NOT_IN_LOCAL.search(local):  # (the domain's pattern has no room for spaces)
        return False
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return False
    return _DOMAIN_RE.fullmatch(domain) is not None
