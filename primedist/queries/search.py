"""Folded full-text search: FTS5 on SQLite, a regular expression on `search_text`
elsewhere."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from primedist.core.phone import looks_like_phone_query, normalize_phone
from primedist.core.text import fts_match_query, search_tokens
from primedist.db.search import FTS_TABLES


def normalize_query(text: str) -> str:
    """A phone-like query becomes its national form (`+84 939…` → `0939…`)."""
    if looks_like_phone_query(text):
        norm = normalize_phone(text)
        if norm:
            return norm
    return text


def search_filter(table: sa.Table, text: str, dialect_name: str) -> ColumnElement[bool] | None:
    """A WHERE clause matching rows of `table` whose folded search text has every token
    of `text` as a word prefix; None when `text` has no tokens."""
    text = normalize_query(text)
    if dialect_name == "sqlite":
        match = fts_match_query(text)
        if match is None:
            return None
        fts = FTS_TABLES[table.name]
        sub = sa.text(f"SELECT rowid FROM {fts} WHERE {fts} MATCH :q").bindparams(q=match)
        return table.c.id.in_(sub.columns(sa.column("rowid", sa.Integer)))
    tokens = search_tokens(text)
    if not tokens:
        return None
    # A word prefix as FTS5's unicode61 tokenizer sees words: after the start or any
    # character that is not a letter or digit (`example` in `hoa@example.vn`). Tokens are
    # letters and digits only, so nothing in them needs escaping.
    col = table.c.search_text
    return sa.and_(*[col.regexp_match(f"(^|[^[:alnum:]]){t}") for t in tokens])
