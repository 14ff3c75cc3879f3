"""Folded full-text search: FTS5 on SQLite, a regular expression on `search_text`
elsewhere.

A query that looks like a phone number, whole or only its start ("0939 921",
"+84 939 921"), is also searched as one phone prefix: the index holds a phone as one word
(`core.search_keys`), which the groups typed separately would never start.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from primedist.core.phone import normalize_phone
from primedist.core.text import fts_match_query, search_tokens
from primedist.db.search import FTS_TABLES

#: Digits with the separators people type in a phone, and one leading `+` (after an
#: opening parenthesis at most: "(+84) 939-921").
_PHONE_QUERY_RE = re.compile(r"\s*\(?\s*\+?[0-9\s().\-]*")
#: Digits a query needs to be taken for the start of a phone. A phone's first group is
#: typed as 4 digits ("0939 …"); with fewer the query is more likely a quantity or a house
#: number, and a 3-digit network prefix ("093") finds a good part of every customer anyway.
MIN_PHONE_DIGITS = 4


def phone_prefix(text: str) -> str | None:
    """The phone a query is (or starts), as the search index holds phones: separators
    dropped, `+84`/`0084` as the national `0`; None when the query is no phone."""
    if not _PHONE_QUERY_RE.fullmatch(text):
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) < MIN_PHONE_DIGITS:
        return None
    whole = normalize_phone(text)
    if whole:
        return whole
    if "+" in text:
        return _national_start(digits)
    if digits.startswith("00"):  # the international call prefix
        return _national_start(digits[2:])
    # A bare "84…" stays: the index also holds phones as 84…, and order numbers start so.
    return digits


def _national_start(international: str) -> str:
    """`84939…` → `0939…` (a `(0)` kept by mistake dropped); another country's digits
    stay, as the index holds them (`+6581…` as `6581…`)."""
    if not international.startswith("84"):
        return international
    national = international[2:]
    return "0" + (national[1:] if national.startswith("0") else national)


def search_filter(table: sa.Table, text: str, dialect_name: str) -> ColumnElement[bool] | None:
    """A WHERE clause matching rows of `table` whose folded search text has every token
    of `text` as a word prefix, or (a phone-like `text`) a word starting with its phone;
    None when `text` has no tokens."""
    phone = phone_prefix(text)
    if dialect_name == "sqlite":
        match = _fts_match(text, phone)
        if match is None:
            return None
        fts = FTS_TABLES[table.name]
        sub = sa.text(f"SELECT rowid FROM {fts} WHERE {fts} MATCH :q").bindparams(q=match)
        return table.c.id.in_(sub.columns(sa.column("rowid", sa.Integer)))
    typed = _word_prefixes(table.c.search_text, search_tokens(text))
    if typed is None or phone is None:
        return typed
    as_phone = _word_prefixes(table.c.search_text, search_tokens(phone))
    return typed if as_phone is None else sa.or_(as_phone, typed)


def _fts_match(text: str, phone: str | None) -> str | None:
    """The FTS5 expression: the words as typed, or the phone they spell. The words stay
    for what only looks like a phone (a SKU `100-200`, an order number)."""
    typed = fts_match_query(text)
    as_phone = fts_match_query(phone) if phone else None
    if typed is None or as_phone is None or as_phone == typed:
        return typed or as_phone
    return f"{as_phone} OR ({typed})"


def _word_prefixes(col: sa.ColumnElement[str], tokens: list[str]) -> ColumnElement[bool] | None:
    """Every token as a word prefix, as FTS5's unicode61 tokenizer sees words: after the
    start or any character that is not a letter or digit (`example` in `hoa@example.vn`).
    Tokens are letters and digits only, so nothing in them needs escaping."""
    if not tokens:
        return None
    return sa.and_(*[col.regexp_match(f"(^|[^[:alnum:]]){t}") for t in tokens])


def words_matcher(text: str) -> Callable[[Iterable[str | None]], bool]:
    """A test of values stored as typed (not folded): do they hold every token of `text`
    as a word prefix, or (a phone-like `text`) its phone — what `search_filter` asks of a
    folded `search_text`, for the few rows an indexed search found (a variant's own SKU
    and option values rather than its whole product's)."""
    tokens = search_tokens(text)
    phone = phone_prefix(text)

    def matches(values: Iterable[str | None]) -> bool:
        words = search_tokens(" ".join(v for v in values if v))

        def has(token: str) -> bool:
            return any(w.startswith(token) for w in words)

        return bool(tokens) and all(map(has, tokens)) or (phone is not None and has(phone))

    return matches
