"""Shared fixtures: a migrated SQLite database (migrated once, copied per test), a service
context with a fixed clock, and the signed-in owner.

Set PRIMEDIST_TEST_DATABASE_URL=postgresql+psycopg://... to run the store tests against
PostgreSQL: the session migrates a template database once (`<db>_template`), and each test
gets a fresh copy of it (`PgCopies`: made while the test before runs) instead of 1.6 s of
migrations.
"""

from __future__ import annotations

import gc
import itertools
import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

# Qt must never try to reach a display in tests; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("PRIMEDIST_DATA_DIR", None)
os.environ.pop("PRIMEDIST_DATABASE_URL", None)

from argon2 import PasswordHasher  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from primedist.config import Settings, resolve_settings  # noqa: E402
from primedist.core import security  # noqa: E402
from primedist.core.clock import FixedClock  # noqa: E402
from primedist.db.engine import make_engine  # noqa: E402
from primedist.db.store import open_store, upgrade  # noqa: E402
from primedist.services import auth  # noqa: E402
from primedist.services.context import Actor, ServiceContext  # noqa: E402
from primedist.services.loyalty.settings import EARN_SETTING  # noqa: E402

pytest_plugins = ["tests.cli_support"]  # the `cli` fixture of the CLI tests

#: The app's own password hasher (argon2id, 64 MiB, 3 passes: ~0.15 s a hash or a check),
#: for the tests of its parameters (tests/core/test_security.py).
PRODUCTION_HASHER = security._HASHER
# The suite sets a shop up or signs someone in thousands of times: at the production cost
# that was several minutes of CI spent in argon2. Still argon2id, salted, through the same
# functions; only its cost is the smallest. (A CLI or app run as a subprocess keeps the
# production one.)
security._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

FIXED_NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
OWNER_EMAIL = "owner@example.vn"
OWNER_PASSWORD = "s3cret-pass"
PG_URL = os.environ.get("PRIMEDIST_TEST_DATABASE_URL", "")


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A freshly migrated SQLite database file, built once per test session."""
    folder = tmp_path_factory.mktemp("template")
    settings = resolve_settings(folder)
    engine = open_store(settings)
    engine.dispose()
    assert settings.db_path is not None
    return settings.db_path


def _pg_admin(url: str) -> Engine:
    """An autocommit engine on the server's `postgres` database (CREATE/DROP DATABASE)."""
    admin_url = sa.make_url(url).set(database="postgres")
    return sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)


def _pg_recreate(admin: Engine, name: str, template: str | None = None) -> None:
    # FORCE ends connections a previous test leaked; a template must have none at all.
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(
            f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
        )


class PgCopies:
    """PostgreSQL only: per-test databases copied from a template migrated once per session.

    The copies alternate between two names (`<db>_a`, `<db>_b`); each is made (DROP ... WITH
    (FORCE) + CREATE DATABASE ... TEMPLATE, 0.2-0.5 s) on a thread while the test before
    runs, so the server copies on the other core instead of between tests.
    """

    def __init__(self, url: str) -> None:
        self.url = sa.make_url(url)
        self.admin = _pg_admin(url)
        self.template = f"{self.url.database}_template"
        _pg_recreate(self.admin, self.template)
        template = make_engine(self._url_of(self.template))
        upgrade(template)
        template.dispose()  # CREATE DATABASE ... TEMPLATE needs it unused
        self.names = itertools.cycle([f"{self.url.database}_a", f"{self.url.database}_b"])
        self.maker = ThreadPoolExecutor(1, thread_name_prefix="pg-copy")
        self.ready = self.maker.submit(self._copy, next(self.names))

    def _url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def _copy(self, name: str) -> str:
        _pg_recreate(self.admin, name, self.template)
        return name

    def take(self) -> str:
        """The URL of a fresh copy; the next one is started at once."""
        name = self.ready.result()
        self.ready = self.maker.submit(self._copy, next(self.names))
        return self._url_of(name)

    def close(self) -> None:
        self.maker.shutdown(wait=True)
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_copies() -> Iterator[PgCopies]:
    copies = PgCopies(PG_URL)
    yield copies
    copies.close()


@pytest.fixture
def settings(tmp_path: Path, template_db: Path, request: pytest.FixtureRequest) -> Settings:
    """Settings for a per-test data dir holding a copy of the migrated template: a SQLite
    file, or a fresh PostgreSQL database (`PgCopies`; not PG_URL's own database)."""
    url = request.getfixturevalue("pg_copies").take() if PG_URL else None
    s = resolve_settings(tmp_path / "data", url)
    s.ensure_dirs()
    if s.is_sqlite:
        assert s.db_path is not None
        shutil.copyfile(template_db, s.db_path)
    return s


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """An engine on the per-test migrated database (disposed before the next reset)."""
    eng = make_engine(settings.database_url) if PG_URL else open_store(settings)
    yield eng
    eng.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(FIXED_NOW)


@pytest.fixture
def ctx(engine: Engine, clock: FixedClock, settings: Settings) -> ServiceContext:
    """A service context acting as the system (no user)."""
    return ServiceContext(engine, clock=clock, settings=settings)


@pytest.fixture
def owner(ctx: ServiceContext) -> Actor:
    """Set the shop up and return its owner. Its points rule is the built-in default (1
    point per 10,000 đ), as for a shop set up before NEW_SHOP_EARN_PER: the points tests'
    figures are at that rate (tests/services/test_new_shop_points_rule.py tests the new
    shop's own)."""
    actor = auth.setup_shop(
        ctx,
        shop_name="Cửa hàng Thử",
        owner_name="Chủ Thử",
        owner_email=OWNER_EMAIL,
        owner_password=OWNER_PASSWORD,
    )
    with ctx.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM app_settings WHERE key = :key"), {"key": EARN_SETTING})
    return actor


@pytest.fixture
def owner_ctx(ctx: ServiceContext, owner: Actor) -> ServiceContext:
    return ctx.with_actor(owner)


@pytest.fixture
def other_pc(settings: Settings, clock: FixedClock, owner_ctx: ServiceContext
             ) -> Iterator[ServiceContext]:  # fmt: skip
    """Another PC (the counter's, named "KHO-PC" in the audit rows it writes): its own
    engine on the shop's database, the owner signed in there too."""
    engine = make_engine(settings.database_url)
    yield ServiceContext(engine, owner_ctx.actor, clock, settings, pc="KHO-PC")
    engine.dispose()


@pytest.fixture(autouse=True)
def _gc_on_the_main_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """For the Qt tests, as in the app (primedist.ui.app.make_app): Python's cyclic GC
    runs on the UI thread only, so no worker thread deletes a QObject (a segfault later)."""
    if "qapp" not in request.fixturenames:
        yield
        return
    from primedist.ui.ui_thread_gc import collect_on_ui_thread

    collector = collect_on_ui_thread(request.getfixturevalue("qapp"))
    # Before the test's own fixtures exist: collect what the tests before left (here, on
    # this thread), then freeze what survives (the imports, the session's fixtures), so
    # that every later pass scans only what was made since, not a heap that grows with
    # the session (a full pass after each test cost ~8 min over the suite).
    gc.collect()
    gc.freeze()
    yield
    # pytest-qt has closed the test's widgets: collect their cycles here, on this thread,
    # before automatic collection is back on, or the next collection, in whichever thread
    # trips it (a database worker, a checkpoint or template-copy thread), deletes them
    # there.
    gc.collect()
    collector.stop()
