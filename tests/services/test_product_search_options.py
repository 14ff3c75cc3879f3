"""Product search finds colours and sizes: a product's search text holds its variants'
option values (however the product was written: the form, an import), the sale screen and
a goods receipt list the variants of the colour typed, the Products list finds the
product by it."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.product import Product
from primedist.queries.products import PRODUCTS_SPEC, ProductFilter, list_state
from primedist.queries.spec import fetch_keys
from primedist.services import catalogue, sale_lookup
from primedist.services import goods_receipts as receipts
from primedist.services.catalogue import ProductDraft, VariantDraft
from primedist.services.context import ServiceContext
from primedist.services.product_import import import_products

COLOURS = {"TR": "Trắng", "XR": "Xanh rêu"}


def linen_draft() -> ProductDraft:
    """The "Áo sơ mi linen nữ": Màu (Trắng, Xanh rêu) × Size (S, M)."""
    return ProductDraft(
        name="Áo sơ mi linen nữ", option1_name="Màu", option2_name="Size",
        variants=[VariantDraft(sku=f"ASM-{c}-{s}", option1=colour, option2=s, price=350_000,
                               stock=5)
                  for c, colour in COLOURS.items() for s in ("S", "M")],
    )  # fmt: skip


def search_text(engine: Engine, product_id: int) -> str:
    products = table_of(Product)
    with engine.connect() as conn:
        stmt = sa.select(products.c.search_text).where(products.c.id == product_id)
        return str(conn.execute(stmt).scalar_one())


def skus(hits: list[sale_lookup.VariantHit]) -> list[str]:
    return [h.sku for h in hits]


def test_the_form_writes_the_option_values_each_once(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    pid = catalogue.create_product(owner_ctx, linen_draft())
    assert search_text(engine, pid) == (
        "ao so mi linen nu asm-tr-s trang s asm-tr-m m asm-xr-s xanh reu asm-xr-m"
    )


def test_a_colour_changed_in_the_form_is_searched_by_its_new_name(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    pid = catalogue.create_product(owner_ctx, linen_draft())
    draft = catalogue.get_product(owner_ctx, pid).draft
    recoloured = [replace(v, option1="Xanh lá") if v.option1 == "Xanh rêu" else v
                  for v in draft.variants]  # fmt: skip
    catalogue.update_product(owner_ctx, pid, replace(draft, variants=recoloured))
    assert "xanh la" in search_text(engine, pid)
    assert sale_lookup.search_variants(owner_ctx, "ao so mi xanh reu") == []
    assert skus(sale_lookup.search_variants(owner_ctx, "ao so mi xanh la")) == [
        "ASM-XR-S", "ASM-XR-M"]  # fmt: skip


def test_the_sale_search_lists_the_variants_of_the_colour_and_size_typed(
    owner_ctx: ServiceContext,
) -> None:
    catalogue.create_product(owner_ctx, linen_draft())
    plain = ProductDraft(name="Áo sơ mi trắng nam", variants=[VariantDraft(sku="SMT-1", price=1)])
    catalogue.create_product(owner_ctx, plain)
    search = sale_lookup.search_variants
    found = search(owner_ctx, "ao so mi xanh reu")
    assert skus(found) == ["ASM-XR-S", "ASM-XR-M"]
    assert [h.variant_name for h in found] == ["Xanh rêu / S", "Xanh rêu / M"]
    assert skus(search(owner_ctx, "ao so mi xanh reu m")) == ["ASM-XR-M"]
    assert skus(search(owner_ctx, "Xanh Rêu")) == ["ASM-XR-S", "ASM-XR-M"]
    # The name alone: every variant, as before.
    assert skus(search(owner_ctx, "ao so mi linen")) == [
        "ASM-TR-S", "ASM-TR-M", "ASM-XR-S", "ASM-XR-M"]  # fmt: skip
    # "trang" is in one product's name and in the other's colour.
    assert skus(search(owner_ctx, "ao so mi trang")) == ["ASM-TR-S", "ASM-TR-M", "SMT-1"]
    # Words of two different variants name none of them.
    assert search(owner_ctx, "linen trang xanh") == []


def test_a_goods_receipt_finds_the_colour_too(owner_ctx: ServiceContext) -> None:
    catalogue.create_product(owner_ctx, linen_draft())
    assert skus(receipts.search_variants(owner_ctx, "so mi xanh reu s")) == ["ASM-XR-S"]


def test_the_products_list_finds_a_product_by_a_colour(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    pid = catalogue.create_product(owner_ctx, linen_draft())
    catalogue.create_product(owner_ctx, ProductDraft(
        name="Quần tây", variants=[VariantDraft(sku="QT-1", price=250_000)]))  # fmt: skip
    with engine.connect() as conn:
        for text in ("xanh reu", "ao so mi xanh reu", "Xanh Rêu"):
            keys = fetch_keys(conn, PRODUCTS_SPEC, list_state(ProductFilter(), search=text),
                              after=None, limit=10).keys  # fmt: skip
            assert keys == [pid], text


def write_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    """The linen shirt as a file: (SKU, colour) rows, size M."""
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["product_name", "sku", "price", "option1_name", "option1",
                      "option2_name", "option2"])  # fmt: skip
        for sku, colour in rows:
            out.writerow(["Áo sơ mi linen nữ", sku, "350000", "Màu", colour, "Size", "M"])
    return path


def test_an_import_writes_the_option_values_and_a_new_colour_reindexes(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    rows = [("ASM-TR-M", "Trắng"), ("ASM-XR-M", "Xanh rêu")]
    report = import_products(owner_ctx, write_csv(tmp_path / "a.csv", rows))
    assert report.rejected == []
    (pid,) = table_of_ids(engine)
    assert search_text(engine, pid) == "ao so mi linen nu asm-tr-m trang m asm-xr-m xanh reu"
    # Only a colour changes (name, SKUs and barcodes as they were).
    rows[1] = ("ASM-XR-M", "Xanh lá")
    import_products(owner_ctx, write_csv(tmp_path / "b.csv", rows))
    assert search_text(engine, pid) == "ao so mi linen nu asm-tr-m trang m asm-xr-m xanh la"
    assert skus(sale_lookup.search_variants(owner_ctx, "linen xanh la")) == ["ASM-XR-M"]


def table_of_ids(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return [int(i) for i in conn.execute(sa.select(table_of(Product).c.id)).scalars()]


def test_the_sku_group_picker_lists_the_variants_of_the_colour_typed(
    owner_ctx: ServiceContext,
) -> None:
    from primedist.services import sku_groups

    catalogue.create_product(owner_ctx, linen_draft())

    def picked(text: str) -> list[str]:
        return [c.sku for c in sku_groups.find_candidates(owner_ctx, text)]

    assert picked("ao so mi xanh reu") == ["ASM-XR-M", "ASM-XR-S"]
    assert picked("ao so mi xanh reu m") == ["ASM-XR-M"]
    assert picked("ao so mi linen") == ["ASM-TR-M", "ASM-TR-S", "ASM-XR-M", "ASM-XR-S"]
    assert picked("asm-tr") == ["ASM-TR-M", "ASM-TR-S"]  # a SKU's start: its variants
