"""The app's backups on a PostgreSQL database (PostgreSQL pass only): pg_dump files in the
backups folder that pg_restore reads back, kept as the setting says; the daily backup is
the shop's (one PC a day, whichever: the others see it was taken), a PC without pg_dump
leaves it to the others and says so only when none is taken for a day, a failure names
the PC; a restore is refused with the pg_restore command to run, once pg_restore has read
the dump back (a cut or foreign one is refused; without pg_restore its first bytes)."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from primedist.config import Settings
from primedist.core.clock import FixedClock
from primedist.db import pg_backup
from primedist.db.engine import make_engine
from primedist.errors import StoreError
from primedist.jobs import backup as backup_job
from primedist.jobs import lease
from primedist.jobs.scheduler import build_scheduler
from primedist.services import backup
from primedist.services.context import ServiceContext
from tests.conftest import FIXED_NOW, PG_URL
from tests.db.test_pg_backup import stand_in
from tests.factories import make_orders, make_shop

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: pg_dump of a server")

ORDERS = 25


@pytest.fixture
def scratch_url(settings: Settings) -> Iterator[str]:
    """An empty database of a name of its own (the server may be shared), dropped after."""
    url = sa.make_url(settings.database_url)
    name = f"primedist_scratch_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT",
                             poolclass=sa.NullPool)  # fmt: skip
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def another_pc(owner_ctx: ServiceContext, tmp_path: Path, *, days: int = 0) -> ServiceContext:
    """The counter PC KHO-PC on the shop's database: its own data dir (its own backups
    folder), its clock `days` later."""
    assert owner_ctx.settings is not None
    settings = Settings(tmp_path / "kho-pc", owner_ctx.settings.database_url)
    clock = FixedClock(FIXED_NOW + timedelta(days=days))
    return ServiceContext(owner_ctx.engine, owner_ctx.actor, clock, settings, pc="KHO-PC")


def no_pg_dump(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(pg_backup.PG_DUMP_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))


def count_orders(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.exec_driver_sql("SELECT count(*) FROM orders").scalar_one())
    finally:
        engine.dispose()


def test_a_backup_of_a_shop_with_orders_is_a_dump_pg_restore_reads_back(
    owner_ctx: ServiceContext, settings: Settings, scratch_url: str
) -> None:
    shop = make_shop(owner_ctx.engine, "Shopee Lan")
    make_orders(owner_ctx.engine, shop, ORDERS, start=FIXED_NOW - timedelta(days=3),
                step=timedelta(minutes=7))  # fmt: skip

    path = backup.backup_now(owner_ctx)

    assert path.parent == settings.backup_dir and path.name.endswith("-manual.dump")
    listed = backup.list_backups(owner_ctx)
    assert [(b.path, b.reason) for b in listed] == [(path, "manual")]
    restore = subprocess.run(  # as the page's command says, into an empty database
        ["pg_restore", "--clean", "--if-exists", "--no-password",
         "-d", str(sa.make_url(scratch_url).database), str(path)],
        env=pg_backup.connection_env(scratch_url), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert restore.returncode == 0, restore.stderr
    assert count_orders(scratch_url) == ORDERS


def test_the_newest_dumps_are_kept_and_one_goes_into_a_folder(
    owner_ctx: ServiceContext, settings: Settings, tmp_path: Path
) -> None:
    made = [backup.backup_now(owner_ctx, keep=2) for _ in range(3)]
    assert [b.path for b in backup.list_backups(owner_ctx)] == [made[2], made[1]]
    usb = tmp_path / "usb"
    usb.mkdir()
    on_stick = backup.backup_now(owner_ctx, usb, folder=True)
    assert on_stick.parent == usb and pg_backup.is_dump(on_stick)


def test_the_daily_backup_is_the_shops_whichever_pc_takes_it(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    kho = another_pc(owner_ctx, tmp_path)
    assert backup.daily_backup_due(owner_ctx) and backup.daily_backup_due(kho)

    backup_job.run_daily_backup(kho)

    (taken,) = backup.list_backups(kho)
    assert taken.reason == "daily"
    # The other PCs see that the shop's backup of today was taken, and where.
    assert not backup.daily_backup_due(owner_ctx)
    last = backup.last_daily_backup(owner_ctx)
    assert last is not None and (last.pc, last.file) == ("KHO-PC", str(taken.path))
    backup_job.run_daily_backup(owner_ctx)
    assert backup.list_backups(owner_ctx) == []  # not a second one today
    assert backup.daily_backup_due(another_pc(owner_ctx, tmp_path, days=1))


def test_a_failed_daily_dump_names_the_pc_and_another_pcs_backup_puts_it_right(
    owner_ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fails = ('printf "PGDMP half" > "$out"\n'
             "echo 'pg_dump: error: aborting because of server version mismatch' >&2\n"
             "echo 'pg_dump: detail: server version: 17.2; pg_dump version: 15.18' >&2\n"
             "exit 1\n")  # fmt: skip
    monkeypatch.setenv(pg_backup.PG_DUMP_ENV, str(stand_in(tmp_path / "bin", fails)))
    kho = another_pc(owner_ctx, tmp_path)
    for _hour in range(2):
        with pytest.raises(backup.store_backup.BackupFailed):
            backup_job.run_daily_backup(kho)
    assert list((kho.settings.backup_dir).iterdir()) == []  # type: ignore[union-attr]

    failure = backup.daily_failure(owner_ctx)  # every PC shows it
    assert failure is not None
    assert failure.reason == (
        "pg_dump 15.18 is older than the database server (17.2): install the PostgreSQL "
        "client tools of version 17 or newer, or set PRIMEDIST_PG_DUMP to such a pg_dump. "
        "(on KHO-PC)"
    )
    assert failure.folder == str(kho.settings.backup_dir)  # type: ignore[union-attr]
    assert len(backup._failures_since_daily(owner_ctx, 10)) == 1  # posted once

    monkeypatch.delenv(pg_backup.PG_DUMP_ENV)  # this PC's own pg_dump works
    backup_job.run_daily_backup(owner_ctx)
    assert backup.daily_failure(owner_ctx) is None


def test_a_pc_without_pg_dump_leaves_the_daily_backup_to_the_others(
    owner_ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup_job.run_daily_backup(owner_ctx)  # the office PC, with pg_dump, took today's
    no_pg_dump(monkeypatch, tmp_path)
    kho_tomorrow = another_pc(owner_ctx, tmp_path, days=1)

    backup_job.run_daily_backup(kho_tomorrow)  # the office PC may still take it today

    assert not (kho_tomorrow.settings.backup_dir).exists()  # type: ignore[union-attr]
    assert backup.daily_failure(owner_ctx) is None
    # A day and more without any PC's backup: said, naming the PC without pg_dump.
    kho_later = another_pc(owner_ctx, tmp_path, days=2)
    backup_job.run_daily_backup(kho_later)
    failure = backup.daily_failure(kho_later)
    assert failure is not None and failure.reason == (
        "pg_dump was not found on KHO-PC: install the PostgreSQL client tools there or set "
        "PRIMEDIST_PG_DUMP to its path."
    )
    backup_job.run_daily_backup(kho_later)  # the next hour: not said again
    assert len(backup._failures_since_daily(kho_later, 10)) == 1


def test_the_pc_without_pg_dump_never_takes_the_daily_lease(
    owner_ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_pg_dump(monkeypatch, tmp_path)
    kho = another_pc(owner_ctx, tmp_path)
    taken: list[str] = []
    real = lease.try_acquire

    def try_acquire(engine: Any, name: str, **kw: Any) -> bool:
        taken.append(name)
        return real(engine, name, **kw)

    monkeypatch.setattr(lease, "try_acquire", try_acquire)
    backup_job.run_daily_backup(kho)
    assert taken == []
    # No PC has ever taken one: said at once.
    failure = backup.daily_failure(kho)
    assert failure is not None and "pg_dump was not found on KHO-PC" in failure.reason
    # The scheduler leaves the lease to the job (a wrapper would take it first).
    scheduler = build_scheduler(kho)
    assert scheduler.get_job(backup_job.JOB_ID).func is backup_job.run_daily_backup


def test_a_restore_is_refused_with_the_pg_restore_command(
    owner_ctx: ServiceContext, settings: Settings
) -> None:
    dump = backup.backup_now(owner_ctx)
    database = sa.make_url(settings.database_url).database
    for refused in (lambda: backup.restore(owner_ctx, dump),
                    lambda: backup.check_backup(owner_ctx, dump),
                    lambda: backup.restore_without_sign_in(
                        settings, dump, backup.StoreState(backup.MISSING))):  # fmt: skip
        with pytest.raises(StoreError) as info:
            refused()
        assert "When every PC has closed the app, run: pg_restore --clean --if-exists" in str(
            info.value
        )
        assert f'-d {database} "{dump}"' in str(info.value)
    assert backup.pg_restore_command(settings, dump).endswith(f'-d {database} "{dump}"')


def refusal(ctx: ServiceContext, dump: Path) -> str:
    with pytest.raises(StoreError) as info:
        backup.check_backup(ctx, dump)
    return str(info.value)


def test_a_dump_is_read_back_by_pg_restore_before_its_command_is_given(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    make_orders(owner_ctx.engine, make_shop(owner_ctx.engine, "Shopee Lan"), ORDERS,
                start=FIXED_NOW - timedelta(days=3), step=timedelta(minutes=7))  # fmt: skip
    good = backup.backup_now(owner_ctx)
    assert pg_backup.check_dump(good) is None  # read whole by the real pg_restore
    assert "When every PC has closed the app, run: pg_restore" in refusal(owner_ctx, good)

    data = good.read_bytes()
    half = tmp_path / "half.dump"
    half.write_bytes(data[: len(data) // 2])  # its table of contents is whole: --list passes
    assert refusal(owner_ctx, half) == (
        "half.dump is damaged or incomplete: pg_restore says “could not read from input "
        "file: end of file”. Copy it again from where the backup is kept, or choose another "
        "backup."
    )
    text = tmp_path / "notes.dump"
    text.write_text("not a backup", encoding="utf-8")
    assert refusal(owner_ctx, text) == "notes.dump is not a pg_dump backup (.dump file)."


def test_a_dump_of_another_database_is_refused(
    owner_ctx: ServiceContext, scratch_url: str, tmp_path: Path
) -> None:
    other = tmp_path / "other.dump"
    subprocess.run(["pg_dump", "--format=custom", f"--file={other}"],
                   env=pg_backup.connection_env(scratch_url), check=True)  # fmt: skip
    assert refusal(owner_ctx, other) == (
        "other.dump is not a backup of a Prime Distribution shop: it holds no "
        "alembic_version, orders table."
    )


def test_without_pg_restore_only_the_start_is_checked_and_said(
    owner_ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = shutil.which("pg_dump")
    assert real is not None
    alone = tmp_path / "only-pg_dump"
    alone.mkdir()
    (alone / "pg_dump").symlink_to(real)  # pg_dump without its pg_restore
    monkeypatch.setenv(pg_backup.PG_DUMP_ENV, str(alone / "pg_dump"))

    dump = backup.backup_now(owner_ctx)  # kept: its first bytes are a dump's

    said = refusal(owner_ctx, dump)
    assert "When every PC has closed the app, run: " in said
    assert said.endswith(
        f"pg_restore was not found beside pg_dump on this PC: only the start of {dump.name} "
        "was checked."
    )


def test_a_dump_cut_while_written_is_not_kept(
    owner_ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_dump, real_restore = shutil.which("pg_dump"), shutil.which("pg_restore")
    assert real_dump is not None and real_restore is not None
    kept = backup.backup_now(owner_ctx)
    # pg_dump's whole dump, then cut in half (a disk that lost its end), its pg_restore beside.
    cuts = f'"{real_dump}" "$@" || exit 1\ntruncate -s $(($(wc -c < "$out") / 2)) "$out"\n'
    bin_dir = stand_in(tmp_path / "bin", cuts).parent
    (bin_dir / "pg_restore").symlink_to(real_restore)
    monkeypatch.setenv(pg_backup.PG_DUMP_ENV, str(bin_dir / "pg_dump"))

    with pytest.raises(backup.store_backup.BackupFailed) as info:
        backup_job.run_daily_backup(owner_ctx)

    assert "pg_restore says “could not read from input file: end of file”" in info.value.reason
    assert [b.path for b in backup.list_backups(owner_ctx)] == [kept]
