"""Barcode labels for products: which labels to print, and the label settings remembered.

The Products tab's *Print labels…* and `primedist print labels` call this (Products
access needed); `printing/labels.py` lays the labels out and `ui/printing/labels.py`
draws them. A label shows the variant's barcode, or its SKU when it has none, and the
selling price: the discount price when there is one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import sqlalchemy as sa

from primedist.core.messages import msg
from primedist.core.product_codes import other_code_spellings
from primedist.core.text import clean_line
from primedist.domain.enums import Module
from primedist.domain.product import Product, SkuGroup, Variant
from primedist.errors import NotFound, ValidationError
from primedist.printing.labels import (
    MAX_COPIES,
    STOCKS,
    LabelItem,
    LabelOptions,
)
from primedist.services.app_settings import get_setting, put_setting
from primedist.services.context import ServiceContext

SETTINGS_KEY = "printing.labels"
#: Products one Print labels may take (their variants are listed one row each).
MAX_PRODUCTS = 2_000


@dataclass(frozen=True)
class LabelSettings:
    """The label paper, printer and contents last used (Products → Print labels…)."""

    options: LabelOptions = LabelOptions()
    #: The system printer (queue) the labels go to; "" = not chosen.
    printer: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self.options)
        data.pop("skip")  # a sheet's used labels are a one-off, never remembered
        return {**data, "printer": self.printer}

    @classmethod
    def from_json(cls, data: Any) -> LabelSettings:
        if not isinstance(data, dict):
            return cls()
        base = LabelOptions()
        stock = data.get("stock")
        options = LabelOptions(
            stock=stock if stock in STOCKS else base.stock,
            show_price=bool(data.get("show_price", base.show_price)),
            show_shop=bool(data.get("show_shop", base.show_shop)),
        )
        printer = data.get("printer")
        return cls(options, printer if isinstance(printer, str) else "")


def load_settings(ctx: ServiceContext) -> LabelSettings:
    ctx.require(Module.PRODUCTS)
    with ctx.uow() as session:
        return LabelSettings.from_json(get_setting(session, SETTINGS_KEY))


def save_settings(ctx: ServiceContext, settings: LabelSettings) -> None:
    """Remember the paper, printer and contents (written only when they changed)."""
    ctx.require(Module.PRODUCTS)
    value = settings.to_json()
    with ctx.uow() as session:
        if get_setting(session, SETTINGS_KEY) != value:
            put_setting(ctx, session, SETTINGS_KEY, value,
                        default=LabelSettings().to_json())  # fmt: skip


def _select() -> sa.Select[Any]:
    vt: sa.Table = Variant.__table__  # type: ignore[attr-defined]
    pt: sa.Table = Product.__table__  # type: ignore[attr-defined]
    gt: sa.Table = SkuGroup.__table__  # type: ignore[attr-defined]
    v, p, g = vt.c, pt.c, gt.c
    return (
        sa.select(v.id, v.sku, v.barcode, p.name, v.option1, v.option2, v.price, v.discount_price,
                  sa.func.coalesce(g.stock, v.stock).label("stock"))
        .select_from(vt.join(pt, p.id == v.product_id).outerjoin(gt, g.id == v.sku_group_id))
    )  # fmt: skip


def _item(row: Any, copies: int | None) -> LabelItem:
    price = row.price if row.discount_price is None else min(row.discount_price, row.price)
    # Names shown as text, without control or invisible characters (stored before the
    # services cleaned them); the code is encoded as stored, so that a scan finds it.
    variant = " / ".join(o for o in (clean_line(row.option1), clean_line(row.option2)) if o)
    stock = max(int(row.stock or 0), 0)
    return LabelItem(
        variant_id=row.id, sku=row.sku, code=(row.barcode or "").strip() or row.sku.strip(),
        name=clean_line(row.name), variant=variant, price=int(price), stock=stock,
        copies=min(stock, MAX_COPIES) if copies is None else copies,
    )  # fmt: skip


def items_for_products(
    ctx: ServiceContext, product_ids: Sequence[int], *, copies: int | None = 1
) -> list[LabelItem]:
    """The active variants of the products, in the order the products are given; each
    with `copies` labels, or (None) as many as it has in stock. An id no product has is
    refused, named (as an unknown SKU is: no label silently left out)."""
    ctx.require(Module.PRODUCTS)
    if len(product_ids) > MAX_PRODUCTS:
        raise ValidationError(
            msg("Labels can be printed for at most {max} products at a time ({n} are "
                "selected).", max=MAX_PRODUCTS, n=len(product_ids)),
            field="products",
        )  # fmt: skip
    v, p = Variant.__table__.c, Product.__table__.c  # type: ignore[attr-defined]
    rank = {pid: i for i, pid in enumerate(dict.fromkeys(product_ids))}
    with ctx.engine.connect() as conn:
        found = set(conn.execute(sa.select(p.id).where(p.id.in_(list(rank)))).scalars())
        missing = [str(pid) for pid in rank if pid not in found]
        if missing:
            raise NotFound(msg("There is no product {ids}.", ids=missing))
        rows = list(conn.execute(
            _select().where(v.product_id.in_(list(rank)), v.is_active.is_(True))
            .add_columns(v.product_id).order_by(v.id)
        ))  # fmt: skip
    rows.sort(key=lambda r: rank[r.product_id])
    return [_item(r, copies) for r in rows]


def items_for_variants(ctx: ServiceContext, copies: Mapping[int, int]) -> list[LabelItem]:
    """These variants (a goods receipt's lines), in the order given, each with its copies;
    variants gone since are left out."""
    ctx.require(Module.PRODUCTS)
    v = Variant.__table__.c  # type: ignore[attr-defined]
    with ctx.engine.connect() as conn:
        rows = {r.id: r for r in conn.execute(_select().where(v.id.in_(list(copies))))}
    return [_item(rows[vid], min(n, MAX_COPIES)) for vid, n in copies.items() if vid in rows]


@dataclass(frozen=True)
class SkuCopies:
    """A SKU (or barcode) and its copies; None = as many as in stock."""

    sku: str
    copies: int | None = 1


def parse_sku_copies(text: str, default: int | None = 1) -> SkuCopies:
    """`SKU` (`default` copies: None = as many as in stock) or `SKU:N` (the CLI's form)."""
    sku, sep, count = text.rpartition(":")
    if not sep or not count.strip().isdigit():
        return SkuCopies(text.strip(), default)
    copies = int(count)
    if not 0 < copies <= MAX_COPIES:
        raise ValidationError(
            msg("{text}: copies must be between 1 and {max}.", text=text, max=MAX_COPIES),
            field="copies",
        )
    return SkuCopies(sku.strip(), copies)


def items_for_skus(ctx: ServiceContext, wanted: Sequence[SkuCopies]) -> list[LabelItem]:
    """One item per SKU (or barcode) asked for, in that order; a SKU or barcode that no
    variant has is an error naming it."""
    ctx.require(Module.PRODUCTS)
    codes = list(dict.fromkeys(w.sku for w in wanted))
    with ctx.engine.connect() as conn:
        found = _rows_by_code(conn, codes)
        for code in [c for c in codes if c not in found]:
            # Typed in its printed digit groups, or UPC-A / EAN-13 (as the scans find it).
            spellings = other_code_spellings(code)
            again = _rows_by_code(conn, spellings) if spellings else {}
            row = next((again[s] for s in spellings if s in again), None)
            if row is not None:
                found[code] = row
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationError(
            msg("No product has the SKU or barcode {codes}.", codes=missing), field="sku"
        )
    return [_item(found[w.sku], w.copies) for w in wanted]


def _rows_by_code(conn: sa.Connection, codes: Sequence[str]) -> dict[str, Any]:
    """The label rows of these SKUs or barcodes, by the code that found them."""
    v = Variant.__table__.c  # type: ignore[attr-defined]
    rows = conn.execute(
        _select().where(sa.or_(v.sku.in_(codes), v.barcode.in_(codes)))
        .order_by(v.is_active.desc(), v.id)
    ).all()  # fmt: skip
    found: dict[str, Any] = {}
    for row in rows:  # the SKU's own variant first, then a barcode's; active ones first
        found.setdefault(row.sku, row)
    for row in rows:
        if row.barcode:
            found.setdefault(row.barcode, row)
    return found


def with_copies(items: Sequence[LabelItem], copies: int | None) -> list[LabelItem]:
    """Every item with `copies` labels, or (None) as many as in stock."""
    return [
        replace(i, copies=min(i.stock, MAX_COPIES) if copies is None else copies) for i in items
    ]
