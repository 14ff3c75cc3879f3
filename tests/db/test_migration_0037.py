"""Migration 0037 (product search options): the products stored before it get the option
values of their variants in their search text, and the search index (FTS5 on SQLite)
follows, so the sale screen finds "ao so mi xanh reu"."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

import primedist.db.store as store
from primedist.services import catalogue, sale_lookup
from primedist.services.catalogue import ProductDraft, VariantDraft
from primedist.services.context import ServiceContext

BEFORE = "0036_audit_pc"


def texts(engine: Engine) -> dict[int, str]:
    with engine.connect() as conn:
        return {
            int(i): str(t) for i, t in conn.execute(sa.text("SELECT id, search_text FROM products"))
        }


def test_upgrade_adds_the_option_values_and_the_index_follows(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    shirt = catalogue.create_product(owner_ctx, ProductDraft(
        name="Áo sơ mi linen nữ", option1_name="Màu", option2_name="Size",
        variants=[VariantDraft(sku=f"ASM-{c}-M", barcode=None, option1=colour, option2="M",
                               price=350_000)
                  for c, colour in (("TR", "Trắng"), ("XR", "Xanh rêu"))]))  # fmt: skip
    cup = catalogue.create_product(owner_ctx, ProductDraft(
        name="Cốc sứ", variants=[VariantDraft(sku="COC-1", price=45_000)]))  # fmt: skip
    old = catalogue.create_product(owner_ctx, ProductDraft(
        name="Mũ cũ", variants=[VariantDraft(sku="MU-1", option1="Đen", price=1)],
        option1_name="Màu"))  # fmt: skip
    expected = texts(engine)
    assert "xanh reu" in expected[shirt]
    with engine.begin() as conn:
        # As written before 0037: name, SKUs and barcodes only (the FTS trigger follows).
        conn.execute(sa.text("UPDATE products SET search_text = :t WHERE id = :i"), [
            {"i": shirt, "t": "ao so mi linen nu asm-tr-m asm-xr-m"},
            {"i": old, "t": "mu cu mu-1"}])  # fmt: skip
        # An archived product has no active variant: it keeps being found by its SKUs.
        conn.execute(sa.text("UPDATE variants SET is_active = false WHERE product_id = :i"),
                     {"i": old})  # fmt: skip
    assert sale_lookup.search_variants(owner_ctx, "ao so mi xanh reu") == []

    store.migrate(engine, BEFORE, down=True)
    store.migrate(engine, "head")
    assert store.current_revision(engine) == store.HEAD_REVISION
    assert texts(engine) == {**expected, old: "mu cu mu-1 den"}
    assert texts(engine)[cup] == "coc su coc-1"
    hits = sale_lookup.search_variants(owner_ctx, "ao so mi xanh reu")
    assert [h.sku for h in hits] == ["ASM-XR-M"]
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":  # the rebuilt index agrees with its table
            conn.exec_driver_sql(
                "INSERT INTO products_fts(products_fts, rank) VALUES ('integrity-check', 1)"
            )
