"""`customers debtors --json` and `customers account --json` give times as the other JSON
fields do (`made_at`, `created_at`): ISO 8601 in UTC with its offset, not `str()` of a
datetime ("2026-11-29 14:33:00")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from primedist.cli import EXIT_OK
from tests.test_cli_customer_accounts import shop  # noqa: F401


def _utc_iso(text: str) -> datetime:
    assert "T" in text and text.endswith("+00:00"), text
    return datetime.fromisoformat(text)


def test_json_times_are_iso_8601_utc(cli: Any, shop: Path) -> None:  # noqa: F811
    d = ("--data-dir", str(shop))
    listed = cli(*d, "customers", "debtors", "--json")
    assert listed.code == EXIT_OK, listed.err
    (debtor,) = listed.json()["customers"]
    last_sale = _utc_iso(debtor["last_sale_at"])
    assert last_sale.utcoffset() == timedelta(0)
    assert abs((datetime.now(UTC) - last_sale).total_seconds()) < 600
    shown = cli(*d, "customers", "account", "KH000001", "--json")
    assert shown.code == EXIT_OK, shown.err
    whens = [_utc_iso(e["when"]) for e in shown.json()["entries"]]
    assert len(whens) == 2 and all(w == whens[0] or abs(w - whens[0]).total_seconds() < 60
                                   for w in whens)  # fmt: skip
