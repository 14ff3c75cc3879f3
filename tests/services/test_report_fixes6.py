"""Reports, round 6: a counter shop sells every product (Home's Low on stock and No
revenue for it alone), a week or month the range cuts short, a rate with no buyer,
the product rank's ⓘ as README says it, and ranking exports' counts in #,##0."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.enums import Channel
from primedist.domain.product import Product
from primedist.queries.products import ProductFilter, product_filter_clauses
from primedist.services import reports
from primedist.services.context import ServiceContext
from tests.factories import make_product, make_shop
from tests.services.report_data import FROM, TO, build

products_t = table_of(Product)


def low_on_stock(engine: Engine, *names: str) -> None:
    with engine.begin() as conn:
        conn.execute(products_t.update().where(products_t.c.name.in_(names))
                     .values(low_stock=True))  # fmt: skip


def test_a_counter_shop_alone_counts_every_product(ctx: ServiceContext) -> None:
    """Only the counter ticked: it sells every product (it has no listings), so Home's
    Low on stock and No revenue count them all (they read 0), and the Products list
    the card opens shows the same products."""
    shop = build(ctx.engine)
    counter = make_shop(ctx.engine, "Quầy", Channel.OFFLINE)
    make_product(ctx.engine, "Khăn len", [("K1", 90_000, 2)])
    low_on_stock(ctx.engine, "Khăn len", "Mũ lưỡi trai")
    every = reports.dashboard(ctx, FROM, TO)
    alone = reports.dashboard(ctx, FROM, TO, (counter,))
    assert every.todo["low_stock"] == 2
    assert alone.todo["low_stock"] == 2
    assert every.todo["no_revenue"] == 2  # Mũ lưỡi trai and Khăn len were not sold
    assert alone.todo["no_revenue"] == 4  # none of the 4 sold at the counter
    # A marketplace shop still counts only what is listed on it (nothing here).
    assert reports.dashboard(ctx, FROM, TO, (shop.a,)).todo["low_stock"] == 0
    flt = ProductFilter(shop_ids=(counter,), statuses=("low_stock",))
    with ctx.engine.connect() as conn:
        listed = conn.execute(sa.select(products_t.c.name)
                              .where(*product_filter_clauses(flt))).scalars()  # fmt: skip
        assert sorted(listed) == ["Khăn len", "Mũ lưỡi trai"]
    names = [name for _i, name, _s in reports.no_revenue_products(ctx, FROM, TO, (counter,))]
    assert "Khăn len" in names


def test_a_bucket_the_range_cuts_short_is_partial() -> None:
    assert reports.buckets(date(2026, 11, 20), date(2026, 12, 6), "month") == [
        (date(2026, 11, 20), date(2026, 11, 30)),
        (date(2026, 12, 1), date(2026, 12, 6)),
    ]
    assert reports.partial_bucket(date(2026, 12, 1), date(2026, 12, 6), "month")
    assert not reports.partial_bucket(date(2026, 11, 1), date(2026, 11, 30), "month")
    assert not reports.partial_bucket(date(2026, 2, 1), date(2026, 2, 28), "month")
    assert reports.partial_bucket(date(2026, 11, 11), date(2026, 11, 15), "week")  # Wed–Sun
    assert not reports.partial_bucket(date(2026, 11, 9), date(2026, 11, 15), "week")
    assert not reports.partial_bucket(date(2026, 11, 11), date(2026, 11, 11), "day")


def test_a_rate_with_no_buyer_is_empty_not_zero(ctx: ServiceContext) -> None:
    build(ctx.engine)
    series = reports.series(ctx, "repeat_rate", FROM, TO)
    by_day = {p.start: p for p in series.points}
    assert not by_day[FROM].empty  # O1's customer bought that day
    quiet = [p for p in series.points if p.empty]
    assert quiet and all(p.value == 0 for p in quiet)
    revenue = reports.series(ctx, "revenue", FROM, TO)
    assert not any(p.empty for p in revenue.points)  # a sum of nothing is 0
    # The JSON (`report series --json`) says null for it, not 0 %.
    values = {pt["from"]: pt["value"] for pt in series.to_json()["points"]}
    assert all(values[p.start.isoformat()] is None for p in quiet)
    assert values[FROM.isoformat()] is not None


def test_the_product_rank_definition_leaves_returned_units_out() -> None:
    text = reports.DEFINITIONS["product"]
    assert "returned units left out" in text and "sum of its line subtotals" not in text


def test_ranking_exports_write_counts_with_thousands(ctx: ServiceContext, tmp_path: Path) -> None:
    build(ctx.engine)
    rows = reports.ranking(ctx, "product", FROM, TO)
    target = tmp_path / "rank.xlsx"
    headers = ["Product", "Units", "Change", "Revenue", "Change", "Profit", "Change"]
    reports.export_ranking(ctx, target, rows, title="Rank", headers=headers)
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    counts = [r[1] for r in sheet.iter_rows(min_row=2)]
    assert counts and all(c.number_format == "#,##0" for c in counts)
    assert [r[3].number_format for r in sheet.iter_rows(min_row=2)][0] == "#,##0"
