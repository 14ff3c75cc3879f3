"""Dashboards: one carrier however it is spelt, the product rank in any order from every
product, Excel numbers for changes and rates, Home's marketplaces whatever shops are ticked."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.engine import Engine

from primedist.domain.enums import Channel, OrderStatus
from primedist.services import reports
from primedist.services.context import ServiceContext
from primedist.services.order_effects import orders_changed
from tests.factories import give_tokens, make_product, make_shop
from tests.services.report_data import FROM, NOW, TO, Shop2, add_order, build

DONE = OrderStatus.COMPLETED


def test_a_carrier_spelt_two_ways_is_one_provider(ctx: ServiceContext, engine: Engine) -> None:
    """Synced Shopee orders say "Giao Hàng Nhanh", the shop's own GHN shipments "GHN":
    one provider, its orders and revenue summed (the orders keep what they say)."""
    shop = make_shop(engine, "Shop", Channel.SHOPEE)
    spellings = {"GHN": 2, "Giao Hàng Nhanh": 3, "giao hang nhanh": 1, "J&T Express": 2,
                 "JT Express": 1, "Ninja Van": 4}  # fmt: skip
    with engine.begin() as conn:
        ids = [
            add_order(
                conn,
                shop,
                f"{name}-{i}",
                datetime(2026, 11, 12, 9),
                DONE,
                carrier=name,
                total=10_000,
            )  # fmt: skip
            for name, n in spellings.items()
            for i in range(n)
        ]
        ids.append(add_order(conn, shop, "before", datetime(2026, 11, 5, 9), DONE,
                             carrier="Giao Hàng Nhanh", total=30_000))  # fmt: skip
        orders_changed(conn, ids, now=NOW)
    a = reports.analytics(ctx, FROM, TO)
    assert [(r.key, r.label, r.orders.current) for r in a.top_carriers] == [
        ("GHN", "GHN", 6), ("Ninja Van", "Ninja Van", 4),
        ("J&T Express", "J&T Express", 3)]  # fmt: skip
    ghn = a.top_carriers[0]
    assert ghn.revenue == reports.Change(60_000, 30_000)
    assert ghn.orders == reports.Change(6, 1)
    ranked = reports.ranking(ctx, "carrier", FROM, TO)
    assert sorted(r.key for r in ranked) == ["GHN", "J&T Express", "Ninja Van"]
    # The detail chart of the one GHN row counts every spelling.
    points = reports.series(ctx, "carrier", FROM, TO, key="GHN").points
    assert sum(p.value for p in points) == 60_000
    assert reports.canonical_carrier("GIAO HÀNG TIẾT KIỆM") == "GHTK"
    assert reports.canonical_carrier("Ahamove") == "Ahamove"  # unknown names as written


def _product_sales(engine: Engine) -> dict[str, int]:
    """12 products: 11 cheap ones sold 5-15 units, one dear one sold 1 unit (the shop's
    best seller by revenue, 12th by units)."""
    shop = make_shop(engine, "Shop", Channel.SHOPEE)
    variants = {f"Cheap {i:02d}": make_product(engine, f"Cheap {i:02d}", [(f"C{i}", 1_000, 99)])[0]
                for i in range(11)}  # fmt: skip
    variants["Dear"] = make_product(engine, "Dear", [("D", 5_000_000, 9)])[0]
    units = {name: 5 + i for i, name in enumerate(variants) if name != "Dear"} | {"Dear": 1}
    with engine.begin() as conn:
        ids = [
            add_order(conn, shop, name, datetime(2026, 11, 12, 9), DONE,
                      lines=[(variants[name], n, 5_000_000 if name == "Dear" else 1_000, 0)])
            for name, n in units.items()
        ]  # fmt: skip
        orders_changed(conn, ids, now=NOW)
    return units


def test_the_product_rank_by_revenue_reads_every_product(
    ctx: ServiceContext, engine: Engine
) -> None:
    _product_sales(engine)
    by_units = reports.analytics(ctx, FROM, TO).products
    assert len(by_units) == 10 and "Dear" not in [r.label for r in by_units]
    by_revenue = reports.analytics(ctx, FROM, TO, rank_by="revenue").products
    assert by_revenue[0].label == "Dear" and len(by_revenue) == 10
    assert [r.revenue.current for r in by_revenue] == sorted(
        (r.revenue.current for r in by_revenue), reverse=True)  # fmt: skip
    rank = reports.product_rank(ctx, FROM, TO, by="revenue", top=3)
    assert [r.label for r in rank] == ["Dear", "Cheap 10", "Cheap 09"]
    fewest = reports.product_rank(ctx, FROM, TO, by="units", descending=False, top=2)
    assert [(r.label, r.units.current if r.units else None) for r in fewest] == [
        ("Dear", 1), ("Cheap 00", 5)]  # fmt: skip
    assert reports.product_rank(ctx, FROM, TO, by="profit", top=1)[0].label == "Dear"
    with pytest.raises(ValueError, match="order"):
        reports.product_rank(ctx, FROM, TO, by="name")


def test_changes_and_rates_are_excel_percentages(
    ctx: ServiceContext, shop: Shop2, tmp_path: Path
) -> None:
    ranking = reports.ranking(ctx, "province", FROM, TO)
    out = reports.export_ranking(
        ctx, tmp_path / "places.xlsx", ranking, title="Tỉnh thành",
        headers=["Tỉnh/thành", "Đơn hàng", "Thay đổi", "Doanh thu", "Thay đổi"],
        unknown="Không rõ",
    )  # fmt: skip
    sheet = openpyxl.load_workbook(out.path).active
    assert sheet is not None
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    hcm = rows["TP. Hồ Chí Minh"]  # 1 order for 30,000 now, 1 for 80,000 before
    assert hcm[2].value == 0 and "%" in hcm[2].number_format
    assert hcm[4].value == pytest.approx(-0.625) and "%" in hcm[4].number_format
    assert isinstance(hcm[4].value, float)
    assert rows["Hà Nội"][2].value is None  # nothing before: no change, a blank cell
    carriers = reports.ranking(ctx, "carrier", FROM, TO)
    out = reports.export_ranking(
        ctx, tmp_path / "carriers.xlsx", carriers, title="Đơn vị vận chuyển",
        headers=["Đơn vị vận chuyển", "Đơn hàng", "Thay đổi", "Doanh thu", "Thay đổi"],
        unknown="Không rõ",
    )  # fmt: skip
    sheet = openpyxl.load_workbook(out.path).active
    assert sheet is not None
    names = [r[0].value for r in sheet.iter_rows(min_row=2)]
    assert "Không rõ" in names and None not in names  # o7 had no carrier: named as on screen
    series = reports.series(ctx, "repeat_rate", FROM, TO, grain="week")
    out = reports.export_series(
        ctx, tmp_path / "rate.xlsx", series, title="Tỷ lệ", value_header="Tỷ lệ mua lại",
        money=False, period_headers=("Từ ngày", "Đến ngày"),
    )  # fmt: skip
    sheet = openpyxl.load_workbook(out.path).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == ["Từ ngày", "Đến ngày", "Tỷ lệ mua lại"]
    values = [(r[2].value, r[2].number_format) for r in sheet.iter_rows(min_row=2)]
    assert values[0][0] == pytest.approx(series.points[0].value / 100)
    assert all(isinstance(v, int | float) and "%" in f for v, f in values)


def test_unknown_products_are_named_in_the_export(
    ctx: ServiceContext, shop: Shop2, engine: Engine, tmp_path: Path
) -> None:
    with engine.begin() as conn:  # a line whose product is gone (no variant)
        oid = add_order(conn, shop.a, "GONE", datetime(2026, 11, 12, 9), DONE,
                        lines=[(None, 1, 10_000, 0)])  # fmt: skip
        orders_changed(conn, [oid], now=NOW)
    rows = reports.ranking(ctx, "product", FROM, TO)
    out = reports.export_ranking(
        ctx, tmp_path / "products.xlsx", rows, title="Sản phẩm",
        headers=["Sản phẩm", "Đã bán", "Thay đổi", "Doanh thu", "Thay đổi", "Lãi gộp",
                 "Thay đổi"],
        unknown="Sản phẩm không còn trong danh mục",
    )  # fmt: skip
    sheet = openpyxl.load_workbook(out.path).active
    assert sheet is not None
    names = [r[0].value for r in sheet.iter_rows(min_row=2)]
    assert "Sản phẩm không còn trong danh mục" in names and "0" not in names


def test_home_counts_every_shop_of_a_marketplace_whatever_is_ticked(
    ctx: ServiceContext, shop: Shop2, engine: Engine
) -> None:
    """Only the Lazada shop ticked: Shopee still has its linked shop (not "Not linked
    yet"); its revenue is left out."""
    tiki = make_shop(engine, "Tiki shop", Channel.TIKI)
    give_tokens(engine, tiki)
    d = reports.dashboard(ctx, FROM, TO, [shop.b])
    rows = {r.channel: r for r in d.channels}
    assert (rows[Channel.SHOPEE].shops_linked, rows[Channel.SHOPEE].shops_total) == (1, 1)
    assert (rows[Channel.TIKI].shops_linked, rows[Channel.TIKI].shops_total) == (1, 1)
    assert (rows[Channel.LAZADA].shops_linked, rows[Channel.LAZADA].shops_total) == (0, 1)
    assert rows[Channel.SHOPEE].revenue == reports.Change(0, 0)
    assert rows[Channel.LAZADA].revenue == reports.Change(30_000, 80_000)
    assert (rows[Channel.TIKTOK].shops_total, rows[Channel.TIKTOK].shops_linked) == (0, 0)


@pytest.fixture
def shop(engine: Engine) -> Shop2:
    return build(engine)
