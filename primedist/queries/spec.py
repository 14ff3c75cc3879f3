"""Declarative list queries: one QuerySpec feeds the table view, the counts and exports.

A list is keyed by (sort expression, primary key). Keys are loaded with keyset paging
(`(sort, id) < (last_sort, last_id)`), never OFFSET, so any depth costs the same; rows
are then fetched by primary key for the visible page only. Sort expressions must be
NOT NULL and backed by an index that starts with them (checked with EXPLAIN in tests).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, ColumnElement
from sqlalchemy.sql.selectable import FromClause
from sqlalchemy.sql.visitors import iterate, replacement_traverse

SearchBuilder = Callable[[str, str], ColumnElement[bool] | None]
#: (connection, filter clauses, sort column name) → hint columns to leave unhinted (naming
#: the sort column too: hint it, so the few matches are read by a filter's index and sorted).
Unhinted = Callable[[sa.Connection, Sequence[ColumnElement[bool]], str], frozenset[str]]


@dataclass(frozen=True)
class Column:
    """One list column: a stable key, an English label, its SQL and how to show it."""

    key: str
    label: str
    expr: ColumnElement[Any]
    #: text, int, money, datetime, date, enum, bool
    kind: str = "text"
    #: SQL to sort by (indexed, NOT NULL); None = not sortable.
    sort: ColumnElement[Any] | None = None
    width: int = 120


@dataclass(frozen=True)
class QuerySpec:
    """What a list shows and how it is queried."""

    name: str
    key: ColumnElement[int]
    from_: FromClause
    columns: tuple[Column, ...]
    default_sort: str
    default_descending: bool = True
    #: Builds a WHERE clause from the search box text for a dialect name.
    search: SearchBuilder | None = None
    #: Where keys are counted and paged (the key's own table: no joins for the planner to
    #: get wrong). Filters and sort expressions must only use this table. None = `from_`.
    key_from: FromClause | None = None
    #: Columns of `key_from` whose range/IN filters SQLite must not pick an index for when
    #: paging keys (the planner trap: it would take the filter's index and sort every
    #: match). They get a unary `+` unless they are the sort column; equality filters keep
    #: their index (`status = 'pending'` seeks the (status, sort, id) index).
    hint_columns: frozenset[str] = frozenset()
    #: SQLite counts without a search: given the filtered column names, the columns to
    #: hint so the planner takes a covering index rather than a filter's index plus a row
    #: lookup per match; `count_where` is added (e.g. `status IN (all)` to seek on).
    count_hints: Callable[[frozenset[str]], frozenset[str]] | None = None
    count_where: tuple[ColumnElement[bool], ...] = ()
    #: SQLite counts without a search: each filter clause in the form to count with (a
    #: filter that pages best as `id IN (set)` can count best as a seek on its own index).
    count_clause: Callable[[ColumnElement[bool]], ColumnElement[bool]] | None = None
    #: SQLite paging keys with a connection at hand: given the filter clauses and the
    #: sort column's name, the `hint_columns` to leave unhinted this time (a filter that
    #: holds so few rows that its index and a sort beat walking the sort's index). With the
    #: sort column among them, the ORDER BY, the keyset bound and the equality filters on
    #: hint columns are hinted too: only the unhinted filters' index is read, then sorted.
    unhinted: Unhinted | None = None
    #: SQLite paging keys with a connection at hand: each filter clause in the form to page
    #: with (a filter whose set is large pages best as a correlated EXISTS tested on the
    #: walked sort index, a small one as `id IN (set)` read by its own index and sorted).
    page_clause: Callable[[sa.Connection, ColumnElement[bool]], ColumnElement[bool]] | None = None

    @property
    def keys_from(self) -> FromClause:
        return self.from_ if self.key_from is None else self.key_from

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(f"{self.name} has no column {key!r}")

    def sortable(self, key: str) -> bool:
        return self.column(key).sort is not None


@dataclass(frozen=True)
class QueryState:
    """The user's current view of a list: search text, filter clauses, sort."""

    search: str = ""
    filters: tuple[ColumnElement[bool], ...] = field(default_factory=tuple)
    sort_key: str | None = None
    descending: bool | None = None

    def with_sort(self, key: str, descending: bool) -> QueryState:
        return replace(self, sort_key=key, descending=descending)

    def with_search(self, text: str) -> QueryState:
        return replace(self, search=text)

    def with_filters(self, filters: Sequence[ColumnElement[bool]]) -> QueryState:
        return replace(self, filters=tuple(filters))


def _sort_of(spec: QuerySpec, state: QueryState) -> tuple[ColumnElement[Any], bool]:
    key = state.sort_key or spec.default_sort
    col = spec.column(key)
    if col.sort is None:
        col = spec.column(spec.default_sort)
    assert col.sort is not None, f"{spec.name}: default sort column must be sortable"
    desc = spec.default_descending if state.descending is None else state.descending
    return col.sort, desc


def where_clauses(spec: QuerySpec, state: QueryState, dialect: str) -> list[ColumnElement[bool]]:
    """The filter clauses plus the search clause of a state."""
    clauses = list(state.filters)
    if state.search.strip() and spec.search is not None:
        clause = spec.search(state.search, dialect)
        if clause is not None:
            clauses.append(clause)
    return clauses


def hint_clause(
    clause: ColumnElement[bool],
    table: FromClause,
    names: frozenset[str],
    *,
    equalities: bool = False,
) -> ColumnElement[bool]:
    if not equalities and isinstance(clause, BinaryExpression) and clause.operator is operators.eq:
        return clause

    def replace(element: Any) -> Any:
        if isinstance(element, sa.Column) and element.table is table and element.name in names:
            return sa.literal_column(f"+{table.name}.{element.name}", type_=element.type)
        return None

    out: ColumnElement[bool] = replacement_traverse(clause, {}, replace)  # type: ignore[call-overload]
    return out


def key_where(
    spec: QuerySpec,
    state: QueryState,
    dialect: str,
    sort: ColumnElement[Any],
    conn: sa.Connection | None = None,
    *,
    unhinted: frozenset[str] | None = None,
) -> list[ColumnElement[bool]]:
    """The WHERE clauses for paging keys: on SQLite, hinted so the sort index is walked
    (but for the columns `spec.unhinted` names, when given a connection to ask with, or
    `unhinted` when already asked)."""
    clauses = where_clauses(spec, state, dialect)
    if dialect == "sqlite" and conn is not None and spec.page_clause is not None:
        clauses = [spec.page_clause(conn, c) for c in clauses]
    if dialect != "sqlite" or not spec.hint_columns:
        return clauses
    sort_name = getattr(sort, "name", "")
    if unhinted is None:
        unhinted = _unhinted(spec, state, dialect, sort, conn)
    names = spec.hint_columns - {sort_name} - unhinted
    # Not walking the sort's index: the unhinted filter's index alone is read (an equal
    # status would take its (status, …) index and look up every row it holds).
    equalities = sort_name in unhinted
    return [hint_clause(c, spec.keys_from, names, equalities=equalities) for c in clauses]


def _unhinted(
    spec: QuerySpec,
    state: QueryState,
    dialect: str,
    sort: ColumnElement[Any],
    conn: sa.Connection | None,
) -> frozenset[str]:
    if dialect != "sqlite" or conn is None or spec.unhinted is None or not spec.hint_columns:
        return frozenset()
    return spec.unhinted(conn, state.filters, getattr(sort, "name", ""))


def count_stmt(spec: QuerySpec, state: QueryState, dialect: str) -> sa.Select[Any]:
    """SELECT count(*) for the state's filters and search."""
    return covering_count(spec, state, dialect, sa.select(sa.func.count()))


def covering_count(
    spec: QuerySpec, state: QueryState, dialect: str, select: sa.Select[Any]
) -> sa.Select[Any]:
    """`select` (an aggregate) over the state's rows; index-only on SQLite without a search."""
    where = where_clauses(spec, state, dialect)
    # Unfiltered, SQLite counts on the narrowest index by itself (2 ms for 1M orders);
    # `count_where` would make it walk the wider status index instead (30 ms).
    if where and dialect == "sqlite" and spec.count_hints and not state.search.strip():
        if spec.count_clause is not None:
            where = [spec.count_clause(c) for c in where]
        names = spec.count_hints(_column_names(where, spec.keys_from))
        where = [hint_clause(c, spec.keys_from, names) for c in where] + list(spec.count_where)
    return select.select_from(spec.keys_from).where(*where)


def _column_names(clauses: Sequence[ColumnElement[bool]], table: FromClause) -> frozenset[str]:
    return frozenset(
        el.name
        for clause in clauses
        for el in iterate(clause)
        if isinstance(el, sa.Column) and el.table is table
    )


def keys_stmt(
    spec: QuerySpec,
    state: QueryState,
    dialect: str,
    *,
    after: tuple[Any, int] | None,
    limit: int | None,
    conn: sa.Connection | None = None,
) -> sa.Select[Any]:
    """The next `limit` keys (None = all) after the (sort value, key) pair `after`, in list
    order (with `conn`, the spec may look at the data to choose the index: `unhinted`).

    Only the key is selected: the sort value of every row would cost a Python object
    (a datetime) per row; the caller fetches the last one with `sort_value_stmt`.
    """
    sort, desc = _sort_of(spec, state)
    unhinted = _unhinted(spec, state, dialect, sort, conn)
    where = key_where(spec, state, dialect, sort, conn, unhinted=unhinted)
    if isinstance(sort, sa.Column) and sort.name in unhinted:
        # A filter's index holds the few matches: sort them rather than walk the sort's.
        sort = sa.literal_column(f"+{sort.table.name}.{sort.name}", type_=sort.type)
    stmt = sa.select(spec.key).select_from(spec.keys_from).where(*where)
    if after is not None:
        pair, bound = sa.tuple_(sort, spec.key), sa.tuple_(*after)
        stmt = stmt.where(pair < bound if desc else pair > bound)
    order = (sort.desc(), spec.key.desc()) if desc else (sort.asc(), spec.key.asc())
    stmt = stmt.order_by(*order)
    return stmt if limit is None else stmt.limit(limit)


def sort_value_stmt(spec: QuerySpec, state: QueryState, key: int) -> sa.Select[Any]:
    """The sort value of one row (the keyset bound after a page)."""
    sort, _desc = _sort_of(spec, state)
    return sa.select(sort).select_from(spec.keys_from).where(spec.key == key)


def rows_stmt(spec: QuerySpec, keys: Sequence[int]) -> sa.Select[Any]:
    """The columns of the rows with these keys (any order)."""
    exprs = [spec.key, *(c.expr for c in spec.columns)]
    return sa.select(*exprs).select_from(spec.from_).where(spec.key.in_(list(keys)))


def count_rows(conn: sa.Connection, spec: QuerySpec, state: QueryState) -> int:
    return int(conn.execute(count_stmt(spec, state, conn.dialect.name)).scalar_one())


@dataclass(frozen=True)
class KeyPage:
    """A keyset page: the keys in list order and the bound to continue after them."""

    keys: list[int]
    #: (sort value, key) of the last row, or None when the page is empty.
    after: tuple[Any, int] | None


def fetch_keys(
    conn: sa.Connection,
    spec: QuerySpec,
    state: QueryState,
    *,
    after: tuple[Any, int] | None,
    limit: int,
) -> KeyPage:
    """The next keyset page of keys."""
    stmt = keys_stmt(spec, state, conn.dialect.name, after=after, limit=limit, conn=conn)
    keys = list(conn.execute(stmt).scalars())
    if not keys:
        return KeyPage([], None)
    last = conn.execute(sort_value_stmt(spec, state, keys[-1])).scalar_one()
    return KeyPage(keys, (last, keys[-1]))


def fetch_rows(
    conn: sa.Connection, spec: QuerySpec, keys: Sequence[int]
) -> dict[int, tuple[Any, ...]]:
    """Rows by key: {key: (column values...)}; missing keys were deleted meanwhile."""
    if not keys:
        return {}
    return {r[0]: tuple(r[1:]) for r in conn.execute(rows_stmt(spec, keys))}


def iter_rows(conn: sa.Connection, spec: QuerySpec, state: QueryState, *, page: int = 2000) -> Any:
    """Every row of the list in order, page by page (for exports): yields value tuples."""
    after: tuple[Any, int] | None = None
    while True:
        chunk = fetch_keys(conn, spec, state, after=after, limit=page)
        if not chunk.keys:
            return
        rows = fetch_rows(conn, spec, chunk.keys)
        for key in chunk.keys:
            if key in rows:
                yield rows[key]
        after = chunk.after
