"""`primedist demo` never fills a real shop: the environment (PRIMEDIST_DATA_DIR,
PRIMEDIST_DATABASE_URL: the real shop's store) does not redirect it from the demo folder,
and a shop with data of its own, marketplace shops included, is refused (the check the
GUI's `--demo` shares: services/demo.refuse_a_shop_with_data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from primedist.cli import EXIT_OK
from primedist.config import resolve_settings
from primedist.db.store import open_store
from tests.cli_support import table_count
from tests.factories import make_shop

DEMO = ("demo", "--orders", "50", "--customers", "10", "--json")
TABLES = ("users", "shops", "products", "customers", "orders", "audit_events")


def snapshot(data_dir: Path) -> dict[str, int]:
    return {t: table_count(data_dir, t) for t in TABLES}


def test_a_shop_with_only_a_marketplace_shop_is_refused(cli: Any, data_dir: Path) -> None:
    engine = open_store(resolve_settings(data_dir))
    make_shop(engine, "Shopee Hoa")
    engine.dispose()
    before = snapshot(data_dir)
    run = cli("--data-dir", str(data_dir), *DEMO)
    assert run.error_line() == (
        f"primedist: error: {data_dir.resolve()} already holds a shop's data (0 orders, "
        "0 products, 0 customers, 0 suppliers, 1 other shops): demo data goes only into a "
        "new data dir. Choose another --data-dir."
    )
    assert snapshot(data_dir) == before


@pytest.mark.parametrize("variable", ["PRIMEDIST_DATA_DIR", "PRIMEDIST_DATABASE_URL"])
def test_the_environment_does_not_send_the_demo_into_the_real_shop(
    cli: Any, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    real = data_dir  # `init` only: the old check let demo data in
    before = snapshot(real)
    value = str(real) if variable == "PRIMEDIST_DATA_DIR" else f"sqlite:///{real}/primedist.db"
    monkeypatch.setenv(variable, value)

    run = cli(*DEMO)

    assert run.code == EXIT_OK, run.err
    demo_folder = (tmp_path / "platform" / "demo").resolve()
    assert run.json()["data_dir"] == str(demo_folder)
    assert table_count(demo_folder, "orders") == 50
    assert snapshot(real) == before
