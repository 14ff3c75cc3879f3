"""`primedist export orders`: happy path, filters, --json, one-line errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from primedist.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from primedist.config import resolve_settings
from primedist.db.store import open_store
from primedist.domain.enums import Channel
from primedist.queries.orders import orders
from tests.cli_support import INIT_ARGS
from tests.factories import make_orders, make_shop

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def _isolated(cli_env: None) -> None:
    """Every test here runs the CLI without the environment leaking in."""


class Shop:
    def __init__(self, data_dir: Path, engine: Engine, shopee: int, counter: int) -> None:
        self.data_dir, self.engine, self.shopee, self.counter = data_dir, engine, shopee, counter

    def count(self, *where: Any) -> int:
        with self.engine.connect() as conn:
            stmt = sa.select(sa.func.count()).select_from(orders).where(*where)
            return int(conn.execute(stmt).scalar_one())


@pytest.fixture
def shop(cli: Any, tmp_path: Path) -> Iterator[Shop]:
    """A set-up data dir with two shops and 50 orders over about eight days."""
    data_dir = tmp_path / "data"
    assert cli("--data-dir", str(data_dir), "init", *INIT_ARGS).code == EXIT_OK
    engine = open_store(resolve_settings(data_dir))
    shopee = make_shop(engine, "Shopee Chính Hãng", Channel.SHOPEE)
    counter = make_shop(engine, "Quầy", Channel.OFFLINE)
    start = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)
    make_orders(engine, shopee, 30, start=start, step=timedelta(hours=6, minutes=11))
    make_orders(engine, counter, 20, start=start, step=timedelta(hours=9), seed=9)
    yield Shop(data_dir, engine, shopee, counter)
    engine.dispose()


def sheet(path: Path) -> list[list[Any]]:
    return [[c.value for c in row] for row in load_workbook(path).active.iter_rows()]


def test_export_every_order(cli: Any, shop: Shop, tmp_path: Path) -> None:
    target = tmp_path / "orders.xlsx"
    run = cli("--data-dir", str(shop.data_dir), "export", "orders", str(target))
    assert run.code == EXIT_OK, run.err
    assert run.out.startswith(f"Exported 50 orders to {target} in ")
    assert run.out.rstrip().endswith(" s")
    rows = sheet(target)
    assert rows[0][:2] == ["Mã đơn hàng", "Gian hàng"]
    assert len(rows) == 51


def test_export_filtered_json(cli: Any, shop: Shop, tmp_path: Path) -> None:
    target = tmp_path / "completed.xlsx"
    options = ["--status", "completed", "--from", "2026-05-02", "--to", "2026-05-05",
               "--shop", "Shopee Chính Hãng", "--lang", "en", "--json"]  # fmt: skip
    run = cli("--data-dir", str(shop.data_dir), "export", "orders", str(target), *options)
    assert run.code == EXIT_OK, run.err
    data = run.json()
    assert set(data) == {"file", "rows", "seconds"}
    assert data["file"] == str(target)
    start = datetime(2026, 5, 2, tzinfo=HCM).astimezone(UTC)
    end = datetime(2026, 5, 6, tzinfo=HCM).astimezone(UTC)
    expected = shop.count(
        orders.c.status == "completed",
        orders.c.shop_id == shop.shopee,
        orders.c.created_at >= start,
        orders.c.created_at < end,
    )
    assert data["rows"] == expected > 0
    rows = sheet(target)
    assert rows[0][:4] == ["Order ID", "Shop", "Channel", "Status"]
    assert len(rows) == expected + 1
    assert {tuple(r[1:4]) for r in rows[1:]} == {("Shopee Chính Hãng", "shopee", "completed")}


def test_several_shops(cli: Any, shop: Shop, tmp_path: Path) -> None:
    target = tmp_path / "both.xlsx"
    shops = ["--shop", "Quầy", "--shop", "Shopee Chính Hãng"]
    argv = ["export", "orders", str(target), *shops, "--status", "return_refund", "--json"]
    run = cli("--data-dir", str(shop.data_dir), *argv)
    assert run.code == EXIT_OK, run.err
    returns = orders.c.status.in_(["return_refund", "returned"])
    assert run.json()["rows"] == shop.count(returns)

    argv = ["export", "orders", str(target), "--shop", "quầy", "--status", "return_refund"]
    run = cli("--data-dir", str(shop.data_dir), *argv, "--json")
    assert run.code == EXIT_OK, run.err
    assert run.json()["rows"] == shop.count(returns, orders.c.shop_id == shop.counter)
    assert shop.count(returns, orders.c.shop_id == shop.counter) < shop.count(returns)


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--status", "done"], "--status"),
        (["--from", "2026-13-01"], "--from"),
        (["--to", "01/05/2026"], "--to"),
        (["--from", "2026-05-06", "--to", "2026-05-01"], "--from"),
        (["--lang", "fr"], "--lang"),
        (["--shop", "Lazada"], "argument --shop: No shop is named 'Lazada'"),
    ],
)
def test_bad_options_are_usage_errors(
    cli: Any, shop: Shop, tmp_path: Path, argv: list[str], named: str
) -> None:
    target = tmp_path / "bad.xlsx"
    run = cli("--data-dir", str(shop.data_dir), "export", "orders", str(target), *argv)
    assert run.code == EXIT_USAGE
    assert named in run.error_line()
    assert not target.exists()


def test_missing_target_is_a_usage_error(cli: Any, shop: Shop) -> None:
    assert cli("--data-dir", str(shop.data_dir), "export").code == EXIT_USAGE
    run = cli("--data-dir", str(shop.data_dir), "export", "orders")
    assert run.code == EXIT_USAGE
    run.error_line()


@pytest.mark.parametrize(
    ("name", "extra", "message"),
    [
        ("orders.csv", [], ".xlsx"),
        ("missing/orders.xlsx", [], "does not exist"),
    ],
)
def test_errors_are_one_line(
    cli: Any, shop: Shop, tmp_path: Path, name: str, extra: list[str], message: str
) -> None:
    run = cli("--data-dir", str(shop.data_dir), "export", "orders", str(tmp_path / name), *extra)
    assert run.code == EXIT_ERROR
    assert message in run.error_line()
    assert not (tmp_path / name).exists()
