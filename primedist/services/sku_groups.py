"""SKU groups ("Prime SKU"): one physical item listed in several shops shares one stock.

A group holds the physical stock of its members (variants = the SKUs of shop listings);
every stock change of a member moves the group's stock and queues the new available
quantity for every other marketplace listing of the group (`services.stock.move_stock`).
A variant belongs to at most one group.

Joining and leaving keep every holder's stock equal to its ledger (on hand = initial +
Σ its movements' quantity, reserved = Σ reserved changes):

* **Joining** moves the variant's own stock and reservations into the group: an
  ADJUSTMENT movement "Joined group CODE" takes the variant to 0 (its own ledger), and a
  second one, made once it is a member, adds the same quantities to the group (the
  group's ledger). The group's new available stock is pushed to all its listings.
* **One cost**: the members are one stock on the shelf, so they have one cost, held
  equal on every member (`stock.share_cost`; goods receipts, the product form and bulk
  price changes keep it so). Joining merges the costs, averaged over the units each
  brings (`stock.merged_cost`).
* **Leaving**: the physical stock stays with the group and the variant leaves with 0
  stock of its own and the group's cost. What its open orders reserve leaves with it
  (the group's reserved goes down, the variant's up), so cancelling such an order later
  releases the right holder.
* **Deleting** a group is allowed only when it has no members (remove them first) and
  holds no stock (units on the shelf must leave by a movement, not vanish with it). The
  movements made for a listing stay in that listing's history (sales name it and their
  order): no holder's ledger any more, their "on hand after" figures being the group's.
  Only the group's rows of no listing (its opening stock, those of one since erased) go
  with it.

Every public function checks the Products permission, is one unit of work and writes an
audit row.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from primedist.core.messages import msg
from primedist.core.text import clean_line
from primedist.db.product_summary import refresh_for_stock
from primedist.domain.base import table_of
from primedist.domain.enums import Channel, Module, ProductStatus, StockMoveKind, StockState
from primedist.domain.order import Order, OrderLine
from primedist.domain.product import Product, ProductListing, SkuGroup, StockMovement, Variant
from primedist.domain.shop import Shop
from primedist.errors import Conflict, NotFound, ValidationError
from primedist.io.xlsx_writer import MAX_ROWS, XlsxColumn
from primedist.jobs.progress import NullProgress, Progress
from primedist.queries import spec as query_spec
from primedist.queries.search import search_filter
from primedist.queries.sku_groups import GROUPS_EXPORT_SPEC, split_channels
from primedist.queries.spec import QueryState
from primedist.services.context import ServiceContext
from primedist.services.export_support import (
    ExportReport,
    audit_export,
    check_target,
    lang_index,
    replaced_when_done,
    stream_rows,
)
from primedist.services.sale_lookup import named_mask
from primedist.services.stock import (
    lock_stock,
    merged_cost,
    move_stock,
    push_targets,
    queue_pushes,
    share_cost,
    shared_cost,
)

groups_t = table_of(SkuGroup)
variants_t = table_of(Variant)
movements_t = table_of(StockMovement)
products_t = table_of(Product)
listings_t = table_of(ProductListing)
shops_t = table_of(Shop)
orders_t = table_of(Order)
lines_t = table_of(OrderLine)

MAX_CODE = 64
MAX_NAME = 120
#: Members named in a refusal message before "…".
NAMED = 5


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ShopRef:
    """A shop a product is listed on."""

    id: int
    name: str
    channel: Channel


@dataclass(frozen=True)
class GroupMember:
    """A variant of a group, as the group dialog shows it."""

    variant_id: int
    sku: str
    barcode: str | None
    product_id: int
    product_name: str
    options: str
    shops: tuple[ShopRef, ...]
    price: int
    discount_price: int | None


@dataclass(frozen=True)
class GroupDetail:
    """A group with its stock figures and members."""

    id: int
    code: str
    name: str
    low_stock_level: int | None
    stock: int
    reserved: int
    created_at: datetime
    members: tuple[GroupMember, ...]

    @property
    def available(self) -> int:
        return self.stock - self.reserved


@dataclass(frozen=True)
class Candidate:
    """A variant the "add listings" picker offers, with its current group (if any)."""

    variant_id: int
    sku: str
    barcode: str | None
    product_name: str
    options: str
    shops: tuple[ShopRef, ...]
    price: int
    discount_price: int | None
    #: On hand and available of its stock holder (its group's when grouped).
    stock: int
    available: int
    group_id: int | None
    group_code: str | None


# --------------------------------------------------------------------------- validation


def _clean_code(code: str) -> str:
    return _clean_text(code, "code", MAX_CODE)


def _clean_name(name: str) -> str:
    return _clean_text(name, "name", MAX_NAME)


#: The words of `field` in the messages of `_clean_text`.
FIELDS = {"code": msg("code"), "name": msg("name")}


def _clean_text(value: str, field: str, limit: int) -> str:
    """The group's code or name (`field`): NFC, one line without control or invisible
    characters (`clean_line`), required, `limit` long."""
    text = clean_line(unicodedata.normalize("NFC", value or ""))
    if not text:
        raise ValidationError(msg("Give the group a {field}.", field=FIELDS[field]), field=field)
    if len(text) > limit:
        raise ValidationError(
            msg(
                "The group {field} has {length} characters: {limit} at most.",
                field=FIELDS[field],
                length=str(len(text)),
                limit=str(limit),
            ),
            field=field,
        )
    return text


def _check_level(level: int | None) -> int | None:
    if level is not None and level < 0:
        raise ValidationError(
            msg("The low-stock level cannot be negative."), field="low_stock_level"
        )
    return level


def _check_code_free(session: Session, code: str, group_id: int | None) -> None:
    stmt = sa.select(groups_t.c.id, groups_t.c.code).where(
        sa.func.lower(groups_t.c.code) == code.lower()
    )
    if group_id is not None:
        stmt = stmt.where(groups_t.c.id != group_id)
    clash = session.execute(stmt).first()
    if clash is not None:
        raise Conflict(
            msg(
                "A group with the code {clash} already exists: choose another code.",
                clash=str(clash[1]),
            )
        )


def _group(session: Session, group_id: int) -> SkuGroup:
    group = session.get(SkuGroup, group_id)
    if group is None:
        raise NotFound(msg("SKU group {group_id} no longer exists.", group_id=str(group_id)))
    return group


def _variants(session: Session, variant_ids: Iterable[int]) -> list[Variant]:
    out: list[Variant] = []
    for vid in dict.fromkeys(variant_ids):
        variant = session.get(Variant, vid)
        if variant is None:
            raise NotFound(msg("Product variant {vid} no longer exists.", vid=str(vid)))
        out.append(variant)
    return out


def _named(skus: Sequence[str]) -> str:
    return ", ".join(skus[:NAMED]) + (", …" if len(skus) > NAMED else "")


# --------------------------------------------------------------------------- join / leave


def _open_reserved(session: Session, variant_id: int) -> int:
    """What the variant's open orders hold (orders whose quantities are reserved)."""
    line, o = lines_t.c, orders_t.c
    stmt = (
        sa.select(sa.func.coalesce(sa.func.sum(line.quantity - line.returned_quantity), 0))
        .select_from(lines_t.join(orders_t, o.id == line.order_id))
        .where(line.variant_id == variant_id, o.stock_state == StockState.RESERVED)
    )
    return int(session.execute(stmt).scalar_one())


def _join(
    ctx: ServiceContext, session: Session, group: SkuGroup, variants: Sequence[Variant]
) -> list[Variant]:
    """Make `variants` members of `group`, moving their own stock and reservations into
    it; refuses (changing nothing) a variant of another group. Returns the new members."""
    assert group.id is not None
    others = [v for v in variants if v.sku_group_id not in (None, group.id)]
    if others:
        gids = {v.sku_group_id for v in others}
        stmt = sa.select(groups_t.c.id, groups_t.c.code).where(groups_t.c.id.in_(gids))
        codes: dict[int | None, str] = {r[0]: r[1] for r in session.execute(stmt)}
        if len(others) == 1:
            v, code = others[0], codes.get(others[0].sku_group_id, "?")
            raise Conflict(
                msg("{sku} already belongs to group {code}: a listing belongs to one group at "
                    "most. Remove it from {code} first.", sku=v.sku, code=code)
            )  # fmt: skip
        named = [f"{v.sku} ({codes.get(v.sku_group_id, '?')})" for v in others]
        raise Conflict(
            msg("{skus} already belong to other groups: a listing belongs to one group at "
                "most. Remove them from those groups first.", skus=_named(named))
        )  # fmt: skip
    joining = [v for v in variants if v.sku_group_id is None]
    # Their stock read afresh and locked: what moves into the group is what is left now.
    lock_stock(session, [v.id for v in joining if v.id is not None])
    cost = _joined_cost(session, group, joining)
    reason = f"Joined group {group.code}"[:255]
    now = ctx.clock.now()
    for variant in joining:
        assert variant.id is not None
        stock, reserved = variant.stock, variant.reserved
        if stock or reserved:  # the variant's own ledger: down to 0
            move_stock(ctx, session, variant.id, StockMoveKind.ADJUSTMENT, quantity=-stock,
                       reserved=-reserved, reason=reason)  # fmt: skip
        variant.sku_group_id = group.id
        variant.updated_at = now
        session.add(variant)
        session.flush()
        if stock or reserved:  # the group's ledger: up by the same
            move_stock(ctx, session, variant.id, StockMoveKind.ADJUSTMENT, quantity=stock,
                       reserved=reserved, reason=reason)  # fmt: skip
    if joining:
        share_cost(session, joining[0], group, cost)
    return joining


def _joined_cost(session: Session, group: SkuGroup, joining: Sequence[Variant]) -> int:
    """The group's one cost once `joining` (not members yet, their stock still their own)
    are in: the group's stock at its members' cost and each variant's stock at its own,
    averaged over the units (`merged_cost`). A group without members has no cost to weigh
    its stock by (the members that left took theirs): the joining variants' costs make it."""
    holders = [(v.stock, v.cost) for v in joining]
    members = session.execute(
        sa.select(variants_t.c.cost).where(variants_t.c.sku_group_id == group.id)
    ).scalars().all()  # fmt: skip
    if members:
        holders.append((group.stock, shared_cost(members)))
    return merged_cost(holders)


def _leave(
    ctx: ServiceContext, session: Session, group: SkuGroup, variants: Sequence[Variant]
) -> None:
    """Take `variants` (members of `group`) out of it with 0 stock of their own; what
    their open orders reserve moves out with them."""
    reason = f"Left group {group.code}"[:255]
    now = ctx.clock.now()
    for variant in variants:
        assert variant.id is not None
        held = min(_open_reserved(session, variant.id), max(group.reserved, 0))
        if held:  # the group's ledger: its reservation goes
            move_stock(ctx, session, variant.id, StockMoveKind.ADJUSTMENT, reserved=-held,
                       reason=reason)  # fmt: skip
        variant.sku_group_id = None
        variant.updated_at = now
        session.add(variant)
        session.flush()
        # The variant's own ledger: 0 on hand (the goods stay with the group), reserved =
        # what its open orders hold. Written even when nothing changes: in the variant's
        # history it marks where the group's figures end and its own start again.
        quantity, reserved = -variant.stock, held - variant.reserved
        move_stock(ctx, session, variant.id, StockMoveKind.ADJUSTMENT, quantity=quantity,
                   reserved=reserved, reason=reason)  # fmt: skip


def leave_groups(ctx: ServiceContext, session: Session, variants: Sequence[Variant]) -> None:
    """Take `variants` (archived or deactivated, each in a SKU group) out of their groups
    the way `remove_from_group` does, with its stock movements, and push each group's
    stock to its other listings (an inactive variant is no listing's stock any more)."""
    by_group: dict[int, list[Variant]] = {}
    for variant in variants:
        if variant.sku_group_id is not None:
            by_group.setdefault(variant.sku_group_id, []).append(variant)
    for gid, members in sorted(by_group.items()):
        group = session.get(SkuGroup, gid, with_for_update=True, populate_existing=True)
        assert group is not None
        _leave(ctx, session, group, members)
        _push_after(ctx, session, group, members)


def _push_after(
    ctx: ServiceContext, session: Session, group: SkuGroup, left: Sequence[Variant]
) -> None:
    """Queue the current available stock for every listing of the group and of the
    variants that left it; refresh the product summaries they touch."""
    assert group.id is not None
    session.flush()
    conn = session.connection()
    now = ctx.clock.now()
    pushes = [(t, group.stock - group.reserved) for t in push_targets(conn, group_ids=[group.id])]
    by_id = {v.id: v for v in left}
    pushes += [
        (t, by_id[t.variant_id].stock - by_id[t.variant_id].reserved)
        for t in push_targets(conn, variant_ids=[v.id for v in left if v.id is not None])
    ]
    queue_pushes(conn, pushes, now)
    refresh_for_stock(conn, [v.id for v in left if v.id is not None], [group.id])


# --------------------------------------------------------------------------- writes


def save_group(
    ctx: ServiceContext,
    group_id: int | None,
    *,
    code: str,
    name: str,
    low_stock_level: int | None = None,
    add: Iterable[int] = (),
    remove: Iterable[int] = (),
) -> int:
    """Create (`group_id` None) or update a group and change its members, all in one
    transaction (the group dialog's Save). Returns the group id."""
    ctx.require(Module.PRODUCTS)
    code, name = _clean_code(code), _clean_name(name)
    level = _check_level(low_stock_level)
    add_ids, remove_ids = list(dict.fromkeys(add)), list(dict.fromkeys(remove))
    # Stock moves between the listings and the group: another PC's sale waits.
    with ctx.uow(write=True) as session:
        _check_code_free(session, code, group_id)
        if group_id is None:
            group = SkuGroup(code=code, name=name, low_stock_level=level,
                             created_at=ctx.clock.now())  # fmt: skip
            session.add(group)
            session.flush()
            before: dict[str, Any] | None = None
        else:
            group = _group(session, group_id)
            before = {"code": group.code, "name": group.name,
                      "low_stock_level": group.low_stock_level}  # fmt: skip
            group.code, group.name, group.low_stock_level = code, name, level
            session.add(group)
            session.flush()
        assert group.id is not None
        left = _remove_members(ctx, session, group, remove_ids)
        joined = _join(ctx, session, group, _variants(session, add_ids))
        _push_after(ctx, session, group, left)
        added, removed = _named([v.sku for v in joined]), _named([v.sku for v in left])
        summary: str = f"{group.code} {group.name}"
        if joined and left:
            summary = msg("{code} {name}; added {added}; removed {removed}", code=group.code,
                          name=group.name, added=added, removed=removed)  # fmt: skip
        elif joined:
            summary = msg("{code} {name}; added {skus}", code=group.code, name=group.name,
                          skus=added)  # fmt: skip
        elif left:
            summary = msg("{code} {name}; removed {skus}", code=group.code, name=group.name,
                          skus=removed)  # fmt: skip
        ctx.audit(session, "sku_group.create" if before is None else "sku_group.update",
                  entity_type="sku_group", entity_id=group.id, summary=summary, before=before,
                  after={"code": code, "name": name, "low_stock_level": level,
                         "added": [v.id for v in joined], "removed": [v.id for v in left],
                         "stock": group.stock, "reserved": group.reserved,
                         "cost": joined[0].cost if joined else None})  # fmt: skip
        return group.id


def create_group(
    ctx: ServiceContext,
    code: str,
    name: str,
    *,
    low_stock_level: int | None = None,
    variant_ids: Iterable[int] = (),
) -> int:
    """A new group (code unique, case-insensitive), with `variant_ids` as its first
    members (their stock joins the group, their costs make its one cost). Returns its
    id."""
    return save_group(ctx, None, code=code, name=name, low_stock_level=low_stock_level,
                      add=variant_ids)  # fmt: skip


def update_group(
    ctx: ServiceContext, group_id: int, *, code: str, name: str, low_stock_level: int | None
) -> None:
    """Change a group's code, name and low-stock level (None = no level of its own)."""
    save_group(ctx, group_id, code=code, name=name, low_stock_level=low_stock_level)


def add_to_group(ctx: ServiceContext, group_id: int, variant_ids: Iterable[int]) -> int:
    """Add variants to a group: their own stock and reservations move into it (movement
    rows on both sides), their costs and the group's make one (`_joined_cost`) and its
    available stock is pushed to every marketplace listing of the group. A variant of
    another group is refused, naming it and its group; a member already is left alone.
    Returns how many joined."""
    ctx.require(Module.PRODUCTS)
    ids = list(dict.fromkeys(variant_ids))
    # Stock moves between the listings and the group: another PC's sale waits.
    with ctx.uow(write=True) as session:
        group = _group(session, group_id)
        joined = _join(ctx, session, group, _variants(session, ids))
        _push_after(ctx, session, group, [])
        ctx.audit(session, "sku_group.add", entity_type="sku_group", entity_id=group_id,
                  summary=msg("{code}: added {skus} → stock {stock}", code=group.code,
                              skus=_named([v.sku for v in joined]), stock=group.stock)
                  if joined else msg("{code}: added nothing → stock {stock}", code=group.code,
                                     stock=group.stock),
                  after={"added": [v.id for v in joined], "stock": group.stock,
                         "reserved": group.reserved,
                         "cost": joined[0].cost if joined else None})  # fmt: skip
        return len(joined)


def _remove_members(
    ctx: ServiceContext, session: Session, group: SkuGroup, variant_ids: Sequence[int]
) -> list[Variant]:
    variants = _variants(session, variant_ids)
    strangers = [v.sku for v in variants if v.sku_group_id != group.id]
    if strangers:
        text = (
            msg("{sku} is not in group {code}.", sku=strangers[0], code=group.code)
            if len(strangers) == 1
            else msg("{skus} are not in group {code}.", skus=_named(strangers), code=group.code)
        )
        raise ValidationError(text, field="variant_ids")
    _leave(ctx, session, group, variants)
    return variants


def remove_from_group(ctx: ServiceContext, group_id: int, variant_ids: Iterable[int]) -> int:
    """Take variants out of a group. The physical stock stays with the group: each variant
    leaves with 0 stock of its own (what its open orders reserve leaves with it). Returns
    how many left."""
    ctx.require(Module.PRODUCTS)
    ids = list(dict.fromkeys(variant_ids))
    # Stock moves between the listings and the group: another PC's sale waits.
    with ctx.uow(write=True) as session:
        group = _group(session, group_id)
        left = _remove_members(ctx, session, group, ids)
        _push_after(ctx, session, group, left)
        ctx.audit(session, "sku_group.remove", entity_type="sku_group", entity_id=group_id,
                  summary=msg("{code}: removed {skus}", code=group.code,
                              skus=_named([v.sku for v in left]))
                  if left else msg("{code}: removed nothing", code=group.code),
                  after={"removed": [v.id for v in left], "stock": group.stock})  # fmt: skip
        return len(left)


def delete_group(ctx: ServiceContext, group_id: int) -> None:
    """Delete a group that has no members (remove them first) and no stock (take it out
    first: units must not vanish without a movement). The movements its listings made
    stay in their histories; the audit row keeps the last figures."""
    ctx.require(Module.PRODUCTS)
    with ctx.uow(write=True) as session:  # its stock checked, then it goes: no sale between
        group = _group(session, group_id)
        members = session.execute(
            sa.select(variants_t.c.sku).where(variants_t.c.sku_group_id == group_id)
            .order_by(variants_t.c.sku)
        ).scalars().all()  # fmt: skip
        if members:
            skus = _named(list(members))
            raise Conflict(
                msg("Group {code} still has 1 listing ({skus}): remove them from the group "
                    "first.", code=group.code, skus=skus)
                if len(members) == 1
                else msg("Group {code} still has {count} listings ({skus}): remove them from "
                         "the group first.", code=group.code, count=len(members), skus=skus)
            )  # fmt: skip
        _check_no_stock(group)
        kept = _keep_listing_movements(session, group_id, group.code)
        ctx.audit(session, "sku_group.delete", entity_type="sku_group", entity_id=group_id,
                  summary=msg("{code} {name} (stock {stock})", code=group.code, name=group.name,
                              stock=group.stock),
                  before={"code": group.code, "name": group.name, "stock": group.stock,
                          "reserved": group.reserved,
                          "low_stock_level": group.low_stock_level},
                  after={"movements_kept": kept})  # fmt: skip
        session.delete(group)


def _check_no_stock(group: SkuGroup) -> None:
    """Refuse deleting a group that still holds units: they would leave on hand with no
    movement to tell it. Its listings are gone (or archived), so the way out is through a
    listing of the item put in for the time of a stock out (its own units join too: only
    the group's go out)."""
    if group.stock > 0:
        raise Conflict(
            msg("Group {code} still holds {stock} units: deleting it would lose them without "
                "a stock movement. Add a listing of this item to the group, take the {stock} "
                "units out with Stock out, then remove the listing and delete the group.",
                code=group.code, stock=group.stock)
        )  # fmt: skip
    if group.stock < 0:
        raise Conflict(
            msg("Group {code} is {short} units short: deleting it would hide the shortfall "
                "without a stock movement. Add a listing of this item to the group, correct "
                "its stock with Stock in or a stock-take, then remove the listing and delete "
                "the group.", code=group.code, short=-group.stock)
        )  # fmt: skip


def _keep_listing_movements(session: Session, group_id: int, code: str) -> int:
    """Detach from the group the movements that name a listing (a sale of it, its joining
    or leaving), which would otherwise go with the group (the foreign key cascades): they
    are that listing's stock history. Their "on hand after" is the group's, which their
    reason keeps saying ("… (group PS-1)"). Returns how many."""
    m = movements_t.c
    said = sa.func.coalesce(m.reason, "") + f" (group {code})"
    result = session.connection().execute(
        sa.update(movements_t)
        .where(m.sku_group_id == group_id, m.variant_id.is_not(None))
        .values(sku_group_id=None, reason=sa.func.substr(sa.func.ltrim(said), 1, 255))
    )  # fmt: skip
    return int(result.rowcount or 0)


# --------------------------------------------------------------------------- reads


def _options(*parts: str | None) -> str:
    return " / ".join(p for p in parts if p)


def _shops_of(session: Session, product_ids: Iterable[int]) -> dict[int, tuple[ShopRef, ...]]:
    """Active shop listings of these products: {product id: shops by name}."""
    ids = sorted(set(product_ids))
    out: dict[int, list[ShopRef]] = {}
    if not ids:
        return {}
    pl, s = listings_t.c, shops_t.c
    stmt = (
        sa.select(pl.product_id, s.id, s.name, s.channel)
        .select_from(listings_t.join(shops_t, s.id == pl.shop_id))
        .where(pl.product_id.in_(ids), pl.is_active.is_(True))
        .order_by(s.name)
    )
    for pid, sid, name, channel in session.execute(stmt):
        out.setdefault(pid, []).append(ShopRef(sid, name, Channel(channel)))
    return {pid: tuple(refs) for pid, refs in out.items()}


def group_detail(ctx: ServiceContext, group_id: int) -> GroupDetail:
    """A group with its figures and its members (by product name, then SKU)."""
    ctx.require(Module.PRODUCTS)
    with ctx.uow() as session:
        group = _group(session, group_id)
        assert group.id is not None
        v, p = variants_t.c, products_t.c
        rows = session.execute(
            sa.select(v.id, v.sku, v.barcode, v.product_id, p.name, v.option1, v.option2,
                      v.price, v.discount_price)
            .select_from(variants_t.join(products_t, p.id == v.product_id))
            .where(v.sku_group_id == group_id)
            .order_by(p.name, v.sku, v.id)
        ).all()  # fmt: skip
        shops = _shops_of(session, [r[3] for r in rows])
        members = tuple(
            GroupMember(vid, sku, barcode, pid, pname, _options(o1, o2), shops.get(pid, ()),
                        price, discount)
            for vid, sku, barcode, pid, pname, o1, o2, price, discount in rows
        )  # fmt: skip
        return GroupDetail(group.id, group.code, group.name, group.low_stock_level,
                           group.stock, group.reserved, group.created_at, members)  # fmt: skip


def _by_code(sku: str, barcode: str | None, low: str) -> bool:
    """The variant is found by its own SKU (exactly or its start) or barcode."""
    return sku.lower().startswith(low) or (barcode or "").lower() == low


def find_candidates(ctx: ServiceContext, text: str, limit: int = 50) -> list[Candidate]:
    """Variants of active products from any shop whose product name, SKU or barcode
    matches `text` (folded, word prefixes), for the "add listings" picker: exact SKU or
    barcode matches first, then SKU prefixes, then by product name — of a product found
    by name, the variants the words name (`sale_lookup.named_mask`: "ao so mi xanh reu"
    lists the Xanh rêu ones). Empty text: none."""
    ctx.require(Module.PRODUCTS)
    query = (text or "").strip()
    if not query:
        return []
    with ctx.uow() as session:
        conn = session.connection()
        match = search_filter(products_t, query, conn.dialect.name)
        if match is None:
            return []
        v, p, g = variants_t.c, products_t.c, groups_t.c
        low = query.lower()
        rank = sa.case(
            (sa.or_(sa.func.lower(v.sku) == low, v.barcode == query), 0),
            (sa.func.lower(v.sku).startswith(low, autoescape=True), 1),
            else_=2,
        )
        stmt = (
            sa.select(v.id, v.sku, v.barcode, v.product_id, p.name, v.option1, v.option2,
                      v.price, v.discount_price, sa.func.coalesce(g.stock, v.stock),
                      sa.func.coalesce(g.stock - g.reserved, v.stock - v.reserved),
                      v.sku_group_id, g.code)
            .select_from(variants_t.join(products_t, p.id == v.product_id)
                         .outerjoin(groups_t, g.id == v.sku_group_id))
            .where(match, p.status == ProductStatus.ACTIVE, v.is_active.is_(True))
            .order_by(rank, p.name, v.sku, v.id)
            .limit(max(1, limit))
        )  # fmt: skip
        rows = session.execute(stmt).all()
        # A product is found through every variant's words (its colours, sizes): of those
        # found by name (rank 2), only the variants the words name; SKU and barcode
        # matches stay.
        named = named_mask(query, [(r[3], r[4], r[5], r[6], r[1], r[2]) for r in rows])
        rows = [r for r, ok in zip(rows, named, strict=True) if ok or _by_code(r[1], r[2], low)]
        shops = _shops_of(session, [r[3] for r in rows])
        return [
            Candidate(vid, sku, barcode, pname, _options(o1, o2), shops.get(pid, ()), price,
                      discount, stock, available, gid, gcode)
            for (vid, sku, barcode, pid, pname, o1, o2, price, discount, stock, available, gid,
                 gcode) in rows
        ]  # fmt: skip


# --------------------------------------------------------------------------- export

PROGRESS_EVERY = 500

#: Export columns by list column key: (Vietnamese header, English header, kind, width).
_EXPORT: dict[str, tuple[str, str, str, int]] = {
    "name": ("Tên nhóm", "Group", "text", 36),
    "code": ("Mã nhóm", "Code", "text", 16),
    "channels": ("Kênh bán", "Channels", "text", 22),
    "listings": ("Số liên kết", "Listings", "int", 10),
    "price": ("Giá thấp nhất", "Lowest price", "money", 14),
    "price_max": ("Giá cao nhất", "Highest price", "money", 14),
    "special_price": ("Giá khuyến mãi", "Discount price", "money", 14),
    "stock": ("Tồn kho", "Stock", "int", 10),
    "available": ("Có thể bán", "Available", "int", 10),
    "created_at": ("Ngày tạo", "Created", "datetime", 17),
}


def export_columns(lang: str = "vi") -> list[XlsxColumn]:
    """The sheet columns of the groups export, headers in `lang` ("vi" or "en")."""
    i = lang_index(lang)
    out = []
    for col in GROUPS_EXPORT_SPEC.columns:
        vi, en, kind, width = _EXPORT[col.key]
        out.append(XlsxColumn((vi, en)[i], kind, width))
    return out


def export_groups(
    ctx: ServiceContext,
    path: Path,
    *,
    search: str = "",
    lang: str = "vi",
    progress: Progress | None = None,
) -> ExportReport:
    """Write the groups (those matching `search`, newest first) to the .xlsx file `path`:
    one row per group with code, name, channels (the stored words, comma-separated),
    listings, lowest and highest member price, discount price (the lowest discount price
    of the members, empty when none), stock, available and created. Streamed to a
    temporary file moved onto `path` only when complete (a cancel or an error leaves no
    partial file); formulas neutralised; an audit row."""
    ctx.require_export(Module.PRODUCTS)
    columns = export_columns(lang)
    target = check_target(path)
    prog: Progress = progress if progress is not None else NullProgress()
    started = time.perf_counter()
    prog.update(0.0, msg("Exporting SKU groups"))
    state = QueryState(search=search)
    channels_at = [c.key for c in GROUPS_EXPORT_SPEC.columns].index("channels")
    with replaced_when_done(target) as tmp, ctx.engine.connect() as conn:
        total = query_spec.count_rows(conn, GROUPS_EXPORT_SPEC, state)
        if total > MAX_ROWS:
            raise ValidationError(msg("{total} groups do not fit one Excel sheet.", total=total))
        rows = (
            [*row[:channels_at], ", ".join(split_channels(row[channels_at])),
             *row[channels_at + 1 :]]
            for row in query_spec.iter_rows(conn, GROUPS_EXPORT_SPEC, state)
        )  # fmt: skip
        sheet = "Nhóm SKU" if lang == "vi" else "SKU groups"
        written = stream_rows(tmp, columns, rows, total, prog, sheet=sheet, every=PROGRESS_EVERY)
    report = audit_export(
        ctx, "sku_groups.export", target, msg("{count} SKU groups", count=written),
        {"file": str(target), "rows": written, "search": search, "lang": lang}, started,
    )  # fmt: skip
    prog.update(1.0, msg("Exported {count} SKU groups", count=written))
    return report
