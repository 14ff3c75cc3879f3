"""`primedist report dashboard`: the marketplaces' shops as Home shows them — the shop's
own counter without a linked count, every marketplace's shops whatever --shop says."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from primedist.cli import EXIT_OK
from primedist.db.engine import make_engine
from primedist.domain.enums import Channel
from tests.cli_support import Run
from tests.factories import make_shop
from tests.services.report_data import build

RANGE = ("--from", "2026-11-10", "--to", "2026-11-16")


@pytest.fixture
def shop_dir(data_dir: Path) -> Path:
    engine = make_engine(f"sqlite:///{data_dir / 'primedist.db'}")
    try:
        build(engine)
        make_shop(engine, "Quầy", Channel.OFFLINE)
    finally:
        engine.dispose()
    return data_dir


def test_dashboard_lines_say_what_home_says(cli: Callable[..., Run], shop_dir: Path) -> None:
    run = cli("--data-dir", str(shop_dir), "report", "dashboard", *RANGE)
    assert run.code == EXIT_OK, run.err
    offline = [line for line in run.out.splitlines() if line.strip().startswith("offline:")]
    assert offline and offline[0].endswith(", —"), offline  # Home's "—": nothing to link
    assert "shopee: 360,000 (+800.00%), 1/1 shop" in run.out
    # Only the Lazada shop: Shopee keeps its linked shop, its revenue is left out.
    lazada = cli("--data-dir", str(shop_dir), "report", "dashboard", *RANGE, "--shop", "Shop B")
    assert lazada.code == EXIT_OK, lazada.err
    assert "shopee: 0 (—), 1/1 shop" in lazada.out
    assert "lazada: 30,000 (-62.50%), 0/1 shop" in lazada.out
