"""Read a marketplace shop's listings and link them to the catalogue by SKU.

A shop that already sells on Shopee or Lazada has its items there long before it uses the
app; the app's products know nothing of their item and model ids, so stock pushes cannot reach
them (`listing_links` fills ids only from synced orders, one sold item at a time). Here
the owner asks for the shop's whole list at once (Settings → Sales channels → *Fetch
listings*, `primedist shop listings NAME`):

1. The connector reads every item for sale or unlisted, with its models (network; no
   transaction open).
2. In ONE transaction: each model is matched to the active variant with its SKU; an item
   whose matched variants are all of one product links that product's listing for this
   shop to the item (created when missing) and each matched variant's listing to its
   model. With `create_missing`, an item none of whose SKUs is in the app becomes a new
   product (the product import's writer: its variants, options, price, and the platform's
   stock as opening stock), linked the same way.
3. What could not be linked is listed with the reason the owner can act on (no SKU on the
   platform, a SKU not in the app, SKUs on several products, a product already linked to
   another item, ...). Nothing already linked to another item changes.

The app's stock stays the truth: linked models whose platform stock differs from the
app's available stock are counted, and only with `push_stock` is the app's stock sent
(through the outbox, as every stock change is). Pulling twice changes nothing the second
time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from primedist.connectors.base import (
    Action,
    AuthError,
    Connector,
    NotSupported,
    RemoteItem,
    RemoteModel,
)
from primedist.core.messages import msg
from primedist.core.text import clean_line
from primedist.db.product_summary import chunks, refresh_product_summaries
from primedist.domain.base import table_of
from primedist.domain.enums import Module, ProductStatus
from primedist.domain.product import Product, ProductListing, SkuGroup, Variant, VariantListing
from primedist.domain.shop import Shop
from primedist.errors import NotFound, ValidationError
from primedist.jobs.progress import NullProgress, Progress
from primedist.services import product_import as pi
from primedist.services.context import ServiceContext
from primedist.services.stock import available_of, push_targets, queue_current_pushes
from primedist.services.sync import ConnectorFactory, add_log_line, default_connector

products_t = table_of(Product)
variants_t = table_of(Variant)
groups_t = table_of(SkuGroup)
listings_t = table_of(ProductListing)
variant_listings_t = table_of(VariantListing)

#: How many unlinked items the audit row names.
AUDIT_NAMES = 20
#: The template columns a created product fills (the rest take their defaults).
_CREATED_COLUMNS = frozenset(
    {"product_name", "sku", "option1_name", "option1", "option2_name", "option2", "price",
     "stock", "shops"}
)  # fmt: skip
#: Share of the progress bar the reading from the platform takes.
_READ_SHARE = 0.7


@dataclass(frozen=True)
class UnlinkedItem:
    """An item of the platform left unlinked, and why (fit to show the owner)."""

    item_id: str
    name: str
    skus: tuple[str, ...]
    reason: str


@dataclass
class ListingPullReport:
    """What one pull read and did."""

    shop: str
    items: int = 0
    models: int = 0
    #: Listings that got their item id now (existing ones, or created for the product).
    listings_linked: int = 0
    #: Variant listings that got (or changed to) their model id.
    models_linked: int = 0
    #: Items whose listing was linked to them already.
    already_linked: int = 0
    products_created: int = 0
    variants_created: int = 0
    #: Linked models whose stock on the platform differs from the app's available stock.
    stock_differs: int = 0
    #: Stock pushes queued (only with `push_stock`).
    stock_pushes: int = 0
    unlinked: list[UnlinkedItem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.listings_linked or self.models_linked or self.products_created
                    or self.stock_pushes)  # fmt: skip

    def summary(self) -> str:
        return msg(
            "{shop}: {items} listings read; {linked} linked now, {already} linked already, "
            "{created} products created, {unlinked} not linked; stock differs on {differs} "
            "variants.",
            shop=self.shop,
            items=self.items,
            linked=self.listings_linked,
            already=self.already_linked,
            created=self.products_created,
            unlinked=len(self.unlinked),
            differs=self.stock_differs,
        )


@dataclass
class _Match:
    """An item matched to one product: (variant id, model) per matched model."""

    item: RemoteItem
    product_id: int
    variants: list[tuple[int, RemoteModel]]


def pull_listings(
    ctx: ServiceContext,
    shop_id: int,
    *,
    create_missing: bool = False,
    push_stock: bool = False,
    progress: Progress | None = None,
    connector: Connector | None = None,
    factory: ConnectorFactory = default_connector,
) -> ListingPullReport:
    """Read the shop's listings from its marketplace and link them (module docstring).

    Raises PermissionDenied without Products access, NotFound for an unknown shop,
    ValidationError when the platform's listings cannot be read from here, the
    connector's errors when the platform cannot be reached (an AuthError also flags the
    shop for re-authorisation), Cancelled when `progress` asks to stop (nothing written).
    """
    ctx.require(Module.PRODUCTS)
    prog: Progress = progress if progress is not None else NullProgress()
    shop_name = _shop_name(ctx, shop_id)
    items = _read_items(ctx, shop_id, shop_name, prog, connector, factory)
    prog.update(_READ_SHARE, msg("Linking {count} listings", count=len(items)))
    report = ListingPullReport(shop=shop_name, items=len(items),
                               models=sum(len(i.models) for i in items))  # fmt: skip
    with ctx.uow(write=True) as session:  # the write lock now: a sync must not link under the plan
        conn = session.connection()
        _Linker(ctx, conn, shop_id, shop_name, report, prog).run(items, create_missing, push_stock)
        prog.check()
        _record(ctx, session, shop_id, report)
    prog.update(1.0, report.summary())
    return report


def _shop_name(ctx: ServiceContext, shop_id: int) -> str:
    with ctx.uow() as session:
        shop = session.get(Shop, shop_id)
        if shop is None:
            raise NotFound(msg("There is no shop {id}.", id=shop_id))
        return shop.name


def _read_items(
    ctx: ServiceContext,
    shop_id: int,
    shop_name: str,
    prog: Progress,
    connector: Connector | None,
    factory: ConnectorFactory,
) -> list[RemoteItem]:
    """Every item of the shop, read with the connector (closed after when made here)."""
    own = connector is None
    try:
        conn = connector if connector is not None else factory(ctx, shop_id)
    except AuthError as exc:
        _flag_reauth(ctx, shop_id, exc)
        raise
    try:
        if Action.LIST_ITEMS not in conn.capabilities:
            raise ValidationError(
                msg("{shop}: reading the listings of this marketplace is not available yet; "
                    "its listings get their ids from synced orders.", shop=shop_name)
            )  # fmt: skip
        prog.update(0.0, msg("Reading the listings of {shop}", shop=shop_name))
        items: list[RemoteItem] = []
        for item in conn.listed_items():
            items.append(item)
            if len(items) % 20 == 0:
                prog.check()
                prog.update(min(_READ_SHARE * 0.95, 0.02 * len(items) ** 0.5),
                            msg("Read {count} listings", count=len(items)))  # fmt: skip
        return _one_per_item(items)
    except NotSupported as exc:
        raise ValidationError(exc.user_message) from None
    except AuthError as exc:
        _flag_reauth(ctx, shop_id, exc)
        raise
    finally:
        if own:
            conn.close()


def _flag_reauth(ctx: ServiceContext, shop_id: int, exc: AuthError) -> None:
    from primedist.services.channels import mark_needs_reauth

    with ctx.uow() as session:
        mark_needs_reauth(ctx, session, shop_id, exc.user_message)


class _Linker:
    """Step 2 of the module docstring, inside the caller's transaction."""

    def __init__(
        self,
        ctx: ServiceContext,
        conn: sa.Connection,
        shop_id: int,
        shop_name: str,
        report: ListingPullReport,
        prog: Progress,
    ) -> None:
        self.ctx, self.conn, self.prog = ctx, conn, prog
        self.shop_id, self.shop_name = shop_id, shop_name
        self.report = report
        #: Product id → the item this fetch links it to.
        self.claimed: dict[int, str] = {}

    def run(self, items: list[RemoteItem], create_missing: bool, push_stock: bool) -> None:
        repeated = _repeated_skus(items)
        variants = self._variants_by_sku(_skus(items))
        matches: list[_Match] = []
        missing: list[RemoteItem] = []
        for item in items:
            found = self._match(item, variants, repeated)
            if isinstance(found, _Match):
                matches.append(found)
            elif found is not None:
                self._unlinked(item, found)
            else:
                missing.append(item)
        if missing and create_missing:
            matches += self._create(missing, repeated)
        else:
            for item in missing:
                self._unlinked(item, _missing_reason(item))
        self.prog.check()
        linked = self._link(matches)
        self._compare_stock(linked, push_stock)

    # Matching --------------------------------------------------------------------------
    def _variants_by_sku(self, skus: Iterable[str]) -> dict[str, list[tuple[int, int]]]:
        """SKU → [(variant id, product id)] of the active variants of live products."""
        v, p = variants_t.c, products_t.c
        stmt = (
            sa.select(v.sku, v.id, v.product_id)
            .select_from(variants_t.join(products_t, p.id == v.product_id))
            .where(v.is_active.is_(True), p.status != ProductStatus.ARCHIVED)
        )
        found: dict[str, list[tuple[int, int]]] = {}
        for chunk in chunks(sorted(set(skus)), 500):
            for sku, vid, pid in self.conn.execute(stmt.where(v.sku.in_(chunk))):
                found.setdefault(sku, []).append((vid, pid))
        return found

    def _match(
        self,
        item: RemoteItem,
        variants: dict[str, list[tuple[int, int]]],
        repeated: set[str],
    ) -> _Match | str | None:
        """The item's product and matched models; a reason it cannot link; or None when
        none of its SKUs is in the app (a product to create, or to report)."""
        matched: list[tuple[int, RemoteModel]] = []
        products: set[int] = set()
        for model in item.models:
            if model.sku is None or model.sku in repeated:
                continue
            found = variants.get(model.sku, [])
            if len(found) > 1:
                return msg("SKU {sku} is on {count} variants in the app: make it unique",
                           sku=model.sku, count=len(found))  # fmt: skip
            if found:
                matched.append((found[0][0], model))
                products.add(found[0][1])
        if not matched:
            return None
        if len(products) > 1:
            return msg("its SKUs belong to {count} different products in the app",
                       count=len(products))  # fmt: skip
        return _Match(item, products.pop(), matched)

    def _unlinked(self, item: RemoteItem, reason: str) -> None:
        skus = tuple(m.sku for m in item.models if m.sku)
        self.report.unlinked.append(UnlinkedItem(item.item_id, item.name, skus, reason))

    # Creating products -----------------------------------------------------------------
    def _create(self, items: list[RemoteItem], repeated: set[str]) -> list[_Match]:
        """New products for items none of whose SKUs is in the app, through the product
        import's writer (no `listing.upsert`: the items are on the platform already)."""
        taken_names = self._product_names({_name(i) for i in items})
        drafts: dict[int, tuple[RemoteItem, pi._Draft]] = {}
        row = 0
        for item in items:
            problem = _creatable(item, repeated, taken_names)
            if problem is not None:
                self._unlinked(item, problem)
                continue
            draft = _draft(item, self.shop_name, row + 1)
            row += len(item.models)
            drafts[id(draft)] = (item, draft)
        if not drafts:
            return []
        run = pi._Import(self.ctx, self.conn, self.prog, _CREATED_COLUMNS,
                         tell_marketplaces=False)  # fmt: skip
        run.plan([d for _i, d in drafts.values()])
        for item, draft in drafts.values():
            if draft.error is not None:
                self._unlinked(item, draft.error.reason)
        run.write()
        self.report.products_created += run.report.products_created
        self.report.variants_created += run.report.variants_created
        created = [(i, d) for i, d in drafts.values() if d.error is None]
        variants = self._variants_by_sku(m.sku for i, _d in created for m in i.models if m.sku)
        matches = []
        for item, draft in created:
            assert draft.product_id is not None
            pairs = [(variants[m.sku][0][0], m) for m in item.models if m.sku]
            matches.append(_Match(item, draft.product_id, pairs))
        return matches

    def _product_names(self, names: set[str]) -> set[str]:
        """Which of `names` a live product has already."""
        p = products_t.c
        found: set[str] = set()
        for chunk in chunks(sorted(names), 500):
            stmt = sa.select(p.name).where(p.name.in_(chunk), p.status != ProductStatus.ARCHIVED)
            found.update(self.conn.execute(stmt).scalars())
        return found

    # Linking ---------------------------------------------------------------------------
    def _link(self, matches: list[_Match]) -> list[tuple[int, RemoteModel]]:
        """Give each matched product's listing its item id and its variants' listings
        their model ids (a few executemany statements for the whole shop); returns the
        (variant id, model) pairs now linked."""
        listing_of = self._listings_of({m.product_id for m in matches})
        pl = listings_t.c
        held = sa.select(pl.external_id, pl.product_id).where(
            pl.shop_id == self.shop_id, pl.external_id.is_not(None)
        )
        holder: dict[str, int] = {str(e): int(p) for e, p in self.conn.execute(held)}
        kept: list[_Match] = []
        updates: list[dict[str, Any]] = []
        inserts: list[dict[str, Any]] = []
        for match in matches:
            action = self._link_item(match, listing_of.get(match.product_id), holder)
            if action is None:
                continue
            kept.append(match)
            if action == "update":
                updates.append({"b_id": listing_of[match.product_id][0],
                                "b_item": match.item.item_id})  # fmt: skip
            elif action == "insert":
                inserts.append({"product_id": match.product_id, "shop_id": self.shop_id,
                                "external_id": match.item.item_id, "is_active": True})  # fmt: skip
        if updates:
            self.conn.execute(
                listings_t.update().where(pl.id == sa.bindparam("b_id"))
                .values(external_id=sa.bindparam("b_item"), is_active=True), updates,
            )  # fmt: skip
        if inserts:
            self.conn.execute(listings_t.insert(), inserts)
            listing_of.update(self._listings_of({row["product_id"] for row in inserts}))
        self._link_models([(listing_of[m.product_id][0], m) for m in kept])
        # The Products list's shops and "not linked" mark follow the listings.
        refresh_product_summaries(self.conn, {m.product_id for m in matches})
        return [pair for m in kept for pair in m.variants]

    def _listings_of(self, product_ids: set[int]) -> dict[int, tuple[int, str | None]]:
        """Product id → (its listing id on this shop, that listing's item id)."""
        pl = listings_t.c
        found: dict[int, tuple[int, str | None]] = {}
        for chunk in chunks(sorted(product_ids), 500):
            stmt = sa.select(pl.product_id, pl.id, pl.external_id).where(
                pl.shop_id == self.shop_id, pl.product_id.in_(chunk)
            )
            for pid, lid, external in self.conn.execute(stmt):
                found[int(pid)] = (int(lid), external)
        return found

    def _link_item(
        self, match: _Match, listing: tuple[int, str | None] | None, holder: dict[str, int]
    ) -> str | None:
        """What linking the item takes: "already", "update" (the listing gets the item id),
        "insert" (a listing is made), or None (reported) when it cannot be linked."""
        item_id = match.item.item_id
        if listing is not None and listing[1] == item_id:
            self.report.already_linked += 1
            return "already"
        if listing is not None and listing[1] is not None:
            self._unlinked(
                match.item,
                msg("its product is linked to item {other} of this shop already", other=listing[1]),
            )
            return None
        if holder.get(item_id, match.product_id) != match.product_id:
            self._unlinked(match.item, msg("another product is linked to this item already"))
            return None
        taken = self.claimed.get(match.product_id)
        if taken is not None:  # another item of this fetch took the product first
            self._unlinked(
                match.item,
                msg("its product is linked to item {other} of this shop already", other=taken),
            )
            return None
        holder[item_id] = match.product_id
        self.claimed[match.product_id] = item_id
        self.report.listings_linked += 1
        return "update" if listing is not None else "insert"

    def _link_models(self, linked: list[tuple[int, _Match]]) -> None:
        """Each matched variant's listing on its item's listing gets the model id."""
        vl = variant_listings_t.c
        stored: dict[tuple[int, int], str | None] = {}
        for chunk in chunks(sorted({lid for lid, _m in linked}), 500):
            query = sa.select(vl.listing_id, vl.variant_id, vl.external_id).where(
                vl.listing_id.in_(chunk)
            )
            for lid, vid, external in self.conn.execute(query):
                stored[(int(lid), int(vid))] = external
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for lid, match in linked:
            for vid, model in match.variants:
                if (lid, vid) not in stored:
                    inserts.append({"listing_id": lid, "variant_id": vid,
                                    "external_id": model.model_id})  # fmt: skip
                elif stored[(lid, vid)] != model.model_id:
                    updates.append({"b_lid": lid, "b_vid": vid, "b_model": model.model_id})
        if inserts:
            self.conn.execute(variant_listings_t.insert(), inserts)
        if updates:
            same = sa.and_(vl.listing_id == sa.bindparam("b_lid"),
                           vl.variant_id == sa.bindparam("b_vid"))  # fmt: skip
            stmt = variant_listings_t.update().where(same)
            self.conn.execute(stmt.values(external_id=sa.bindparam("b_model")), updates)
        self.report.models_linked += len(inserts) + len(updates)

    # Stock -----------------------------------------------------------------------------
    def _compare_stock(self, linked: list[tuple[int, RemoteModel]], push: bool) -> None:
        """Count the linked models whose platform stock differs from the app's available
        stock; with `push`, queue the app's stock for every linked model of this shop."""
        if not linked:
            return
        available = available_of(self.conn, {vid for vid, _m in linked})
        self.report.stock_differs = sum(
            1 for vid, m in linked if m.stock is not None and m.stock != available[vid]
        )
        if not push:
            return
        targets = [t for t in push_targets(self.conn, {vid for vid, _m in linked})
                   if t.shop_id == self.shop_id]  # fmt: skip
        self.report.stock_pushes = queue_current_pushes(self.conn, targets, self.ctx.clock.now())


# --------------------------------------------------------------------------- helpers


def _one_per_item(items: list[RemoteItem]) -> list[RemoteItem]:
    """The items with one read twice (a list that shifted while paging) once."""
    seen: set[str] = set()
    out = []
    for item in items:
        if item.item_id not in seen:
            seen.add(item.item_id)
            out.append(item)
    return out


def _skus(items: Iterable[RemoteItem]) -> set[str]:
    return {m.sku for i in items for m in i.models if m.sku}


def _repeated_skus(items: Iterable[RemoteItem]) -> set[str]:
    """SKUs on two models of the shop: which one is meant cannot be told."""
    seen: set[str] = set()
    repeated: set[str] = set()
    for item in items:
        for model in item.models:
            if model.sku:
                (repeated if model.sku in seen else seen).add(model.sku)
    return repeated


def _missing_reason(item: RemoteItem) -> str:
    if not any(m.sku for m in item.models):
        return msg("it has no SKU on the marketplace: give it the SKU it has in the app")
    return msg("no product in the app has its SKUs: create the missing products, or give a "
               "product these SKUs")  # fmt: skip


def _name(item: RemoteItem) -> str:
    return clean_line(item.name)[: pi.MAX_LENGTH["product_name"]]


def _creatable(item: RemoteItem, repeated: set[str], taken_names: set[str]) -> str | None:
    """Why the item cannot become a new product, or None when it can."""
    skus = [m.sku for m in item.models]
    if not item.models or any(s is None for s in skus):
        return msg("a model has no SKU on the marketplace: give every model a SKU first")
    if any(s in repeated for s in skus):
        return msg("a SKU of it is on another item of the shop too")
    if not _name(item):
        return msg("it has no name")
    if len(item.option_names) > 2:
        return msg("it has more than two variations")
    if _name(item) in taken_names:
        return msg("a product with this name is in the app with other SKUs: give its variants "
                   "the SKUs they have on the marketplace")  # fmt: skip
    limits = pi.MAX_LENGTH
    if any(len(s or "") > limits["sku"] for s in skus) or any(
        len(o) > limits["option1"] for m in item.models for o in m.options
    ) or any(len(n) > limits["option1_name"] for n in item.option_names):  # fmt: skip
        return msg("a SKU or option is too long for the app")
    if len({m.options for m in item.models}) < len(item.models):
        return msg("two of its models have the same options")
    if any(not 0 <= m.price <= pi.MAX_AMOUNT for m in item.models):
        return msg("a price is out of range")
    return None


def _draft(item: RemoteItem, shop_name: str, first_row: int) -> pi._Draft:
    """The product import's draft of a new product for `item` (one row per model)."""
    names = (*item.option_names, None, None)
    head = pi._Head(category=None, description=None, option1_name=names[0],
                    option2_name=names[1], shops=(shop_name,),
                    status=ProductStatus.ACTIVE)  # fmt: skip
    draft = pi._Draft(_name(item), first_row, head=head)
    for n, model in enumerate(item.models):
        options = (*model.options, None, None)
        assert model.sku is not None
        draft.rows.append(first_row + n)
        draft.variants.append(
            pi._Row(row=first_row + n, sku=model.sku, barcode=None, option1=options[0],
                    option2=options[1], cost=0, price=model.price, discount_price=None,
                    stock=max(0, model.stock or 0), low_stock_level=None, weight_g=None)
        )  # fmt: skip
    return draft


def _record(ctx: ServiceContext, session: Session, shop_id: int, r: ListingPullReport) -> None:
    """A line in the shop's sync log (what the fetch found), and one audit row when it
    changed something (a fetch that only read leaves none)."""
    add_log_line(session, shop_id, "warning" if r.unlinked else "info", r.summary(),
                 ctx.clock.now())  # fmt: skip
    if not r.changed:
        return
    unlinked = [f"{u.item_id} {u.name[:40]}" for u in r.unlinked[:AUDIT_NAMES]]
    after: dict[str, Any] = {
        "items": r.items, "listings_linked": r.listings_linked, "models_linked": r.models_linked,
        "products_created": r.products_created, "stock_pushes": r.stock_pushes,
        "unlinked": unlinked,
    }  # fmt: skip
    ctx.audit(session, "shop.listings_pull", entity_type="shop", entity_id=shop_id,
              summary=r.summary(), after=after)  # fmt: skip
