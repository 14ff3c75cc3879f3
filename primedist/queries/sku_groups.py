"""The SKU group ("Prime SKU") list: one row per group with its members' figures.

Keys are paged on `sku_groups` alone; the per-group figures (channels, number of listings,
price range, discount price) are correlated subqueries over the group's member variants
(`variants.sku_group_id` is indexed), computed only for the rows on screen. A shop has a
few thousand groups at most, so sorting on `created_at` / `name` / `stock` without an
index of their own stays in the low milliseconds (`code` has its unique index).

Search folds Vietnamese in SQL (groups have no `search_text` column): every folded token
of the query must occur in the code or name, whatever their case and marks.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from primedist.core.text import fold, like_escape, search_tokens
from primedist.domain.base import table_of
from primedist.domain.product import ProductListing, SkuGroup, Variant
from primedist.domain.shop import Shop
from primedist.queries.spec import Column, QuerySpec

groups = table_of(SkuGroup)
variants = table_of(Variant)
listings = table_of(ProductListing)
shops = table_of(Shop)

#: Separator of the channel words in the `channels` column.
CHANNEL_SEPARATOR = ","


# --------------------------------------------------------------------------- SQL helpers


def _vietnamese_letters() -> dict[str, str]:
    """Every precomposed Vietnamese letter (both cases) → its folded ASCII letter."""
    out: dict[str, str] = {}
    for base in "aăâeêioôơuưy":
        for mark in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"):
            for letter in (base, base.upper()):
                composed = unicodedata.normalize("NFC", letter + mark)
                if len(composed) == 1 and not composed.isascii():
                    out[composed] = fold(composed)
    out["đ"] = out["Đ"] = "d"
    return out


_LETTERS = _vietnamese_letters()


_VARIANTS: dict[str, str] = {}
for _letter, _plain in sorted(_LETTERS.items()):
    _VARIANTS[_plain] = _VARIANTS.get(_plain, _plain + _plain.upper()) + _letter


def _glob_token(token: str) -> str:
    """A GLOB pattern matching `token` (folded) anywhere, in any case, with any marks:
    `binh` → `*[bB][iIìÌíÍ…][nN][hH]*`."""
    out = []
    for ch in token:
        if ch in _VARIANTS:
            out.append(f"[{_VARIANTS[ch]}]")
        elif ch.isascii() and ch.isalpha():
            out.append(f"[{ch}{ch.upper()}]")
        else:
            out.append(ch)  # digits and other scripts: tokens never hold * ? [ ]
    return "*" + "".join(out) + "*"


class folded(FunctionElement[str]):  # noqa: N801  (reads like a SQL function)
    """PostgreSQL: lower case, no Vietnamese diacritics, đ → d (translate())."""

    type = sa.String()
    inherit_cache = True
    name = "folded"


@compiles(folded)
def _folded_pg(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    # Both cases translated before lower(): in a database with the C locale lower()
    # changes ASCII letters only (Đ stays Đ).
    src, dst = "".join(_LETTERS), "".join(_LETTERS.values())
    return f"lower(translate({compiler.process(element.clauses, **kw)}, '{src}', '{dst}'))"


class distinct_list(FunctionElement[str]):  # noqa: N801
    """The distinct values of a text expression joined with CHANNEL_SEPARATOR (aggregate)."""

    type = sa.String()
    inherit_cache = True
    name = "distinct_list"


@compiles(distinct_list)
def _distinct_list_sqlite(element: distinct_list, compiler: SQLCompiler, **kw: Any) -> str:
    return f"group_concat(DISTINCT {compiler.process(element.clauses, **kw)})"


@compiles(distinct_list, "postgresql")
def _distinct_list_pg(element: distinct_list, compiler: SQLCompiler, **kw: Any) -> str:
    expr = compiler.process(element.clauses, **kw)
    return f"string_agg(DISTINCT CAST({expr} AS TEXT), '{CHANNEL_SEPARATOR}')"


def folded_contains(
    expr: ColumnElement[Any], text: str, dialect: str
) -> ColumnElement[bool] | None:
    """Every folded token of `text` occurs in `expr` (case and Vietnamese marks ignored);
    None when `text` has no tokens. SQLite has no translate() (and a replace() per letter
    overflows its parser), so each token becomes a GLOB pattern of letter classes there."""
    tokens = search_tokens(text)
    if not tokens:
        return None
    if dialect == "sqlite":
        return sa.and_(*[expr.op("GLOB")(_glob_token(t)) for t in tokens])
    target = folded(expr)
    return sa.and_(*[target.like(f"%{like_escape(t)}%", escape="\\") for t in tokens])


# --------------------------------------------------------------------------- columns

g, v, pl, s = groups.c, variants.c, listings.c, shops.c


def _member_agg(agg: ColumnElement[Any]) -> ColumnElement[Any]:
    return sa.select(agg).where(v.sku_group_id == g.id).scalar_subquery()


channels_expr: ColumnElement[Any] = (
    sa.select(distinct_list(s.channel))
    .select_from(variants.join(listings, pl.product_id == v.product_id)
                 .join(shops, s.id == pl.shop_id))
    .where(v.sku_group_id == g.id, pl.is_active.is_(True))
    .scalar_subquery()
)  # fmt: skip
listing_count_expr = _member_agg(sa.func.count(v.id))
price_min_expr = _member_agg(sa.func.min(v.price))
price_max_expr = _member_agg(sa.func.max(v.price))
special_price_expr = _member_agg(sa.func.min(v.discount_price))
available_expr = g.stock - g.reserved


def _search(text: str, dialect: str) -> ColumnElement[bool] | None:
    return folded_contains(g.code + " " + g.name, text, dialect)


GROUPS_SPEC = QuerySpec(
    name="sku_groups",
    key=g.id,
    from_=groups,
    key_from=groups,
    columns=(
        Column("name", "Group", g.name, sort=g.name, width=240),
        Column("code", "Code", g.code, sort=g.code, width=120),
        Column("channels", "Channels", channels_expr, width=110),
        Column("listings", "Listings", listing_count_expr, kind="int", width=80),
        Column("price", "Price", price_min_expr, kind="money", width=180),
        Column("price_max", "Highest price", price_max_expr, kind="money"),
        Column("special_price", "Discount price", special_price_expr, kind="money"),
        Column("stock", "Stock", g.stock, kind="int", sort=g.stock, width=90),
        Column("available", "Available", available_expr, kind="int", width=105),
        Column(
            "created_at", "Created", g.created_at, kind="datetime", sort=g.created_at, width=130
        ),
    ),  # fmt: skip
    default_sort="created_at",
    default_descending=True,
    search=_search,
)

#: The export's columns (Excel): the list's, with both ends of the price range.
GROUPS_EXPORT_SPEC = dataclasses.replace(
    GROUPS_SPEC,
    name="sku_groups_export",
    columns=tuple(
        dataclasses.replace(c, label="Lowest price") if c.key == "price" else c
        for c in GROUPS_SPEC.columns
    ),
)


def split_channels(value: str | None) -> list[str]:
    """The channel words of a `channels` cell, sorted (stable icons and export text)."""
    return sorted({c for c in (value or "").split(CHANNEL_SEPARATOR) if c})
