"""Look-ups of the sale screen: a scanned code, products and customers by folded search,
and a customer created on the spot (name, optional phone).

All of them need the Orders module only: a salesperson without access to the Customers
tab still picks and creates the buyer of a sale.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from primedist.core.messages import msg
from primedist.core.product_codes import other_code_spellings
from primedist.core.text import search_tokens
from primedist.domain.base import table_of
from primedist.domain.customer import Address, Customer, CustomerPhone, customer_code
from primedist.domain.enums import Module, ProductStatus, Rank
from primedist.domain.order import Order
from primedist.domain.product import Product, SkuGroup, Variant
from primedist.errors import ValidationError
from primedist.queries.search import search_filter, words_matcher
from primedist.services.context import ServiceContext
from primedist.services.customers import MAX_NAME as MAX_NAME  # the name limit, one place
from primedist.services.customers import (
    CustomerDraft,
    DuplicatePhone,
    clean_draft,
    insert_customer,
    phone_owners,
)

products_t = table_of(Product)
variants_t = table_of(Variant)
groups_t = table_of(SkuGroup)
customers_t = table_of(Customer)
phones_t = table_of(CustomerPhone)
addresses_t = table_of(Address)
orders_t = table_of(Order)

_R = TypeVar("_R", bound=Sequence[Any])

#: Where a customer made at the counter comes from (`Customer.source`).
COUNTER_SOURCE = "counter"


@dataclass(frozen=True)
class VariantHit:
    """A sellable variant as the sale screen lists it."""

    variant_id: int
    product_name: str
    variant_name: str | None
    sku: str
    barcode: str | None
    #: The list price (the discount price when set); the quote applies level prices.
    price: int
    #: Stock − reserved, of the SKU group when the variant is grouped.
    available: int


@dataclass(frozen=True)
class CustomerHit:
    id: int
    code: str
    name: str
    phone: str | None
    rank: Rank
    points_balance: int


@dataclass(frozen=True)
class DeliveryAddress:
    """A customer's default delivery address, to prefill a phone or chat order."""

    recipient: str | None
    phone: str | None
    #: The street (and the district of an address on the old three-level map).
    address: str
    province: str | None
    ward: str | None = None


# --------------------------------------------------------------------------- products


def _sellable() -> ColumnElement[bool]:
    # Cast: no index on the status, so SQLite starts from the code/SKU/search index at
    # hand instead of walking every active product.
    status = sa.cast(products_t.c.status, sa.String)
    return sa.and_(variants_t.c.is_active.is_(True), status == ProductStatus.ACTIVE.value)


def receivable() -> ColumnElement[bool]:
    """Variants goods can come in for: active ones of products not archived (a hidden
    product, not selling now, still gets its deliveries)."""
    status = sa.cast(products_t.c.status, sa.String)
    return sa.and_(variants_t.c.is_active.is_(True), status != ProductStatus.ARCHIVED.value)


def _variant_select(
    *, sellable_only: bool = True, scope: ColumnElement[bool] | None = None
) -> sa.Select[Any]:
    """Variants with their product's name and the available stock of their holder."""
    available = sa.case(
        (groups_t.c.id.is_not(None), groups_t.c.stock - groups_t.c.reserved),
        else_=variants_t.c.stock - variants_t.c.reserved,
    )
    price = sa.func.coalesce(variants_t.c.discount_price, variants_t.c.price)
    return (
        sa.select(
            variants_t.c.id,
            products_t.c.name,
            variants_t.c.option1,
            variants_t.c.option2,
            variants_t.c.sku,
            variants_t.c.barcode,
            price,
            available,
        )  # fmt: skip
        .select_from(variants_t)
        .join(products_t, products_t.c.id == variants_t.c.product_id)
        .outerjoin(groups_t, groups_t.c.id == variants_t.c.sku_group_id)
        .where(scope if scope is not None else _sellable() if sellable_only else sa.true())
    )


def _hit(row: sa.Row[Any]) -> VariantHit:
    vid, product, opt1, opt2, sku, barcode, price, available = tuple(row)[:8]
    name = " / ".join(str(o) for o in (opt1, opt2) if o) or None
    return VariantHit(
        int(vid),
        str(product),
        name,
        str(sku),
        None if barcode is None else str(barcode),
        int(price),
        int(available),
    )


def _first(
    conn: sa.Connection, where: ColumnElement[bool], scope: ColumnElement[bool] | None
) -> VariantHit | None:
    stmt = _variant_select(scope=scope).where(where).order_by(variants_t.c.id).limit(1)
    row = conn.execute(stmt).first()
    return _hit(row) if row is not None else None


def variant_hits(ctx: ServiceContext, variant_ids: Sequence[int], *,
                 sellable_only: bool = False) -> list[VariantHit]:  # fmt: skip
    """These variants as the sale screen lists them, in the order given, sellable or not
    (an order being edited keeps a product hidden since); unknown ids (and, with
    `sellable_only`, those no longer sold) are left out."""
    ctx.require(Module.ORDERS)
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            _variant_select(sellable_only=sellable_only)
            .where(variants_t.c.id.in_(set(variant_ids)))
        ).all()  # fmt: skip
    found = {hit.variant_id: hit for hit in map(_hit, rows)}
    return [found[i] for i in variant_ids if i in found]


def variant_hits_in(conn: sa.Connection, variant_ids: Sequence[int]) -> list[VariantHit]:
    """These variants among those goods can come in for, in no set order (for the caller
    who checked its own permission)."""
    ids = list(set(variant_ids))
    if not ids:
        return []
    rows = conn.execute(_variant_select(scope=receivable()).where(variants_t.c.id.in_(ids)))
    return [_hit(row) for row in rows]


def find_variant_by_code(ctx: ServiceContext, code: str) -> VariantHit | None:
    """The sellable variant with this exact barcode, else this SKU (any case), else with
    one of the code's other spellings (`lookup_code`); None if none.

    The scanner's path: the barcode and SKU indexes answer it in well under a millisecond.
    """
    ctx.require(Module.ORDERS)
    with ctx.engine.connect() as conn:
        return lookup_code(conn, code)


def lookup_code(
    conn: sa.Connection, code: str, scope: ColumnElement[bool] | None = None
) -> VariantHit | None:
    """`find_variant_by_code` among the variants of `scope` (default: the sellable ones),
    for the caller who checked its own permission. A code no variant has as typed is
    then tried in its `other_code_spellings` (printed digit groups, UPC-A / EAN-13)."""
    code = code.strip()
    if not code:
        return None
    hit = _exact_code(conn, code, scope)
    if hit is not None:
        return hit  # a scan as saved: no more queries than before
    for spelling in other_code_spellings(code):
        hit = _exact_code(conn, spelling, scope)
        if hit is not None:
            return hit
    return None


def _exact_code(
    conn: sa.Connection, code: str, scope: ColumnElement[bool] | None
) -> VariantHit | None:
    """The variant with this barcode, else this SKU (as typed first, then any case)."""
    sku = variants_t.c.sku
    hit = _first(conn, variants_t.c.barcode == code, scope)
    if hit is None:  # the SKU as typed wins over another that differs only in case
        hit = _first(conn, sku == code, scope)
    other_spellings = sorted({code.upper(), code.lower()} - {code})
    if hit is None and other_spellings:  # then the usual spellings: they use the SKU index
        hit = _first(conn, sku.in_(other_spellings), scope)
    if hit is None and not any(c.isspace() for c in code):  # "quan jean" is a name
        hit = _first(conn, sa.func.lower(sku) == code.lower(), scope)  # mixed case: a scan
    return hit


def _sku_prefix(text: str, dialect: str) -> ColumnElement[bool]:
    """Variants whose SKU starts with `text` (any case)."""
    sku = variants_t.c.sku
    if dialect != "sqlite":
        return sku.ilike(f"{_like_escape(text)}%", escape="\\")
    # SQLite's LIKE cannot use the (binary) SKU index: a range on the index can, for the
    # spellings people type (as typed, upper case).
    ranges = [
        sa.and_(sku >= p, sku < p + "\U0010ffff") for p in dict.fromkeys((text, text.upper()))
    ]
    return sa.or_(*ranges)


def _like_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_variants(ctx: ServiceContext, text: str, limit: int = 20) -> list[VariantHit]:
    """Sellable variants whose SKU starts with `text`, then those matching every word of
    `text` by their product's name and their own SKU, barcode or option values (at most
    `limit`, accents and case ignored): "ao so mi xanh reu m" lists the shirt's Xanh rêu /
    M, not its other colours."""
    ctx.require(Module.ORDERS)
    with ctx.engine.connect() as conn:
        return lookup_text(conn, text, limit)


def lookup_text(
    conn: sa.Connection, text: str, limit: int = 20, scope: ColumnElement[bool] | None = None
) -> list[VariantHit]:
    """`search_variants` among the variants of `scope` (default: the sellable ones), for
    the caller who checked its own permission."""
    text = text.strip()
    if not text or limit <= 0:
        return []
    dialect = conn.dialect.name
    order = (variants_t.c.sku, variants_t.c.id)
    rows = list(
        conn.execute(_variant_select(scope=scope).where(_sku_prefix(text, dialect))
                     .order_by(*order).limit(limit))
    )  # fmt: skip
    found = search_filter(products_t, text, dialect)
    if found is not None and len(rows) < limit:
        seen = {r[0] for r in rows}
        # A product's search text holds every variant's words: the products found (by
        # name, a few more than needed), then of each only the variants the words match
        # by their own SKU, barcode and option values, so a shirt found through its
        # "Xanh rêu" lists that colour, not all. One query: no per-product look-ups.
        v = variants_t.c
        sellable = _variant_select(scope=scope).with_only_columns(v.id)
        products = (
            sa.select(products_t.c.id)
            .where(found, sellable.where(v.product_id == products_t.c.id).exists())
            .order_by(products_t.c.name, products_t.c.id)
            .limit(2 * (limit - len(rows)))
        )
        stmt = (
            _variant_select(scope=scope)
            .add_columns(v.product_id)
            .where(v.product_id.in_(products.scalar_subquery()))
            .order_by(products_t.c.name, products_t.c.id, v.id)
        )
        for row in _named_variants(conn.execute(stmt), text):
            if row[0] not in seen:
                rows.append(row)
                if len(rows) == limit:
                    break
    return [_hit(r) for r in rows]


def _named_variants(rows: Iterable[_R], text: str) -> Iterator[_R]:
    """Of `_variant_select` rows (then the product id), those `text` names (`named_mask`)."""
    found = list(rows)
    mask = named_mask(text, [(r[-1], r[1], r[2], r[3], r[4], r[5]) for r in found])
    return (row for row, named in zip(found, mask, strict=True) if named)


#: A variant as `named_mask` reads it: (product id, product name, option1, option2, SKU,
#: barcode).
NamedVariant = tuple[object, str, str | None, str | None, str | None, str | None]


def named_mask(text: str, variants: Sequence[NamedVariant]) -> list[bool]:
    """Whether `text` names each variant, found through its product's search text (which
    holds every variant's words): every word in the product's name or the variant's own
    SKU, barcode or option values; and a word that is a whole option value of the product
    ("m", "xanh") the variant's own — "so mi xanh reu m" is size M, not the S whose "m"
    only starts "mi"."""
    typed = set(search_tokens(text))
    own_words = words_matcher(text)
    options = [set(search_tokens(f"{v[2] or ''} {v[3] or ''}")) for v in variants]
    of_product: dict[object, set[str]] = {}
    for v, own in zip(variants, options, strict=True):
        of_product.setdefault(v[0], set()).update(own)
    return [
        typed & of_product[v[0]] <= own and own_words((v[1], v[4], v[5], v[2], v[3]))
        for v, own in zip(variants, options, strict=True)
    ]


# --------------------------------------------------------------------------- customers


def _primary_phone() -> sa.ScalarSelect[object]:
    return (
        sa.select(phones_t.c.phone)
        .where(phones_t.c.customer_id == customers_t.c.id)
        .order_by(phones_t.c.is_primary.desc(), phones_t.c.id)
        .limit(1)
        .scalar_subquery()
    )


def _customer_select(*where: ColumnElement[bool]) -> sa.Select[Any]:
    c = customers_t.c
    return sa.select(c.id, c.code, c.name, _primary_phone(), c.rank, c.points_balance).where(
        c.deleted_at.is_(None), *where
    )


def _customer_hit(row: sa.Row[Any]) -> CustomerHit:
    cid, code, name, phone, rank, points = tuple(row)
    return CustomerHit(
        int(cid),
        str(code),
        str(name),
        None if phone is None else str(phone),
        Rank(rank),
        int(points),
    )


def search_customers(ctx: ServiceContext, text: str, limit: int = 20) -> list[CustomerHit]:
    """Customers (not deleted) whose folded name, code or phone (any format) matches
    every word of `text`, newest first."""
    ctx.require(Module.ORDERS)
    with ctx.engine.connect() as conn:
        return customers_matching(conn, text, limit)


def customers_matching(
    conn: sa.Connection, text: str, limit: int, *, exclude: int | None = None
) -> list[CustomerHit]:
    """`search_customers` (but the customer `exclude`), for the caller who checked its own
    permission."""
    if limit <= 0:
        return []
    found = search_filter(customers_t, text, conn.dialect.name)
    if found is None:
        return []
    if exclude is not None:
        found = sa.and_(found, customers_t.c.id != exclude)
    # Newest first, like the Customers list: walking the id order needs no sort of every
    # match (a common family name matches a third of the customers).
    stmt = _customer_select(found).order_by(customers_t.c.id.desc()).limit(limit)
    return [_customer_hit(r) for r in conn.execute(stmt)]


def get_customer(ctx: ServiceContext, customer_id: int) -> CustomerHit | None:
    """One customer as the sale screen shows it; None when missing or deleted."""
    ctx.require(Module.ORDERS)
    with ctx.engine.connect() as conn:
        row = conn.execute(_customer_select(customers_t.c.id == customer_id)).first()
    return _customer_hit(row) if row is not None else None


def order_buyer(ctx: ServiceContext, order_id: int) -> CustomerHit | None:
    """The customer of an order being edited as the sale screen shows them (None: a
    walk-in sale). A customer deleted since stays the order's buyer — the edit keeps it —
    by the name and phone the order keeps."""
    ctx.require(Module.ORDERS)
    o, c = orders_t.c, customers_t.c
    with ctx.engine.connect() as conn:
        row = conn.execute(
            sa.select(o.customer_id, o.buyer_name, o.buyer_phone, c.code, c.name, c.rank,
                      c.points_balance, c.deleted_at)
            .join(customers_t, c.id == o.customer_id)
            .where(o.id == order_id)
        ).first()  # fmt: skip
    if row is None:
        return None
    if row.deleted_at is None:
        return get_customer(ctx, int(row.customer_id))
    return CustomerHit(int(row.customer_id), str(row.code), str(row.buyer_name or row.name),
                       row.buyer_phone, Rank(row.rank), int(row.points_balance))  # fmt: skip


def default_address(ctx: ServiceContext, customer_id: int) -> DeliveryAddress | None:
    """The customer's default (else newest) delivery address, or None."""
    ctx.require(Module.ORDERS)
    a = addresses_t.c
    stmt = (
        sa.select(a.recipient, a.phone, a.street, a.ward, a.district, a.province)
        .where(a.customer_id == customer_id)
        .order_by(a.is_default.desc(), a.id.desc())
        .limit(1)
    )
    with ctx.engine.connect() as conn:
        row = conn.execute(stmt).first()
    if row is None:
        return None
    recipient, phone, street, ward, district, province = row
    address = ", ".join(str(p) for p in (street, district) if p)
    return DeliveryAddress(recipient, phone, address, province, ward)


def quick_create_customer(ctx: ServiceContext, name: str, phone: str | None = None) -> CustomerHit:
    """A customer made at the counter: the name, and a phone when given, by the rules of
    `services.customers.add_customer` (normalised; masked or invalid refused). A phone
    another live customer has raises DuplicatePhone (a Conflict naming that customer)."""
    ctx.require(Module.ORDERS)
    try:
        draft = clean_draft(
            CustomerDraft(name=name, phones=[phone] if phone else [], source=COUNTER_SOURCE)
        )
    except ValidationError as exc:
        if exc.field != "phones":
            raise
        raise ValidationError(exc.user_message, field="phone") from None
    norm = draft.phones[0] if draft.phones else None
    now = ctx.clock.now()
    # The writer lock before the phone check: two tills creating the same phone make one.
    with ctx.uow(write=True) as session:
        conn = session.connection()
        if norm is not None:
            owner = phone_owners(conn, [norm]).get(norm)
            if owner is not None:
                said = msg("{phone} already belongs to {name} ({code}).", phone=norm,
                           name=owner.name, code=owner.code)  # fmt: skip
                raise DuplicatePhone(owner, said)
        cid = insert_customer(conn, draft, now)
        code = customer_code(cid)
        ctx.audit(session, "customer.create", entity_type="customer", entity_id=cid,
                  summary=f"{code}: {draft.name}", after={"phone": norm})  # fmt: skip
        return CustomerHit(cid, code, draft.name, norm, Rank.COPPER, 0)
