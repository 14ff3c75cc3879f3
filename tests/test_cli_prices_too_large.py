"""`primedist prices +HUGE`: an amount past the largest price is refused as too large, not
as if no amount had been given; 0 still asks for an amount."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from primedist.cli import EXIT_ERROR
from primedist.errors import ValidationError
from primedist.services.price_change import MAX_PRICE, PriceField, PriceMode, PriceRule, check_rule
from tests.test_cli_prices import prices, shop  # noqa: F401

TOO_LARGE = "The amount to add or take off must be at most 100,000,000,000."


@pytest.mark.parametrize("value", [MAX_PRICE + 1, -MAX_PRICE - 1, 10**21])
def test_an_amount_too_large_says_so(value: int) -> None:
    with pytest.raises(ValidationError) as caught:
        check_rule(PriceRule(PriceField.PRICE, PriceMode.AMOUNT, Decimal(value)))
    assert (caught.value.user_message, caught.value.field) == (TOO_LARGE, "value")


def test_the_largest_amount_and_a_zero_one() -> None:
    check_rule(PriceRule(PriceField.PRICE, PriceMode.AMOUNT, Decimal(-MAX_PRICE)))
    with pytest.raises(ValidationError, match=r"^Give the amount to add \(or, below 0"):
        check_rule(PriceRule(PriceField.PRICE, PriceMode.AMOUNT, Decimal(0)))


def test_a_huge_amount_from_the_command_line(cli: Any, shop: Path) -> None:  # noqa: F811
    before = prices(shop)
    run = cli("--data-dir", str(shop), "prices", "+1000000000000000000000", "--all", "--dry-run")
    assert run.code == EXIT_ERROR
    assert run.error_line() == f"primedist: error: {TOO_LARGE}"
    run = cli("--data-dir", str(shop), "prices", "-1000000000000000000000", "--all")
    assert run.error_line() == f"primedist: error: {TOO_LARGE}"
    assert prices(shop) == before
