"""`primedist price-schedule stop` on a running change and `list --all` afterwards: the
change shows when it really ended, its planned end beside it, not the planned end alone."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from primedist.cli import EXIT_OK
from tests.test_cli_price_schedules import at, shop

__all__ = ["shop"]  # the fixture, used by name


def test_a_change_stopped_early_shows_when_it_ended(cli: Any, shop: Any) -> None:
    d = ("--data-dir", str(shop))
    planned = at(600)
    added = cli(*d, "price-schedule", "add", "Sale 12.12", "-10%", "--sku", "COC-1",
                "--from", at(-1), "--to", planned, "--json")  # fmt: skip
    assert added.code == EXIT_OK, added.err
    sid = str(added.json()["id"])
    assert cli(*d, "price-schedule", "run").out.strip() == "started: Sale 12.12"
    stopped = cli(*d, "price-schedule", "stop", sid)
    assert stopped.code == EXIT_OK, stopped.err
    ended = at(0)  # the stop was a moment ago (the same minute, but for a minute's turn)
    assert f"(ended early; planned {planned})" in stopped.out
    listed = cli(*d, "price-schedule", "list", "--all").out
    assert f"(ended early; planned {planned})" in listed
    assert f"→ {planned}" not in listed
    assert f"→ {ended}" in listed or f"→ {at(-1)}" in listed
    data = cli(*d, "price-schedule", "list", "--all", "--json").json()["schedules"][0]
    assert data["state"] == "done" and data["ended_at"] is not None
    assert datetime.fromisoformat(data["ended_at"]) < datetime.fromisoformat(data["ends_at"])
