"""A payment code no payment has (`customers cancel-payment PT999999`): named as typed —
"There is no payment PT999999." — not as an id that "no longer exists"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from primedist.cli import EXIT_ERROR
from primedist.errors import NotFound
from primedist.services import customer_account as account
from tests.cli_support import table_count
from tests.test_cli_customer_accounts import shop  # noqa: F401


def test_an_unknown_payment_code_is_named(owner_ctx) -> None:
    with pytest.raises(NotFound, match=r"^There is no payment PT999999\.$"):
        account.payment_id_by_code(owner_ctx, " pt999999 ")


def test_cancelling_an_unknown_payment(cli: Any, shop: Path) -> None:  # noqa: F811
    d = ("--data-dir", str(shop))
    run = cli(*d, "customers", "cancel-payment", "PT999999", "--reason", "x")
    assert run.code == EXIT_ERROR
    assert run.error_line() == "primedist: error: There is no payment PT999999."
    assert cli(*d, "customers", "cancel-payment", "pt000001", "--reason", "nhầm").code == 0
    assert table_count(shop, "customer_payments") == 1
