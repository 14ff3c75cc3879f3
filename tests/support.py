"""Helpers shared by the service tests: stateful (hypothesis) tests on their own copy of
the template database, and a progress that cancels."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from primedist.config import Settings
from primedist.core.clock import FixedClock
from primedist.db.engine import make_engine
from primedist.errors import Cancelled
from primedist.jobs.progress import JobProgress
from primedist.services import auth
from primedist.services.context import ServiceContext
from tests.conftest import FIXED_NOW, OWNER_EMAIL, OWNER_PASSWORD


class StoreMachine(RuleBasedStateMachine):
    """A stateful test whose every example runs on a fresh copy of the template database
    (`open_store()` from its @initialize rule): `engine`, and `ctx` acting as the owner of
    a set-up shop. `orders` collects the ids of the orders the rules made."""

    template: Path
    workdir: Path
    #: File name prefix of the database copies.
    DB_PREFIX = "run"

    def __init__(self) -> None:
        super().__init__()
        self.orders: list[int] = []

    def open_store(self) -> None:
        n = len(list(self.workdir.glob("*.db")))
        db = self.workdir / f"{self.DB_PREFIX}{n}.db"
        shutil.copy(self.template, db)
        self.engine = make_engine(f"sqlite:///{db}")
        ctx = ServiceContext(self.engine, clock=FixedClock(FIXED_NOW),
                             settings=Settings(self.workdir, f"sqlite:///{db}"))  # fmt: skip
        owner = auth.setup_shop(ctx, shop_name="Shop", owner_name="Chủ", owner_email=OWNER_EMAIL,
                                owner_password=OWNER_PASSWORD)  # fmt: skip
        self.ctx = ctx.with_actor(owner)

    def teardown(self) -> None:
        if hasattr(self, "engine"):
            self.engine.dispose()


def run_machine(
    machine: type[StoreMachine], template: Path, workdir: Path, *, examples: int, steps: int
) -> None:
    """Run a StoreMachine: `examples` histories of up to `steps` rules each."""
    machine.template = template
    machine.workdir = workdir
    run_state_machine_as_test(
        machine,
        settings=settings(max_examples=examples, stateful_step_count=steps, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow]),
    )  # fmt: skip


class CancelAt(JobProgress):
    """Cancels at the first check once progress has reached `at`; keeps every message."""

    def __init__(self, at: float) -> None:
        super().__init__()
        self.at = at
        self.messages: list[str] = []

    def update(self, fraction: float, message: str = "") -> None:
        super().update(fraction, message)
        self.messages.append(message)

    def check(self) -> None:
        if self.fraction >= self.at:
            raise Cancelled()
