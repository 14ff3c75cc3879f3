"""Copy every row of one primedist database into another, empty one (SQLite -> PostgreSQL).

The target is migrated to head with the app's own Alembic migrations, then the tables are
copied in foreign-key order (from the reflected schema) with Core executemany batches, all
in ONE transaction on the target: any failure rolls everything back, the error naming the
table and the row. The source is read in one read-only snapshot and never written.

Derived SQLite-only objects (FTS5 tables and their shadow tables, `sqlite_*`) are not
copied: on a SQLite target the search index is rebuilt once from `search_text`; PostgreSQL
searches `search_text` directly (see `db.search`). PostgreSQL id sequences are moved past
the largest copied id.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from primedist.core.messages import msg
from primedist.db import search
from primedist.db.engine import make_engine, masked_url, store_problem
from primedist.db.store import HEAD_REVISION, alembic_config
from primedist.errors import StoreError

#: Rows per executemany (and per savepoint): large enough to amortise round trips.
BATCH_ROWS = 2000


@dataclass(frozen=True)
class TableCopied:
    """One table done: its name, the rows copied, its place in the order."""

    name: str
    rows: int
    index: int
    total: int


@dataclass(frozen=True)
class TransferReport:
    source: str
    target: str
    revision: str
    tables: dict[str, int]
    seconds: float

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def is_derived_table(name: str) -> bool:
    """Tables the copy leaves out: Alembic's own, SQLite's, the FTS5 index tables."""
    if name == "alembic_version" or name.startswith("sqlite_"):
        return True
    return any(name == fts or name.startswith(f"{fts}_") for fts in search.FTS_TABLES.values())


# Opening the two ends -----------------------------------------------------------------
def open_read_only(url: str) -> Engine:
    """An engine that can only read `url`; each transaction is one consistent snapshot."""
    if not url.startswith("sqlite"):
        return sa.create_engine(url).execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
    database = make_url(url).database
    if not database or database == ":memory:" or not Path(database).is_file():
        raise StoreError(
            msg("There is no database at {database}: nothing to copy.", database=masked_url(url))
        )
    uri = Path(database).resolve().as_uri() + "?mode=ro"

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        conn.isolation_level = None  # our own BEGIN: one snapshot for the whole read
        conn.execute("PRAGMA query_only=ON")
        return conn

    engine = sa.create_engine("sqlite://", creator=connect, poolclass=sa.pool.NullPool)
    sa.event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
    return engine


def check_target_url(url: str) -> None:
    """Refuses, before anything is opened, what is not a SQLite file or a PostgreSQL
    (psycopg 3) URL: a bare file path or a typo gets the forms to give, not a traceback."""
    if not url.strip():
        raise StoreError(
            msg(
                "Give the database to copy into: postgresql+psycopg://USER:PASSWORD@HOST/DB "
                "(or sqlite:///FILE)."
            )
        )
    try:
        parsed: sa.URL | None = make_url(url)
    except sa.exc.ArgumentError:
        parsed = None  # "/tmp/shop.db", "C:/shop.db", "postgres": no URL at all
    in_memory = parsed is not None and parsed.database in (None, "", ":memory:")
    if (
        parsed is None
        or not url.startswith(("sqlite:", "postgresql+psycopg:"))
        or (url.startswith("sqlite") and in_memory)  # nothing would be kept
    ):
        raise StoreError(
            msg(
                "{database} is not a database this app can use: give "
                "postgresql+psycopg://USER:PASSWORD@HOST/DB (or sqlite:///FILE).",
                database=_shown_target(url, parsed),
            )
        )


def _shown_target(url: str, parsed: sa.URL | None) -> str:
    """The target as the owner typed it, its password hidden (unreadable text with an @
    may hold one: not shown)."""
    if parsed is not None or "@" in url:
        return masked_url(url)
    return url


def open_target(url: str) -> Engine:
    """The target engine; only SQLite and PostgreSQL (psycopg 3) are supported."""
    check_target_url(url)
    try:
        return make_engine(url)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise StoreError(
            msg("{database} cannot be used: {error}", database=masked_url(url), error=str(exc))
        ) from exc


def check_target_empty(target: Engine, url: str) -> str | None:
    """The target's revision (None or head); refuses a database that holds anything."""
    shown = masked_url(url)
    try:
        with target.connect() as conn:
            revision = current_revision_on(conn)
            names = [n for n in sa.inspect(conn).get_table_names() if not is_derived_table(n)]
            filled = next((n for n in sorted(names) if _has_rows(conn, n)), None)
    except sa.exc.DBAPIError as exc:
        problem = store_problem(exc)  # a server out of reach: named, and what to do
        raise StoreError(
            msg(
                "The database at {database} cannot be opened: {error}",
                database=shown,
                error=problem.user_message if problem else str(exc.orig),
            )
        ) from exc
    if revision is None and names:
        raise StoreError(
            msg(
                "The database at {database} already holds tables ({tables}): give an empty "
                "database.",
                database=shown,
                tables=sorted(names)[:5],
            )
        )
    if revision not in (None, HEAD_REVISION):
        raise StoreError(
            msg(
                "The database at {database} is at schema revision {revision}, not {head}: "
                "give an empty database.",
                database=shown,
                revision=str(revision),
                head=HEAD_REVISION,
            )
        )
    if filled is not None:
        raise StoreError(
            msg(
                "The database at {database} already holds Prime Distribution data (table "
                "{table} has rows): give an empty database; nothing was copied.",
                database=shown,
                table=filled,
            )
        )
    return revision


def _has_rows(conn: sa.Connection, table: str) -> bool:
    one = sa.select(sa.literal(1)).select_from(sa.table(table)).limit(1)
    return conn.execute(one).first() is not None


# The copy ----------------------------------------------------------------------------
def copy_database(
    source_url: str,
    target_url: str,
    *,
    on_table: Callable[[TableCopied], None] | None = None,
) -> TransferReport:
    """Copy all data from the database at `source_url` (at head) into the empty database
    at `target_url`, in one transaction on the target; the source is only read."""
    started = time.perf_counter()
    check_target_url(target_url)  # before _same_database parses it
    if _same_database(source_url, target_url):
        raise StoreError(msg("The new database is the one the app uses now: give another one."))
    source, target = open_read_only(source_url), open_target(target_url)
    try:
        revision = check_target_empty(target, target_url)
        counts = _copy_all(source, target, target_url, revision, on_table)
    finally:
        source.dispose()
        target.dispose()
    return TransferReport(
        source=masked_url(source_url),
        target=masked_url(target_url),
        revision=HEAD_REVISION,
        tables=counts,
        seconds=time.perf_counter() - started,
    )


def _same_database(a: str, b: str) -> bool:
    if a.startswith("sqlite") and b.startswith("sqlite"):
        paths = [make_url(u).database for u in (a, b)]
        return all(paths) and Path(paths[0] or "").resolve() == Path(paths[1] or "").resolve()
    return make_url(a) == make_url(b)


def _copy_all(
    source: Engine,
    target: Engine,
    target_url: str,
    revision: str | None,
    on_table: Callable[[TableCopied], None] | None,
) -> dict[str, int]:
    try:
        with source.connect() as src, src.begin():
            _check_source_revision(src)
            names = {n for n in sa.inspect(src).get_table_names() if not is_derived_table(n)}
            with target.begin() as dst:
                if revision is None:
                    _upgrade(dst, target_url)
                tables = copy_order(dst)
                _check_same_tables(names, tables)
                counts: dict[str, int] = {}
                with search.triggers_suspended(dst, _fts_tables(dst, tables)):
                    for i, table in enumerate(tables, 1):
                        counts[table.name] = _copy_table(src, dst, table)
                        if on_table is not None:
                            on_table(TableCopied(table.name, counts[table.name], i, len(tables)))
                _reset_sequences(dst, tables)
                _verify_counts(src, dst, tables, counts)
    except sa.exc.DBAPIError as exc:  # connection lost, disk full, ...: one line, rolled back
        raise StoreError(
            msg("Copying the data failed: {error}. Nothing was written.", error=_cause(exc))
        ) from exc
    return counts


def _check_source_revision(src: sa.Connection) -> None:
    revision = current_revision_on(src)
    if revision is None:
        raise StoreError(
            msg(
                "This database is at schema revision empty, the app needs {head}: open the "
                "app (or run `primedist migrate`) first.",
                head=HEAD_REVISION,
            )
        )
    if revision != HEAD_REVISION:
        raise StoreError(
            msg(
                "This database is at schema revision {revision}, the app needs {head}: open "
                "the app (or run `primedist migrate`) first.",
                revision=revision,
                head=HEAD_REVISION,
            )
        )


def current_revision_on(conn: sa.Connection) -> str | None:
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def _upgrade(conn: sa.Connection, url: str) -> None:
    """Run the app's migrations inside the copy's transaction (both backends roll DDL back)."""
    from alembic import command

    command.upgrade(alembic_config(url, conn), "head")  # type: ignore[arg-type]


@dataclass(frozen=True)
class CopyTable:
    """A table to copy: Core columns typed as the app reads/writes them, and the foreign
    key columns filled only after all of the table's rows are in (self references)."""

    table: sa.Table
    later: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.table.name


def copy_order(conn: sa.Connection) -> list[CopyTable]:
    """The target's tables, parents before children (foreign keys of the reflected schema).

    A foreign key to the table itself (or one in a cycle) is filled in a second pass, so
    rows may point at rows that come later.
    """
    reflected = sa.MetaData()
    reflected.reflect(conn, only=lambda name, _meta: not is_derived_table(name))
    ordered = sa.schema.sort_tables_and_constraints(  # type: ignore[no-untyped-call]
        reflected.tables.values()
    )
    # Constraints left over (None, [...]) are the ones in a cycle between tables.
    cyclic = {fk.parent for t, fkcs in ordered if t is None for fkc in fkcs for fk in fkc.elements}
    out = []
    for table, _fkcs in ordered:
        if table is None:
            continue
        later = {
            fk.parent.name
            for fk in table.foreign_keys
            if fk.column.table is table or fk.parent in cyclic
        }
        if later and [c.name for c in table.primary_key.columns] != ["id"]:
            raise StoreError(
                msg("Table {table} refers to itself but has no id column.", table=table.name)
            )
        out.append(CopyTable(_typed(table), tuple(sorted(later))))
    return out


def _typed(reflected: sa.Table) -> sa.Table:
    """The table with the app's own column types (aware UTC times, booleans, dates), enums
    as plain strings (copied as stored, never re-validated)."""
    import primedist.domain  # noqa: F401  (registers every table)
    from primedist.domain.base import metadata

    model = metadata.tables.get(reflected.name)
    columns = []
    for col in reflected.columns:
        typ = model.c[col.name].type if model is not None and col.name in model.c else col.type
        if isinstance(typ, sa.Enum):
            typ = sa.String()
        columns.append(sa.Column(col.name, typ, primary_key=col.primary_key))
    return sa.Table(reflected.name, sa.MetaData(), *columns)


def _check_same_tables(source: set[str], tables: Sequence[CopyTable]) -> None:
    names = {t.name for t in tables}
    if source != names:
        extra = ", ".join(sorted(source - names)) or "-"
        missing = ", ".join(sorted(names - source)) or "-"
        raise StoreError(
            msg(
                "The two databases' tables differ (only in this one: {extra}; only in the "
                "new one: {missing}): nothing was copied.",
                extra=extra,
                missing=missing,
            )
        )


def _fts_tables(conn: sa.Connection, tables: Sequence[CopyTable]) -> list[str]:
    names = {t.name for t in tables}
    return [t for t in search.FTS_TABLES if t in names] if conn.dialect.name == "sqlite" else []


def _copy_table(src: sa.Connection, dst: sa.Connection, copy: CopyTable) -> int:
    table = copy.table
    pk = list(table.primary_key.columns) or list(table.columns)
    result = src.execution_options(yield_per=BATCH_ROWS).execute(sa.select(table).order_by(*pk))
    copied = 0
    later: list[dict[str, Any]] = []
    for batch in result.mappings().partitions():
        rows = [dict(r) for r in batch]
        if copy.later:
            later += [_later_values(r, copy.later) for r in rows if any(r[c] for c in copy.later)]
            rows = [{**r, **dict.fromkeys(copy.later)} for r in rows]
        _insert(dst, table, rows)
        copied += len(rows)
    if later:
        _fill_later(dst, table, copy.later, later)
    return copied


def _later_values(row: dict[str, Any], columns: tuple[str, ...]) -> dict[str, Any]:
    return {"_pk": row["id"], **{f"_v_{c}": row[c] for c in columns}}


def _insert(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """One executemany in a savepoint; on failure find and name the row that broke it."""
    try:
        with conn.begin_nested():
            conn.execute(sa.insert(table), rows)
    except sa.exc.DBAPIError as exc:
        bad = _failing_row(conn, table, rows)
        raise StoreError(
            msg(
                "Copying table {table} failed at row {row}: {error}. Nothing was written to "
                "the new database.",
                table=table.name,
                row=_row_name(table, bad or rows[0]),
                error=_cause(exc),
            )
        ) from exc


def _failing_row(
    conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]
) -> dict[str, Any] | None:
    for row in rows:
        try:
            with conn.begin_nested():
                conn.execute(sa.insert(table), [row])
        except sa.exc.DBAPIError:
            return row
    return None


def _fill_later(
    conn: sa.Connection, table: sa.Table, columns: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    stmt = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("_pk"))
        .values({c: sa.bindparam(f"_v_{c}") for c in columns})
    )
    for start in range(0, len(rows), BATCH_ROWS):
        batch = rows[start : start + BATCH_ROWS]
        try:
            with conn.begin_nested():
                conn.execute(stmt, batch)
        except sa.exc.DBAPIError as exc:
            raise StoreError(
                msg(
                    "Copying table {table} failed linking row id={row_id} and the next ones "
                    "({columns}): {error}. Nothing was written.",
                    table=table.name,
                    row_id=str(batch[0]["_pk"]),
                    columns=list(columns),
                    error=_cause(exc),
                )
            ) from exc


def _row_name(table: sa.Table, row: dict[str, Any]) -> str:
    """The row's key values: "id=5" (the message says "row")."""
    keys = [c.name for c in table.primary_key.columns] or list(row)[:2]
    return ", ".join(f"{k}={row.get(k)!r}" for k in keys)


def _cause(exc: sa.exc.DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)


def _reset_sequences(conn: sa.Connection, tables: Sequence[CopyTable]) -> None:
    """Explicit ids bypass PostgreSQL's sequences: start each after the largest copied id."""
    if conn.dialect.name != "postgresql":
        return
    for copy in tables:
        for col in copy.table.primary_key.columns:
            seq = conn.execute(
                sa.text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": copy.name, "c": col.name}
            ).scalar()
            if seq is None:
                continue
            top = conn.execute(sa.select(sa.func.coalesce(sa.func.max(col), 0))).scalar_one()
            conn.execute(sa.text("SELECT setval(:s, :v, false)"), {"s": seq, "v": int(top) + 1})


def _verify_counts(
    src: sa.Connection, dst: sa.Connection, tables: Sequence[CopyTable], copied: dict[str, int]
) -> None:
    for copy in tables:
        count = sa.select(sa.func.count()).select_from(copy.table)
        there, here = src.execute(count).scalar_one(), dst.execute(count).scalar_one()
        if not there == here == copied[copy.name]:
            raise StoreError(
                msg(
                    "Table {table}: {there} rows in this database but {here} in the new one "
                    "after copying; nothing was written.",
                    table=copy.name,
                    there=int(there),
                    here=int(here),
                )
            )
