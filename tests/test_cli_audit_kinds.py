"""`primedist audit --kind`: singular and plural are one kind, as in the app's filter
(`customer` also lists the customers' exports, `orders` every order row); an unknown kind
is a usage error naming the kinds. A setting's row says what it was and what it became."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from primedist.cli import EXIT_OK, EXIT_USAGE
from primedist.config import resolve_settings
from primedist.db.store import open_store
from primedist.services import auth, orders, schedule_settings
from primedist.services.context import ServiceContext


@pytest.fixture
def shop(cli: Any, tmp_path: Path) -> Iterator[Path]:
    """A small demo shop with customer and order rows of both kinds (an export, a flag)
    and a setting changed twice."""
    folder = tmp_path / "demo"
    d = ("--data-dir", str(folder))
    assert cli(*d, "demo", "--orders", "20", "--customers", "6").code == EXIT_OK
    assert cli(*d, "export", "customers", str(tmp_path / "c.csv")).code == EXIT_OK
    assert cli(*d, "export", "orders", str(tmp_path / "o.xlsx")).code == EXIT_OK
    engine = open_store(resolve_settings(folder))
    ctx = ServiceContext(engine)
    owner = ctx.with_actor(auth.owner_actor(ctx))
    orders.set_flag(owner, [1], True)
    schedule_settings.set_sync_interval(owner, 30)
    schedule_settings.set_sync_interval(owner, 45)
    engine.dispose()
    yield folder


def actions(cli: Any, folder: Path, *kinds: str) -> list[str]:
    args = [a for k in kinds for a in ("--kind", k)]
    run = cli("--data-dir", str(folder), "audit", *args, "--limit", "500", "--json")
    assert run.code == EXIT_OK, run.err
    return [e["action"] for e in run.json()["events"]]


def test_singular_and_plural_kinds_are_one(cli: Any, shop: Path) -> None:
    for kind in ("customer", "customers"):
        assert actions(cli, shop, kind) == ["customers.export"]
    for kind in ("order", "orders"):
        assert actions(cli, shop, kind) == ["order.flag", "orders.export"]
    for kind in ("setting", "settings"):
        assert set(actions(cli, shop, kind)) == {"settings.change"}
    assert actions(cli, shop, "Orders", "customer") == [
        "order.flag", "orders.export", "customers.export"
    ]  # fmt: skip


def test_an_unknown_kind_is_a_usage_error_naming_the_kinds(cli: Any, shop: Path) -> None:
    run = cli("--data-dir", str(shop), "audit", "--kind", "bogus")
    assert run.code == EXIT_USAGE
    line = run.error_line()
    assert line.startswith("primedist: error: --kind bogus is not a kind of the audit log: ")
    named = line.split("log: ", 1)[1].split(" (see", 1)[0].split(", ")
    assert {"customer", "order", "settings", "staff", "voucher", "backup"} <= set(named)
    assert "customers" not in named and "orders" not in named  # one name a kind
    # A kind of the app that the log does not hold yet: no rows, not a mistake.
    none = cli("--data-dir", str(shop), "audit", "--kind", "vouchers")
    assert (none.code, none.out.strip()) == (EXIT_OK, "No audit rows match.")


def test_a_setting_row_says_before_and_after(cli: Any, shop: Path) -> None:
    run = cli("--data-dir", str(shop), "audit", "--kind", "settings", "--limit", "1")
    assert run.code == EXIT_OK, run.err
    (line,) = run.out.splitlines()
    assert line.endswith("setting sync.interval_minutes 30 → 45"), line
