"""`primedist import orders` of a file `primedist export orders` wrote: refused in one line
saying what the file is and what to import instead; product and customer exports still
import back unchanged through the command line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK
from primedist.config import resolve_settings
from primedist.db.store import open_store
from tests.cli_support import Run, table_count
from tests.factories import make_customers, make_orders, make_product, make_shop
from tests.services.test_import_own_export import refusal


@pytest.fixture
def shop_dir(data_dir: Path) -> Path:
    """The CLI's data dir with 9 orders, a product of two variants and 3 customers."""
    engine = open_store(resolve_settings(data_dir))
    try:
        shop = make_shop(engine, "Shopee Chính Hãng", "shopee")
        make_orders(
            engine, shop, 9, start=datetime(2026, 5, 1, tzinfo=UTC), step=timedelta(hours=5)
        )
        make_product(engine, "Áo thun", [("AO-M", 150_000, 20), ("AO-L", 155_000, 12)])
        make_customers(engine, 3)
    finally:
        engine.dispose()
    return data_dir


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("fmt", [[], ["--format", "auto"], ["--format", "template"]])
def test_importing_an_orders_export_says_what_it_is(
    cli: Callable[..., Run], shop_dir: Path, tmp_path: Path, lang: str, fmt: list[str]
) -> None:
    base = ("--data-dir", str(shop_dir))
    path = tmp_path / "o.xlsx"
    assert cli(*base, "export", "orders", str(path), "--lang", lang).code == EXIT_OK
    before = table_count(shop_dir, "orders")
    run = cli(*base, "import", "orders", str(path), *fmt)
    assert run.code == EXIT_ERROR
    assert run.error_line() == f"primedist: error: {refusal('o.xlsx')}"
    assert table_count(shop_dir, "orders") == before


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize(
    ("kind", "options", "unchanged"),
    [
        ("products", [], {"products_unchanged": 1, "variants_unchanged": 2}),
        ("customers", ["--on-duplicate", "update"], {"unchanged": 3, "imported": 0}),
    ],
)
def test_product_and_customer_exports_import_back_unchanged(
    cli: Callable[..., Run],
    shop_dir: Path,
    tmp_path: Path,
    lang: str,
    kind: str,
    options: list[str],
    unchanged: dict[str, int],
) -> None:
    base = ("--data-dir", str(shop_dir))
    path = tmp_path / f"{kind}.xlsx"
    assert cli(*base, "export", kind, str(path), "--lang", lang).code == EXIT_OK
    run = cli(*base, "import", kind, str(path), *options, "--json")
    assert run.code == EXIT_OK, run.err
    report = run.json()
    assert {key: report[key] for key in unchanged} == unchanged
    assert report["rows_rejected"] == []
