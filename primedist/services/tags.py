"""Customer tags: labels such as the defaults "Potential" and "Often returns".

The default tags (`DEFAULT_TAGS`, `is_default`, each with its `default_key`) are seeded
by `ensure_default_tags`, which is idempotent: shop set-up calls it with the names in the
language it runs in, and every function here calls it too, so a store set up before tags
existed gets them on first use. Defaults can be renamed but not deleted; seeding never
re-creates a renamed default (it looks for the keys, not the names), and the "Often
returns" quick filter finds its tag by key. Other tags are created, renamed and deleted
freely (deleting one untags its customers). Names are unique, compared case-insensitively.

`tag_customers` / `untag_customers` take any number of customer ids and work in chunks
with Core statements (services/segments.py's link helpers). Every public function checks
the Customers permission, is one unit of work and writes an audit row (seeding excepted).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from primedist.core.messages import msg
from primedist.domain.base import table_of, utcnow
from primedist.domain.customer import Customer, CustomerTag, Tag
from primedist.domain.enums import Module
from primedist.errors import Conflict, NotFound
from primedist.queries.customers import OFTEN_RETURNS_KEY
from primedist.services import pricing
from primedist.services.context import ServiceContext
from primedist.services.segments import (
    BulkResult,
    check_name_free,
    clean_name,
    delete_links,
    insert_links,
    live_count,
)

tags_t = table_of(Tag)
customer_tags_t = table_of(CustomerTag)
customers_t = table_of(Customer)

#: The tags every shop starts with: key → English name (the set-up may name them in its
#: own language, and the owner may rename them; the key stays).
DEFAULT_TAGS: dict[str, str] = {"potential": "Potential", OFTEN_RETURNS_KEY: "Often returns"}
MAX_NAME = 60


@dataclass(frozen=True)
class TagRow:
    """A tag with how many live customers carry it."""

    id: int
    name: str
    color: str | None
    is_default: bool
    count: int


def ensure_default_tags(conn: sa.Connection, names: Mapping[str, str] | None = None) -> int:
    """Create the default tags that are missing, named `names[key]` (else in English); a
    tag of that name that is not yet a default becomes it. Does nothing once every key
    exists, even renamed. Returns how many tags it created or marked."""
    t = tags_t.c
    rows = conn.execute(sa.select(t.id, t.name, t.default_key)).all()
    have = {r.default_key for r in rows}
    missing = [key for key in DEFAULT_TAGS if key not in have]
    if not missing:
        return 0
    by_name = {r.name.casefold(): r for r in rows}
    changed = 0
    for key in missing:
        name = ((names or {}).get(key) or "").strip()[:MAX_NAME] or DEFAULT_TAGS[key]
        row = by_name.get(name.casefold())
        if row is None:
            conn.execute(sa.insert(tags_t).values(name=name, is_default=True, default_key=key,
                                                  created_at=utcnow()))  # fmt: skip
        elif row.default_key is None:
            conn.execute(sa.update(tags_t).where(t.id == row.id)
                         .values(is_default=True, default_key=key))  # fmt: skip
        else:
            continue  # the name is another default's: leave this one out rather than clash
        changed += 1
    return changed


def _tag(conn: sa.Connection, tag_id: int) -> tuple[str, bool]:
    row = conn.execute(
        sa.select(tags_t.c.name, tags_t.c.is_default).where(tags_t.c.id == tag_id)
    ).first()
    if row is None:
        raise NotFound(msg("Tag {tag_id} no longer exists.", tag_id=str(tag_id)))
    return str(row[0]), bool(row[1])


def list_tags(ctx: ServiceContext) -> list[TagRow]:
    """Every tag (the defaults first, in seeding order; then by name) with its live
    customers' count."""
    ctx.require(Module.CUSTOMERS)
    t, ct, c = tags_t.c, customer_tags_t.c, customers_t.c
    live = sa.and_(c.id == ct.customer_id, c.deleted_at.is_(None), c.merged_into_id.is_(None))
    stmt = (
        sa.select(t.id, t.name, t.color, t.is_default, sa.func.count(c.id))
        .select_from(
            tags_t.outerjoin(customer_tags_t, ct.tag_id == t.id).outerjoin(customers_t, live)
        )
        .group_by(t.id, t.name, t.color, t.is_default)
    )
    with ctx.uow() as session:
        conn = session.connection()
        ensure_default_tags(conn)
        rows = [
            TagRow(int(r[0]), str(r[1]), r[2], bool(r[3]), int(r[4])) for r in conn.execute(stmt)
        ]
    return sorted(
        rows, key=lambda r: (not r.is_default, "" if r.is_default else r.name.casefold(), r.id)
    )


def create_tag(ctx: ServiceContext, name: str, color: str | None = None) -> int:
    """A new tag; the name is unique (case-insensitive). Returns its id."""
    ctx.require(Module.CUSTOMERS)
    name = clean_name(name, "tag", MAX_NAME)
    with ctx.uow() as session:
        conn = session.connection()
        ensure_default_tags(conn)
        check_name_free(conn, tags_t, name, "tag", None)
        tag = Tag(name=name, color=color, is_default=False, created_at=ctx.clock.now())
        session.add(tag)
        session.flush()
        assert tag.id is not None
        ctx.audit(session, "tag.create", entity_type="tag", entity_id=tag.id, summary=name,
                  after={"name": name, "color": color})  # fmt: skip
        return tag.id


def rename_tag(ctx: ServiceContext, tag_id: int, name: str) -> None:
    """Give a tag (a default one too) another name, unique case-insensitively."""
    ctx.require(Module.CUSTOMERS)
    name = clean_name(name, "tag", MAX_NAME)
    with ctx.uow() as session:
        conn = session.connection()
        ensure_default_tags(conn)
        old, _ = _tag(conn, tag_id)
        check_name_free(conn, tags_t, name, "tag", tag_id)
        if old == name:
            return
        conn.execute(sa.update(tags_t).where(tags_t.c.id == tag_id).values(name=name))
        ctx.audit(session, "tag.rename", entity_type="tag", entity_id=tag_id,
                  summary=f"{old} → {name}", before={"name": old},
                  after={"name": name})  # fmt: skip


def delete_tag(ctx: ServiceContext, tag_id: int) -> int:
    """Delete a tag that is not a default one; its customers are untagged (not deleted),
    and the vouchers that were only for it, on or paused, are switched off and ended
    (without their limit they would be for everyone). Returns how many customers carried
    it."""
    ctx.require(Module.CUSTOMERS)
    with ctx.uow() as session:
        conn = session.connection()
        ensure_default_tags(conn)
        name, is_default = _tag(conn, tag_id)
        if is_default:
            raise Conflict(
                msg("{name} is a default tag: it can be renamed but not deleted.", name=repr(name))
            )
        switched_off = pricing.switch_off_vouchers_only_for(session, ctx, tag_id=tag_id)
        untagged = conn.execute(
            sa.delete(customer_tags_t).where(customer_tags_t.c.tag_id == tag_id)
        ).rowcount
        conn.execute(sa.delete(tags_t).where(tags_t.c.id == tag_id))
        summary = msg("{tag} ({count} customers)", tag=name, count=untagged)
        ctx.audit(session, "tag.delete", entity_type="tag", entity_id=tag_id,
                  summary=pricing.with_vouchers_off(summary, switched_off),
                  before={"name": name, "customers": untagged},
                  after={"vouchers_switched_off": switched_off})  # fmt: skip
        return max(untagged, 0)


def vouchers_only_for_tag(ctx: ServiceContext, tag_id: int) -> list[str]:
    """The codes of the vouchers (on or paused) only for this tag: deleting it switches
    them off and ends them (what the delete question names)."""
    ctx.require(Module.CUSTOMERS)
    with ctx.uow() as session:
        found = pricing.vouchers_only_for(session.connection(), tag_id=tag_id)
    return [code for _i, code in found]


def tag_customers(ctx: ServiceContext, tag_id: int, customer_ids: Iterable[int]) -> BulkResult:
    """Tag customers (those tagged already, deleted or merged are skipped). Returns how
    many got the tag and how many had it already."""
    ctx.require(Module.CUSTOMERS)
    ids = list(dict.fromkeys(customer_ids))
    with ctx.uow() as session:
        conn = session.connection()
        ensure_default_tags(conn)
        name, _ = _tag(conn, tag_id)
        live = live_count(conn, ids)
        added = insert_links(conn, customer_tags_t, "tag_id", tag_id, ids)
        ctx.audit(session, "tag.add", entity_type="tag", entity_id=tag_id,
                  summary=msg("{tag}: tagged {added} of {count} customers", tag=name,
                              added=added, count=len(ids)),
                  after={"asked": len(ids), "added": added, "sample": ids[:20]})  # fmt: skip
        return BulkResult(added, max(live - added, 0))


def untag_customers(ctx: ServiceContext, tag_id: int, customer_ids: Iterable[int]) -> BulkResult:
    """Take a tag off customers (those without it are ignored). Returns how many lost it
    and how many did not have it."""
    ctx.require(Module.CUSTOMERS)
    ids = list(dict.fromkeys(customer_ids))
    with ctx.uow() as session:
        conn = session.connection()
        name, _ = _tag(conn, tag_id)
        live = live_count(conn, ids)
        removed = delete_links(conn, customer_tags_t, "tag_id", tag_id, ids)
        ctx.audit(session, "tag.remove", entity_type="tag", entity_id=tag_id,
                  summary=msg("{tag}: untagged {removed} of {count} customers", tag=name,
                              removed=removed, count=len(ids)),
                  after={"asked": len(ids), "removed": removed, "sample": ids[:20]})  # fmt: skip
        return BulkResult(removed, max(live - removed, 0))
