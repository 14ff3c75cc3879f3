"""Hide, unhide and delete products (the Products list's bulk actions).

Each call is one unit of work with one audit row. Deleting keeps history intact: a
product with a variant on any order line, goods receipt, purchase order or return to a
supplier, holding stock or with stock movements of its own is *archived* (status
`archived`, its variants inactive, so it leaves the list, the sale search and the stock
figures; its marketplace listings are told 0 are left) rather than erased; the others are
deleted with their variants, listings and images (rows cascade), and their image files are
removed from the data dir after the commit.

An archived product's variants leave their SKU groups as "remove from group" takes them
out (services.sku_groups): the goods stay with the group, whose other listings keep
selling them, and no stock is pushed to the archived product's listings any more.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col, select

from primedist.core.messages import msg
from primedist.db.product_summary import chunks, refresh_product_summaries
from primedist.domain.base import table_of
from primedist.domain.enums import Module, ProductStatus
from primedist.domain.goods_receipt import GoodsReceiptLine
from primedist.domain.order import OrderLine
from primedist.domain.product import Product, ProductImage, StockMovement, Variant
from primedist.domain.purchase_order import PurchaseOrderLine
from primedist.services.context import ServiceContext
from primedist.services.sku_groups import leave_groups
from primedist.services.stock import push_none_left

log = logging.getLogger(__name__)

products_t = table_of(Product)
variants_t = table_of(Variant)
images_t = table_of(ProductImage)
lines_t = table_of(OrderLine)
receipt_lines_t = table_of(GoodsReceiptLine)
po_lines_t = table_of(PurchaseOrderLine)
movements_t = table_of(StockMovement)

#: Product ids named in an audit row (the summary has the counts).
AUDIT_IDS = 200


@dataclass(frozen=True)
class DeleteResult:
    """What a delete did: products erased, and products archived because they have a
    history (orders, deliveries, stock)."""

    deleted: int
    archived: int


def _unique(ids: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(int(i) for i in ids))


def _set_status(ctx: ServiceContext, ids: Iterable[int], *, to: ProductStatus, action: str) -> int:
    ctx.require(Module.PRODUCTS)
    wanted = _unique(ids)
    if not wanted:
        return 0
    # Hiding touches active products, unhiding hidden ones; archived ones stay archived.
    source = ProductStatus.ACTIVE if to is ProductStatus.HIDDEN else ProductStatus.HIDDEN
    p = products_t.c
    with ctx.uow() as session:
        conn = session.connection()
        now = ctx.clock.now()
        changed: list[int] = []
        for chunk in chunks(wanted):
            changed += conn.execute(
                sa.update(products_t)
                .where(p.id.in_(chunk), p.status == source)
                .values(status=to, updated_at=now)
                .returning(p.id)
            ).scalars()
        ctx.audit(
            session, action, entity_type="product",
            summary=msg("{changed} of {count} products", changed=len(changed), count=len(wanted)),
            after={"ids": sorted(changed)[:AUDIT_IDS]},
        )  # fmt: skip
    return len(changed)


def hide_products(ctx: ServiceContext, ids: Iterable[int]) -> int:
    """Hide active products (they stay in the list, greyed, and out of the sale search);
    returns how many changed. Hidden, archived and missing ids are left alone.

    The status is not part of a product's summary columns, so nothing is recomputed.
    """
    return _set_status(ctx, ids, to=ProductStatus.HIDDEN, action="product.hide")


def unhide_products(ctx: ServiceContext, ids: Iterable[int]) -> int:
    """Make hidden products active again; returns how many changed."""
    return _set_status(ctx, ids, to=ProductStatus.ACTIVE, action="product.unhide")


def _with_history(conn: sa.Connection, ids: list[int]) -> set[int]:
    """The products among `ids` that erasing would take history from: a variant on some
    order line, goods receipt (a return to the supplier is of a receipt's line) or purchase
    order — their lines would lose it, and the order could not be received — or holding
    stock, or with stock movements of its own (a grouped variant's stay on its group)."""
    v, mv = variants_t.c, movements_t.c
    on_lines = [sa.exists().where(t.c.variant_id == v.id)
                for t in (lines_t, receipt_lines_t, po_lines_t)]  # fmt: skip
    moved = sa.exists().where(mv.variant_id == v.id, mv.sku_group_id.is_(None))
    kept = sa.or_(*on_lines, moved, v.stock != 0, v.reserved != 0)
    found: set[int] = set()
    for chunk in chunks(ids):
        stmt = sa.select(v.product_id).where(v.product_id.in_(chunk), kept).distinct()
        found.update(conn.execute(stmt).scalars())
    return found


def _leave_groups(ctx: ServiceContext, session: Session, product_ids: list[int]) -> list[int]:
    """Take the variants of these (just archived, so inactive) products out of their SKU
    groups (`sku_groups.leave_groups`). Returns the ids of the variants that left."""
    grouped: list[Variant] = []
    for chunk in chunks(product_ids):
        grouped += session.exec(
            select(Variant)
            .where(col(Variant.product_id).in_(chunk), col(Variant.sku_group_id).is_not(None))
            .order_by(col(Variant.id))
            .execution_options(populate_existing=True)  # is_active was just updated
        ).all()
    leave_groups(ctx, session, grouped)
    return [v.id for v in grouped if v.id is not None]


def delete_products(ctx: ServiceContext, ids: Iterable[int]) -> DeleteResult:
    """Delete products: those with a history (`_with_history`) are archived, kept for it,
    their marketplace listings told 0 are left; the rest erased with their variants,
    listings and image files. Archived and missing ids count as neither."""
    ctx.require(Module.PRODUCTS)
    wanted = _unique(ids)
    if not wanted:
        return DeleteResult(0, 0)
    p, v, img, mv = products_t.c, variants_t.c, images_t.c, movements_t.c
    files: list[str] = []
    with ctx.uow() as session:
        conn = session.connection()
        now = ctx.clock.now()
        present: list[int] = []
        for chunk in chunks(wanted):
            present += conn.execute(
                sa.select(p.id).where(p.id.in_(chunk), p.status != ProductStatus.ARCHIVED)
            ).scalars()
        keep = _with_history(conn, present)
        archive = [i for i in present if i in keep]
        erase = [i for i in present if i not in keep]
        deactivated: list[int] = []
        for chunk in chunks(archive):
            conn.execute(
                sa.update(products_t).where(p.id.in_(chunk))
                .values(status=ProductStatus.ARCHIVED, updated_at=now)
            )  # fmt: skip
            deactivated += conn.execute(
                sa.update(variants_t).where(v.product_id.in_(chunk), v.is_active.is_(True))
                .values(is_active=False, updated_at=now).returning(v.id)
            ).scalars()  # fmt: skip
        left_groups = _leave_groups(ctx, session, archive)
        pushes = push_none_left(conn, deactivated, now)
        refresh_product_summaries(conn, archive)
        for chunk in chunks(erase):
            for path, thumb in conn.execute(
                sa.select(img.path, img.thumb_path).where(img.product_id.in_(chunk))
            ):
                files += [f for f in (path, thumb) if f]
            # A grouped variant's movements are the SKU group's ledger too: they stay,
            # on the group alone (the rest cascade with the variants).
            erased_variants = sa.select(v.id).where(v.product_id.in_(chunk))
            conn.execute(
                sa.update(movements_t)
                .where(mv.variant_id.in_(erased_variants), mv.sku_group_id.is_not(None))
                .values(variant_id=None)
            )
            conn.execute(sa.delete(products_t).where(p.id.in_(chunk)))
        ctx.audit(
            session, "product.delete", entity_type="product",
            summary=msg("{deleted} deleted, {archived} archived", deleted=len(erase),
                        archived=len(archive)),
            after={"deleted": erase[:AUDIT_IDS], "archived": archive[:AUDIT_IDS],
                   "left_groups": left_groups[:AUDIT_IDS], "stock_pushes": pushes},
        )  # fmt: skip
    if files and ctx.settings is not None:
        _remove_files(ctx.settings.data_dir, files)
    return DeleteResult(deleted=len(erase), archived=len(archive))


def _remove_files(data_dir: Path, stored: list[str]) -> None:
    """Delete image files (paths stored relative to the data dir with `/`) after the
    commit; anything outside the data dir is never touched, a missing file is fine."""
    root = data_dir.resolve()
    folders: set[Path] = set()
    for text in stored:
        path = Path(text) if Path(text).is_absolute() else root.joinpath(*text.split("/"))
        path = path.resolve()
        if not path.is_relative_to(root) or path == root:
            log.warning("not deleting image outside the data dir: %s", path)
            continue
        try:
            path.unlink(missing_ok=True)
            folders.add(path.parent)
        except OSError:
            log.warning("could not delete image %s", path, exc_info=True)
    for folder in folders:  # the product's own image folder, once empty
        try:
            if folder != root and not any(folder.iterdir()):
                folder.rmdir()
        except OSError:
            pass
