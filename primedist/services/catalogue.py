"""Catalogue: adding and editing a product — its variants, images and shop listings.

A product form is a `ProductDraft`: the product's texts, up to two attributes (e.g. Colour
× Size) whose values tell the variants apart, one `VariantDraft` per SKU, the shops it is
listed on and its images (existing ones to keep, in order, and new files to copy in).
`create_product` and `update_product` check every rule first and raise ValidationError with
`field=` naming the field — `"name"`, `"category"`, `"option1_name"`, `"variants"`,
`"shop_ids"`, `"images"`, or `variant_field(index, column)` (`"variants.2.price"`) for a
cell of the variant grid, the message starting "Variant 3 (AO-M): …" — so the form can show
the error where it belongs. Each call is one unit of work:

* Stock only changes through `services.stock.move_stock`: a new variant's opening stock is
  a STOCK_IN movement ("Opening stock"), a changed stock of an existing variant an
  ADJUSTMENT with the reason the form asked for (`stock_reason`; "Edited in the product
  form" when none is given). A variant of a SKU group shows and sets its
  group's stock, and its cost is the group's: a cost typed on it goes to every member.
* A variant left out of the form is deleted when it was never sold, is in no SKU group and
  has no marketplace id; otherwise it is deactivated (kept, with its stock, for the orders
  and history; its marketplace listings are told 0 are left). The audit names the stock
  either held. One that open orders hold is refused: the orders are shipped or cancelled
  first.
* One listing per chosen shop, with a variant listing per active variant; a shop unticked
  deactivates its listing (a listing is never deleted). Every marketplace listing created,
  re-activated, deactivated or whose product changed gets a `listing.upsert` outbox
  message (one per listing, coalescing like the stock pushes); delivering it is the
  marketplace sync's job.
* Images are copied with their thumbnails before the commit and removed again when the
  transaction fails (`services.product_images`).
* `search_text`, `updated_at` and the summary columns of the Products list are kept.

SKU rule: a SKU is unique within the product, and no other (not archived) product listed on
one of the same shops has an active variant with it, in any letter case (`AO-1` and `ao-1`
would scan alike); a product on no shop is checked against the other products on no shop.
A barcode is unique among active variants, and no barcode is another variant's SKU (in any
case): a scan looks the barcodes up first, so that SKU would find the wrong product.
Texts and codes are compared and stored in NFC (`clean_name`), so decomposed Vietnamese
is the same text. Costs and prices are at most `MAX_AMOUNT`, a stock and a low-stock level
at most `MAX_STOCK` (the imports' and stock moves' limits).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from primedist.core.messages import Message, msg, stored_args
from primedist.core.search_keys import product_search_text
from primedist.core.text import clean_code, clean_line, clean_text, fold
from primedist.db.product_summary import chunks, refresh_product_summaries
from primedist.domain.base import table_of
from primedist.domain.enums import Channel, Module, ProductStatus, StockMoveKind, StockState
from primedist.domain.goods_receipt import MAX_RECEIPT_QUANTITY
from primedist.domain.order import Order, OrderLine
from primedist.domain.product import (
    MAX_ITEM_WEIGHT_G,
    Product,
    ProductImage,
    ProductListing,
    SkuGroup,
    Variant,
    VariantListing,
)
from primedist.domain.shop import Shop
from primedist.errors import Conflict, NotFound, ValidationError
from primedist.io.tabular import to_nfc
from primedist.services.context import ServiceContext
from primedist.services.order_import import MAX_AMOUNT as IMPORT_MAX_AMOUNT
from primedist.services.outbox import queue_coalesced
from primedist.services.product_images import ImageFiles, PreparedImage, absolute, prepare_image
from primedist.services.sku_groups import leave_groups
from primedist.services.stock import (
    MAX_REASON,
    lock_stock,
    move_stock,
    push_none_left,
    share_cost,
)

MAX_NAME = 120
MAX_CATEGORY = 120
MAX_SKU = 64
#: A SKU made from a product's name: the name whole up to this many letters, else its
#: initials (at most MAX_SKU_STEM).
SKU_STEM_LETTERS = 8
MAX_SKU_STEM = 12
MAX_BARCODE = 64
MAX_OPTION_NAME = 40
MAX_OPTION_VALUE = 60
MAX_VARIANTS = 500
MAX_WEIGHT_G = MAX_ITEM_WEIGHT_G
#: The largest cost or price (đồng), and stock or low-stock level, a variant may have: the
#: imports' limits and the stock moves' (goods receipts, stock-take), as everywhere else.
MAX_AMOUNT = IMPORT_MAX_AMOUNT
MAX_STOCK = MAX_RECEIPT_QUANTITY
MAX_IMAGES = 20
LISTING_KIND = "listing.upsert"
OPENING_REASON = "Opening stock"
EDIT_REASON = "Edited in the product form"
#: The columns of a variant a `variant_field` can name.
VARIANT_COLUMNS = ("option1", "option2", "sku", "barcode", "cost", "price", "discount_price",
                   "stock", "low_stock_level", "weight_g")  # fmt: skip

products_t = table_of(Product)
variants_t = table_of(Variant)
listings_t = table_of(ProductListing)
variant_listings_t = table_of(VariantListing)
shops_t = table_of(Shop)
order_lines_t = table_of(OrderLine)
orders_t = table_of(Order)


# --------------------------------------------------------------------------- drafts


@dataclass(frozen=True)
class PricesSeen:
    """The cost and prices a variant had when the form was opened."""

    cost: int
    price: int
    discount_price: int | None


#: The money columns guarded by `VariantDraft.prices_seen`.
PRICE_COLUMNS = ("cost", "price", "discount_price")


@dataclass
class VariantDraft:
    """A row of the variant grid; `id` None = a new variant."""

    id: int | None = None
    sku: str = ""
    barcode: str | None = None
    option1: str | None = None
    option2: str | None = None
    cost: int = 0
    price: int = 0
    discount_price: int | None = None
    #: On hand (the SKU group's when grouped).
    stock: int = 0
    low_stock_level: int | None = None
    #: One item packed, in grams (None = not known).
    weight_g: int | None = None
    #: The on-hand the form showed (set by `get_product`): a stock left as shown is not
    #: touched, so a sale made while the form was open is not undone.
    stock_seen: int | None = None
    #: The cost and prices the form showed (set by `get_product`): one left as shown is not
    #: written, so a price a schedule or receipt set while the form was open is kept. None
    #: (a draft not opened from `get_product`): every value is written as given.
    prices_seen: PricesSeen | None = None


@dataclass
class ImageDraft:
    """An image of the form: an existing one (`id`) to keep, or a new file (`source`)."""

    id: int | None = None
    source: str | None = None
    #: Existing images (from `get_product`): the absolute paths of the file and thumbnail.
    path: str | None = None
    thumb: str | None = None


@dataclass
class ProductDraft:
    """Everything the product form edits."""

    name: str = ""
    category: str | None = None
    features: str | None = None
    description: str | None = None
    option1_name: str | None = None
    option2_name: str | None = None
    variants: list[VariantDraft] = field(default_factory=list)
    shop_ids: list[int] = field(default_factory=list)
    images: list[ImageDraft] = field(default_factory=list)


@dataclass(frozen=True)
class EditableProduct:
    """A product as the form opens it."""

    id: int
    status: ProductStatus
    draft: ProductDraft
    #: Variant id -> code of its SKU group (its stock is the group's).
    group_codes: dict[int, str] = field(default_factory=dict)
    #: Shop id -> the marketplace item id of the product's listing there (None: not linked
    #: yet; a sync learns it from the first order: services/listing_links.py).
    item_ids: dict[int, str | None] = field(default_factory=dict)
    #: Variant id -> the quantity open orders hold of it (only those held).
    held: dict[int, int] = field(default_factory=dict)
    #: The variants sold or linked to a marketplace item (removing one keeps it, inactive,
    #: for the history).
    history: frozenset[int] = frozenset()


def variant_field(index: int, column: str) -> str:
    """The `field` of a ValidationError about a cell of the grid (row `index`, 0-based)."""
    return f"variants.{index}.{column}"


_FIELD_RE = re.compile(r"variants\.(\d+)\.(\w+)")


def parse_variant_field(name: str | None) -> tuple[int, str] | None:
    """(row index, column) of a `variant_field`, else None."""
    match = _FIELD_RE.fullmatch(name or "")
    return (int(match.group(1)), match.group(2)) if match else None


# --------------------------------------------------------------------------- reading


def list_categories(ctx: ServiceContext) -> list[str]:
    """The categories in use (not archived products), sorted."""
    ctx.require(Module.PRODUCTS)
    p = products_t.c
    stmt = (
        sa.select(p.category).where(p.category.is_not(None), p.status != ProductStatus.ARCHIVED)
        .distinct().order_by(p.category).limit(1000)
    )  # fmt: skip
    with ctx.uow() as session:
        return [str(c) for c in session.execute(stmt).scalars() if c]


def counter_shop_ids(ctx: ServiceContext) -> list[int]:
    """The active counter outlets (offline shops). The counter sells every product, so a
    new product starts listed there: its Shops column and the shop filter then say so."""
    ctx.require(Module.PRODUCTS)
    s = shops_t.c
    stmt = (
        sa.select(s.id).where(s.channel == Channel.OFFLINE, s.is_active.is_(True))
        .order_by(s.id)
    )  # fmt: skip
    with ctx.uow() as session:
        return [int(i) for i in session.execute(stmt).scalars()]


def sku_stem(name: str) -> str:
    """The start of the SKUs made for a product from its name: short, upper case, no
    accents. A short name whole (`Bút bi` → `BUTBI`), else each word's initial, a word
    with digits whole (`Áo sơ mi linen nữ` → `ASMLN`, `Nồi cơm 18L` → `NC18L`); `SP`
    when nothing is left."""
    words = ["".join(ch for ch in w if ch.isascii() and ch.isalnum())
             for w in fold(clean_line(name) or "").upper().split()]  # fmt: skip
    words = [w for w in words if w]
    whole = "".join(words)
    if len(whole) <= SKU_STEM_LETTERS:
        return whole or "SP"
    initials = (w if any(ch.isdigit() for ch in w) else w[0] for w in words)
    return "".join(initials)[:MAX_SKU_STEM]


def unused_skus(ctx: ServiceContext, wanted: Sequence[str], typed: Sequence[str] = ()) -> list[str]:
    """Each wanted SKU, or it with `-2`, `-3`… when a variant of any product (archived and
    removed ones too: the save refuses those) already has it in any letter case, as does
    one of `typed` (the SKUs in the form) or of the SKUs made before it."""
    ctx.require(Module.PRODUCTS)
    v = variants_t.c
    taken = {t.casefold() for t in typed if t}
    stems = {w.lower() for w in wanted}
    with ctx.uow() as session:
        for stem in stems:
            pattern = stem.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            stmt = sa.select(v.sku).where(sa.func.lower(v.sku).like(pattern + "%", escape="\\"))
            taken.update(str(sku).casefold() for sku in session.execute(stmt).scalars())
    made = []
    for want in wanted:
        sku, n = want, 1
        while sku.casefold() in taken:
            n += 1
            sku = f"{want}-{n}"
        taken.add(sku.casefold())
        made.append(sku)
    return made


def get_product(ctx: ServiceContext, product_id: int) -> EditableProduct:
    """The product as a draft for the form: its active variants (with the stock they hold,
    the SKU group's when grouped), images in order and the shops it is listed on."""
    ctx.require(Module.PRODUCTS)
    with ctx.uow() as session:
        product = session.get(Product, product_id)
        if product is None:
            raise NotFound(
                msg("Product {product_id} no longer exists.", product_id=str(product_id))
            )
        variants = session.exec(
            select(Variant)
            .where(Variant.product_id == product_id, col(Variant.is_active).is_(True))
            .order_by(col(Variant.id))
        ).all()
        group_ids = {v.sku_group_id for v in variants if v.sku_group_id is not None}
        groups = {
            g.id: g
            for g in session.exec(select(SkuGroup).where(col(SkuGroup.id).in_(group_ids))).all()
        }
        images = session.exec(
            select(ProductImage)
            .where(ProductImage.product_id == product_id)
            .order_by(col(ProductImage.position), col(ProductImage.id))
        ).all()
        listed = session.exec(
            select(ProductListing.shop_id, ProductListing.external_id)
            .where(ProductListing.product_id == product_id, col(ProductListing.is_active).is_(True))
            .order_by(col(ProductListing.shop_id))
        ).all()
        ids = [v.id for v in variants if v.id is not None]
        conn = session.connection()
        held = _held_for_orders(conn, ids)
        history = frozenset(ids) - _removable(conn, ids)
    item_ids = dict(listed)
    data_dir = ctx.settings.data_dir if ctx.settings is not None else None

    def where(rel: str | None) -> str | None:
        return str(absolute(data_dir, rel)) if data_dir is not None and rel else None

    drafts = []
    codes: dict[int, str] = {}
    for v in variants:
        group = groups.get(v.sku_group_id) if v.sku_group_id is not None else None
        stock = group.stock if group is not None else v.stock
        if group is not None and v.id is not None:
            codes[v.id] = group.code
        drafts.append(
            VariantDraft(id=v.id, sku=v.sku, barcode=v.barcode, option1=v.option1,
                         option2=v.option2, cost=v.cost, price=v.price,
                         discount_price=v.discount_price, stock=stock,
                         low_stock_level=v.low_stock_level, weight_g=v.weight_g,
                         stock_seen=stock,
                         prices_seen=PricesSeen(v.cost, v.price, v.discount_price))
        )  # fmt: skip
    first = variants[0] if variants else None
    draft = ProductDraft(
        name=product.name,
        category=product.category,
        features=product.features,
        description=product.description,
        option1_name=first.option1_name if first else None,
        option2_name=first.option2_name if first else None,
        variants=drafts,
        shop_ids=list(item_ids),
        images=[ImageDraft(id=i.id, path=where(i.path), thumb=where(i.thumb_path)) for i in images],
    )
    return EditableProduct(product_id, product.status, draft, codes, item_ids, held, history)


# --------------------------------------------------------------------------- checks

#: All-digit retail barcodes by length: their last digit is a GS1 check digit.
RETAIL_BARCODES = {8: "EAN-8", 12: "UPC-A", 13: "EAN-13"}


def check_digit(body: str) -> int:
    """The GS1 check digit of the digits before it (EAN-13, EAN-8, UPC-A alike): weights
    3, 1, 3… from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def barcode_problem(code: str) -> Message | None:
    """Why an EAN-13, EAN-8 or UPC-A barcode (all digits) is wrong — its check digit is not
    the one its other digits give: a label would print a code no till reads as this
    product — else None. Other codes (internal ones, Code 128 with letters) are free."""
    kind = RETAIL_BARCODES.get(len(code))
    if kind is None or not (code.isascii() and code.isdigit()):
        return None
    digit = check_digit(code[:-1])
    if int(code[-1]) == digit:
        return None
    return msg("{barcode} is not a valid {kind}: its last (check) digit should be {digit} "
               "({right}).", barcode=code, kind=kind, digit=str(digit),
               right=code[:-1] + str(digit))  # fmt: skip


def clean_name(value: str | None) -> str:
    """One line without control or invisible characters (`clean_line`), in NFC: Vietnamese
    typed with combining marks (Unikey's "Unicode tổ hợp", a paste from a Mac) is stored
    as the precomposed letters, so a name, a category or a SKU matches the same text typed
    the usual way, and is counted in the letters a reader sees. The form's counter counts
    this."""
    return clean_line(to_nfc(value or ""))


def _text(value: str | None) -> str | None:
    """`clean_name`, None when empty."""
    return clean_name(value) or None


def _long_text(value: str | None) -> str | None:
    """`_text` for text of several lines (`clean_text`: its line breaks kept)."""
    return clean_text(to_nfc(value or "")) or None


def _code(value: str | None) -> str:
    """A SKU or barcode (`clean_code`: its inner spaces kept), in NFC like the names."""
    return clean_code(to_nfc(value or ""))


def _clean(draft: ProductDraft) -> ProductDraft:
    """Trim every text; a second attribute without a first moves up."""
    o1, o2 = _text(draft.option1_name), _text(draft.option2_name)
    swap = o1 is None and o2 is not None
    variants = []
    for v in draft.variants:
        v1, v2 = _text(v.option1), _text(v.option2)
        if swap:
            v1, v2 = v2, v1
        variants.append(replace(v, sku=_code(v.sku), barcode=_code(v.barcode) or None,
                                option1=v1, option2=v2))  # fmt: skip
    return ProductDraft(
        name=clean_name(draft.name),
        category=_text(draft.category),
        features=_long_text(draft.features),
        description=_long_text(draft.description),
        option1_name=o2 if swap else o1,
        option2_name=None if swap else o2,
        variants=variants,
        shop_ids=list(dict.fromkeys(draft.shop_ids)),
        images=list(draft.images),
    )


def _label(index: int, v: VariantDraft) -> Message:
    if v.sku:
        return msg("Variant {n} ({sku})", n=str(index + 1), sku=v.sku)
    return msg("Variant {n}", n=str(index + 1))


def _bad(index: int, v: VariantDraft, column: str, why: Message) -> ValidationError:
    return ValidationError(
        msg("{variant}: {why}", variant=_label(index, v), why=why),
        field=variant_field(index, column),
    )


def _check_form(d: ProductDraft) -> None:
    """Every rule that needs no database, first problem raised."""
    if not d.name:
        raise ValidationError(msg("Give the product a name."), field="name")
    if len(d.name) > MAX_NAME:
        raise ValidationError(msg("The name is {length} characters long; at most {limit} are "
                                  "allowed.", length=len(d.name), limit=MAX_NAME),
                              field="name")  # fmt: skip
    if d.category and len(d.category) > MAX_CATEGORY:
        raise ValidationError(msg("The category is longer than {limit} characters.",
                                  limit=MAX_CATEGORY), field="category")  # fmt: skip
    names = [n for n in (d.option1_name, d.option2_name) if n]
    for key, name in (("option1_name", d.option1_name), ("option2_name", d.option2_name)):
        if name and len(name) > MAX_OPTION_NAME:
            raise ValidationError(msg("The attribute name {name} is longer than {limit} "
                                      "characters.", name=repr(name), limit=MAX_OPTION_NAME),
                                  field=key)  # fmt: skip
    if len(names) == 2 and names[0].casefold() == names[1].casefold():
        raise ValidationError(msg("The two attributes are both called {name}.",
                                  name=repr(names[0])), field="option2_name")  # fmt: skip
    if not d.variants:
        raise ValidationError(msg("A product needs at least one variant (SKU)."), field="variants")
    if len(d.variants) > MAX_VARIANTS:
        raise ValidationError(msg("{count} variants; at most {limit} are allowed.",
                                  count=len(d.variants), limit=MAX_VARIANTS),
                              field="variants")  # fmt: skip
    if len(d.variants) > 1 and not names:
        raise ValidationError(msg("Several variants need an attribute (e.g. Size) to tell them "
                                  "apart."), field="option1_name")  # fmt: skip
    for i, v in enumerate(d.variants):
        _check_variant(d, i, v)
    _check_unique_rows(d)
    if len(d.images) > MAX_IMAGES:
        raise ValidationError(msg("At most {limit} images per product.", limit=MAX_IMAGES),
                              field="images")  # fmt: skip
    for image in d.images:
        if image.id is None and not image.source:
            raise ValidationError(msg("An image has neither a file nor an id."), field="images")


def _check_variant(d: ProductDraft, i: int, v: VariantDraft) -> None:
    for column, attribute, value in (("option1", d.option1_name, v.option1),
                                     ("option2", d.option2_name, v.option2)):  # fmt: skip
        if attribute and not value:
            raise _bad(i, v, column, msg("give its {attribute}.", attribute=attribute))
        if value and not attribute:
            raise _bad(i, v, column, msg("has the value {option} but its attribute has no name.",
                                         option=repr(value)))  # fmt: skip
        if value and len(value) > MAX_OPTION_VALUE:
            raise _bad(i, v, column, msg("{attribute} is longer than {limit} characters.",
                                         attribute=attribute, limit=MAX_OPTION_VALUE))  # fmt: skip
    if not v.sku:
        raise _bad(i, v, "sku", msg("give it a SKU."))
    if len(v.sku) > MAX_SKU:
        raise _bad(i, v, "sku", msg("the SKU is longer than {limit} characters.", limit=MAX_SKU))
    if v.barcode and len(v.barcode) > MAX_BARCODE:
        raise _bad(i, v, "barcode", msg("the barcode is longer than {limit} characters.",
                                        limit=MAX_BARCODE))  # fmt: skip
    wrong = barcode_problem(v.barcode) if v.barcode else None
    if wrong is not None:
        raise _bad(i, v, "barcode", wrong)
    if v.cost < 0:
        raise _bad(i, v, "cost", msg("the cost cannot be negative."))
    if v.cost > MAX_AMOUNT:
        raise _bad(i, v, "cost", msg("the cost cannot be more than {max}.", max=MAX_AMOUNT))
    if v.price < 0:
        raise _bad(i, v, "price", msg("the price cannot be negative."))
    if v.price > MAX_AMOUNT:
        raise _bad(i, v, "price", msg("the price cannot be more than {max}.", max=MAX_AMOUNT))
    if v.discount_price is not None:
        if v.discount_price < 0:
            raise _bad(i, v, "discount_price", msg("the discount price cannot be negative."))
        if v.discount_price > v.price:
            raise _bad(i, v, "discount_price", msg("the discount price is above the price."))
    if v.stock < 0:
        raise _bad(i, v, "stock", msg("the stock cannot be negative."))
    # A stock above the limit is refused when typed; one the shelf reached by several
    # receipts may be left as the form showed it (the other fields stay editable).
    if v.stock > MAX_STOCK and v.stock != v.stock_seen:
        raise _bad(i, v, "stock", msg("the stock cannot be more than {max}.", max=MAX_STOCK))
    if v.low_stock_level is not None and v.low_stock_level < 0:
        raise _bad(i, v, "low_stock_level", msg("the low-stock level cannot be negative."))
    if v.low_stock_level is not None and v.low_stock_level > MAX_STOCK:
        raise _bad(i, v, "low_stock_level", msg("the low-stock level cannot be more than {max}.",
                                                max=MAX_STOCK))  # fmt: skip
    if v.weight_g is not None and not 0 < v.weight_g <= MAX_WEIGHT_G:
        raise _bad(i, v, "weight_g", msg("the weight must be 1 to {most} g.", most=MAX_WEIGHT_G))


def _check_unique_rows(d: ProductDraft) -> None:
    skus: dict[str, int] = {}
    barcodes: dict[str, int] = {}
    combos: dict[tuple[str, str], int] = {}
    ids: dict[int, int] = {}
    sku_rows = {v.sku.casefold(): i for i, v in reversed(list(enumerate(d.variants)))}
    for i, v in enumerate(d.variants):
        twin = sku_rows.get((v.barcode or "").casefold(), i)
        if twin != i:  # a scan of that SKU would find this variant (barcodes come first)
            raise _bad(i, v, "barcode", msg("the barcode is variant {n}'s SKU.", n=str(twin + 1)))
        key = v.sku.casefold()
        if key in skus:
            raise _bad(i, v, "sku", msg("the SKU is already variant {n}'s.", n=str(skus[key] + 1)))
        skus[key] = i
        if v.barcode:
            if v.barcode in barcodes:
                first = barcodes[v.barcode] + 1
                raise _bad(
                    i, v, "barcode", msg("the barcode is already variant {n}'s.", n=str(first))
                )
            barcodes[v.barcode] = i
        if d.option1_name:
            combo = ((v.option1 or "").casefold(), (v.option2 or "").casefold())
            if combo in combos:
                shown = " / ".join(x for x in (v.option1, v.option2) if x)
                raise _bad(i, v, "option1", msg("{options} is already variant {n}.", options=shown,
                                                 n=str(combos[combo] + 1)))  # fmt: skip
            combos[combo] = i
        if v.id is not None:
            if v.id in ids:
                raise _bad(i, v, "sku", msg("the same variant as row {n}.", n=str(ids[v.id] + 1)))
            ids[v.id] = i


@dataclass(frozen=True)
class _ShopRow:
    id: int
    name: str
    channel: Channel


def _load_shops(conn: sa.Connection, shop_ids: Sequence[int]) -> dict[int, _ShopRow]:
    s = shops_t.c
    found = {
        sid: _ShopRow(sid, name, Channel(channel))
        for sid, name, channel in conn.execute(
            sa.select(s.id, s.name, s.channel).where(s.id.in_(list(shop_ids)))
        )
    }
    missing = [sid for sid in shop_ids if sid not in found]
    if missing:
        raise ValidationError(
            msg("Shop {missing} no longer exists.", missing=str(missing[0])), field="shop_ids"
        )
    return found


def _check_store(
    conn: sa.Connection, d: ProductDraft, product_id: int | None, shop_ids: Sequence[int]
) -> None:
    """SKU unique per shop (or among the products on no shop) in any letter case, barcode
    unique, and no barcode that is another product's SKU or SKU that is another product's
    barcode (a scan looks the barcodes up first: it would find the wrong product)."""
    v, p, pl, s = variants_t.c, products_t.c, listings_t.c, shops_t.c
    row_of = {x.sku: i for i, x in enumerate(d.variants)}
    row_of_lower: dict[str, int] = {}
    for i, x in enumerate(d.variants):
        row_of_lower.setdefault(x.sku.lower(), i)
    others = [v.is_active.is_(True), p.status != ProductStatus.ARCHIVED]
    if product_id is not None:
        others.append(v.product_id != product_id)

    def any_case(column: sa.ColumnElement[str], chunk: Sequence[str]) -> sa.ColumnElement[bool]:
        return sa.or_(column.in_(chunk), sa.func.lower(column).in_({c.lower() for c in chunk}))

    def draft_row(sku: str) -> int:
        found = row_of.get(sku)
        return found if found is not None else row_of_lower.get(sku.lower(), len(d.variants))

    for chunk in chunks(list(row_of)):
        if shop_ids:
            stmt = (
                sa.select(v.sku, p.name, s.name)
                .select_from(variants_t.join(products_t, p.id == v.product_id)
                             .join(listings_t, pl.product_id == p.id)
                             .join(shops_t, s.id == pl.shop_id))
                .where(any_case(v.sku, chunk), pl.is_active.is_(True),
                       pl.shop_id.in_(list(shop_ids)), *others)
                .order_by(s.name).limit(100)
            )  # fmt: skip
        else:
            listed = sa.exists().where(pl.product_id == p.id, pl.is_active.is_(True))
            stmt = (
                sa.select(v.sku, p.name, sa.null())
                .select_from(variants_t.join(products_t, p.id == v.product_id))
                .where(any_case(v.sku, chunk), ~listed, *others).limit(100)
            )  # fmt: skip
        # The clash of the draft's first row is named (then the exact one, then by shop).
        hits = sorted(conn.execute(stmt), key=lambda h: (draft_row(h[0]), h[0] not in row_of))
        if hits and draft_row(hits[0][0]) < len(d.variants):
            sku, other, shop = hits[0]
            i = draft_row(sku)
            mine = d.variants[i].sku
            if sku != mine:
                why = (
                    msg("SKU {sku} differs only in letter case from SKU {other} of “{product}” "
                        "on {shop}: a scan could not tell them apart.", sku=mine, other=sku,
                        product=other, shop=shop)
                    if shop
                    else msg("SKU {sku} differs only in letter case from SKU {other} of "
                             "“{product}” (a product on no shop): a scan could not tell them "
                             "apart.", sku=mine, other=sku, product=other)
                )  # fmt: skip
            else:
                why = (
                    msg("SKU {sku} is already used by “{product}” on {shop}.", sku=sku,
                        product=other, shop=shop)
                    if shop
                    else msg("SKU {sku} is already used by “{product}” (a product on no shop).",
                             sku=sku, product=other)
                )  # fmt: skip
            raise _bad(i, d.variants[i], "sku", why)
    if product_id is not None:
        _check_removed_skus(conn, d, product_id)
    code_of = {x.barcode: i for i, x in enumerate(d.variants) if x.barcode}
    for chunk in chunks(list(code_of)):
        stmt = (
            sa.select(v.barcode, v.sku, p.name)
            .select_from(variants_t.join(products_t, p.id == v.product_id))
            .where(v.barcode.in_(chunk), *others)
            .order_by(_draft_row(v.barcode, code_of, chunk)).limit(1)
        )  # fmt: skip
        hit = conn.execute(stmt).first()
        if hit is not None:
            code, sku, other = hit
            i = code_of[code]
            raise _bad(i, d.variants[i], "barcode",
                       msg("barcode {code} is already used by {sku} of “{product}”.", code=code,
                           sku=sku, product=other))  # fmt: skip
    _check_codes_apart(conn, d, others)


def _check_removed_skus(conn: sa.Connection, d: ProductDraft, product_id: int) -> None:
    """A new or changed SKU may not be (in any letter case) that of a variant of the
    product that stays inactive: removed earlier, or by this save and kept for its orders.
    Two rows of one product with one SKU: a sync or an order import would find the old
    one, a scan either."""
    v = variants_t.c
    rows = conn.execute(
        sa.select(v.id, v.sku, v.is_active, v.sku_group_id).where(v.product_id == product_id)
    ).all()
    stored = {vid: sku for vid, sku, _active, _group in rows}
    kept = {x.id for x in d.variants if x.id is not None}
    leaving = [vid for vid, _sku, active, _group in rows if active and vid not in kept]
    deleted = _removable(conn, leaving) if leaving else set()
    grouped = {vid for vid, _sku, _active, group in rows if group is not None}
    removed: dict[str, str] = {}  # lower case → the SKU as stored
    for vid, sku, active, _group in rows:
        if vid not in kept and (not active or vid not in deleted or vid in grouped):
            removed.setdefault(sku.lower(), sku)
    for i, x in enumerate(d.variants):
        other = removed.get(x.sku.lower())
        if other is None or (x.id is not None and stored.get(x.id) == x.sku):
            continue
        why = (
            msg("SKU {sku} is that of a variant removed from this product (kept for its "
                "orders and history): give this variant another SKU.", sku=x.sku)
            if other == x.sku
            else msg("SKU {sku} differs only in letter case from SKU {other} of a variant "
                     "removed from this product (kept for its orders and history): give this "
                     "variant another SKU.", sku=x.sku, other=other)
        )  # fmt: skip
        raise _bad(i, x, "sku", why)


def _check_codes_apart(
    conn: sa.Connection, d: ProductDraft, others: list[sa.ColumnElement[bool]]
) -> None:
    """No barcode of the draft is another product's SKU, no SKU another product's barcode,
    in any letter case (within the draft: `_check_unique_rows`)."""
    v, p = variants_t.c, products_t.c
    name = d.name
    for column, find in ((v.sku, "barcode"), (v.barcode, "sku")):
        mine: dict[str, int] = {}
        for i, x in enumerate(d.variants):
            code = getattr(x, find)
            if code:
                mine.setdefault(code.lower(), i)
                mine.setdefault(code, i)
        for chunk in chunks(sorted(mine)):
            stmt = (
                sa.select(column, v.sku, p.name)
                .select_from(variants_t.join(products_t, p.id == v.product_id))
                .where(sa.or_(column.in_(chunk), sa.func.lower(column).in_(chunk)), *others)
                .limit(100)
            )  # fmt: skip
            hits = [h for h in conn.execute(stmt) if h[0] and h[0].lower() in mine]
            if not hits:
                continue
            code, sku, other = min(hits, key=lambda h: mine[h[0].lower()])
            i = mine[code.lower()]
            x = d.variants[i]
            why = (
                msg("barcode {code} of “{name}” is SKU {sku} of “{product}”: a scan of that "
                    "SKU would find “{name}”.", code=x.barcode, name=name, sku=sku,
                    product=other)
                if find == "barcode"
                else msg("SKU {sku} of “{name}” is the barcode of {other} of “{product}”: a "
                         "scan of it would find “{product}”.", sku=x.sku, name=name,
                         other=sku, product=other)
            )  # fmt: skip
            raise _bad(i, x, find, why)


def _draft_row(
    column: sa.ColumnElement[Any], row_of: dict[str, int], chunk: Sequence[str]
) -> sa.ColumnElement[Any]:
    """The draft row of a value of `column` among `chunk`, to order clashes by (without it
    the row named would be whichever the database finds first)."""
    return sa.case({value: row_of[value] for value in chunk}, value=column)


def _prepare_images(ctx: ServiceContext, d: ProductDraft) -> dict[int, PreparedImage]:
    """Check and decode the new image files (position -> image) before any write."""
    prepared: dict[int, PreparedImage] = {}
    for pos, image in enumerate(d.images):
        if image.id is None and image.source:
            prepared[pos] = prepare_image(image.source)
    if prepared and ctx.settings is None:
        raise ValidationError(
            msg("Images can only be added in an installed shop (no data folder)."), field="images"
        )
    return prepared


# --------------------------------------------------------------------------- writing


def _search_text(d: ProductDraft) -> str:
    return product_search_text(d.name, [(v.sku, v.barcode, v.option1, v.option2)
                                        for v in d.variants])  # fmt: skip


#: How the product's audit summary names a change of the product's texts (`old` and `new`:
#: the values' repr).
_PRODUCT_CHANGES: dict[str, Callable[..., Message]] = {
    "name": lambda **v: msg("name {old} → {new}", **v),
    "category": lambda **v: msg("category {old} → {new}", **v),
    "features": lambda **_: msg("features edited"),
    "description": lambda **_: msg("description edited"),
}


def _grams(value: int | None) -> Message | str:
    return "—" if value is None else msg("{grams} g", grams=value)


def _shown(**values: Any) -> dict[str, Any]:
    """A change's values as its summary says them: "—" for none (as the weight's), not
    "None"."""
    return {k: "—" if x is None else x for k, x in values.items()}


#: How the product's audit summary names a variant's change, by field (the values: the
#: variant's `sku` before the save, the `old` and `new` value).
_VARIANT_CHANGES: dict[str, Callable[..., Message]] = {
    "sku": lambda **v: msg("{sku}: sku {old} → {new}", **_shown(**v)),
    "barcode": lambda **v: msg("{sku}: barcode {old} → {new}", **_shown(**v)),
    "option1": lambda **v: msg("{sku}: option1 {old} → {new}", **_shown(**v)),
    "option2": lambda **v: msg("{sku}: option2 {old} → {new}", **_shown(**v)),
    "cost": lambda **v: msg("{sku}: cost {old} → {new}", **_shown(**v)),
    "price": lambda **v: msg("{sku}: price {old} → {new}", **_shown(**v)),
    "discount_price": lambda **v: msg("{sku}: discount price {old} → {new}", **_shown(**v)),
    "low_stock_level": lambda **v: msg("{sku}: low stock level {old} → {new}", **_shown(**v)),
    "weight_g": lambda sku, old, new: msg(
        "{sku}: weight {old} → {new}", sku=sku, old=_grams(old), new=_grams(new)
    ),
}


def _changed_prices(i: int, row: Variant, v: VariantDraft) -> VariantDraft:
    """The draft with each cost/price the user left as the form showed it replaced by the
    stored one: a price moved meanwhile (a price schedule, a goods receipt's cost) is not
    undone, while a price the user changed wins over the stored one."""
    seen = v.prices_seen
    if seen is None:
        return v
    kept = {c: getattr(row, c) for c in PRICE_COLUMNS if getattr(v, c) == getattr(seen, c)}
    merged = replace(v, **kept)
    if kept and merged.discount_price is not None and merged.discount_price > merged.price:
        # The user changed one of the pair while the other moved: neither is safe to guess.
        raise _bad(i, v, "discount_price", msg(
            "the price or discount price was changed while the form was open (now "
            "{price} / {discount}): close the form and open it again.",
            price=row.price, discount=row.discount_price if row.discount_price is not None
            else "—"))  # fmt: skip
    return merged


def _apply_variant(row: Variant, d: ProductDraft, v: VariantDraft, now: datetime) -> list[Message]:
    """Copy the draft onto the row; returns what changed ("AO-M: price 99,000 → 120,000",
    ...)."""
    sku = row.sku
    values: dict[str, Any] = {
        "sku": v.sku, "barcode": v.barcode, "option1_name": d.option1_name,
        "option1": v.option1, "option2_name": d.option2_name, "option2": v.option2,
        "cost": v.cost, "price": v.price, "discount_price": v.discount_price,
        "low_stock_level": v.low_stock_level, "weight_g": v.weight_g,
    }  # fmt: skip
    changes = []
    for key, value in values.items():
        old = getattr(row, key)
        if old != value:
            if not key.endswith("_name"):  # attribute renames are reported once
                changes.append(_VARIANT_CHANGES[key](sku=sku, old=old, new=value))
            setattr(row, key, value)
    if changes:
        row.updated_at = now
    return changes


def _images(
    session: Session,
    files: ImageFiles | None,
    product_id: int,
    d: ProductDraft,
    prepared: dict[int, PreparedImage],
) -> list[Message]:
    """Make the product's images those of the draft, in its order; returns changes."""
    rows = session.exec(select(ProductImage).where(ProductImage.product_id == product_id)).all()
    by_id = {r.id: r for r in rows}
    kept: set[int] = set()
    changes: list[Message] = []
    added = 0
    moved = False
    for pos, image in enumerate(d.images):
        if image.id is not None:
            row = by_id.get(image.id)
            if row is None:
                raise ValidationError(
                    msg(
                        "An image of this product was removed meanwhile: close "
                        "the form and open it again."
                    ),
                    field="images",
                )
            kept.add(image.id)
            if row.position != pos:
                row.position = pos
                session.add(row)
                moved = True
        else:
            assert files is not None
            path, thumb = files.store(product_id, prepared[pos])
            session.add(ProductImage(product_id=product_id, path=path, thumb_path=thumb,
                                     position=pos))  # fmt: skip
            added += 1
    removed = [r for r in rows if r.id not in kept]
    used = {p for r in rows if r.id in kept for p in (r.path, r.thumb_path)}
    for row in removed:
        session.delete(row)
        if files is not None and row.path not in used:
            files.remove_later(row.path, row.thumb_path)
            used.update((row.path, row.thumb_path))
    if added:
        changes.append(msg("{count} image(s) added", count=added))
    if removed:
        changes.append(msg("{count} image(s) removed", count=len(removed)))
    if moved and not added and not removed:
        changes.append(msg("images reordered"))
    return changes


def _listings(
    session: Session,
    product_id: int,
    shop_ids: Sequence[int],
    variant_ids: Sequence[int],
) -> tuple[set[int], list[tuple[str, int]]]:
    """One active listing per chosen shop with a variant listing per active variant; the
    other shops' listings deactivated. Returns (ids of listings created or changed,
    changes as ("listed" | "listed again" | "unlisted", shop id))."""
    conn = session.connection()
    rows = {
        r.shop_id: r
        for r in session.exec(
            select(ProductListing).where(ProductListing.product_id == product_id)
        ).all()
    }
    touched: list[ProductListing] = []
    changes: list[tuple[str, int]] = []
    for sid in shop_ids:
        row = rows.get(sid)
        if row is None:
            row = ProductListing(product_id=product_id, shop_id=sid, is_active=True)
            session.add(row)
            rows[sid] = row
            touched.append(row)
            changes.append(("listed", sid))
        elif not row.is_active:
            row.is_active = True
            session.add(row)
            touched.append(row)
            changes.append(("listed again", sid))
    for sid, row in rows.items():
        if sid not in shop_ids and row.is_active:
            row.is_active = False
            session.add(row)
            touched.append(row)
            changes.append(("unlisted", sid))
    session.flush()
    active = [r.id for r in rows.values() if r.is_active and r.id is not None]
    have: set[tuple[int, int]] = set()
    vl = variant_listings_t.c
    for chunk in chunks(active):
        have.update(
            (a, b) for a, b in conn.execute(
                sa.select(vl.listing_id, vl.variant_id).where(vl.listing_id.in_(chunk))
            )
        )  # fmt: skip
    missing: list[dict[str, Any]] = [{"listing_id": lid, "variant_id": vid, "external_id": None}
               for lid in active for vid in variant_ids if (lid, vid) not in have]  # fmt: skip
    if missing:
        conn.execute(sa.insert(variant_listings_t), missing)
    ids = {r.id for r in touched if r.id is not None}
    ids.update(m["listing_id"] for m in missing)
    return ids, changes


def queue_listing_upserts(conn: sa.Connection, listing_ids: Iterable[int], now: datetime) -> int:
    """A `listing.upsert` outbox message per marketplace listing among `listing_ids`,
    coalescing with the one already queued for the listing (its payload replaced, queued
    again if it was delivered or failed). Returns how many were written. A listing not
    linked to its marketplace item yet (no item id) gets none: the app cannot create the
    item, and it gets its prices once linked (`listing_links.fill_listing_ids`)."""
    ids = sorted(set(listing_ids))
    if not ids:
        return 0
    pl, s = listings_t.c, shops_t.c
    marketplaces = [c for c in Channel if c.is_marketplace]
    rows: dict[str, dict[str, Any]] = {}
    for chunk in chunks(ids):
        stmt = (
            sa.select(pl.id, pl.product_id, pl.shop_id, pl.external_id, pl.is_active)
            .select_from(listings_t.join(shops_t, s.id == pl.shop_id))
            .where(pl.id.in_(chunk), s.channel.in_(marketplaces), pl.external_id.is_not(None))
        )
        for lid, pid, sid, external_id, active in conn.execute(stmt):
            payload = {"product_id": pid, "listing_id": lid, "shop_id": sid,
                       "listing_external_id": external_id, "active": bool(active)}  # fmt: skip
            key = f"listing:{lid}"
            rows[key] = {"intent_key": key, "shop_id": sid,
                         "payload_json": json.dumps(payload, ensure_ascii=False)}  # fmt: skip
    return queue_coalesced(conn, LISTING_KIND, rows, now)


@contextmanager
def _stored_images(ctx: ServiceContext) -> Iterator[ImageFiles | None]:
    """The image files a save writes (None without a data dir): kept when the block ends
    without an error, deleted again when it fails."""
    files = None if ctx.settings is None else ImageFiles(Path(ctx.settings.data_dir))
    try:
        yield files
    except BaseException:
        if files is not None:
            files.discard()
        raise
    if files is not None:
        files.finish()


def _listing_changes(conn: sa.Connection, changes: list[tuple[str, int]]) -> list[Message]:
    """The change texts of `_listings`' changes, naming the shops ("listed on Shopee HN")."""
    ids = {sid for _what, sid in changes}
    s = shops_t.c
    names: dict[int, str] = {}
    if ids:
        stmt = sa.select(s.id, s.name).where(s.id.in_(ids))
        names = {int(i): str(n) for i, n in conn.execute(stmt).all()}
    texts = []
    for what, sid in changes:
        shop = names.get(sid, f"shop {sid}")
        if what == "listed":
            texts.append(msg("listed on {shop}", shop=shop))
        elif what == "listed again":
            texts.append(msg("listed again on {shop}", shop=shop))
        else:
            texts.append(msg("unlisted from {shop}", shop=shop))
    return texts


def _kept(change: str) -> Any:
    """A change as the audit row's After keeps it: its template and values (the log shows
    it in the reader's language, as the summary), a plain text as it is."""
    args = stored_args(change)
    return change if args is None else json.loads(args)


def _semicolons(changes: Sequence[str]) -> str:
    """The changes joined with "; " (a list value of msg() is joined with ", ", which the
    numbers' thousands separators would blur), each keeping its template: nested in
    halves, so a long list nests only a few levels deep."""
    if len(changes) == 1:
        return changes[0]
    half = len(changes) // 2
    return msg("{changes}; {more_changes}", changes=_semicolons(changes[:half]),
               more_changes=_semicolons(changes[half:]))  # fmt: skip


def create_product(ctx: ServiceContext, draft: ProductDraft) -> int:
    """Add a product with its variants (opening stock as STOCK_IN movements), images and
    listings, in one transaction; returns its id."""
    ctx.require(Module.PRODUCTS)
    d = _clean(draft)
    _check_form(d)
    if any(i.id is not None for i in d.images):
        raise ValidationError(msg("A new product has no images to keep yet."), field="images")
    prepared = _prepare_images(ctx, d)
    # The writer lock before the SKU checks: two PCs adding the same new SKU at once
    # would both find it free.
    with _stored_images(ctx) as files, ctx.uow(write=True) as session:
        conn = session.connection()
        shops = _load_shops(conn, d.shop_ids)
        _check_store(conn, d, None, d.shop_ids)
        now = ctx.clock.now()
        product = Product(name=d.name, category=d.category, features=d.features,
                          description=d.description, status=ProductStatus.ACTIVE,
                          search_text=_search_text(d), created_by_id=ctx.actor.id,
                          created_at=now, updated_at=now)  # fmt: skip
        session.add(product)
        session.flush()
        assert product.id is not None
        pid = product.id
        rows = []
        for v in d.variants:
            row = Variant(product_id=pid, sku=v.sku, stock=0, created_at=now, updated_at=now)
            _apply_variant(row, d, v, now)
            rows.append(row)
        session.add_all(rows)
        session.flush()
        variant_ids = [r.id for r in rows if r.id is not None]
        _images(session, files, pid, d, prepared)
        listing_ids, _ = _listings(session, pid, d.shop_ids, variant_ids)
        session.flush()
        for row, v in zip(rows, d.variants, strict=True):
            if v.stock > 0:
                assert row.id is not None
                move_stock(ctx, session, row.id, StockMoveKind.STOCK_IN, quantity=v.stock,
                           reason=OPENING_REASON)  # fmt: skip
        pushed = queue_listing_upserts(conn, listing_ids, now)
        session.flush()
        refresh_product_summaries(conn, [pid])
        skus, on = [r.sku for r in rows], [shops[s].name for s in d.shop_ids]
        ctx.audit(session, "product.create", entity_type="product", entity_id=pid,
                  summary=msg("“{product}”: {count} variant(s) ({skus}), on {shops}, "
                              "{images} image(s)", product=d.name, count=len(rows), skus=skus,
                              shops=on, images=len(d.images)) if on
                  else msg("“{product}”: {count} variant(s) ({skus}), on no shop, {images} "
                           "image(s)", product=d.name, count=len(rows), skus=skus,
                           images=len(d.images)),
                  after={"variants": len(rows), "shops": d.shop_ids,
                         "opening_stock": sum(v.stock for v in d.variants),
                         "listing_pushes": pushed})  # fmt: skip
    return pid


def _removable(conn: sa.Connection, variant_ids: Sequence[int]) -> set[int]:
    """Those of `variant_ids` that may be deleted: never sold, no marketplace id."""
    keep: set[int] = set()
    ol, vl = order_lines_t.c, variant_listings_t.c
    for chunk in chunks(sorted(variant_ids)):
        keep.update(
            conn.execute(
                sa.select(ol.variant_id).where(ol.variant_id.in_(chunk)).distinct()
            ).scalars()
        )
        keep.update(conn.execute(
            sa.select(vl.variant_id).where(vl.variant_id.in_(chunk), vl.external_id.is_not(None))
        ).scalars())  # fmt: skip
    return {i for i in variant_ids if i not in keep}


def _held_for_orders(conn: sa.Connection, variant_ids: Sequence[int]) -> dict[int, int]:
    """Variant id -> the quantity open orders (stock reserved) hold of it, for those of
    `variant_ids` that some open order holds."""
    ol, o = order_lines_t.c, orders_t.c
    held: dict[int, int] = {}
    for chunk in chunks(sorted(variant_ids)):
        stmt = (
            sa.select(ol.variant_id, sa.func.sum(ol.quantity))
            .join(orders_t, o.id == ol.order_id)
            .where(ol.variant_id.in_(chunk), o.stock_state == StockState.RESERVED)
            .group_by(ol.variant_id)
        )
        held.update((int(vid), int(qty)) for vid, qty in conn.execute(stmt))
    return held


def _check_removals(conn: sa.Connection, removed: Sequence[Variant]) -> None:
    """A variant open orders hold cannot leave the form: shipping or cancelling them
    would move the stock of a variant no longer sold."""
    held = _held_for_orders(conn, [r.id for r in removed if r.id is not None])
    for row in removed:
        if row.id in held:
            raise ValidationError(
                msg("{sku} is held for open orders ({count}): ship or cancel them before "
                    "removing it.", sku=row.sku, count=held[row.id]),
                field="variants",
            )  # fmt: skip


def update_product(
    ctx: ServiceContext, product_id: int, draft: ProductDraft, *, stock_reason: str | None = None
) -> None:
    """Save the form of an existing product: its texts, variants (added, changed, removed),
    stock (ADJUSTMENT movements, with `stock_reason`), images and listings, in one
    transaction."""
    ctx.require(Module.PRODUCTS)
    d = _clean(draft)
    _check_form(d)
    reason = clean_line(stock_reason)[:MAX_REASON] or EDIT_REASON
    prepared = _prepare_images(ctx, d)
    # The writer lock before anything is read: the SKU checks, and the stock the typed
    # figure is set against, see what another PC saved just before.
    with _stored_images(ctx) as files, ctx.uow(write=True) as session:
        _update(ctx, session, product_id, d, prepared, files, reason)


def _update(
    ctx: ServiceContext,
    session: Session,
    product_id: int,
    d: ProductDraft,
    prepared: dict[int, PreparedImage],
    files: ImageFiles | None,
    stock_reason: str,
) -> None:
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound(msg("Product {product_id} no longer exists.", product_id=str(product_id)))
    if product.status == ProductStatus.ARCHIVED:
        raise Conflict(msg("“{product}” was deleted (archived) and cannot be edited.",
                           product=product.name))  # fmt: skip
    conn = session.connection()
    current = session.exec(
        select(Variant)
        .where(Variant.product_id == product_id, col(Variant.is_active).is_(True))
        .order_by(col(Variant.id))
    ).all()
    # A typed stock is a figure set against what is on hand: read afresh and locked, so
    # the same figure saved on another PC meanwhile changes nothing (not added twice).
    lock_stock(session, [v.id for v in current if v.id is not None])
    by_id = {v.id: v for v in current}
    for i, v in enumerate(d.variants):
        if v.id is not None and v.id not in by_id:
            raise _bad(i, v, "sku", msg("this variant is no longer part of the product: close "
                                        "the form and open it again."))  # fmt: skip
    _load_shops(conn, d.shop_ids)
    _check_store(conn, d, product_id, d.shop_ids)
    now = ctx.clock.now()
    changes: list[Message] = []
    for key, change in _PRODUCT_CHANGES.items():
        old, new = getattr(product, key), getattr(d, key)
        if old != new:
            changes.append(change(old=repr(old), new=repr(new)))
            setattr(product, key, new)
    first = current[0] if current else None
    old_names = (first.option1_name, first.option2_name) if first else (None, None)
    new_names = (d.option1_name, d.option2_name)
    if old_names != new_names:
        was = " × ".join(n for n in old_names if n) or msg("none")
        now_ = " × ".join(n for n in new_names if n) or msg("none")
        changes.append(msg("attributes {old} → {new}", old=was, new=now_))

    # Holders of the stock the form shows: the variant, or its SKU group.
    group_ids = {v.sku_group_id for v in current if v.sku_group_id is not None}
    groups = {
        g.id: g for g in session.exec(select(SkuGroup).where(col(SkuGroup.id).in_(group_ids))).all()
    }
    stock_sets: dict[tuple[str, int], tuple[int, int, int, str]] = {}  # holder -> row, vid, ...
    # A SKU group has one cost (`stock.share_cost`): one typed on a member goes to them all.
    cost_sets: dict[int, tuple[int, Variant]] = {}  # group id -> draft row, member typed on
    new_rows: list[tuple[Variant, VariantDraft]] = []
    for i, v in enumerate(d.variants):
        if v.id is None:
            row = Variant(product_id=product_id, sku=v.sku, stock=0, created_at=now, updated_at=now)
            _apply_variant(row, d, v, now)
            session.add(row)
            new_rows.append((row, v))
            changes.append(msg("added {sku}", sku=v.sku))
            continue
        row = by_id[v.id]
        wanted = _changed_prices(i, row, v)
        group = groups.get(row.sku_group_id) if row.sku_group_id is not None else None
        if group is not None and group.id is not None and wanted.cost != row.cost:
            if group.id in cost_sets and cost_sets[group.id][1].cost != wanted.cost:
                other = d.variants[cost_sets[group.id][0]]
                raise _bad(i, v, "cost", msg(
                    "shares the cost of group {group} with {sku}: give both the same cost.",
                    group=group.code, sku=other.sku))  # fmt: skip
            cost_sets[group.id] = (i, row)
        changes += _apply_variant(row, d, wanted, now)
        session.add(row)
        if v.stock_seen is not None and v.stock == v.stock_seen:
            continue  # left as the form showed it
        holder = ("g", group.id) if group is not None and group.id is not None else ("v", v.id)
        on_hand = group.stock if group is not None else row.stock
        if v.stock == on_hand:
            continue
        if holder in stock_sets and stock_sets[holder][2] != v.stock:
            other = d.variants[stock_sets[holder][0]]
            why = msg("shares the stock of group {group} with {sku}: give both the same stock.",
                      group=group.code if group else "", sku=other.sku)  # fmt: skip
            raise _bad(i, v, "stock", why)
        stock_sets[holder] = (i, v.id, v.stock, row.sku)
    for gid, (_i, row) in cost_sets.items():
        for member, old in share_cost(session, row, groups[gid], row.cost):
            member.updated_at = now
            changes.append(_VARIANT_CHANGES["cost"](sku=member.sku, old=old, new=member.cost))

    kept = {v.id for v in d.variants if v.id is not None}
    removed = [r for r in current if r.id not in kept]
    if removed:
        _check_removals(conn, removed)
        ids = [r.id for r in removed if r.id is not None]
        deletable = _removable(conn, ids)
        for row in removed:
            # The stock a removed variant held (not a SKU group's, which keeps its goods)
            # is named: the form asked first, the audit says what went.
            stock = row.stock if row.sku_group_id is None else 0
            if row.id in deletable and row.sku_group_id is None:
                session.delete(row)
                changes.append(
                    msg("deleted {sku} with its stock {stock}", sku=row.sku, stock=stock)
                    if stock
                    else msg("deleted {sku}", sku=row.sku)
                )
                continue
            row.is_active = False
            row.updated_at = now
            session.add(row)
            if stock:
                changes.append(msg("deactivated {sku} (sold or listed before), keeping its "
                                   "stock {stock}", sku=row.sku, stock=stock))  # fmt: skip
            else:
                changes.append(msg("deactivated {sku} (sold or listed before)", sku=row.sku))
        session.flush()
        # A grouped variant taken off the form leaves its group (it stayed a member that
        # blocked "Delete group"); the group keeps the goods.
        leave_groups(ctx, session, [r for r in removed if r.sku_group_id is not None])
        # The deactivated ones' marketplace listings sell nothing more.
        push_none_left(conn, [r.id for r in removed if r.id is not None and not r.is_active],
                       now)  # fmt: skip
    session.flush()
    active_ids = [v.id for v in d.variants if v.id is not None]
    active_ids += [r.id for r, _ in new_rows if r.id is not None]
    image_changes = _images(session, files, product_id, d, prepared)
    changes += image_changes
    listing_ids, listing_changes = _listings(session, product_id, d.shop_ids, active_ids)
    changes += _listing_changes(conn, listing_changes)
    session.flush()
    content_changed = bool(changes)
    stock_changes: list[Message] = []
    for row, v in new_rows:
        if v.stock > 0:
            assert row.id is not None
            move_stock(ctx, session, row.id, StockMoveKind.STOCK_IN, quantity=v.stock,
                       reason=OPENING_REASON)  # fmt: skip
            stock_changes.append(msg("{sku}: opening stock {stock}", sku=row.sku, stock=v.stock))
    for holder, (_i, vid, stock, sku) in stock_sets.items():
        group = groups.get(holder[1]) if holder[0] == "g" else None
        on_hand = group.stock if group is not None else by_id[vid].stock
        move_stock(ctx, session, vid, StockMoveKind.ADJUSTMENT, quantity=stock - on_hand,
                   reason=stock_reason)  # fmt: skip
        stock_changes.append(msg("{sku}: stock {old} → {new}", sku=sku, old=on_hand, new=stock))
    if content_changed:
        product.search_text = _search_text(d)
        product.updated_at = now
        session.add(product)
        # Every marketplace listing of the product shows the change.
        p_listings = session.exec(
            select(ProductListing.id).where(ProductListing.product_id == product_id,
                                            col(ProductListing.is_active).is_(True))
        ).all()  # fmt: skip
        listing_ids.update(i for i in p_listings if i is not None)
    elif stock_changes:
        product.updated_at = now
        session.add(product)
    session.flush()
    pushed = queue_listing_upserts(conn, listing_ids, now)
    refresh_product_summaries(conn, [product_id])
    all_changes = changes + stock_changes
    ctx.audit(session, "product.update", entity_type="product", entity_id=product_id,
              summary=msg("“{product}”: {changes}", product=d.name,
                          changes=_semicolons(all_changes)) if all_changes
              else msg("“{product}”: no change", product=d.name),
              after={"changes": [_kept(c) for c in all_changes],
                     "listing_pushes": pushed})  # fmt: skip
