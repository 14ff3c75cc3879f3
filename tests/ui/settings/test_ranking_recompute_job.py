"""Settings → Customer ranks: Recompute now runs as a job with progress and Cancel (the
jobs indicator), not a silent wait; a cancelled recompute changes no rank and says so."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy.engine import Engine

from primedist.domain.enums import Rank
from primedist.services.context import ServiceContext
from primedist.services.loyalty import ranks
from primedist.ui.ops import tracker
from primedist.ui.settings.ranking import RankingSettings
from tests.services.loyalty.conftest import customer, customers_with
from tests.ui.support import WAIT, assert_db_worker_idle, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


def test_recompute_shows_progress_and_cancel_leaves_the_ranks(
    qtbot, engine: Engine, owner_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    up, down = customers_with(engine, [{"rank": Rank.COPPER, "total_expenses": 30_000_000},
                                       {"rank": Rank.DIAMOND, "total_expenses": 0}])  # fmt: skip
    applying, go_on = threading.Event(), threading.Event()
    real_apply = ranks._apply

    def slow_apply(*args: Any) -> None:  # 70,000 moves take seconds
        applying.set()
        assert go_on.wait(WAIT / 1000)
        real_apply(*args)

    monkeypatch.setattr(ranks, "_apply", slow_apply)
    section = show_widget(qtbot, RankingSettings(owner_ctx), 900, 700)
    try:
        qtbot.mouseClick(section.run_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(applying.is_set, timeout=WAIT)
        jobs = [j for j in tracker().jobs if j.title == "Recomputing customer ranks"]
        assert len(jobs) == 1  # in the jobs indicator, with its bar and Cancel button
        assert jobs[0].progress.fraction > 0
        assert not section.run_button.isEnabled()
        jobs[0].progress.cancel()  # the indicator's Cancel
    finally:
        go_on.set()
    cancelled = "Recompute cancelled: no rank was changed."
    qtbot.waitUntil(lambda: section.message.text() == cancelled, timeout=WAIT)
    qtbot.waitUntil(section.run_button.isEnabled, timeout=WAIT)
    assert (customer(engine, up).rank, customer(engine, down).rank) == (Rank.COPPER, Rank.DIAMOND)
    assert tracker().jobs == []

    # Not cancelled: it runs to the end as before.
    monkeypatch.setattr(ranks, "_apply", real_apply)
    qtbot.mouseClick(section.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.message.text().startswith("Done: 1"), timeout=WAIT)
    assert customer(engine, down).rank == Rank.COPPER
    qtbot.waitUntil(section.run_button.isEnabled, timeout=WAIT)
    assert_db_worker_idle()
