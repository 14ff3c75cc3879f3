"""The Products list query: filters, sorts, folded search, row cells and query plans, on
a real migrated database filled through the factories."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.db.product_summary import refresh_product_summaries
from primedist.queries import products as q
from primedist.queries.products import PRODUCTS_SPEC, ProductFilter, list_state
from primedist.queries.spec import (
    QuerySpec,
    QueryState,
    count_rows,
    count_stmt,
    fetch_keys,
    fetch_rows,
    keys_stmt,
)
from tests.factories import make_catalogue_product, make_shop

START = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
PG_URL = os.environ.get("PRIMEDIST_TEST_DATABASE_URL", "")
DIALECT = sa.make_url(PG_URL).get_backend_name() if PG_URL else "sqlite"


@dataclass
class Cat:
    engine: Engine
    shopee: int
    lazada: int
    tiki: int
    ids: dict[str, int]

    def all_keys(self, state: QueryState, spec: QuerySpec = PRODUCTS_SPEC) -> list[int]:
        with self.engine.connect() as conn:
            out: list[int] = []
            after = None
            while True:
                page = fetch_keys(conn, spec, state, after=after, limit=2)
                if not page.keys:
                    return out
                out += page.keys
                after = page.after

    def names(self, flt: ProductFilter = ProductFilter(), **kw: Any) -> set[str]:  # noqa: B008
        by_id = {v: k for k, v in self.ids.items()}
        keys = self.all_keys(list_state(flt, **kw))
        with self.engine.connect() as conn:
            assert count_rows(conn, PRODUCTS_SPEC, list_state(flt, **kw)) == len(keys)
        assert len(keys) == len(set(keys))
        return {by_id[k] for k in keys}


@pytest.fixture
def cat(engine: Engine) -> Cat:
    shopee = make_shop(engine, "Prime Shopee", "shopee")
    lazada = make_shop(engine, "Prime Lazada", "lazada")
    tiki = make_shop(engine, "Prime Tiki", "tiki")

    def at(i: int) -> datetime:
        return START + timedelta(hours=i)

    ids = {
        "ao": make_catalogue_product(
            engine, "Áo thun trắng",
            [("AO-TRANG-S", 120_000, 99_000, 10), ("AO-TRANG-M", 150_000, None, 0)],
            shop_ids=(shopee, lazada), category="Áo", created_at=at(1),
            barcodes=("8934567890123", None),
            images=(("images/ao/1.jpg", "images/ao/1_t.jpg"), ("images/ao/2.jpg", None)),
        ),
        "quan": make_catalogue_product(
            engine, "Quần jean đen", [("QJ-30", 350_000, None, 2)], shop_ids=(lazada,),
            category="Quần", created_at=at(2), low_stock_level=5,
        ),
        "dam": make_catalogue_product(
            engine, "Đầm dạ hội", [("DAM-01", 900_000, 700_000, 0)], shop_ids=(tiki,),
            created_at=at(3),
        ),
        "mu": make_catalogue_product(
            engine, "Mũ lưỡi trai", [("MU-1", 50_000, 45_000, 100)], shop_ids=(shopee,),
            status="hidden", created_at=at(4),
        ),
        "tui": make_catalogue_product(engine, "Túi vải", [], created_at=at(5)),
        "tat": make_catalogue_product(
            engine, "Tất cổ ngắn", [("TAT-1", 20_000, None, 5)], shop_ids=(shopee, tiki),
            created_at=at(6), reserved=5,
        ),
        "cu": make_catalogue_product(
            engine, "Áo cũ", [("AO-CU", 10_000, None, 3)], shop_ids=(shopee,),
            status="archived", created_at=at(7),
        ),
    }  # fmt: skip
    return Cat(engine, shopee, lazada, tiki, ids)


LISTED = {"ao", "quan", "dam", "mu", "tui", "tat"}


def test_archived_products_are_never_listed(cat: Cat) -> None:
    assert cat.names() == LISTED
    assert "cu" not in cat.names(ProductFilter(shop_ids=(cat.shopee,)))
    assert "cu" not in cat.names(search="ao")


def test_default_order_is_newest_first(cat: Cat) -> None:
    keys = cat.all_keys(list_state(ProductFilter()))
    expected = ["tat", "tui", "mu", "dam", "quan", "ao"]
    assert keys == [cat.ids[k] for k in expected]


@pytest.mark.parametrize(
    ("sort_key", "value"),
    [
        ("name", lambda r: r["name_key"]),
        ("price", lambda r: r["price_min"]),
        ("stock", lambda r: r["available_total"]),
        ("created", lambda r: r["created_at"]),
    ],
)
@pytest.mark.parametrize("descending", [False, True])
def test_every_sort_in_both_directions(cat: Cat, sort_key: str, value: Any, descending: bool):
    with cat.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(
            sa.select(q.products).where(q.products.c.status != "archived"))]  # fmt: skip
    rows.sort(key=lambda r: (value(r), r["id"]), reverse=descending)
    state = list_state(ProductFilter(), sort_key=sort_key, descending=descending)
    assert cat.all_keys(state) == [r["id"] for r in rows]


def test_name_sort_ignores_accents_and_case(cat: Cat) -> None:
    by_id = {v: k for k, v in cat.ids.items()}

    def by_name() -> list[str]:
        state = list_state(ProductFilter(), sort_key="name", descending=False)
        return [by_id[k] for k in cat.all_keys(state)]

    # Áo with A, Đầm with D (not after Z, where their binary order puts them).
    assert by_name() == ["ao", "dam", "mu", "quan", "tat", "tui"]
    # A rename through a writer (which refreshes the summary) moves the product.
    with cat.engine.begin() as conn:
        conn.execute(
            sa.update(q.products).where(q.products.c.id == cat.ids["tui"]).values(name="BÁNH túi")
        )
        refresh_product_summaries(conn, [cat.ids["tui"]])
    assert by_name() == ["ao", "tui", "dam", "mu", "quan", "tat"]
    with cat.engine.connect() as conn:
        stmt = sa.select(q.products.c.name_key).where(q.products.c.id == cat.ids["dam"])
        assert conn.execute(stmt).scalar_one() == "dam da hoi"


def test_shop_filter(cat: Cat) -> None:
    assert cat.names(ProductFilter(shop_ids=(cat.shopee,))) == {"ao", "mu", "tat"}
    assert cat.names(ProductFilter(shop_ids=(cat.lazada, cat.tiki))) == {"ao", "quan", "dam", "tat"}


def test_an_inactive_listing_does_not_count(cat: Cat) -> None:
    # Listing writers refresh the product's summary in their transaction (the rule).
    with cat.engine.begin() as conn:
        conn.execute(
            sa.update(q.listings)
            .where(q.listings.c.product_id == cat.ids["ao"], q.listings.c.shop_id == cat.lazada)
            .values(is_active=False)
        )
        refresh_product_summaries(conn, [cat.ids["ao"]])
    assert cat.names(ProductFilter(shop_ids=(cat.lazada,))) == {"quan"}
    assert cat.names(ProductFilter(shop_ids=(cat.shopee,))) == {"ao", "mu", "tat"}


def test_listed_shops_follows_the_active_listings(cat: Cat) -> None:
    def listed(name: str) -> str:
        with cat.engine.connect() as conn:
            stmt = sa.select(q.products.c.listed_shops).where(q.products.c.id == cat.ids[name])
            return str(conn.execute(stmt).scalar_one())

    # Both marketplace listings lack their item id: "u" marks them (the Not linked chip).
    assert listed("ao") == f",{cat.shopee},{cat.lazada},u{cat.shopee},u{cat.lazada},"
    assert listed("tui") == ""
    with cat.engine.begin() as conn:
        conn.execute(
            sa.insert(q.listings),
            {"product_id": cat.ids["tui"], "shop_id": cat.tiki, "is_active": True},
        )
        refresh_product_summaries(conn)  # the whole catalogue, as the migration does
    assert listed("tui") == f",{cat.tiki},u{cat.tiki},"
    assert cat.names(ProductFilter(shop_ids=(cat.tiki,))) == {"dam", "tat", "tui"}


def test_a_shop_id_is_not_matched_inside_another(engine: Engine) -> None:
    # Shop 1 and shop 11 (or 2 and 12...): ",1," is not in ",11,".
    # Marketplace shops: a counter (offline) shop sells every product, listed or not.
    one = make_shop(engine, "Shop 1", "shopee")
    other = make_shop(engine, "Shop 2", "shopee")
    while str(one) not in str(other):
        other = make_shop(engine, f"Shop {other + 1}", "shopee")
    pid = make_catalogue_product(engine, "Khăn", [("KH-1", 10_000, None, 1)], shop_ids=(other,))
    with engine.connect() as conn:
        state = list_state(ProductFilter(shop_ids=(one,)))
        assert count_rows(conn, PRODUCTS_SPEC, state) == 0
        assert fetch_keys(conn, PRODUCTS_SPEC, state, after=None, limit=5).keys == []
        state = list_state(ProductFilter(shop_ids=(one, other)))
        assert fetch_keys(conn, PRODUCTS_SPEC, state, after=None, limit=5).keys == [pid]


def test_price_range_matches_some_variant(cat: Cat) -> None:
    # Áo: 120k-150k; a range touching either end of it matches.
    assert cat.names(ProductFilter(price_min=140_000, price_max=200_000)) == {"ao"}
    assert cat.names(ProductFilter(price_min=100_000, price_max=125_000)) == {"ao"}
    assert cat.names(ProductFilter(price_min=151_000, price_max=349_999)) == set()
    assert cat.names(ProductFilter(price_min=350_000)) == {"quan", "dam"}
    # Only an upper bound; the product without variants has no price at all.
    assert cat.names(ProductFilter(price_max=50_000)) == {"mu", "tat"}


def test_discount_price_range(cat: Cat) -> None:
    assert cat.names(ProductFilter(discount_min=0)) == {"ao", "dam", "mu"}
    assert cat.names(ProductFilter(discount_max=99_000)) == {"ao", "mu"}
    assert cat.names(ProductFilter(discount_min=50_000, discount_max=100_000)) == {"ao"}


def test_stock_range_is_on_available_stock(cat: Cat) -> None:
    # Tất: 5 on hand, 5 reserved = 0 available.
    assert cat.names(ProductFilter(stock_max=0)) == {"dam", "tui", "tat"}
    assert cat.names(ProductFilter(stock_min=2, stock_max=10)) == {"ao", "quan"}
    assert cat.names(ProductFilter(stock_min=50)) == {"mu"}


def test_statuses_are_or_ed(cat: Cat) -> None:
    assert cat.names(ProductFilter(statuses=("active",))) == LISTED - {"mu"}
    assert cat.names(ProductFilter(statuses=("hidden",))) == {"mu"}
    # Out of stock: nothing available and at least one variant (not the empty Túi).
    assert cat.names(ProductFilter(statuses=("out_of_stock",))) == {"dam", "tat"}
    assert cat.names(ProductFilter(statuses=("low_stock",))) == {"quan"}
    assert cat.names(ProductFilter(statuses=("hidden", "low_stock"))) == {"mu", "quan"}
    assert cat.names(ProductFilter(statuses=("out_of_stock", "low_stock"))) == {
        "dam",
        "tat",
        "quan",
    }
    assert cat.names(ProductFilter(statuses=("active", "hidden"))) == LISTED


def test_no_weight_finds_the_products_with_a_variant_to_weigh(cat: Cat) -> None:
    """The summary follows the variants (every writer refreshes it, as here)."""
    assert cat.names(ProductFilter(statuses=("no_weight",))) == LISTED - {"tui"}  # no variant

    def weigh(sql: str) -> None:
        with cat.engine.begin() as conn:
            conn.execute(sa.text(sql))
            refresh_product_summaries(conn)

    weigh("UPDATE variants SET weight_g = 200 WHERE sku != 'AO-TRANG-M'")
    assert cat.names(ProductFilter(statuses=("no_weight",))) == {"ao"}  # AO-TRANG-M
    assert cat.names(ProductFilter(statuses=("no_weight", "hidden"))) == {"ao", "mu"}
    weigh("UPDATE variants SET is_active = false WHERE sku = 'AO-TRANG-M'")  # not sold
    assert cat.names(ProductFilter(statuses=("no_weight",))) == set()


def test_not_linked_finds_the_marketplace_listings_without_their_item(cat: Cat) -> None:
    """Every listing the factory makes has no item id: the listed products are not linked
    (the shop chip still matches them); once linked, the mark goes with the refresh."""
    listed = {"ao", "quan", "dam", "mu", "tat"}  # "tui" is on no shop
    assert cat.names(ProductFilter(statuses=("not_linked",))) == listed
    assert cat.names(ProductFilter(statuses=("not_linked", "active"))) == LISTED

    def link(sql: str) -> None:
        with cat.engine.begin() as conn:
            conn.execute(sa.text(sql))
            refresh_product_summaries(conn)

    link(f"UPDATE product_listings SET external_id = 'I' || id WHERE shop_id = {cat.shopee}")
    # "ao" (and "tat") are still not linked on Lazada (Tiki); "mu" is linked everywhere.
    assert cat.names(ProductFilter(statuses=("not_linked",))) == {"ao", "quan", "dam", "tat"}
    assert cat.names(ProductFilter(shop_ids=(cat.shopee,))) == {"ao", "mu", "tat"}
    assert cat.names(ProductFilter(shop_ids=(cat.lazada,))) == {"ao", "quan"}
    link("UPDATE product_listings SET external_id = 'I' || id")
    assert cat.names(ProductFilter(statuses=("not_linked",))) == set()
    link(f"UPDATE shops SET channel = 'offline' WHERE id = {cat.tiki}")  # nothing to link
    link(f"UPDATE product_listings SET external_id = NULL WHERE shop_id = {cat.tiki}")
    assert cat.names(ProductFilter(statuses=("not_linked",))) == set()


def test_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError, match="bogus"):
        ProductFilter(statuses=("bogus",))


def test_category_and_combined_filters(cat: Cat) -> None:
    assert cat.names(ProductFilter(category="Áo")) == {"ao"}
    flt = ProductFilter(shop_ids=(cat.shopee,), price_max=60_000, statuses=("active",))
    assert cat.names(flt) == {"tat"}
    assert cat.names(flt, search="tat") == {"tat"}
    assert cat.names(flt, search="ao") == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ao thun", {"ao"}),
        ("Áo THUN", {"ao"}),
        ("dam da hoi", {"dam"}),  # đ folds to d
        ("đầm", {"dam"}),
        ("quan jean", {"quan"}),
        ("AO-TRANG-M", {"ao"}),  # a SKU
        ("qj-30", {"quan"}),
        ("8934567890123", {"ao"}),  # a barcode
        ("tr", {"ao", "mu"}),  # word prefixes: trắng, trai
        ("khong co", set()),
    ],
)
def test_folded_search_on_name_sku_and_barcode(cat: Cat, text: str, expected: set[str]) -> None:
    assert cat.names(search=text) == expected


def test_row_cells(cat: Cat) -> None:
    with cat.engine.connect() as conn:
        rows = fetch_rows(conn, PRODUCTS_SPEC, [cat.ids["ao"], cat.ids["tui"], cat.ids["tat"]])
    col = {c.key: i for i, c in enumerate(PRODUCTS_SPEC.columns)}
    ao = rows[cat.ids["ao"]]
    assert ao[col["thumbnail"]] == "images/ao/1_t.jpg"
    assert ao[col["name"]] == "Áo thun trắng"
    assert ao[col["skus"]] == "AO-TRANG-S, AO-TRANG-M"
    assert sorted(ao[col["shops"]].split(", ")) == ["Prime Lazada", "Prime Shopee"]
    assert sorted(ao[col["channels"]].split(", ")) == ["lazada", "shopee"]
    assert (ao[col["price"]], ao[col["price_max"]]) == (120_000, 150_000)
    assert (ao[col["discount_price"]], ao[col["discount_max"]]) == (99_000, 99_000)
    assert (ao[col["stock"]], ao[col["on_hand"]], ao[col["variant_count"]]) == (10, 10, 2)
    assert str(ao[col["status"]]) == "active"
    tui = rows[cat.ids["tui"]]
    assert tui[col["thumbnail"]] is None and tui[col["skus"]] is None
    assert tui[col["shops"]] is None and tui[col["discount_price"]] is None
    tat = rows[cat.ids["tat"]]
    assert (tat[col["stock"]], tat[col["on_hand"]]) == (0, 5)


def test_category_names(cat: Cat) -> None:
    with cat.engine.connect() as conn:
        assert q.category_names(conn) == ["Quần", "Áo"]


# --------------------------------------------------------------------------- query plans

SORT_INDEX = {
    "name": "ix_products_name_key_id",
    "price": "ix_products_price_min_id",
    "stock": "ix_products_available_total_id",
    "created": "ix_products_created_at_id",
}


def _plan(conn: sa.Connection, stmt: sa.Select[Any]) -> list[str]:
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    processors = compiled._bind_processors  # noqa: SLF001  (the values as the driver gets them)
    assert compiled.positiontup is not None
    values = tuple(
        processors[k](params[k]) if k in processors else params[k] for k in compiled.positiontup
    )
    rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled.string}", values).all()
    conn.exec_driver_sql(compiled.string, values).all()  # and the query itself runs
    return [str(r[-1]) for r in rows]


def _filters(c: Cat) -> dict[str, ProductFilter]:
    return {
        "none": ProductFilter(),
        "shop": ProductFilter(shop_ids=(c.shopee, c.lazada)),
        "price": ProductFilter(price_min=100_000, price_max=400_000),
        "discount": ProductFilter(discount_min=10_000),
        "stock": ProductFilter(stock_min=1, stock_max=50),
        "hidden": ProductFilter(statuses=("hidden",)),
        "low stock": ProductFilter(statuses=("low_stock",)),
        "active + out of stock": ProductFilter(statuses=("active", "out_of_stock")),
        "no weight": ProductFilter(statuses=("no_weight",)),
        "everything": ProductFilter(
            shop_ids=(c.tiki,), price_min=1, stock_max=10, statuses=("low_stock",), category="Áo"
        ),  # fmt: skip
    }


@pytest.mark.skipif(DIALECT != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's")
@pytest.mark.parametrize("sort_key", list(SORT_INDEX))
def test_keyset_pages_walk_the_sort_index_whatever_the_filter(cat: Cat, sort_key: str) -> None:
    with cat.engine.connect() as conn:
        assert not sa.inspect(conn).has_table("sqlite_stat1")  # plans from indexes alone
        for fname, flt in _filters(cat).items():
            for desc in (False, True):
                state = list_state(flt, sort_key=sort_key, descending=desc)
                first = fetch_keys(conn, PRODUCTS_SPEC, state, after=None, limit=1)
                after = first.after or (0, 0)
                for bound in (None, after):
                    stmt = keys_stmt(PRODUCTS_SPEC, state, "sqlite", after=bound, limit=100)
                    plan = _plan(conn, stmt)
                    text = "\n".join(plan)
                    where = f"{sort_key} {'desc' if desc else 'asc'} / {fname}: {plan}"
                    assert f"COVERING INDEX {SORT_INDEX[sort_key]}" in text, where
                    assert "USE TEMP B-TREE" not in text, where


@pytest.mark.skipif(DIALECT != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's")
def test_counts_read_one_covering_index(cat: Cat) -> None:
    with cat.engine.connect() as conn:
        plain = _plan(conn, count_stmt(PRODUCTS_SPEC, list_state(ProductFilter()), "sqlite"))
        assert plain == ["SEARCH products USING COVERING INDEX ix_products_status_created_at_id"
                         " (status=?)"], plain  # fmt: skip
        for fname, flt in _filters(cat).items():
            plan = _plan(conn, count_stmt(PRODUCTS_SPEC, list_state(flt), "sqlite"))
            # One index, read alone: never the product rows, never a listing per product.
            # A price range asks the variants of the products whose prices straddle it
            # (the others are decided on the index), by product id.
            if plan[1:] and flt.price_min is not None and flt.price_max is not None:
                assert plan[1:] == [
                    "CORRELATED SCALAR SUBQUERY 1",
                    "SEARCH variants USING INDEX ix_variants_product_id (product_id=?)",
                ], plan
                plan = plan[:1]
            if flt.shop_ids:  # is a counter shop among them: once, not per product
                assert plan[1:] == [
                    "SCALAR SUBQUERY 1",
                    "SEARCH shops USING INTEGER PRIMARY KEY (rowid=?)",
                ], plan
                plan = plan[:1]
            assert len(plan) == 1 and "USING COVERING INDEX" in plan[0], (fname, plan)
        counted = count_rows(conn, PRODUCTS_SPEC, list_state(_filters(cat)["shop"]))
        assert counted == len(cat.names(_filters(cat)["shop"])) == 4
