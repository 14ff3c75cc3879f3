"""Segments: named lists of customers the owner builds by hand.

A segment is created with a name (unique, compared case-insensitively after NFC and
single spaces), renamed, deleted (its memberships go, its customers stay) and filled or
emptied in bulk from the Customers list: `add_to_segment` / `remove_from_segment` take
any number of customer ids ("all 100,000 matching" included) and work in chunks of
`CHUNK` ids with Core statements (one `executemany` insert per chunk), never an ORM
object per member. Only live customers (not deleted, not merged into another) join.

`list_segments` gives each segment's member count, successful orders and total expenses
from one SQL aggregate over its members' customer rows (the order statistics kept on
`customers`). `export_segment` writes the members to an .xlsx file (code, name, phone as
text, purchase channels, totals, tags) through services/export_support.py.

The membership helpers (`live_new_ids`, `live_count`, `insert_links`, `delete_links`), the
bulk result (`BulkResult`: how many changed and how many were so already) and the name
check (`clean_name`, `check_name_free`) are shared with services/tags.py. Every public
function checks the Customers permission, is one unit of work and writes an audit row.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from primedist.core.messages import msg
from primedist.core.text import clean_line
from primedist.domain.base import table_of
from primedist.domain.customer import (
    Customer,
    CustomerPhone,
    CustomerTag,
    Segment,
    SegmentMember,
    Tag,
)
from primedist.domain.enums import Module
from primedist.errors import Conflict, NotFound, ValidationError
from primedist.io.xlsx_writer import MAX_ROWS, XlsxColumn
from primedist.jobs.progress import NullProgress, Progress
from primedist.services.context import ServiceContext
from primedist.services.export_support import (
    ExportReport,
    audit_export,
    check_target,
    lang_index,
    replaced_when_done,
    stream_rows,
)

customers_t = table_of(Customer)
phones_t = table_of(CustomerPhone)
tags_t = table_of(Tag)
customer_tags_t = table_of(CustomerTag)
segments_t = table_of(Segment)
members_t = table_of(SegmentMember)

#: Customer ids per statement (`IN (...)` lists and executemany batches).
CHUNK = 900
#: Customers read per page while exporting.
PAGE = 500
MAX_NAME = 120


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class SegmentRow:
    """A segment with its members' figures."""

    id: int
    name: str
    count: int
    successful_orders: int
    total_expenses: int
    created_at: datetime


@dataclass(frozen=True)
class BulkResult:
    """What a bulk add (removal) did to the live customers asked for: `changed` of them
    got the tag or membership (lost it), `unchanged` had it already (never had it).
    Deleted, merged and unknown ids count in neither."""

    changed: int
    unchanged: int

    @property
    def total(self) -> int:
        """The live customers asked for: each of them has it now (has it no more)."""
        return self.changed + self.unchanged


# --------------------------------------------------------------------------- shared helpers


#: The words of `what` in the messages below ("segment", "tag").
NOUNS = {"segment": msg("segment"), "tag": msg("tag")}


def clean_name(value: str, what: str, limit: int) -> str:
    """A segment or tag name (`what`): NFC, one line without control or invisible
    characters (`clean_line`), required, `limit` long."""
    text = clean_line(unicodedata.normalize("NFC", value or ""))
    if not text:
        raise ValidationError(msg("Give the {what} a name.", what=NOUNS[what]), field="name")
    if len(text) > limit:
        raise ValidationError(
            msg(
                "The {what} name has {length} characters: {limit} at most.",
                what=NOUNS[what],
                length=str(len(text)),
                limit=str(limit),
            ),
            field="name",
        )
    return text


def check_name_free(
    conn: sa.Connection, table: sa.Table, name: str, what: str, own_id: int | None
) -> None:
    """Raise Conflict when another row of `table` (segments, tags: small tables) has
    `name`, compared case-insensitively (Vietnamese capitals included)."""
    wanted = name.casefold()
    for row_id, other in conn.execute(sa.select(table.c.id, table.c.name)):
        if row_id != own_id and other.casefold() == wanted:
            raise Conflict(
                msg(
                    "A {what} named {other} already exists: choose another name.",
                    what=NOUNS[what],
                    other=repr(other),
                )
            )


def _live(ids: Sequence[int]) -> ColumnElement[bool]:
    c = customers_t.c
    return sa.and_(c.id.in_(ids), c.deleted_at.is_(None), c.merged_into_id.is_(None))


def live_new_ids(
    conn: sa.Connection,
    link: sa.Table,
    owner_col: str,
    owner_id: int,
    ids: Sequence[int],
) -> list[int]:
    """Of `ids` (one chunk), the live customers not yet linked to `owner_id` in `link`."""
    lc = link.c
    linked = sa.exists().where(lc[owner_col] == owner_id, lc.customer_id == customers_t.c.id)
    stmt = sa.select(customers_t.c.id).where(_live(ids), ~linked)
    return list(conn.execute(stmt).scalars())


def live_count(conn: sa.Connection, customer_ids: Sequence[int]) -> int:
    """How many of `customer_ids` (without repeats) are live customers."""
    count = sa.select(sa.func.count()).select_from(customers_t)
    return sum(int(conn.execute(count.where(_live(chunk))).scalar_one())
               for chunk in _chunks(customer_ids))  # fmt: skip


def _unique(ids: Iterable[int]) -> list[int]:
    return [int(i) for i in dict.fromkeys(ids)]


def _chunks(values: Sequence[int]) -> Iterator[Sequence[int]]:
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


def insert_links(
    conn: sa.Connection,
    link: sa.Table,
    owner_col: str,
    owner_id: int,
    customer_ids: Iterable[int],
    extra: dict[str, Any] | None = None,
) -> int:
    """Link the live customers among `customer_ids` to `owner_id` (a segment or a tag);
    those already linked, deleted, merged or unknown are skipped. One executemany insert
    per chunk. Returns how many links were added."""
    added = 0
    insert = link.insert()
    for chunk in _chunks(_unique(customer_ids)):
        new = live_new_ids(conn, link, owner_col, owner_id, chunk)
        if new:
            conn.execute(
                insert, [{owner_col: owner_id, "customer_id": cid, **(extra or {})} for cid in new]
            )
            added += len(new)
    return added


def delete_links(
    conn: sa.Connection, link: sa.Table, owner_col: str, owner_id: int, customer_ids: Iterable[int]
) -> int:
    """Unlink `customer_ids` from `owner_id`; returns how many links went."""
    removed = 0
    lc = link.c
    for chunk in _chunks(_unique(customer_ids)):
        result = conn.execute(
            sa.delete(link).where(lc[owner_col] == owner_id, lc.customer_id.in_(chunk))
        )
        removed += max(result.rowcount, 0)
    return removed


def _segment(conn: sa.Connection, segment_id: int) -> tuple[int, str]:
    row = conn.execute(
        sa.select(segments_t.c.id, segments_t.c.name).where(segments_t.c.id == segment_id)
    ).first()
    if row is None:
        raise NotFound(msg("Segment {segment_id} no longer exists.", segment_id=str(segment_id)))
    return int(row[0]), str(row[1])


# --------------------------------------------------------------------------- reads


def _stats_stmt() -> sa.Select[Any]:
    s, m, c = segments_t.c, members_t.c, customers_t.c
    live = sa.and_(c.id == m.customer_id, c.deleted_at.is_(None), c.merged_into_id.is_(None))
    return (
        sa.select(
            s.id,
            s.name,
            sa.func.count(c.id),
            sa.func.coalesce(sa.func.sum(c.successful_orders), 0),
            sa.func.coalesce(sa.func.sum(c.total_expenses), 0),
            s.created_at,
        )
        .select_from(
            segments_t.outerjoin(members_t, m.segment_id == s.id).outerjoin(customers_t, live)
        )
        .group_by(s.id, s.name, s.created_at)
    )


def _row(r: Any) -> SegmentRow:
    return SegmentRow(int(r[0]), str(r[1]), int(r[2]), int(r[3]), int(r[4]), r[5])


def list_segments(ctx: ServiceContext) -> list[SegmentRow]:
    """Every segment with its live members' count, successful orders and total expenses,
    by name."""
    ctx.require(Module.CUSTOMERS)
    with ctx.engine.connect() as conn:
        rows = [_row(r) for r in conn.execute(_stats_stmt())]
    return sorted(rows, key=lambda r: (r.name.casefold(), r.id))


def segment_stats(ctx: ServiceContext, segment_id: int) -> SegmentRow:
    """One segment's figures (as `list_segments` gives them)."""
    ctx.require(Module.CUSTOMERS)
    with ctx.engine.connect() as conn:
        row = conn.execute(_stats_stmt().where(segments_t.c.id == segment_id)).first()
    if row is None:
        raise NotFound(msg("Segment {segment_id} no longer exists.", segment_id=str(segment_id)))
    return _row(row)


def segment_member_ids(ctx: ServiceContext, segment_id: int) -> list[int]:
    """The live members' customer ids, ascending."""
    ctx.require(Module.CUSTOMERS)
    m, c = members_t.c, customers_t.c
    with ctx.engine.connect() as conn:
        _segment(conn, segment_id)
        stmt = (
            sa.select(m.customer_id)
            .join(customers_t, c.id == m.customer_id)
            .where(m.segment_id == segment_id, c.deleted_at.is_(None), c.merged_into_id.is_(None))
            .order_by(m.customer_id)
        )
        return [int(i) for i in conn.execute(stmt).scalars()]


# --------------------------------------------------------------------------- writes


def create_segment(ctx: ServiceContext, name: str) -> int:
    """A new, empty segment; the name is unique (case-insensitive). Returns its id."""
    ctx.require(Module.CUSTOMERS)
    name = clean_name(name, "segment", MAX_NAME)
    with ctx.uow() as session:
        conn = session.connection()
        check_name_free(conn, segments_t, name, "segment", None)
        segment = Segment(name=name, created_by_id=ctx.actor.id, created_at=ctx.clock.now())
        session.add(segment)
        session.flush()
        assert segment.id is not None
        ctx.audit(session, "segment.create", entity_type="segment", entity_id=segment.id,
                  summary=name, after={"name": name})  # fmt: skip
        return segment.id


def rename_segment(ctx: ServiceContext, segment_id: int, name: str) -> None:
    """Give a segment another name (unique, case-insensitive)."""
    ctx.require(Module.CUSTOMERS)
    name = clean_name(name, "segment", MAX_NAME)
    with ctx.uow() as session:
        conn = session.connection()
        _, old = _segment(conn, segment_id)
        check_name_free(conn, segments_t, name, "segment", segment_id)
        if old == name:
            return
        conn.execute(sa.update(segments_t).where(segments_t.c.id == segment_id).values(name=name))
        ctx.audit(session, "segment.rename", entity_type="segment", entity_id=segment_id,
                  summary=f"{old} → {name}", before={"name": old},
                  after={"name": name})  # fmt: skip


def delete_segment(ctx: ServiceContext, segment_id: int) -> int:
    """Delete a segment and its memberships (the customers stay). Returns how many
    memberships went."""
    ctx.require(Module.CUSTOMERS)
    with ctx.uow() as session:
        conn = session.connection()
        _, name = _segment(conn, segment_id)
        members = conn.execute(
            sa.delete(members_t).where(members_t.c.segment_id == segment_id)
        ).rowcount
        conn.execute(sa.delete(segments_t).where(segments_t.c.id == segment_id))
        ctx.audit(session, "segment.delete", entity_type="segment", entity_id=segment_id,
                  summary=msg("{segment} ({count} members)", segment=name, count=members),
                  before={"name": name, "members": members})  # fmt: skip
        return max(members, 0)


def add_to_segment(ctx: ServiceContext, segment_id: int, customer_ids: Iterable[int]) -> BulkResult:
    """Add customers to a segment (members already, deleted or merged ones are skipped).
    Returns how many joined and how many were members already."""
    ctx.require(Module.CUSTOMERS)
    ids = _unique(customer_ids)
    with ctx.uow() as session:
        conn = session.connection()
        _, name = _segment(conn, segment_id)
        live = live_count(conn, ids)
        added = insert_links(conn, members_t, "segment_id", segment_id, ids,
                             {"added_at": ctx.clock.now()})  # fmt: skip
        ctx.audit(session, "segment.add", entity_type="segment", entity_id=segment_id,
                  summary=msg("{segment}: added {added} of {count} customers", segment=name,
                              added=added, count=len(ids)),
                  after={"asked": len(ids), "added": added, "sample": ids[:20]})  # fmt: skip
        return BulkResult(added, max(live - added, 0))


def remove_from_segment(
    ctx: ServiceContext, segment_id: int, customer_ids: Iterable[int]
) -> BulkResult:
    """Take customers out of a segment (non-members are ignored). Returns how many left
    and how many were not members."""
    ctx.require(Module.CUSTOMERS)
    ids = _unique(customer_ids)
    with ctx.uow() as session:
        conn = session.connection()
        _, name = _segment(conn, segment_id)
        live = live_count(conn, ids)
        removed = delete_links(conn, members_t, "segment_id", segment_id, ids)
        ctx.audit(session, "segment.remove", entity_type="segment", entity_id=segment_id,
                  summary=msg("{segment}: removed {removed} of {count} customers", segment=name,
                              removed=removed, count=len(ids)),
                  after={"asked": len(ids), "removed": removed, "sample": ids[:20]})  # fmt: skip
        return BulkResult(removed, max(live - removed, 0))


# --------------------------------------------------------------------------- export

#: The export's columns: key -> (Vietnamese header, English header, kind, width).
EXPORT_COLUMNS: dict[str, tuple[str, str, str, float]] = {
    "code": ("Mã khách hàng", "Customer code", "text", 12),
    "name": ("Tên khách hàng", "Name", "text", 28),
    "phone": ("Số điện thoại", "Phone", "text", 14),
    "channels": ("Kênh mua hàng", "Purchase channels", "text", 22),
    "total_expenses": ("Tổng chi tiêu", "Total spent", "money", 14),
    "successful_orders": ("Đơn thành công", "Successful orders", "int", 10),
    "total_orders": ("Tổng số đơn", "Total orders", "int", 10),
    "tags": ("Thẻ", "Tags", "text", 28),
}
#: How channel codes read in the export: code -> (Vietnamese, English).
CHANNEL_NAMES = {
    "shopee": ("Shopee", "Shopee"), "lazada": ("Lazada", "Lazada"), "tiki": ("Tiki", "Tiki"),
    "tiktok": ("TikTok Shop", "TikTok Shop"), "offline": ("Bán trực tiếp", "In store"),
    "webstore": ("Website", "Web store"),
}  # fmt: skip


def export_columns(lang: str = "vi") -> list[XlsxColumn]:
    """The sheet columns of a segment export, headers in `lang` ("vi" or "en")."""
    index = lang_index(lang)
    return [
        XlsxColumn((vi, en)[index], kind, width) for vi, en, kind, width in EXPORT_COLUMNS.values()
    ]


def _channels(codes: str, index: int) -> str:
    names = [CHANNEL_NAMES.get(code, (code, code))[index] for code in codes.split(",") if code]
    return ", ".join(names)


def _member_pages(conn: sa.Connection, segment_id: int) -> Iterator[list[int]]:
    """The live members' ids in ascending order, a page at a time (keyset paging)."""
    m, c = members_t.c, customers_t.c
    after = 0
    while True:
        stmt = (
            sa.select(m.customer_id)
            .join(customers_t, c.id == m.customer_id)
            .where(m.segment_id == segment_id, m.customer_id > after,
                   c.deleted_at.is_(None), c.merged_into_id.is_(None))
            .order_by(m.customer_id)
            .limit(PAGE)
        )  # fmt: skip
        page = [int(i) for i in conn.execute(stmt).scalars()]
        if not page:
            return
        yield page
        after = page[-1]


def _export_rows(
    conn: sa.Connection, pages: Iterator[list[int]], lang_at: int
) -> Iterator[tuple[Any, ...]]:
    c, p, t, ct = customers_t.c, phones_t.c, tags_t.c, customer_tags_t.c
    for page in pages:
        phones: dict[int, str] = {}
        # The primary phone, else the first added.
        for cid, phone in conn.execute(
            sa.select(p.customer_id, p.phone)
            .where(p.customer_id.in_(page))
            .order_by(p.customer_id, p.is_primary.desc(), p.id)
        ):
            phones.setdefault(cid, phone)
        tags: dict[int, list[str]] = {}
        for cid, tag in conn.execute(
            sa.select(ct.customer_id, t.name)
            .join(tags_t, t.id == ct.tag_id)
            .where(ct.customer_id.in_(page))
            .order_by(ct.customer_id, t.name)
        ):
            tags.setdefault(cid, []).append(tag)
        stmt = (
            sa.select(c.id, c.code, c.name, c.channels, c.total_expenses, c.successful_orders,
                      c.total_orders)
            .where(c.id.in_(page))
            .order_by(c.id)
        )  # fmt: skip
        for cid, code, name, channels, expenses, successful, total in conn.execute(stmt):
            yield (code, name, phones.get(cid), _channels(channels or "", lang_at), expenses,
                   successful, total, "; ".join(tags.get(cid, ())))  # fmt: skip


def export_segment(
    ctx: ServiceContext,
    segment_id: int,
    path: Path,
    lang: str = "vi",
    progress: Progress | None = None,
) -> ExportReport:
    """Write a segment's live members (by customer id) to the .xlsx file `path`: code,
    name, phone (text: the leading 0 stays), purchase channels, total expenses,
    successful and total orders, tags. Raises Cancelled (writing nothing) when
    `progress.check()` asks to stop."""
    ctx.require_export(Module.CUSTOMERS)
    columns = export_columns(lang)
    lang_at = lang_index(lang)
    target = check_target(path)
    prog: Progress = progress if progress is not None else NullProgress()
    started = time.perf_counter()
    prog.update(0.0, "Exporting the segment")
    with ctx.engine.connect() as conn:
        _, name = _segment(conn, segment_id)
    stats = segment_stats(ctx, segment_id)
    if stats.count > MAX_ROWS:
        raise ValidationError(
            msg(
                "{count} customers do not fit one Excel sheet ({limit} rows at most).",
                count=stats.count,
                limit=MAX_ROWS,
            )
        )
    sheet = ("Phân khúc " if lang == "vi" else "Segment ") + name
    sheet = "".join(ch for ch in sheet if ch not in "[]:*?/\\")[:31]
    with replaced_when_done(target) as tmp:
        with ctx.engine.connect() as conn:
            rows = _export_rows(conn, _member_pages(conn, segment_id), lang_at)
            written = stream_rows(tmp, columns, rows, stats.count, prog, sheet=sheet)
        prog.check()
    report = audit_export(
        ctx,
        "segment.export",
        target,
        msg("{segment}: {count} customers", segment=name, count=written),
        {"file": str(target), "rows": written, "lang": lang, "segment_id": segment_id,
         "segment": name},
    started,
    )  # fmt: skip
    prog.update(1.0, f"Exported {written:,} customers")
    return report
