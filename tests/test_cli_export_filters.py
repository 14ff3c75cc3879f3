"""`primedist export orders|products|customers`: the lists' filter chips as options. Each
narrows the written .xlsx as the list would; a bad value (an amount, a name the shop does
not know, a range upside down) is a one-line usage error naming the option (exit 2), and
no file is written."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.cli import EXIT_OK, EXIT_USAGE
from primedist.config import resolve_settings
from primedist.db.store import open_store
from primedist.domain.enums import Channel, OrderStatus
from primedist.queries.customers import customers as customers_t
from primedist.queries.orders import orders
from primedist.services import auth, segments
from primedist.services.context import ServiceContext
from tests.factories import make_orders, make_shop
from tests.services.test_product_import import grid, mug
from tests.services.test_product_import import write_csv as write_products

COUNTER = "Cửa hàng CLI"  # the shop `primedist init` makes (offline)


@pytest.fixture(autouse=True)
def _isolated(cli_env: None) -> None:
    """Every test here runs the CLI without the environment leaking in."""


@pytest.fixture
def engine(data_dir: Path) -> Iterator[Engine]:
    engine = open_store(resolve_settings(data_dir))
    yield engine
    engine.dispose()


def read_back(path: Path) -> list[dict[str, Any]]:
    """The written sheet's rows as {header: value}."""
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


class Exporter:
    def __init__(self, cli: Any, data_dir: Path, tmp_path: Path, target: str) -> None:
        self.cli, self.data_dir, self.tmp_path, self.target = cli, data_dir, tmp_path, target

    def rows(self, *options: str) -> list[dict[str, Any]]:
        out = self.tmp_path / "out.xlsx"
        run = self.cli("--data-dir", str(self.data_dir), "export", self.target, str(out),
                       "--lang", "en", *options)  # fmt: skip
        assert run.code == EXIT_OK, run.err
        return read_back(out)

    def refused(self, *options: str) -> str:
        """The error line of options refused as a usage error; nothing is written."""
        out = self.tmp_path / "bad.xlsx"
        run = self.cli("--data-dir", str(self.data_dir), "export", self.target, str(out),
                       *options)  # fmt: skip
        assert run.code == EXIT_USAGE, run.err
        assert not out.exists()
        return run.error_line()


# Orders ----------------------------------------------------------------------------------
@pytest.fixture
def orders_export(cli: Any, data_dir: Path, tmp_path: Path, engine: Engine) -> Exporter:
    """20 Shopee orders of 100k, 200k … 2tr; every other buyer is Trần Thị Bình; 3 flagged."""
    shop = make_shop(engine, "Shopee A", Channel.SHOPEE)
    start = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)
    ids = make_orders(engine, shop, 20, start=start, step=timedelta(hours=5),
                      buyer_names=["Nguyễn Văn An", "Trần Thị Bình"],
                      totals=[100_000 * (i + 1) for i in range(20)])  # fmt: skip
    with engine.begin() as conn:
        conn.execute(sa.update(orders).where(orders.c.id.in_(ids[:3])).values(flagged=True))
    return Exporter(cli, data_dir, tmp_path, "orders")


def count(engine: Engine, *where: Any) -> int:
    with engine.connect() as conn:
        stmt = sa.select(sa.func.count()).select_from(orders).where(*where)
        return int(conn.execute(stmt).scalar_one())


def test_order_filters_narrow_the_file(orders_export: Exporter, engine: Engine) -> None:
    everything = orders_export.rows()
    assert len(everything) == 20
    # Amounts read as on the screens: 189k … 1,5tr keeps 200k … 1.5tr.
    valued = orders_export.rows("--min-total", "189k", "--max-total", "1,5tr")
    assert sorted(r["Total"] for r in valued) == [100_000 * i for i in range(2, 16)]
    found = orders_export.rows("--search", "tran thi binh")
    assert len(found) == 10 and {r["Customer"] for r in found} == {"Trần Thị Bình"}
    paid = orders_export.rows("--payment", "cash", "--payment", "card")
    assert {r["Payment method"] for r in paid} <= {"cash", "card"}
    assert len(paid) == count(engine, orders.c.payment_method.in_(["cash", "card"])) > 0
    flagged = orders_export.rows("--flagged")
    assert len(flagged) == 3 and all(r["Flagged"] for r in flagged)
    returning = orders_export.rows("--returning")
    assert {r["Status"] for r in returning} <= {OrderStatus.RETURN_REFUND.value}
    assert len(returning) == count(engine, orders.c.status == OrderStatus.RETURN_REFUND.value) > 0
    both = orders_export.rows("--search", "binh", "--min-total", "1tr")
    assert sorted(r["Total"] for r in both) == [100_000 * i for i in range(10, 21, 2)]


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--min-total", "abc"], "argument --min-total: 'abc' is not an amount of money"),
        (["--max-total", "-5k"], "argument --max-total: '-5k' must be 0 or more"),
        (["--min-total", "2tr", "--max-total", "1tr"],
         "--min-total 2,000,000 is above --max-total 1,000,000"),
        (["--payment", "bitcoin"], "argument --payment: 'bitcoin' is not a payment method"),
        (["--shop", "Lazada"], "argument --shop: No shop is named 'Lazada' (shops: "),
    ],
)  # fmt: skip
def test_bad_order_filters_are_usage_errors(
    orders_export: Exporter, options: list[str], said: str
) -> None:
    assert said in orders_export.refused(*options)


# Products --------------------------------------------------------------------------------
@pytest.fixture
def products_export(cli: Any, data_dir: Path, tmp_path: Path) -> Exporter:
    """A T-shirt (6 variants from 99k, one discounted to 89k, stock 0 … 12) and two mugs
    (45k, stock 4), one of them in the category Gốm sứ."""
    rows = [{**row, "shops": COUNTER} for row in grid()]
    rows += [mug(shops=COUNTER), mug("Bình gốm", "BINH-1", shops=COUNTER, category="Gốm sứ")]
    path = write_products(tmp_path / "p.csv", rows)
    assert cli("--data-dir", str(data_dir), "import", "products", str(path)).code == EXIT_OK
    return Exporter(cli, data_dir, tmp_path, "products")


def skus(rows: list[dict[str, Any]]) -> set[str]:
    return {str(r["SKU"]) for r in rows}


def test_product_filters_narrow_the_file(products_export: Exporter) -> None:
    shirt = {f"AO-{i}{j}" for i in range(2) for j in range(3)}
    assert skus(products_export.rows()) == shirt | {"COC-1", "BINH-1"}
    assert skus(products_export.rows("--category", "thời trang")) == shirt  # any case
    assert skus(products_export.rows("--category", "Gốm sứ")) == {"BINH-1"}
    assert skus(products_export.rows("--min-price", "99k")) == shirt
    assert skus(products_export.rows("--max-price", "50.000")) == {"COC-1", "BINH-1"}
    assert skus(products_export.rows("--min-discount", "80k", "--max-discount", "90k")) == shirt
    assert skus(products_export.rows("--max-stock", "4")) == {"COC-1", "BINH-1"}
    assert skus(products_export.rows("--min-stock", "5", "--max-price", "1tr")) == shirt


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--category", "Nope"], "argument --category: No category is named 'Nope' "
                                 "(categories: Gốm sứ, Thời trang)"),
        (["--min-price", "1,5x"], "argument --min-price: '1,5x' is not an amount of money"),
        (["--min-stock", "many"], "argument --min-stock: 'many' is not a whole number"),
        (["--min-discount", "90k", "--max-discount", "80k"],
         "--min-discount 90,000 is above --max-discount 80,000"),
    ],
)  # fmt: skip
def test_bad_product_filters_are_usage_errors(
    products_export: Exporter, options: list[str], said: str
) -> None:
    assert said in products_export.refused(*options)


# Customers -------------------------------------------------------------------------------
PEOPLE = [
    # name, phone, gender, source, tags, group
    ("Lan", "0901000001", "female", "facebook", "VIP;Sỉ", "Khách sỉ"),
    ("Minh", "0901000002", "male", "zalo", "VIP", ""),
    ("Hoa", "0901000003", "female", "zalo", "", "Khách sỉ"),
    ("Tuấn", "0901000004", "male", "", "", ""),
]


@pytest.fixture
def customers_export(
    cli: Any, data_dir: Path, tmp_path: Path, engine: Engine
) -> Iterator[Exporter]:
    path = tmp_path / "people.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["name", "phone", "gender", "source", "tags", "level"])
        writer.writerows(PEOPLE)
    run = cli("--data-dir", str(data_dir), "import", "customers", str(path),
              "--on-duplicate", "skip")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    with engine.begin() as conn:
        ids = dict(conn.execute(sa.select(customers_t.c.name, customers_t.c.id)).all())
        figures = {"Lan": (3_000_000, 6, "gold"), "Minh": (1_500_000, 2, "silver"),
                   "Hoa": (200_000, 1, "copper"), "Tuấn": (0, 0, "copper")}  # fmt: skip
        for name, (spent, done, rank) in figures.items():
            conn.execute(
                sa.update(customers_t).where(customers_t.c.id == ids[name]).values(
                    total_expenses=spent, successful_orders=done, total_orders=done, rank=rank,
                    last_order_at=datetime(2026, 5, 1 + done, 3, 0, tzinfo=UTC),
                )
            )  # fmt: skip
    ctx = ServiceContext(engine)
    ctx = ctx.with_actor(auth.owner_actor(ctx))
    segment = segments.create_segment(ctx, "Khách Tết")
    segments.add_to_segment(ctx, segment, [ids["Minh"], ids["Tuấn"]])
    shop = make_shop(engine, "Shopee A", Channel.SHOPEE)
    make_orders(engine, shop, 2, start=datetime(2026, 5, 1, tzinfo=UTC), step=timedelta(hours=1),
                customer_ids=[ids["Hoa"]])  # fmt: skip
    yield Exporter(cli, data_dir, tmp_path, "customers")


def names(rows: list[dict[str, Any]]) -> set[str]:
    return {str(r["Name"]) for r in rows}


def test_customer_filters_narrow_the_file(customers_export: Exporter) -> None:
    def found(*options: str) -> set[str]:
        return names(customers_export.rows("--columns", "name", *options))

    assert found() == {"Lan", "Minh", "Hoa", "Tuấn"}
    assert found("--tag", "vip") == {"Lan", "Minh"}
    assert found("--tag", "Sỉ") == {"Lan"}
    assert found("--group", "Khách sỉ") == {"Lan", "Hoa"}
    assert found("--group", "khach-si") == {"Lan", "Hoa"}  # by its code
    assert found("--no-group") == {"Minh", "Tuấn"}
    assert found("--gender", "female") == {"Lan", "Hoa"}
    assert found("--source", "Zalo") == {"Minh", "Hoa"}
    assert found("--segment", "khách tết") == {"Minh", "Tuấn"}
    assert found("--min-spent", "1,5tr") == {"Lan", "Minh"}
    assert found("--max-spent", "200k") == {"Hoa", "Tuấn"}
    assert found("--min-orders", "2", "--max-orders", "5") == {"Minh"}
    assert found("--rank", "gold", "--rank", "silver") == {"Lan", "Minh"}
    # The lowest rank is shown "Bronze"; its stored name "copper" is still understood.
    assert found("--rank", "bronze") == found("--rank", "copper") == {"Hoa", "Tuấn"}
    assert found("--gold-and-above") == {"Lan"}
    assert found("--five-plus-orders") == {"Lan"}
    assert found("--shop", "shopee a") == {"Hoa"}
    assert found("--last-order-from", "2026-05-03") == {"Lan", "Minh"}
    assert found("--last-order-to", "2026-05-02") == {"Hoa", "Tuấn"}
    assert found("--tag", "VIP", "--gender", "male") == {"Minh"}


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--tag", "Nope"], "argument --tag: No tag is named 'Nope' (tags: "),
        (["--segment", "Nope"], "argument --segment: No segment is named 'Nope' "
                                "(segments: Khách Tết)"),
        (["--group", "Nope"], "argument --group: No customer group is named or coded 'Nope' "
                              "(groups: Khách sỉ (KHACH-SI))"),
        (["--source", "tiktok"], "argument --source: No customer has the source 'tiktok'"),
        (["--referrer", "KH999999"], "argument --referrer: No customer has the code KH999999"),
        (["--shop", "Lazada"], "argument --shop: No shop is named 'Lazada'"),
        (["--rank", "platinum"], "argument --rank: 'platinum' is not a rank"),
        (["--gender", "x"], "argument --gender: 'x' is not a gender"),
        (["--min-success-rate", "120"], "'120' is not a percentage from 0 to 100"),
        (["--min-spent", "1tr", "--max-spent", "5k"],
         "--min-spent 1,000,000 is above --max-spent 5,000"),
        (["--created-from", "2026-05-06", "--created-to", "2026-05-01"],
         "--created-from 2026-05-06 is after --created-to 2026-05-01"),
        (["--last-order-from", "06/05/2026"], "argument --last-order-from: '06/05/2026' is not"),
    ],
)  # fmt: skip
def test_bad_customer_filters_are_usage_errors(
    customers_export: Exporter, options: list[str], said: str
) -> None:
    assert said in customers_export.refused(*options)
