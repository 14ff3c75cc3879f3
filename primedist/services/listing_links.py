"""Marketplace ids learnt from synced orders.

A product the owner publishes to a marketplace shop (the product editor's shop ticks) gets a
listing here without the marketplace's item id: the app cannot create the item on the
platform, the owner lists it in Seller Center. Until the listing has its id, no stock or
price push is queued for it (`stock.push_targets`, `catalogue.queue_listing_upserts`): it
could not take one (`listing_pull` links the whole shop at once by SKU when the owner
asks). Every order line a sync brings names the item and model it sold (Shopee's `item_id`
/ `model_id`, Lazada's item and SKU ids, ...), so the sync fills them in: an active listing
of this shop without an item id takes the item id its variants were sold under, and its
variant listings their model ids. The listing then gets one push of its available stock as
it is now and one of its prices, so the platform has the app's figures at once, and every
later stock change reaches it (the SKU groups' "never oversell").

Nothing is created and nothing already linked is changed: a listing the owner did not ask
for gets no pushes, and an item id another listing of the shop holds is left alone (the
owner links that one by hand). One statement per chunk of the batch's variants.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from primedist.db.product_summary import chunks, refresh_product_summaries
from primedist.domain.base import table_of
from primedist.domain.product import ProductListing, VariantListing
from primedist.services.catalogue import queue_listing_upserts
from primedist.services.stock import push_targets, queue_current_pushes

listings_t = table_of(ProductListing)
variant_listings_t = table_of(VariantListing)


def fill_listing_ids(
    conn: sa.Connection, shop_id: int, sold: Mapping[int, tuple[str, str | None]], now: datetime
) -> int:
    """`sold`: variant id → (item id, model id or None) as this shop's orders name them.
    Fills the shop's active listings that have no item id yet and queues their stock and
    price pushes (see the module docstring); returns how many listings got their item id."""
    if not sold:
        return 0
    pl, vl = listings_t.c, variant_listings_t.c
    rows: list[Any] = []
    for chunk in chunks(sorted(sold)):
        rows += conn.execute(
            sa.select(pl.id, pl.external_id, vl.id, vl.variant_id, vl.external_id)
            .select_from(listings_t.join(variant_listings_t, vl.listing_id == pl.id))
            .where(pl.shop_id == shop_id, pl.is_active, vl.variant_id.in_(chunk))
        ).all()  # fmt: skip
    items: dict[int, set[str]] = {}
    for lid, item_id, _vlid, vid, _model in rows:
        if item_id is None:
            items.setdefault(lid, set()).add(sold[vid][0])
    taken = set(
        conn.execute(
            sa.select(pl.external_id).where(pl.shop_id == shop_id, pl.external_id.is_not(None))
        ).scalars()
    )
    filled: dict[int, str] = {}
    for lid, found in sorted(items.items()):
        item = next(iter(found)) if len(found) == 1 else None  # sold under two items: ask
        if item is not None and item not in taken:
            conn.execute(listings_t.update().where(pl.id == lid).values(external_id=item))
            taken.add(item)
            filled[lid] = item
    if filled:  # the Products list's "not linked" mark goes
        refresh_product_summaries(conn, conn.execute(
            sa.select(pl.product_id).where(pl.id.in_(sorted(filled)))).scalars())  # fmt: skip
    linked = {lid: item for lid, item, *_rest in rows if item is not None}
    linked.update(filled)
    models = [
        {"b_id": vlid, "b_model": sold[vid][1]}
        for lid, _item, vlid, vid, model in rows
        if model is None and sold[vid][1] is not None and linked.get(lid) == sold[vid][0]
    ]
    if models:
        conn.execute(
            variant_listings_t.update()
            .where(vl.id == sa.bindparam("b_id"))
            .values(external_id=sa.bindparam("b_model")),
            models,
        )
    _push_linked(conn, shop_id, {vid for lid, _i, _vl, vid, _m in rows if lid in filled}, now)
    queue_listing_upserts(conn, filled, now)
    return len(filled)


def _push_linked(conn: sa.Connection, shop_id: int, variant_ids: set[int], now: datetime) -> None:
    """Queue the available stock now of the just linked listings' variants (in this shop).
    No push was queued for them while unlinked; an earlier one that failed (not linked) is
    queued again with this figure (`queue_pushes` coalesces by listing)."""
    targets = [t for t in push_targets(conn, variant_ids) if t.shop_id == shop_id]
    queue_current_pushes(conn, targets, now)
