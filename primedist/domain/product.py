"""Catalogue: products, variants (SKUs), per-shop listings, SKU groups, stock movements."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from primedist.domain.base import (
    Field,
    SQLModel,
    enum_field,
    fk,
    money_field,
    text_field,
    utcnow,
)
from primedist.domain.enums import ProductStatus, StockMoveKind

#: The columns of `products` the Products list filters on, carried by its sort indexes.
LIST_FILTER_COLUMNS = (
    "status", "price_min", "price_max", "discount_min", "discount_max", "available_total",
    "variant_count", "low_stock", "category", "listed_shops", "weight_missing",
)  # fmt: skip


class Product(SQLModel, table=True):
    """A catalogue item; its variants carry SKUs, prices and stock."""

    __tablename__ = "products"
    __table_args__ = (
        sa.Index(None, "status", "created_at", "id"),
        # Keyset sorts of the Products list: (sort column, id) then every column a filter
        # chip reads, so paging keys and counting are index-only (the product row itself,
        # with its description, is read for the visible page alone).
        *(
            sa.Index(f"ix_products_{sort}_id", sort, "id",
                     *(c for c in LIST_FILTER_COLUMNS if c != sort))
            for sort in ("created_at", "name_key", "price_min", "available_total")
        ),
    )  # fmt: skip

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    category: str | None = Field(default=None, max_length=120)
    features: str | None = text_field()
    description: str | None = text_field()
    status: ProductStatus = enum_field(ProductStatus, default=ProductStatus.ACTIVE)
    #: Folded name + the variants' SKUs, barcodes and option values (lower-case, no
    #: diacritics, đ→d) for search: `core.search_keys.product_search_text`.
    search_text: str = Field(default="", sa_type=sa.Text)
    created_by_id: int | None = fk("users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # Summary of the active variants and listings (and the folded name), kept by
    # db.product_summary in the transaction of every change (name, variants, stock,
    # low-stock levels, listings) so the list sorts and filters on indexed columns of this
    # table alone.
    variant_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    price_min: int = money_field(sa_column_kwargs={"server_default": "0"})
    price_max: int = money_field(sa_column_kwargs={"server_default": "0"})
    #: None when no variant has a discount price.
    discount_min: int | None = Field(default=None, sa_type=sa.BigInteger)
    discount_max: int | None = Field(default=None, sa_type=sa.BigInteger)
    #: On hand, summed over the stock holders (a SKU group counts once).
    stock_total: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    #: Available (on hand - reserved), summed the same way.
    available_total: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    #: Some active variant is at or below its low-stock level.
    low_stock: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    #: Some active variant has no weight (its parcels are estimated at 500 g an item).
    weight_missing: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    #: The shops the product is actively listed on, ",1,3," ("" when none): the shop
    #: filter reads it from the list's indexes instead of probing the listings per row.
    listed_shops: str = Field(default="", sa_type=sa.Text, sa_column_kwargs={"server_default": ""})
    #: The name folded (lower case, no accents, đ → d): the list's name sort, so "Áo" sorts
    #: with A, not after Z.
    name_key: str = Field(default="", sa_type=sa.Text, sa_column_kwargs={"server_default": ""})


class ProductImage(SQLModel, table=True):
    """An image copied into the data dir, with its generated thumbnail."""

    __tablename__ = "product_images"

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = fk("products.id", ondelete="CASCADE", index=True)
    path: str = Field(max_length=500)
    thumb_path: str | None = Field(default=None, max_length=500)
    position: int = Field(default=0)


class SkuGroup(SQLModel, table=True):
    """A "Prime SKU": one physical item listed in several shops; it holds the stock."""

    __tablename__ = "sku_groups"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=120)
    stock: int = Field(default=0)
    #: Held by open orders; available = stock - reserved.
    reserved: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    low_stock_level: int | None = None
    created_at: datetime = Field(default_factory=utcnow)


#: One item's weight, at most (a tonne: beyond any parcel, short of a typo's zeros).
MAX_ITEM_WEIGHT_G = 1_000_000


class Variant(SQLModel, table=True):
    """A sellable SKU of a product (e.g. colour × size); stock lives here unless grouped."""

    __tablename__ = "variants"
    __table_args__ = (
        sa.CheckConstraint("price >= 0 AND cost >= 0", name="prices_not_negative"),
        sa.CheckConstraint(
            "discount_price IS NULL OR (discount_price >= 0 AND discount_price <= price)",
            name="discount_le_price",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = fk("products.id", ondelete="CASCADE", index=True)
    sku: str = Field(max_length=64, index=True)
    barcode: str | None = Field(default=None, max_length=64, index=True)
    option1_name: str | None = Field(default=None, max_length=40)
    option1: str | None = Field(default=None, max_length=60)
    option2_name: str | None = Field(default=None, max_length=40)
    option2: str | None = Field(default=None, max_length=60)
    cost: int = money_field()
    price: int = money_field()
    discount_price: int | None = Field(default=None, sa_type=sa.BigInteger)
    #: On hand (on the shelf, including what open orders hold).
    stock: int = Field(default=0)
    #: Held by open orders; available = stock - reserved.
    reserved: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    low_stock_level: int | None = None
    #: One item packed, in grams: a parcel's weight is the sum of its items' (None =
    #: not known; shipping then counts `shipping.DEFAULT_ITEM_WEIGHT_G`).
    weight_g: int | None = None
    sku_group_id: int | None = fk("sku_groups.id", ondelete="SET NULL", index=True)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


#: In `products.listed_shops` (",1,3,u3,"), the token of a marketplace listing without its
#: item id yet ("u3,": not linked on shop 3); LIKE '%u%' finds the products that have one.
UNLINKED_MARK = "u"


class ProductListing(SQLModel, table=True):
    """A product published on one shop (the marketplace item id once pushed)."""

    __tablename__ = "product_listings"
    __table_args__ = (
        sa.UniqueConstraint("product_id", "shop_id"),
        sa.UniqueConstraint("shop_id", "external_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = fk("products.id", ondelete="CASCADE")
    shop_id: int = fk("shops.id", ondelete="CASCADE", index=True)
    external_id: str | None = Field(default=None, max_length=64)
    is_active: bool = Field(default=True)
    synced_at: datetime | None = None


class VariantListing(SQLModel, table=True):
    """A variant on one shop listing (the marketplace model/SKU id)."""

    __tablename__ = "variant_listings"
    __table_args__ = (sa.UniqueConstraint("listing_id", "variant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    listing_id: int = fk("product_listings.id", ondelete="CASCADE")
    variant_id: int = fk("variants.id", ondelete="CASCADE", index=True)
    external_id: str | None = Field(default=None, max_length=64)


class StockMovement(SQLModel, table=True):
    """Every change of stock, with why and who: the ledger behind the stock figures."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        sa.Index(None, "variant_id", "created_at"),
        sa.Index(None, "sku_group_id", "created_at"),
        sa.CheckConstraint("variant_id IS NOT NULL OR sku_group_id IS NOT NULL", name="has_target"),
    )

    id: int | None = Field(default=None, primary_key=True)
    variant_id: int | None = fk("variants.id", ondelete="CASCADE")
    sku_group_id: int | None = fk("sku_groups.id", ondelete="CASCADE")
    kind: StockMoveKind = enum_field(StockMoveKind)
    #: Signed change of on-hand stock (+ in, - out).
    quantity: int
    stock_after: int
    #: Signed change of the reserved quantity (reserve +, release/ship -).
    reserved_change: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    reason: str | None = Field(default=None, max_length=255)
    order_id: int | None = fk("orders.id", ondelete="SET NULL", index=True)
    user_id: int | None = fk("users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
