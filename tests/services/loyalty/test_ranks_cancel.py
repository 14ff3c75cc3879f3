"""The rank recompute reports its progress and can be cancelled (Settings → Customer
ranks runs it as a job with a bar and Cancel): a cancel leaves every rank, level and
history row as it was — the recompute is one transaction."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.enums import Rank
from primedist.domain.loyalty import RankHistory
from primedist.errors import Cancelled
from primedist.jobs.progress import JobProgress
from primedist.services.context import ServiceContext
from primedist.services.loyalty import ranks
from tests.services.loyalty.conftest import customer, customers_with

history_t = table_of(RankHistory)


class CancelAt(JobProgress):
    """Cancels (as the Cancel button does) once the job reports `fraction`."""

    def __init__(self, fraction: float) -> None:
        super().__init__()
        self.at = fraction
        self.seen: list[float] = []

    def update(self, fraction: float, message: str = "") -> None:
        self.seen.append(fraction)
        super().update(fraction, message)
        if fraction >= self.at:
            self.cancel()


def _movers(engine: Engine) -> tuple[int, int]:
    up, down = customers_with(engine, [{"rank": Rank.COPPER, "total_expenses": 30_000_000},
                                       {"rank": Rank.DIAMOND, "total_expenses": 0}])  # fmt: skip
    return up, down


def _history_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(history_t)).scalar_one())


def test_the_recompute_reports_its_progress(engine: Engine, owner_ctx: ServiceContext) -> None:
    up, down = _movers(engine)
    progress = CancelAt(2.0)  # never

    report = ranks.recompute_ranks(owner_ctx, progress=progress)

    assert (report.up, report.down) == (1, 1)
    assert len(progress.seen) >= 4 and progress.seen == sorted(progress.seen)
    assert customer(engine, up).rank != Rank.COPPER and customer(engine, down).rank == Rank.COPPER


@pytest.mark.parametrize("at", [0.05, 0.5, 0.7, 0.85])
def test_a_cancel_at_any_step_leaves_the_ranks_as_they_were(
    engine: Engine, owner_ctx: ServiceContext, at: float
) -> None:
    """0.7 and 0.85: cancelled in the middle of applying (history written, ranks moved):
    the transaction undoes them."""
    up, down = _movers(engine)

    with pytest.raises(Cancelled):
        ranks.recompute_ranks(owner_ctx, progress=CancelAt(at))

    assert (customer(engine, up).rank, customer(engine, down).rank) == (Rank.COPPER, Rank.DIAMOND)
    assert _history_rows(engine) == 0
    assert ranks.last_run(owner_ctx) is None  # not even the run is remembered
    # A run after it moves them as usual.
    assert (ranks.recompute_ranks(owner_ctx).up, _history_rows(engine)) == (1, 2)
