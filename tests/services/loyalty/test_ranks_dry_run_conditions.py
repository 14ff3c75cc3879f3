"""A dry run may try rank conditions not saved yet (what Settings → Customer ranking shows);
a real run always uses the saved ones, and bad conditions are refused as a save would."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy.engine import Engine

from primedist.domain.enums import Rank, RankBasis
from primedist.errors import ValidationError
from primedist.services.context import ServiceContext
from primedist.services.loyalty import ranks
from primedist.services.loyalty.settings import read_rank_settings
from tests.services.loyalty.conftest import customer, customers_with


def test_a_dry_run_tries_the_conditions_it_is_given(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    (loyal,) = customers_with(engine, [{"successful_orders": 60, "total_expenses": 0}])
    saved = read_rank_settings(owner_ctx)
    by_orders = replace(saved, basis=RankBasis.ORDERS)
    assert ranks.recompute_ranks(owner_ctx, dry_run=True).up == 0  # the saved: by expenses
    report = ranks.recompute_ranks(owner_ctx, dry_run=True, conditions=by_orders)
    assert (report.up, report.basis, report.counts[Rank.DIAMOND]) == (1, RankBasis.ORDERS, 1)
    assert customer(engine, loyal).rank == Rank.COPPER
    with pytest.raises(ValueError):
        ranks.recompute_ranks(owner_ctx, conditions=by_orders)  # a real run: saved only
    broken = replace(by_orders, thresholds={**saved.thresholds,
                                            RankBasis.ORDERS: (50, 25, 30, 0)})  # fmt: skip
    with pytest.raises(ValidationError, match="must be above the Silver"):
        ranks.recompute_ranks(owner_ctx, dry_run=True, conditions=broken)
