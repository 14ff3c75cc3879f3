"""`primedist migrate`: upgrade the schema, or copy all data to another database.

    primedist migrate [--without-backup] [--json]           upgrade (backs up first)
    primedist migrate --to URL [--key-out FILE] [--json]    copy everything to an empty
                                                            database (owner only)

The copy reads the app's database without changing it and prints the rows of every table
(progress per table on stderr), then how to switch the PCs over.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from primedist.cli import EXIT_OK, EXIT_USAGE, as_owner, counted, emit, open_context
from primedist.config import Settings


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "migrate",
        help="upgrade the database schema (backs up first); with --to, copy all data to "
        "another, empty database (e.g. PostgreSQL for several PCs)",
    )
    p.add_argument(
        "--to",
        metavar="URL",
        help="the empty database to copy everything into, e.g. "
        "postgresql+psycopg://USER:PASSWORD@HOST/DB (this one is only read)",
    )
    p.add_argument(
        "--key-out",
        metavar="FILE",
        help="with --to: also write the shop secrets' key to FILE (new, 0600), to put as "
        "secret.key in the other PCs' data dirs",
    )
    p.add_argument(
        "--without-backup",
        action="store_true",
        help="upgrade even though the backup taken first cannot be made (e.g. no pg_dump "
        "on this PC): there is then no copy to go back to",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_migrate)


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    if args.to is not None and args.without_backup:  # the copy changes nothing to back up
        sys.stderr.write(
            "primedist: error: --without-backup goes with an upgrade, not with --to "
            "(see `primedist --help`)\n"
        )
        return EXIT_USAGE
    if args.to is not None:  # an empty --to is refused, not a plain migrate
        return _copy_to(args, settings)
    if args.key_out:
        sys.stderr.write("primedist: error: --key-out goes with --to (see `primedist --help`)\n")
        return EXIT_USAGE
    return _upgrade(args, settings)


def _upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.cli import check_acting_user
    from primedist.db.store import HEAD_REVISION, connect_store, current_revision, migrate_store

    # A data dir (or database) without a shop is refused, nothing made: there is nothing
    # to upgrade, and `primedist init` (or the app's first start) makes the store.
    engine, before = connect_store(settings, create=False)
    try:
        check_acting_user(engine)  # a wrong --user password: refused before migrating
        backup = None
        if before != HEAD_REVISION:
            backup = migrate_store(
                settings, engine, from_revision=before, backup=not args.without_backup
            )
        after = current_revision(engine)
    finally:
        engine.dispose()
    emit(
        args,
        {"from": before, "to": after, "backup": str(backup) if backup else None},
        f"Database at {after}"
        + (f" (was {before or 'empty'})" if before != after else " (already up to date)")
        + (f"; backup before migrating: {backup}" if backup else "."),
    )
    return EXIT_OK


def _copy_to(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.db.transfer import TableCopied
    from primedist.errors import StoreError
    from primedist.services.store_move import move_to

    if settings.db_path is not None and not settings.db_path.is_file():
        raise StoreError(f"There is no database at {settings.db_path}: nothing to copy.")

    def progress(done: TableCopied) -> None:
        sys.stderr.write(f"[{done.index}/{done.total}] {done.name}: {counted(done.rows, 'row')}\n")

    # migrate=False: the source is never changed; one behind head is refused (open it first).
    ctx = as_owner(open_context(settings, migrate=False))
    key_out = Path(args.key_out) if args.key_out else None
    report = move_to(ctx, args.to, key_out=key_out, on_table=progress)
    ctx.engine.dispose()
    copied, key = report.copied, report.key
    data = {
        "source": copied.source,
        "target": copied.target,
        "revision": copied.revision,
        "tables": copied.tables,
        "rows": copied.rows,
        "seconds": round(copied.seconds, 3),
        "encrypted_secrets": key.secrets,
        "secret_key": {"store": key.store, "file": str(key.file) if key.file else None},
        "switch": report.switch,
    }
    lines = [f"{name:<28} {rows:>12,}" for name, rows in copied.tables.items()]
    lines.append(
        f"Copied {counted(copied.rows, 'row')} in {counted(len(copied.tables), 'table')} to "
        f"{copied.target} in "
        f"{copied.seconds:.1f} s; every table's row count checked."
    )
    lines.append(
        f"To use it, set {report.switch} (with the password) on every PC, this one too, "
        "and start the app there."
    )
    if key.secrets and key.file is not None:
        lines.append(
            f"{key.secrets} shop secrets are encrypted with the key in {key.file}: copy it to "
            "every other PC's data dir as secret.key."
        )
    emit(args, data, "\n".join(lines))
    return EXIT_OK
