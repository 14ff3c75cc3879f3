"""Open the store: create the data dir, back up before a pending migration, migrate.

`open_store()` is what the app, the CLI and the tests call. The head revision is a constant
here (checked against Alembic by a test) so a normal start does not import Alembic at all.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.config import Settings
from primedist.core.app_lock import (
    leave_store,
    leave_store_soon,
    restoring_here,
    share_store,
    store_lock_path,
)
from primedist.core.messages import msg
from primedist.db.engine import (
    SQLITE_BUSY_TIMEOUT_MS,
    WRITE_LOCK,
    make_engine,
    masked_url,
    store_problem,
)
from primedist.errors import SetupRequired, StoreError

log = logging.getLogger(__name__)

HEAD_REVISION = "0044_staff_export_right"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
#: PostgreSQL: space and key of the advisory lock a migration holds until it commits, so
#: that PCs starting together on one server migrate one after the other. A space of its
#: own (`db.advisory` lists the app's others).
MIGRATION_SPACE = 3
MIGRATION_KEY = 0


def alembic_config(url: str, connection: sa.Connection | None = None) -> object:
    """An Alembic Config pointing at our migrations (imported lazily: Alembic is slow)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def current_revision(engine: Engine) -> str | None:
    """The database's Alembic revision, or None for an empty database."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def has_user_tables(engine: Engine) -> bool:
    with engine.connect() as conn:
        return any(t != "alembic_version" for t in sa.inspect(conn).get_table_names())


#: How long a start waits on SQLite for another process's migration of the same file
#: (the app and a command started together): a table rebuilt on a shop of a million
#: orders takes far longer than the busy timeout a sale waits.
MIGRATION_WAIT_MS = 10 * 60 * 1000


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run Alembic upgrade on this engine."""
    migrate(engine, revision)


def migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    """Upgrade (or downgrade) the schema to `revision` in one transaction.

    On SQLite, foreign keys are off while it runs: a batch migration rebuilds a table by
    copying it and dropping the old one, and with them on that DROP would fire the
    children's ON DELETE actions (a receipt's lines deleted, a payment's receipt nulled).
    The keys are checked before the commit instead (SQLite's documented procedure for
    schema changes).

    Two processes migrating at once (two PCs starting on one empty or older PostgreSQL
    database; the app and a command on one SQLite file) would both create the same tables:
    the migration takes the write lock first (PostgreSQL: its advisory lock,
    `MIGRATION_SPACE`; SQLite: BEGIN IMMEDIATE, waiting up to MIGRATION_WAIT_MS), so the
    second waits, then finds the schema current and changes nothing."""
    from alembic import command

    step = command.downgrade if down else command.upgrade
    with engine.connect().execution_options(**{WRITE_LOCK: True}) as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # outside a transaction: inside one, SQLite ignores the pragma
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
            conn.connection.driver_connection.execute(f"PRAGMA busy_timeout={MIGRATION_WAIT_MS}")  # type: ignore[union-attr]
        try:
            with conn.begin():
                if not sqlite:
                    conn.exec_driver_sql(
                        f"SELECT pg_advisory_xact_lock({MIGRATION_SPACE}, {MIGRATION_KEY})"
                    )
                step(alembic_config(str(engine.url), conn), revision)  # type: ignore[arg-type]
                if sqlite:
                    _check_foreign_keys(conn)
        finally:
            if sqlite:
                driver = conn.connection.driver_connection
                driver.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
                driver.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")  # type: ignore[union-attr]


def _check_foreign_keys(conn: sa.Connection) -> None:
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
    if broken is not None:
        raise StoreError(msg("The migration would leave table {table} pointing at a missing "
                             "row of {parent}: nothing was changed.", table=str(broken[0]),
                             parent=str(broken[2])))  # fmt: skip


def open_store(
    settings: Settings,
    *,
    migrate: bool = True,
    create: bool = True,
    check: Callable[[Engine], None] | None = None,
) -> Engine:
    """Return a ready engine; migrate (after a backup) when the schema is behind.

    `create=False` (the commands other than `init` and `demo`) refuses a store that is not
    there yet — no SQLite file, or a server database without tables — with SetupRequired,
    having made nothing (no folder, no file). `check(engine)` runs on the database as it is,
    before it is migrated or written to (the CLI checks the `--user` password there); what
    it raises leaves the store untouched."""
    engine, rev = connect_store(settings, create=create)
    if check is not None:
        try:
            check(engine)
        except BaseException:
            engine.dispose()
            raise
    if rev == HEAD_REVISION:
        return engine
    try:
        refuse_newer_revision(rev)
    except StoreError:
        engine.dispose()
        raise
    if not migrate and rev is None:
        raise StoreError(
            msg(
                "The database is at revision empty, the app needs {head}: run `primedist migrate`.",
                head=HEAD_REVISION,
            )
        )
    if not migrate:
        raise StoreError(
            msg(
                "The database is at revision {revision}, the app needs {head}: run "
                "`primedist migrate`.",
                revision=rev,
                head=HEAD_REVISION,
            )
        )
    migrate_store(settings, engine, from_revision=rev)
    return engine


def connect_store(settings: Settings, *, create: bool = True) -> tuple[Engine, str | None]:
    """The engine and the database's revision (None: empty), nothing migrated.

    With `create` the data dir and its sub-folders are made first. Without it a store that
    is not there yet is refused (`no_store_error`) before anything is made; the sub-folders
    of the data dir are made only once the store is known to be there."""
    db_path = settings.db_path
    if not create and db_path is not None and not _has_content(db_path):
        if settings.data_dir.exists() and not settings.data_dir.is_dir():
            _ensure_dirs(settings)  # a file in the way: say so, as with `create`
        raise no_store_error(settings)
    if create:
        _ensure_dirs(settings)
    try:
        engine = make_engine(settings.database_url)
    except (sa.exc.ArgumentError, ImportError) as exc:  # PRIMEDIST_DATABASE_URL=bogus://
        raise StoreError(
            msg(
                "{database} is not a database this app can use: give "
                "postgresql+psycopg://USER:PASSWORD@HOST/DB (or sqlite:///FILE).",
                database=masked_url(settings.database_url),
            )
        ) from exc
    if db_path is not None:
        _share_while_open(engine, db_path)
    try:
        rev = current_revision(engine)
        empty = rev is None and not has_user_tables(engine)
    except sa.exc.DatabaseError as exc:
        engine.dispose()
        problem = store_problem(exc)  # a damaged file: SQLite's words become how to restore it
        raise StoreError(
            msg(
                "The database at {database} cannot be opened: {error}",
                database=masked_url(settings.database_url),
                error=problem.user_message if problem else str(exc.orig),
            )
        ) from exc
    if not create:
        if empty:  # an empty server database (or an empty SQLite file): no shop there
            engine.dispose()
            raise no_store_error(settings)
        _ensure_dirs(settings)
    return engine, rev


class _StoreUse:
    """An engine's share of the store lock (core/app_lock): held from the engine's making
    until it is disposed, taken again when it connects after that, dropped when the engine
    is collected."""

    def __init__(self, lock_path: Path) -> None:
        self.lock_path = lock_path
        self.held = False
        self._guard = threading.Lock()

    def take(self, *_args: object) -> None:
        with self._guard:
            if not self.held:
                self.held = share_store(self.lock_path)

    def drop(self, *_args: object) -> None:
        with self._guard:
            if self.held:
                self.held = False
                leave_store(self.lock_path)

    def drop_collected(self) -> None:
        """The engine was garbage-collected: the collection may run anywhere, even inside
        the lock's own bookkeeping, so nothing is waited for here."""
        if self.held:
            self.held = False
            leave_store_soon(self.lock_path)


def _share_while_open(engine: Engine, db_path: Path) -> None:
    """Share the store lock for as long as `engine` is in use (a restore in another
    process is refused meanwhile), then remove what a restore cut off (a kill, a power cut)
    left beside the database: with the lock shared, no restore is running."""
    from primedist.db.backup import remove_interrupted_restore

    lock_path = store_lock_path(db_path)
    use = _StoreUse(lock_path)
    use.take()
    # First among the connect listeners: a connection after a dispose waits out a restore
    # before anything reads the file.
    sa.event.listen(engine, "connect", use.take, insert=True)
    sa.event.listen(engine, "engine_disposed", use.drop)
    weakref.finalize(engine, use.drop_collected)
    if use.held and not restoring_here(lock_path):
        remove_interrupted_restore(db_path)


def _has_content(path: Path) -> bool:
    """Whether the SQLite file is there and not empty (an empty one is not opened: SQLite
    would write its header into it)."""
    try:
        return path.is_file() and path.stat().st_size > 0
    except OSError:
        return False


def no_store_error(settings: Settings) -> SetupRequired:
    """No shop where the settings point: which setting to check, or how to set one up."""
    db_path = settings.db_path
    if not settings.is_sqlite:
        where = f"the database {masked_url(settings.database_url)}"
        setting = "PRIMEDIST_DATABASE_URL"
    elif db_path is not None and db_path.parent != settings.data_dir:
        where, setting = str(db_path), "PRIMEDIST_DATABASE_URL"
    else:
        where, setting = str(settings.data_dir), "--data-dir or PRIMEDIST_DATA_DIR"
    return SetupRequired(
        f"There is no shop in {where}: check {setting}, or set a shop up there with "
        "`primedist init` (or by starting the app)."
    )


def _ensure_dirs(settings: Settings) -> None:
    try:
        settings.ensure_dirs()
    except OSError as exc:  # a file in the way, a folder that cannot be made
        raise StoreError(
            msg(
                "{folder} cannot hold the app's data: {error}.",
                folder=str(settings.data_dir),
                error=exc.strerror or str(exc),
            )
        ) from exc


def known_revisions() -> set[str]:
    """The schema revisions of this app's migrations."""
    return {p.stem for p in (MIGRATIONS_DIR / "versions").glob("[0-9]*.py")}


def refuse_newer_revision(revision: str | None) -> None:
    """A database at a revision this app has no migration for, numbered after its own
    head, was made by a newer app: it cannot be upgraded (nor safely used), so nothing is
    tried — no safety copy either, which every start would take again."""
    if revision is None or revision in known_revisions():
        return
    if _revision_number(revision) > _revision_number(HEAD_REVISION):
        raise StoreError(
            msg("This data was made by a newer version of Prime Distribution: update the app.")
        )


def _revision_number(revision: str) -> int:
    """The number a revision's name starts with (0032_kept_revenue: 32; none: -1)."""
    digits = revision.split("_", 1)[0]
    return int(digits) if digits.isdigit() else -1


def migrate_store(
    settings: Settings, engine: Engine, *, from_revision: str | None, backup: bool = True
) -> Path | None:
    """Back up (when there is data to lose), then upgrade to head. Returns the backup path.

    The backup is the data dir's `…-pre-migrate` copy: SQLite's own copy, or pg_dump of a
    PostgreSQL database (`db.backup.create_backup`, as Backup & restore and `primedist
    backup` write them). When it cannot be taken nothing is upgraded (`_backup_refused`);
    `backup=False` (the owner's `primedist migrate --without-backup`) upgrades without it.
    On PostgreSQL the backup and the upgrade hold one lock (`_server_upgrade_lock`): a PC
    starting meanwhile waits, then finds the schema current, dumps nothing and changes
    nothing (its dump would otherwise meet the first PC's tables being rebuilt)."""
    refuse_newer_revision(from_revision)
    if settings.is_sqlite:
        return _back_up_and_upgrade(settings, engine, from_revision, backup)
    with _server_upgrade_lock(engine):
        revision = current_revision(engine)  # another PC may have upgraded while this waited
        if revision == HEAD_REVISION:
            return None
        refuse_newer_revision(revision)
        return _back_up_and_upgrade(settings, engine, revision, backup)


#: PostgreSQL: the key (in MIGRATION_SPACE) of the lock held from the backup before an
#: upgrade to the upgrade's commit (`migrate` takes MIGRATION_KEY inside it).
BACKUP_THEN_MIGRATE_KEY = 1


@contextmanager
def _server_upgrade_lock(engine: Engine) -> Iterator[None]:
    """Hold a session-level advisory lock on a connection of its own (outside any
    transaction: pg_dump and the upgrade run meanwhile) until the block ends."""
    conn = engine.connect()
    try:
        conn.exec_driver_sql(
            f"SELECT pg_advisory_lock({MIGRATION_SPACE}, {BACKUP_THEN_MIGRATE_KEY})"
        )
        conn.commit()  # the lock outlives the transaction: no idle transaction held
        try:
            yield
        finally:
            try:
                conn.exec_driver_sql(
                    f"SELECT pg_advisory_unlock({MIGRATION_SPACE}, {BACKUP_THEN_MIGRATE_KEY})"
                )
                conn.commit()
            except sa.exc.SQLAlchemyError:
                conn.invalidate()  # never pool a connection that may still hold the lock
    finally:
        conn.close()


def _back_up_and_upgrade(
    settings: Settings, engine: Engine, from_revision: str | None, backup: bool
) -> Path | None:
    backup_path: Path | None = None
    if backup and (from_revision is not None or has_user_tables(engine)):
        from primedist.db.backup import BackupStopped, create_backup

        log.info("backing up to %s before migrating from %s", settings.backup_dir, from_revision)
        try:
            backup_path = create_backup(engine, settings.backup_dir, reason="pre-migrate")
        except BackupStopped:
            raise
        except StoreError as exc:  # no pg_dump here, pg_dump failed, a full disk…
            log.warning("not migrating: the backup before it failed: %s", exc)
            raise _backup_refused(exc, sqlite=settings.is_sqlite) from exc
        log.info("backed up to %s before migrating", backup_path)
    elif not backup:
        log.warning("migrating from %s without a backup (asked for)", from_revision)
    try:
        upgrade(engine)
    except Exception as exc:
        if backup_path:
            raise StoreError(
                msg(
                    "Upgrading the database failed ({error}); a backup taken before is at {path}.",
                    error=str(exc),
                    path=str(backup_path),
                )
            ) from exc
        raise StoreError(msg("Upgrading the database failed ({error}).", error=str(exc))) from exc
    return backup_path


def _backup_refused(exc: StoreError, *, sqlite: bool) -> StoreError:
    """The upgrade refused because its backup could not be taken: the ways on, and why
    (the backup's own words: pg_dump missing or failing, a full disk)."""
    if sqlite:
        return StoreError(
            msg(
                "The database was not upgraded: the backup made before an upgrade failed. "
                "Fix that and start again, or upgrade without a backup with `primedist "
                "migrate --without-backup`. The backup's error: {error}",
                error=exc.user_message,
            )
        )
    return StoreError(
        msg(
            "The database was not upgraded: the backup made before an upgrade (with "
            "pg_dump) failed. Fix that and start again, or start the new version first on a "
            "PC where pg_dump works, or upgrade without a backup with `primedist migrate "
            "--without-backup`. The backup's error: {error}",
            error=exc.user_message,
        )
    )
