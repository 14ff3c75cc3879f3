"""What the file imports (orders, products) share: rejected rows, the report's figures,
the run of an import (progress, cancel, a busy database), bulk-load helpers and the
audit/activity record.

Each import reads and checks its whole file first (no database), then plans and writes
in ONE transaction (see services/order_import.py and services/product_import.py).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

import sqlalchemy as sa
from sqlmodel import Session

from primedist.core.messages import Message, msg
from primedist.db import search
from primedist.db.engine import is_sqlite
from primedist.domain.enums import ActivityKind
from primedist.errors import StoreError
from primedist.jobs.progress import NullProgress, Progress
from primedist.services import activity
from primedist.services.context import ServiceContext

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

#: Progress shares: reading the file up to 50 %, planning against the store up to 60 %.
READ_SHARE, PLAN_SHARE = 0.5, 0.6


def column_length(column: sa.Column[Any]) -> int:
    """The storage limit (characters) of a text column."""
    length = getattr(column.type, "length", None)
    assert isinstance(length, int), column
    return length


def shown(text: str) -> str:
    """A value quoted for a message, cut to 40 characters."""
    return repr(text if len(text) <= 40 else text[:39] + "…")


# --------------------------------------------------------------------------- rejected rows


@dataclass(frozen=True)
class RejectedRow:
    """A row that was not imported: its spreadsheet row number, column and why."""

    row: int
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


class BadValue(Exception):
    """A value that cannot be imported (becomes a RejectedRow of its row and column)."""

    def __init__(self, column: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


#: The reason of an empty required cell.
REQUIRED_VALUE = msg("is empty (a value is required)")


def too_long(length: int, limit: int) -> Message:
    return msg("is {length} characters long: the limit is {limit}", length=length, limit=limit)


def too_small(number: int, minimum: int) -> Message:
    if minimum:
        return msg("{number} must be at least {minimum}", number=number, minimum=minimum)
    return msg("{number} must not be negative", number=number)


def too_big(number: int, maximum: int) -> Message:
    return msg("{number} is more than the limit of {maximum}", number=number, maximum=maximum)


def rows_of_rejected(error: RejectedRow, rows: Sequence[int], what: str) -> list[RejectedRow]:
    """Every row of a rejected `what` ("order" or "product"): the bad one with its reason,
    the others naming it."""
    if what == "order":
        why = msg("order rejected because of row {row}", row=str(error.row))
    else:
        why = msg("product rejected because of row {row}", row=str(error.row))
    return [error if r == error.row else RejectedRow(r, None, why) for r in rows]


class _Draft(Protocol):
    @property
    def error(self) -> RejectedRow | None: ...

    def rejected_rows(self) -> list[RejectedRow]: ...


def rejected_drafts(
    drafts: Sequence[_Draft], lone: Sequence[RejectedRow]
) -> tuple[int, list[RejectedRow]]:
    """How many drafts (orders, products) were rejected, and every rejected row (theirs
    and the `lone` rows that belong to none), by row number."""
    bad = [d for d in drafts if d.error is not None]
    rejected = list(lone)
    for draft in bad:
        rejected += draft.rejected_rows()
    return len(bad), sorted(rejected, key=lambda r: r.row)


# --------------------------------------------------------------------------- report


class ImportReportBase:
    """The methods of an import's report (a dataclass with `file`, `rejected` and
    `seconds` among its fields)."""

    file: str
    rejected: list[RejectedRow]
    seconds: float

    def counts(self) -> dict[str, Any]:
        """Every figure of the report except the rejected rows themselves."""
        data = asdict(cast("DataclassInstance", self))
        del data["rejected"]
        data["rows_rejected"] = len(self.rejected)
        data["seconds"] = round(self.seconds, 3)
        return data

    def to_json(self) -> dict[str, Any]:
        """The report for `--json`: the counts plus `rows_rejected` as {row, column, reason}."""
        data = self.counts()
        data["rows_rejected"] = [asdict(r) for r in self.rejected]
        return data

    def summary(self) -> str:
        """One line for people (a msg(): the audit log shows it in the reader's language);
        it ends with the rows rejected (if any) and the time taken (`_tail_values`)."""
        raise NotImplementedError

    def _tail_values(self) -> dict[str, Any]:
        """The values of the summary's end: `rejected` rows and the `seconds` taken."""
        return {"rejected": len(self.rejected), "seconds": f"{self.seconds:.1f}"}


def outcomes(new: int, updated: int, unchanged: int, rejected: int = 0) -> str:
    """`3 new, 1 updated, 0 unchanged` (`, 2 rejected` when some were)."""
    if rejected:
        return msg(
            "{new} new, {updated} updated, {unchanged} unchanged, {rejected} rejected",
            new=new, updated=updated, unchanged=unchanged, rejected=rejected,
        )  # fmt: skip
    return msg("{new} new, {updated} updated, {unchanged} unchanged", new=new, updated=updated,
               unchanged=unchanged)  # fmt: skip


# --------------------------------------------------------------------------- the run

R = TypeVar("R")
Report = TypeVar("Report", bound=ImportReportBase)


def run_import(
    path: Path,
    progress: Progress | None,
    read: Callable[[Path, Progress], R],
    write: Callable[[R, Progress], Report],
    comparing: str,
) -> Report:
    """Read the file (phase 1), then write (phase 2: `write` opens the one unit of work),
    with the cyclic GC paused; `comparing` is the progress message between the two.
    A database busy with another change raises StoreError (nothing imported)."""
    started = time.perf_counter()
    prog: Progress = progress if progress is not None else NullProgress()
    path = Path(path)
    with gc_paused():
        data = read(path, prog)
        prog.check()
        prog.update(READ_SHARE, comparing)
        try:
            report = write(data, prog)
        except sa.exc.OperationalError as exc:
            if "locked" in str(exc.orig) or "busy" in str(exc.orig):
                raise StoreError(
                    msg(
                        "The database was busy with another change: nothing was imported; "
                        "run the import again."
                    )
                ) from exc
            raise
    report.file = path.name
    report.seconds = time.perf_counter() - started
    prog.update(1.0, "Import finished")
    return report


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic GC passes while 100,000s of small objects are built (a third of the
    reading time); the imports create no reference cycles worth collecting."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def search_indexed_after(conn: sa.Connection, tables: Sequence[str]) -> Iterator[None]:
    """Add the new rows of `tables` to their search index once, after they are written.

    The FTS5 triggers index a row per INSERT statement, and each statement flushes the
    index: 50,000 new orders cost seconds that way. So on SQLite the insert triggers are
    dropped while the new rows go in, and then put back and exactly the new rows (ids
    above the largest id before) are indexed with one statement per table: still
    incremental (no rebuild of the whole index). Everything is inside the import's
    transaction: a cancel or an error rolls the triggers back with the data. Rows
    updated later in the transaction go through the restored triggers as usual.
    """
    if not is_sqlite(conn) or not tables:
        yield
        return
    for table in tables:  # the first write: takes SQLite's write lock before the max ids
        for stmt in search.drop_trigger_sql(table):
            conn.exec_driver_sql(stmt)
    before = {
        table: int(conn.exec_driver_sql(f"SELECT COALESCE(MAX(id), 0) FROM {table}").scalar_one())
        for table in tables
    }
    yield
    for table in tables:
        for stmt in search.trigger_sql(table):
            conn.exec_driver_sql(stmt)
        fts = search.FTS_TABLES[table]
        conn.exec_driver_sql(
            f"INSERT INTO {fts}(rowid, search_text) SELECT id, search_text FROM {table} "
            "WHERE id > ?",
            (before[table],),
        )


def record_import(
    ctx: ServiceContext,
    session: Session,
    report: ImportReportBase,
    *,
    action: str,
    what: str,
    created: int,
    updated: int,
    rejected: int,
) -> None:
    """The audit row (`action`) and the Home activity item ("Imported N new and M updated
    `what` from FILE"), in the import's transaction."""
    ctx.audit(
        session,
        action,
        entity_type="file",
        entity_id=report.file[:64],
        summary=report.summary(),
        after=report.counts(),
    )
    activity.post(
        session, ActivityKind.IMPORT, ctx.clock.now(), what=what, file=report.file,
        created=created, updated=updated, rejected=rejected,
    )  # fmt: skip
