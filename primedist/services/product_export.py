"""Export products to Excel (.xlsx) in the product template: the Products list's filter,
its search, or a selection.

One row per active variant, in the template's columns (services/product_import.py), so an
export imports back as *unchanged*; then read-only extras the import ignores (on hand,
reserved, available, created). Products come in the list's default order (newest first)
or in the order of the selection, their variants by id. The file is streamed (constant
memory) to a temporary file next to the target and moved onto it only when complete;
cells are typed (money as numbers, SKUs and barcodes as text keeping leading zeros) and
text a spreadsheet would evaluate is neutralised (io/xlsx_writer.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from primedist.core.clock import shop_tz
from primedist.core.messages import msg
from primedist.domain.base import table_of
from primedist.domain.enums import Module, ProductStatus
from primedist.domain.product import Product, ProductListing, SkuGroup, Variant
from primedist.domain.shop import Shop
from primedist.errors import ValidationError
from primedist.io.xlsx_writer import MAX_ROWS, XlsxColumn, XlsxStreamWriter
from primedist.jobs.progress import NullProgress, Progress
from primedist.queries import spec as query_spec
from primedist.queries.products import PRODUCTS_SPEC, ProductFilter, category_names, list_state
from primedist.queries.spec import QueryState
from primedist.services.context import ServiceContext
from primedist.services.export_support import (
    ExportReport,
    audit_export,
    check_target,
    known_names,
    lang_index,
    named,
    replaced_when_done,
)
from primedist.services.product_import import (
    COLUMNS,
    EXTRA_COLUMNS,
    HEADERS,
    SHOP_SEPARATOR,
    STATUS_WORDS,
)

products_t = table_of(Product)
variants_t = table_of(Variant)
groups_t = table_of(SkuGroup)
listings_t = table_of(ProductListing)
shops_t = table_of(Shop)

#: Products per query (their variants and shops are read with them); progress and the
#: cancel check come after each.
PAGE = 500
#: The template's columns, then the read-only extras.
EXPORT_COLUMNS = (*COLUMNS, *EXTRA_COLUMNS)
_KINDS = {
    "cost": "money", "price": "money", "discount_price": "money", "stock": "int",
    "low_stock_level": "int", "weight_g": "int", "on_hand": "int", "reserved": "int",
    "available": "int", "created_at": "datetime",
}  # fmt: skip
_WIDTHS = {
    "product_name": 32, "category": 18, "description": 40, "sku": 18, "barcode": 16,
    "option1_name": 12, "option2_name": 12, "option1": 12, "option2": 12, "stock": 10,
    "low_stock_level": 10, "weight_g": 10, "shops": 28, "status": 10, "on_hand": 10, "reserved": 10,
    "available": 10, "created_at": 17,
}  # fmt: skip


def export_columns(lang: str = "vi") -> list[XlsxColumn]:
    """The sheet columns of the products export, headers in `lang` ("vi" or "en")."""
    index = lang_index(lang)
    return [
        XlsxColumn(HEADERS[key][index], _KINDS.get(key, "text"), _WIDTHS.get(key, 14))
        for key in EXPORT_COLUMNS
    ]


def _variant_rows(
    conn: sa.Connection, product_ids: Sequence[int], lang: str = "vi"
) -> Iterator[tuple[Any, ...]]:
    """The export rows of these products (not archived), in the given product order; the
    status in `lang`'s words (the import reads both languages')."""
    p, v, g, pl, s = products_t.c, variants_t.c, groups_t.c, listings_t.c, shops_t.c
    wanted = list(product_ids)
    words = {status: pair[lang_index(lang)] for status, pair in STATUS_WORDS.items()}
    heads: dict[int, tuple[Any, ...]] = {}
    for pid, name, category, description, status in conn.execute(
        sa.select(p.id, p.name, p.category, p.description, p.status).where(
            p.id.in_(wanted), p.status != ProductStatus.ARCHIVED
        )
    ):
        heads[pid] = (name, category, description, words[ProductStatus(status)])
    shop_names: dict[int, list[str]] = {}
    for pid, shop in conn.execute(
        sa.select(pl.product_id, s.name)
        .select_from(listings_t.join(shops_t, s.id == pl.shop_id))
        .where(pl.product_id.in_(wanted), pl.is_active.is_(True))
        .order_by(s.name)
    ):
        shop_names.setdefault(pid, []).append(shop)
    variants: dict[int, list[tuple[Any, ...]]] = {}
    stmt = (
        sa.select(v.product_id, v.sku, v.barcode, v.option1_name, v.option1, v.option2_name,
                  v.option2, v.cost, v.price, v.discount_price,
                  sa.func.coalesce(g.stock, v.stock), v.low_stock_level, v.weight_g,
                  sa.func.coalesce(g.reserved, v.reserved), v.created_at)
        .select_from(variants_t.outerjoin(groups_t, g.id == v.sku_group_id))
        .where(v.product_id.in_(wanted), v.is_active.is_(True))
        .order_by(v.product_id, v.id)
    )  # fmt: skip
    for row in conn.execute(stmt):
        variants.setdefault(row[0], []).append(tuple(row[1:]))
    for pid in wanted:
        head = heads.get(pid)
        if head is None:
            continue
        name, category, description, status = head
        shops = f"{SHOP_SEPARATOR} ".join(shop_names.get(pid, []))
        rows = variants.get(pid, [])
        if not rows:
            continue
        # Option names are product-level in the template: the first variant's.
        name1, name2 = rows[0][2], rows[0][4]
        for (sku, barcode, _n1, option1, _n2, option2, cost, price, discount, stock, low,
             weight, reserved, created) in rows:  # fmt: skip
            yield (name, category, description, sku, barcode, name1, option1, name2, option2,
                   cost, price, discount, stock, low, weight, shops, status, stock, reserved,
                   stock - reserved, created)  # fmt: skip


def _count_variants(conn: sa.Connection, state: QueryState) -> int:
    stmt = query_spec.covering_count(
        PRODUCTS_SPEC,
        state,
        conn.dialect.name,
        sa.select(sa.func.coalesce(sa.func.sum(products_t.c.variant_count), 0)),
    )
    return int(conn.execute(stmt).scalar_one())


def _product_pages(conn: sa.Connection, state: QueryState) -> Iterator[list[int]]:
    """The filtered products' keys in list order, a page at a time (keyset paging)."""
    after: tuple[Any, int] | None = None
    while True:
        page = query_spec.fetch_keys(conn, PRODUCTS_SPEC, state, after=after, limit=PAGE)
        if not page.keys:
            return
        yield page.keys
        after = page.after


def category_by_name(ctx: ServiceContext, name: str) -> str:
    """The category, as stored, of listed products named `name` (any case): the Products
    list's category filter for the CLI; an unknown name raises, naming the categories."""
    ctx.require(Module.PRODUCTS)
    with ctx.engine.connect() as conn:
        categories = category_names(conn)
    found = named({c: c for c in categories}, name)
    if found is None:
        raise ValidationError(
            msg(
                "No category is named {name} (categories: {known}).",
                name=repr(name),
                known=known_names(categories),
            ),
            field="category",
        )
    return str(found)


def export_products(
    ctx: ServiceContext,
    path: Path,
    *,
    flt: ProductFilter = ProductFilter(),  # noqa: B008  (frozen: safe as a default)
    search: str = "",
    ids: Sequence[int] | None = None,
    lang: str = "vi",
    progress: Progress | None = None,
) -> ExportReport:
    """Write products to the .xlsx file `path`, one row per active variant; returns where,
    how many rows and how long.

    `ids`: exactly those products, in that order (archived ones are skipped); otherwise
    the products of the filter `flt` and the search text `search`, in the Products list's
    default order (newest first). Raises Cancelled (and writes nothing) when
    `progress.check()` asks to stop.
    """
    ctx.require_export(Module.PRODUCTS)
    columns = export_columns(lang)
    target = check_target(path)
    prog: Progress = progress if progress is not None else NullProgress()
    started = time.perf_counter()
    prog.update(0.0, msg("Exporting products"))
    selection = None if ids is None else list(dict.fromkeys(ids))  # each product once
    state = list_state(flt, search=search)
    with replaced_when_done(target) as tmp:
        with ctx.engine.connect() as conn:
            if selection is not None:
                pages: Iterator[list[int]] = (
                    selection[i : i + PAGE] for i in range(0, len(selection), PAGE)
                )
                total = _selection_variants(conn, selection)
            else:
                pages = _product_pages(conn, state)
                total = _count_variants(conn, state)
            if total > MAX_ROWS:
                raise ValidationError(
                    msg(
                        "{count} variants do not fit one Excel sheet ({most} rows at most): "
                        "narrow the filter.",
                        count=total,
                        most=MAX_ROWS,
                    )
                )
            written = _write(tmp, columns, conn, pages, total, prog, lang)
        prog.check()
    report = audit_export(
        ctx,
        "products.export",
        target,
        msg("{count} variants", count=written),
        {
            "file": str(target),
            "rows": written,
            "lang": lang,
            "selection": selection is not None,
            "products": len(selection) if selection is not None else None,
            "search": "" if selection is not None else search,
            "filter": None if selection is not None else _describe(flt),
        },
        started,
    )
    prog.update(1.0, msg("Exported {count} variants", count=written))
    return report


def _selection_variants(conn: sa.Connection, ids: list[int]) -> int:
    p = products_t.c
    total = 0
    for start in range(0, len(ids), PAGE):
        stmt = sa.select(sa.func.coalesce(sa.func.sum(p.variant_count), 0)).where(
            p.id.in_(ids[start : start + PAGE]), p.status != ProductStatus.ARCHIVED
        )
        total += int(conn.execute(stmt).scalar_one())
    return total


def _describe(flt: ProductFilter) -> dict[str, Any]:
    """The filter's set fields, for the audit row."""
    return {k: v for k, v in vars(flt).items() if v not in (None, ())}


def _write(
    tmp: Path,
    columns: list[XlsxColumn],
    conn: sa.Connection,
    pages: Iterator[list[int]],
    total: int,
    prog: Progress,
    lang: str,
) -> int:
    """Stream the rows of every page of products into the workbook `tmp`."""
    sheet = "Sản phẩm" if lang == "vi" else "Products"
    with XlsxStreamWriter(tmp, columns, sheet_name=sheet, tz=shop_tz()) as writer:
        write_row = writer.write_row
        done = 0
        prog.check()
        for page in pages:
            for row in _variant_rows(conn, page, lang):
                write_row(row)
                done += 1
            prog.check()
            prog.update(
                min(done / total, 1.0) if total else 1.0,
                msg("Exported {count} variants", count=done),
            )
        prog.check()
        prog.update(1.0, msg("Saving the file"))
    return done
