"""`import_products` and the cost: an empty cost cell keeps an existing variant's cost (the
average the goods receipts built; a new variant gets 0), and a cost given on a member of a
SKU group goes to every member, as in the product form (rows of one group changing it
differently are refused)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.product import Variant
from primedist.services import goods_receipts as gr
from primedist.services import sku_groups as groups
from primedist.services.context import ServiceContext
from primedist.services.order_import import RejectedRow
from primedist.services.product_import import import_products
from tests.factories import make_product
from tests.services.test_product_import import WRITERS, write_csv

variants_t = table_of(Variant)
HEADER = ["product_name", "sku", "price", "cost"]


def costs(engine: Engine, *skus: str) -> list[int]:
    v = variants_t.c
    with engine.connect() as conn:
        found = dict(conn.execute(sa.select(v.sku, v.cost).where(v.sku.in_(skus))).all())
    return [int(found[sku]) for sku in skus]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_empty_cost_cell_keeps_the_cost_the_receipts_made(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path, kind: str
) -> None:
    (ao,) = make_product(engine, "Áo sơ mi", [("AO-1", 150_000, 0)])
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(ao, 16, 111_688)]))
    rows = [
        {"product_name": "Áo sơ mi", "sku": "AO-1", "price": "160000", "cost": ""},
        {"product_name": "Quần jean", "sku": "QJ-1", "price": "250000", "cost": ""},
    ]
    report = import_products(owner_ctx, WRITERS[kind](tmp_path / f"p.{kind}", rows, HEADER))
    assert report.rejected == []
    assert (report.variants_created, report.variants_updated) == (1, 1)  # the price changed
    assert costs(engine, "AO-1", "QJ-1") == [111_688, 0]  # kept; a new variant: 0
    # To clear a cost, one types 0.
    rows[0]["cost"] = "0"
    import_products(owner_ctx, WRITERS[kind](tmp_path / f"zero.{kind}", rows, HEADER))
    assert costs(engine, "AO-1") == [0]


@pytest.fixture
def caps(engine: Engine, owner_ctx: ServiceContext) -> int:
    """Group MU of the same cap on Shopee (MU-SP) and Lazada (MU-LZ), costing 50,000; and a
    hidden (inactive) old listing MU-OLD in it. Returns the group id."""
    (sp,) = make_product(engine, "Mũ (Shopee)", [("MU-SP", 150_000, 0)])
    (lz,) = make_product(engine, "Mũ (Lazada)", [("MU-LZ", 150_000, 0)])
    (old,) = make_product(engine, "Mũ (cũ)", [("MU-OLD", 150_000, 0)])
    gid = groups.create_group(owner_ctx, "MU", "Mũ", variant_ids=[sp, lz, old])
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(sp, 10, 50_000)]))
    with engine.begin() as conn:
        conn.execute(sa.update(variants_t).where(variants_t.c.id == old).values(is_active=False))
    return gid


def test_a_cost_given_on_a_group_member_goes_to_every_member(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path, caps: int
) -> None:
    assert costs(engine, "MU-SP", "MU-LZ", "MU-OLD") == [50_000] * 3
    rows = [{"product_name": "Mũ (Shopee)", "sku": "MU-SP", "price": "150000", "cost": "90000"}]
    report = import_products(owner_ctx, write_csv(tmp_path / "mu.csv", rows, HEADER))
    assert report.rejected == []
    assert costs(engine, "MU-SP", "MU-LZ", "MU-OLD") == [90_000] * 3
    assert report.notes == [
        RejectedRow(2, "cost", "given to 'MU-LZ', 'MU-OLD' too: SKU group 'MU' has one cost")
    ]
    # An export edited on one row: the other member's row still shows the old cost, which
    # changes nothing (as a stale product form does not put it back).
    rows = [
        {"product_name": "Mũ (Shopee)", "sku": "MU-SP", "price": "150000", "cost": "95000"},
        {"product_name": "Mũ (Lazada)", "sku": "MU-LZ", "price": "140000", "cost": "90000"},
    ]
    report = import_products(owner_ctx, write_csv(tmp_path / "mu2.csv", rows, HEADER))
    assert report.rejected == []
    assert costs(engine, "MU-SP", "MU-LZ", "MU-OLD") == [95_000] * 3


def test_rows_of_one_group_giving_different_costs_are_refused(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path, caps: int
) -> None:
    rows = [
        {"product_name": "Mũ (Shopee)", "sku": "MU-SP", "price": "150000", "cost": "90000"},
        {"product_name": "Mũ (Lazada)", "sku": "MU-LZ", "price": "150000", "cost": "80000"},
    ]
    report = import_products(owner_ctx, write_csv(tmp_path / "mu.csv", rows, HEADER))
    assert report.rejected == [
        RejectedRow(3, "cost", "SKU 'MU-LZ' shares the cost of SKU group 'MU' with SKU "
                               "'MU-SP' on row 2, which gives 90,000: give both the same cost")
    ]  # fmt: skip
    # The first row's cost is taken, by the whole group.
    assert costs(engine, "MU-SP", "MU-LZ", "MU-OLD") == [90_000] * 3
