"""The `primedist` command: the GUI without a subcommand, batch work with one.

Every subcommand calls the same services as the GUI, exits 0 on success and non-zero
with a one-line error on failure, and prints JSON with `--json`.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from primedist import __version__
from primedist.config import Settings, resolve_settings
from primedist.core.messages import msg
from primedist.core.money import parse_money
from primedist.errors import PrimedistError, StoreError

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2

log = logging.getLogger(__name__)

#: What argparse takes for a negative number, plus a negative amount typed as on the
#: screens (-50k, -1,5k, -50.000đ) and a negative percentage (-5%, -2.5%).
NEGATIVE_VALUE = re.compile(
    r"^-\d+$|^-\d*\.\d+$|^-\d+([.,]\d+)?%$|^-\d[\d.,_]*k?\s*(₫|đ|vnđ|vnd|đồng)?$",
    re.IGNORECASE,
)


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage dump), taking a negative amount or
    percentage (-50k, -5%) as a value."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # argparse reads what starts with "-" as an option unless it looks like a negative
        # number, and -50k does not: this is the only hook it has.
        self._negative_number_matcher = NEGATIVE_VALUE

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{_usage_line(message)}\n")


def emit(args: argparse.Namespace, data: dict[str, Any], text: str) -> None:
    if getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False, default=str, indent=2))
    else:
        print(text)


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`1 line`, `2 lines`, `1,204 units`: the number and its noun (`plural` when not +s)."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


class UsageError(Exception):
    """A command line that parses but makes no sense — a range that ends before it starts,
    options that do not go together: `main` prints it on one line and exits 2. Commands
    raise it before they open the store, or (a name the store does not know, given to an
    export's filter) before they write anything."""


def open_context(settings: Settings, *, migrate: bool = True, create: bool = False) -> Any:
    """The store's context. Only `init` and `demo` pass `create`: every other command
    refuses a data dir (or database) without a shop, making nothing there. The `--user`
    password is checked on the database as it is, before it is migrated or written to."""
    from primedist.db.store import open_store
    from primedist.services.context import ServiceContext

    check = None if create else check_acting_user
    engine = open_store(settings, migrate=migrate, create=create, check=check)
    return ServiceContext(engine, settings=settings)


#: The global `--user EMAIL` of this run (None: commands act as the owner), and its
#: password once read (asked once per run).
_acting_user: str | None = None
_acting_password: str | None = None
PASSWORD_ENV = "PRIMEDIST_PASSWORD"
ONE_TIME_PASSWORD = "{email} signs in with a one-time password: choose your own in the app first."


def as_owner(ctx: Any) -> Any:
    """The context commands act in: the `--user` when given (its password checked, so the
    services apply that user's permissions; not recorded as a sign-in, which the GUI
    records: one per command would fill the audit log), else the owner."""
    from primedist.services import auth

    if _acting_user is None:
        return ctx.with_actor(auth.owner_actor(ctx))
    actor = auth.check_login(ctx, _acting_user, _password_of_acting_user())
    if actor.must_change_password:
        from primedist.errors import AuthenticationError

        raise AuthenticationError(ONE_TIME_PASSWORD.format(email=actor.email))
    return ctx.with_actor(actor)


def check_acting_user(engine: Any) -> None:
    """Refuse the `--user` (if given) before anything else is written — no migration, no
    backup: a wrong password, an unknown or disabled account, a one-time password, an
    account whose sign-ins are paused. On a store at this version's schema the services
    check it, and a wrong password is recorded as at the app's sign-in (audit row, counted
    towards a pause); on one behind (before its migration) it is read-only, on the users
    table as it is. `as_owner` then checks it again with the services."""
    if _acting_user is None:
        return
    import sqlalchemy as sa

    from primedist.core import security
    from primedist.db.store import HEAD_REVISION, current_revision
    from primedist.errors import AuthenticationError, SetupRequired
    from primedist.services.auth import WRONG_LOGIN, normalize_email

    email = normalize_email(_acting_user)
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("users"):
            return  # no shop set up: `as_owner` says so
        columns = {c["name"] for c in sa.inspect(conn).get_columns("users")}
        if not conn.exec_driver_sql("SELECT 1 FROM users LIMIT 1").first():
            raise SetupRequired("No shop is set up yet: run `primedist init` first.")
    if current_revision(engine) == HEAD_REVISION:
        _check_acting_user_signs_in(engine)
        return
    with engine.connect() as conn:
        wanted = [c for c in ("password_hash", "is_active", "must_change_password") if c in columns]
        row = (
            conn.execute(
                sa.text(f"SELECT {', '.join(wanted)} FROM users WHERE email = :email"),
                {"email": email},
            )
            .mappings()
            .first()
        )
    password = _password_of_acting_user()
    if row is None:
        security.hash_password(password)  # the same work as a real check: no timing oracle
        raise AuthenticationError(WRONG_LOGIN)
    if not security.verify_password(row["password_hash"], password):
        raise AuthenticationError(WRONG_LOGIN)
    if not row.get("is_active", True):
        raise AuthenticationError("This account is disabled: ask the shop owner.")
    if row.get("must_change_password", False):
        raise AuthenticationError(ONE_TIME_PASSWORD.format(email=email))


def _check_acting_user_signs_in(engine: Any) -> None:
    """The `--user` signed in by the services (wrong passwords counted and audited)."""
    from primedist.errors import AuthenticationError
    from primedist.services import auth
    from primedist.services.context import ServiceContext

    assert _acting_user is not None
    actor = auth.check_login(ServiceContext(engine), _acting_user, _password_of_acting_user())
    if actor.must_change_password:
        raise AuthenticationError(ONE_TIME_PASSWORD.format(email=actor.email))


def _password_of_acting_user() -> str:
    global _acting_password
    assert _acting_user is not None
    if _acting_password is None:
        _acting_password = _cli_password(_acting_user)
    return _acting_password


def _cli_password(email: str) -> str:
    """The `--user`'s password: PRIMEDIST_PASSWORD, else asked on the terminal."""
    import os

    password = os.environ.get(PASSWORD_ENV)
    if password is not None:
        return password
    if not sys.stdin.isatty():
        from primedist.errors import AuthenticationError

        raise AuthenticationError(
            f"--user {email} needs a password: set {PASSWORD_ENV} or run from a terminal."
        )
    import getpass

    return getpass.getpass(f"Password for {email}: ")


# Subcommands ---------------------------------------------------------------------------
def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import auth

    undo = _undo_of_init(settings)
    ctx = None
    try:
        ctx = open_context(settings, create=True)
        actor = auth.setup_shop(
            ctx,
            shop_name=args.shop_name,
            owner_name=args.owner_name,
            owner_email=args.owner_email,
            owner_password=args.owner_password,
            address=args.address,
            phone=args.phone,
            tax_code=args.tax_code,
        )
    except BaseException:  # a failed set-up leaves nothing behind it made
        undo(ctx.engine if ctx is not None else None)
        raise
    emit(
        args,
        {"data_dir": str(settings.data_dir), "shop": args.shop_name, "owner": actor.email},
        f"Shop {args.shop_name!r} set up in {settings.data_dir}; owner {actor.email}.",
    )
    return EXIT_OK


def _undo_of_init(settings: Settings) -> Callable[[Any], None]:
    """What `init` is about to make — the data dir (and the folders above it), its
    sub-folders, the SQLite file, or the tables of an empty server database — as a function
    that removes it again (given the engine, when the store was opened). What was there
    before is never touched; a folder is removed only when empty."""
    from primedist.core.app_lock import store_lock_path

    folders: list[Path] = []
    for folder in (settings.backup_dir, settings.log_dir, settings.export_dir):
        if not folder.exists():
            folders.append(folder)
    top = settings.data_dir
    while not top.exists() and top.parent != top:
        folders.append(top)
        top = top.parent
    files: list[Path] = []
    db = settings.db_path
    if db is not None and not db.exists():
        files = [db, *(db.with_name(db.name + end) for end in ("-wal", "-shm", "-journal"))]
        files.append(store_lock_path(db))  # the engine's store lock (core/app_lock)
    empty_server = not settings.is_sqlite and _is_empty_server_database(settings)

    def undo(engine: Any) -> None:
        if engine is not None:
            try:
                if empty_server:
                    from primedist.db.store import migrate

                    migrate(engine, "base", down=True)
                    with engine.begin() as conn:
                        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
            finally:
                engine.dispose()
        for file in files:
            file.unlink(missing_ok=True)
        for folder in folders:  # the deepest first
            try:
                folder.rmdir()
            except OSError:
                pass  # not empty (or gone): keep what is not ours

    return undo


def _is_empty_server_database(settings: Settings) -> bool:
    """Whether the (PostgreSQL) database has no tables yet; False when it cannot be read."""
    try:
        from primedist.db.engine import make_engine
        from primedist.db.store import current_revision, has_user_tables

        engine = make_engine(settings.database_url)
    except Exception:
        return False
    try:
        return current_revision(engine) is None and not has_user_tables(engine)
    except Exception:
        return False
    finally:
        engine.dispose()


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import demo

    if _acting_user is not None:  # signed in like every command, and owner of the whole shop
        ctx = as_owner(open_context(settings))
        ctx.require_owner(msg("Only the owner may fill the shop with demo data."))
        owner = ctx.actor
    else:
        ctx = open_context(settings, create=True)
        owner = demo.ensure_demo_owner(ctx)
    demo.refuse_a_shop_with_data(ctx, settings.data_dir)
    progress = _progress(args)
    summary = demo.generate_demo(
        ctx.with_actor(owner),
        orders=args.orders,
        customers=args.customers,
        seed=args.seed,
        progress=progress,
    )
    data = asdict(summary)
    data["data_dir"] = str(settings.data_dir)
    data["owner_email"] = (
        demo.DEMO_OWNER_EMAIL if owner.email == demo.DEMO_OWNER_EMAIL else owner.email
    )
    emit(
        args,
        data,
        f"Demo shop ready in {settings.data_dir}: {counted(data['orders'], 'order')}, "
        f"{counted(data['customers'], 'customer')} in {data['seconds']:.1f} s. "
        f"Sign in as {data['owner_email']}.",
    )
    return EXIT_OK


def _stderr_progress(fraction: float, message: str) -> None:
    sys.stderr.write(f"\r{fraction * 100:5.1f}% {message[:60]:<60}")
    if fraction >= 1:
        sys.stderr.write("\n")
    sys.stderr.flush()


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import backup

    ctx = as_owner(open_context(settings))
    path = backup.backup_now(ctx, Path(args.file) if args.file else None, keep=args.keep)
    data: dict[str, object] = {"backup": str(path), "bytes": path.stat().st_size}
    text = f"Backup written to {path}"
    outside = backup.outside_copy(ctx) if not args.file else None
    if outside is not None and outside.folder is not None:  # the second folder's copy
        if Path(outside.last_file).name == path.name:
            data["copy"] = outside.last_file
            text += f"\nCopied to {outside.last_file}"
        else:  # the backup stands: said, not an error exit
            reason = str(outside.failure.reason) if outside.failure else "unknown"
            data["copy_failed"] = reason
            text += f"\nNOT copied to {outside.folder}: {reason}"
    emit(args, data, text)
    return EXIT_OK


def _say_restore_loss(args: argparse.Namespace, ctx: Any, file: Path) -> Any:
    """What restoring `file` loses (`backup.restore_loss`), said before restoring, as the
    app's confirmation does (text only: --json gives it in its one document)."""
    from primedist.core.clock import shop_tz, to_local
    from primedist.services import backup

    loss = backup.restore_loss(ctx, file)
    if loss is not None and not getattr(args, "json", False):
        when = f"{to_local(backup.backup_taken(file), shop_tz()):%Y-%m-%d %H:%M}"
        for line in backup.restore_loss_lines(loss, when):
            print(line, flush=True)
    return loss


def _shops_to_link_again(new_ctx: Any, loss: Any) -> list[str]:
    """The shops linked before the restore that the restored data holds unlinked; [] when
    that cannot be read (the restore is done: no reason to fail it)."""
    from primedist.services import backup

    linked = loss.linked_now if loss is not None else ()
    try:
        return backup.shops_to_link_again(new_ctx, linked) if linked else []
    except PrimedistError:
        log.warning("the shops to link again could not be read", exc_info=True)
        return []


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.core.app_lock import app_running
    from primedist.services import backup

    # On PostgreSQL: the pg_restore command to run once every PC has closed the app.
    backup.refuse_restore_on_server(settings, Path(args.file))
    if app_running(settings.data_dir):  # it would go on writing into the replaced file
        raise StoreError(
            msg(
                "The app is open on this data ({data_dir}) (or `primedist sync --loop` "
                "runs on it): close it first, or restore in the app (Settings → Backup & "
                "restore).",
                data_dir=str(settings.data_dir),
            )
        )
    file = Path(args.file)
    data: dict[str, Any]
    found = backup.store_state(settings)
    if found.state == backup.READY:  # the owner or a manager (the --user) signs in
        ctx = as_owner(open_context(settings))
        backup.check_backup(ctx, file)  # a bad file is refused before anything is said
        loss = _say_restore_loss(args, ctx, file)
        new_ctx, safety = backup.restore(ctx, file)
        relink = _shops_to_link_again(new_ctx, loss)
        new_ctx.engine.dispose()
        data = {"restored": str(file), "previous_saved_as": str(safety), "set_aside": [],
                "damage": None}  # fmt: skip
        # None: the two could not be compared (the restore goes on, as in the app).
        data["loses"] = (None if loss is None else
                         {**loss.counts, "changed_orders": loss.changed_orders})  # fmt: skip
        data["shops_to_link_again"] = relink
        text = f"Restored {file}; the data it replaced is saved as {safety}"
        # The restored data's view adds the shops whose authorisation had lapsed by then.
        lapsed = [name for name in relink if loss is None or name not in loss.linked_since]
        if lapsed:
            text += ("\nAlso to authorise again (Settings → Sales channels): "
                     f"{', '.join(lapsed)}")  # fmt: skip
    else:  # no database, a damaged one, or none with a shop: no one to sign in
        done = backup.restore_without_sign_in(settings, file, found)
        done.ctx.engine.dispose()
        data = {
            "restored": str(file),
            "previous_saved_as": str(done.safety_copy) if done.safety_copy else None,
            "set_aside": [str(p) for p in done.set_aside],
            "damage": found.problem or None,
            "loses": None,  # no shop's data there to compare with
            "shops_to_link_again": [],
        }
        text = f"Restored {file} into {settings.data_dir}"
        if done.safety_copy is not None:
            text += f"; the data it replaced (no shop set up) is saved as {done.safety_copy}"
        elif done.set_aside:
            main, *side = done.set_aside
            ends = ", ".join(p.name.removeprefix(main.name) for p in side)
            also = f" (with its {ends})" if side else ""
            text += (
                f". The database there is damaged ({found.problem}); "
                f"it was set aside as {main}{also}"
            )
        else:
            text += " (there was no database)"
    emit(args, data, text)
    return EXIT_OK


#: Rejected rows listed by the text output of `primedist import` (all of them with --json).
IMPORT_REJECTS_SHOWN = 20


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services.seller_center_import import import_orders_file

    def run(ctx: Any, path: Path, *, progress: Any) -> Any:
        return import_orders_file(ctx, path, fmt=args.format, shop=args.shop, progress=progress)

    return _import(args, settings, run)


def cmd_import_products(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import product_import

    return _import(args, settings, product_import.import_products)


def cmd_import_customers(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import customer_import

    overrides = dict(args.map or [])
    mapping = None
    if overrides:
        guessed = customer_import.read_preview(Path(args.file), rows=1).guessed_mapping
        mapping = customer_import.merge_mapping(guessed, overrides)

    def run(ctx: Any, path: Path, *, progress: Any) -> Any:
        return customer_import.import_customers(
            ctx, path, mapping=mapping, on_duplicate=args.on_duplicate, progress=progress
        )

    return _import(args, settings, run)


def cmd_export_customers(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.cli_commands import export_filters
    from primedist.services import customer_export

    export_filters.check_customer_filters(args)
    ctx = as_owner(open_context(settings))
    report = customer_export.export_customers(
        ctx, Path(args.file), flt=export_filters.customer_filter(ctx, args),
        search=args.search or "", columns=args.columns, fmt=args.format, lang=args.lang,
        progress=_progress(args),
    )  # fmt: skip
    return _exported(args, report, "customer")


def cmd_customers_rebuild_stats(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services.customer_stats import rebuild_all_stats

    ctx = as_owner(open_context(settings))
    report = rebuild_all_stats(ctx, progress=_progress(args))
    data = asdict(report)
    data["seconds"] = round(report.seconds, 3)
    changed = getattr(report, "changed", None)
    text = f"Rebuilt the statistics of {counted(report.customers, 'customer')}"
    if changed is not None:
        text += f" ({changed:,} corrected)"
    emit(args, data, text + f" in {report.seconds:.1f} s")
    return EXIT_OK


def cmd_import_template(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import import_templates

    ctx = as_owner(open_context(settings))
    path = import_templates.write_import_template(ctx, args.kind, Path(args.file), args.lang)
    emit(args, {"file": str(path), "kind": args.kind, "lang": args.lang},
         f"Wrote the empty {args.kind} import template to {path}")  # fmt: skip
    return EXIT_OK


def _import(args: argparse.Namespace, settings: Settings, run: Callable[..., Any]) -> int:
    """Run an import (`run(ctx, path, progress=...)`) as the owner; print its summary and
    the first rejected rows, or the whole report with --json."""
    ctx = as_owner(open_context(settings))
    report = run(ctx, Path(args.file), progress=_progress(args))
    lines = [report.summary()]
    if getattr(report, "ignored_columns", None):  # a warning: their cells were not read
        lines.append(f"  Columns not recognised, ignored: {', '.join(report.ignored_columns)}")
    notes = list(getattr(report, "notes", ()))  # imported, with a note
    lines += [f"  Note: {n}" for n in notes[:IMPORT_REJECTS_SHOWN]]
    if len(notes) > IMPORT_REJECTS_SHOWN:
        more = len(notes) - IMPORT_REJECTS_SHOWN
        lines.append(f"  ... and {counted(more, 'more note')} (--json lists them all)")
    lines += [f"  {r}" for r in report.rejected[:IMPORT_REJECTS_SHOWN]]
    if len(report.rejected) > IMPORT_REJECTS_SHOWN:
        more = len(report.rejected) - IMPORT_REJECTS_SHOWN
        lines.append(f"  ... and {counted(more, 'more rejected row')} (--json lists them all)")
    emit(args, report.to_json(), "\n".join(lines))
    return EXIT_OK


def cmd_export_products(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.cli_commands import export_filters
    from primedist.services import product_export

    export_filters.check_product_filters(args)
    ctx = as_owner(open_context(settings))
    flt = export_filters.product_filter(ctx, args)
    progress = _progress(args)
    report = product_export.export_products(
        ctx, Path(args.file), flt=flt, search=args.search or "", lang=args.lang,
        progress=progress,
    )  # fmt: skip
    return _exported(args, report, "variant")


def cmd_export_receipts(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import goods_receipts

    ctx = as_owner(open_context(settings))
    report = goods_receipts.export_receipts(
        ctx, Path(args.file), search=args.search or "", lang=args.lang, progress=_progress(args)
    )
    return _exported(args, report, "receipt line")


#: `--state` choices of purchase orders: "open" (still awaiting goods) and
#: PurchaseOrderState's values (literal so that `primedist --help` loads no database code;
#: a test compares them).
PURCHASE_ORDER_STATES = ("open", "ordered", "partly_received", "received", "closed", "cancelled")


def cmd_export_purchase_orders(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import purchase_orders, suppliers

    ctx = as_owner(open_context(settings))
    supplier_id = suppliers.supplier_id_by_name(ctx, args.supplier) if args.supplier else None
    report = purchase_orders.export_orders(
        ctx, Path(args.file), search=args.search or "", state=args.state,
        supplier_id=supplier_id, lang=args.lang, progress=_progress(args),
    )  # fmt: skip
    return _exported(args, report, "purchase order line")


def cmd_import_suppliers(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import asdict

    from primedist.services import suppliers

    ctx = as_owner(open_context(settings))
    r = suppliers.import_suppliers(ctx, Path(args.file))
    skipped = (f"; {counted(r.opening_skipped, 'opening debt')} not applied (supplier there "
               "already)" if r.opening_skipped else "")  # fmt: skip
    emit(args, asdict(r), f"Suppliers: {counted(r.rows, 'row')}, {r.created:,} new, "
                          f"{r.updated:,} updated, {r.unchanged:,} unchanged; "
                          f"{counted(r.opening_debts, 'opening debt')} ({r.opening_total:,})"
                          f"{skipped}.")  # fmt: skip
    return EXIT_OK


def cmd_export_suppliers(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import suppliers

    ctx = as_owner(open_context(settings))
    report = suppliers.export_suppliers(
        ctx, Path(args.file), search=args.search or "", owing=args.owing,
        archived=args.archived, lang=args.lang, progress=_progress(args),
    )  # fmt: skip
    return _exported(args, report, "supplier")


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.cli_commands import export_filters
    from primedist.core.clock import shop_tz
    from primedist.queries.orders import list_state
    from primedist.services import order_export

    export_filters.check_order_filters(args)
    ctx = as_owner(open_context(settings))
    flt = export_filters.order_filter(ctx, args)
    state = list_state(flt, args.status, shop_tz(), search=args.search or "")
    progress = _progress(args)
    report = order_export.export_orders(
        ctx, Path(args.file), state=state, lang=args.lang, progress=progress
    )
    return _exported(args, report, "order")


def _progress(args: argparse.Namespace) -> Any:
    """A JobProgress printing to stderr when it is a terminal (not with --json)."""
    from primedist.jobs.progress import JobProgress

    return JobProgress(_stderr_progress if not args.json and sys.stderr.isatty() else None)


def _exported(args: argparse.Namespace, report: Any, noun: str) -> int:
    """Print where an export wrote how many rows, each a `noun` (or them as JSON with
    --json)."""
    emit(
        args,
        {"file": str(report.path), "rows": report.rows, "seconds": round(report.seconds, 3)},
        f"Exported {counted(report.rows, noun)} to {report.path} in {report.seconds:.1f} s",
    )
    return EXIT_OK


def _usage_line(message: str) -> str:
    """One error line pointing at the help; a message's own full stop would sit before
    the bracket ("needs --from. (see …)")."""
    return f"primedist: error: {message.rstrip('.')} (see `primedist --help`)"


def _usage_error(message: str) -> int:
    print(_usage_line(message), file=sys.stderr)
    return EXIT_USAGE


def check_range(
    first: Any, last: Any, first_option: str = "--from", last_option: str = "--to"
) -> None:
    """A range given on the command line must not end before it starts (a day range may
    be one day: --from D --to D)."""
    if first is not None and last is not None and last < first:
        raise UsageError(f"{first_option} {first} is after {last_option} {last}")


def _check_common(args: argparse.Namespace) -> None:
    """The checks every command shares, before it runs: the --from/--to days of every
    command that takes them (export orders, report dashboard|analytics, audit, sync)."""
    check_range(getattr(args, "date_from", None), getattr(args, "date_to", None))


# Parser --------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="primedist",
        description="Prime Distribution: back-office for a multi-channel shop. "
        "Without a command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"primedist {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="data directory (default: PRIMEDIST_DATA_DIR or the user data dir)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the app on the demo shop (created and filled on first use)",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation in a temporary data dir (database, main window, "
        "fonts, printing) and print OK",
    )
    parser.add_argument(
        "--user",
        metavar="EMAIL",
        help="act as this user, with their permissions (password from PRIMEDIST_PASSWORD "
        "or asked); without it commands act as the owner",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    p = sub.add_parser("init", help="first-run setup without the GUI")
    p.add_argument("--shop-name", required=True)
    p.add_argument("--owner-name", required=True)
    p.add_argument("--owner-email", required=True)
    p.add_argument("--owner-password", required=True)
    p.add_argument("--address", default="", help="printed on receipts and invoices")
    p.add_argument("--phone", default="", help="printed on receipts and invoices")
    p.add_argument("--tax-code", default="", help="printed on invoices")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo", help="fill the demo data dir with a believable demo shop")
    p.add_argument("--orders", type=positive_int, default=20_000)
    p.add_argument("--customers", type=positive_int, default=3_000)
    p.add_argument("--seed", type=whole_int, default=1)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("backup", help="write a consistent backup of the database")
    p.add_argument(
        "file",
        nargs="?",
        help="a new file to write, or a folder to write it in (default: data dir/backups)",
    )
    p.add_argument(
        "--keep",
        type=positive_int,
        default=None,
        help="keep only the newest N manual backups in the backups folder",
    )
    p.epilog = (
        "Without FILE the backup is also copied to the second folder set in Settings → "
        "Backup & restore (Also copy the daily backup to), when one is set."
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser(
        "restore",
        help="replace the database with a backup (also where it is damaged or missing; "
        "on PostgreSQL: prints the pg_restore command to run)",
    )
    p.add_argument("file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("import", help="import data from a file (.xlsx, .csv or tab-separated .txt)")
    targets = p.add_subparsers(dest="target", metavar="TARGET", parser_class=Parser, required=True)
    p = targets.add_parser(
        "suppliers", help="import suppliers (name, phone, email, address, tax_code, note, "
        "opening_debt); README: Import file formats",
    )  # fmt: skip
    p.add_argument("file", metavar="FILE", help="the .xlsx, .csv or .txt file to import")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import_suppliers)
    p = targets.add_parser(
        "orders", help="import orders in the generic order template (README: Import file formats)"
    )
    p.add_argument("file", metavar="FILE", help="the .xlsx, .csv or .txt file to import")
    p.add_argument(
        "--format",
        choices=("template", "shopee", "lazada", "tiktok", "auto"),
        default="template",
        help="the order template (default), a Seller Center export, or auto (detect it)",
    )
    p.add_argument("--shop", metavar="NAME", help="the shop a Seller Center export belongs to")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import)
    p = targets.add_parser(
        "products",
        help="import products in the product template, one row per variant "
        "(README: Import file formats)",
    )
    p.add_argument("file", metavar="FILE", help="the .xlsx, .csv or .txt file to import")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import_products)
    p = targets.add_parser(
        "customers",
        help="import customers; columns guessed from Vietnamese or English headers "
        "(README: Import file formats)",
    )
    p.add_argument("file", metavar="FILE", help="the .xlsx, .csv or .txt file to import")
    p.add_argument(
        "--on-duplicate",
        choices=("skip", "update", "create"),
        required=True,
        help="a row whose phone (or customer code) is already used: skip it, update that "
        "customer (its stored name kept), or create a new customer anyway",
    )
    p.add_argument(
        "--map",
        action="append",
        type=_field_header,
        metavar="FIELD=HEADER",
        help="read FIELD from the column HEADER (instead of the guess); repeat for several; "
        "FIELD= leaves the field out",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import_customers)
    p = targets.add_parser(
        "template",
        help="write an empty import file to fill in: the header row and a guide sheet",
    )
    p.add_argument("kind", choices=("orders", "products", "customers"))
    p.add_argument("file", metavar="FILE", help="the .xlsx file to write (replaced if it exists)")
    p.add_argument(
        "--lang",
        choices=("vi", "en"),
        default="vi",
        help="the language of the headers (where the import reads both) and of the guide",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import_template)

    p = sub.add_parser(
        "export", help="export data to a file (Excel .xlsx; customers also .csv or .txt)"
    )
    targets = p.add_subparsers(dest="target", metavar="TARGET", parser_class=Parser, required=True)
    p = targets.add_parser("orders", help="export orders (all, or filtered) to an .xlsx file")
    p.add_argument("file", metavar="FILE", help="the .xlsx file to write (replaced if it exists)")
    p.add_argument(
        "--status",
        type=_status_tab,
        default="all",
        help="a status tab: all, pending, confirmed, shipping, completed, cancelled, "
        "return_refund (default: all)",
    )
    p.add_argument(
        "--from",
        dest="date_from",
        type=local_date,
        metavar="YYYY-MM-DD",
        help="orders placed on or after this day (shop time)",
    )
    p.add_argument(
        "--to",
        dest="date_to",
        type=local_date,
        metavar="YYYY-MM-DD",
        help="orders placed on or before this day (shop time)",
    )
    p.add_argument(
        "--shop",
        action="append",
        metavar="NAME",
        help="only this shop (by name); repeat for several shops",
    )
    from primedist.cli_commands import export_filters

    export_filters.add_order_filters(p)
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="header language")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_export)
    p = targets.add_parser(
        "products",
        help="export products (all, or filtered) to an .xlsx file in the product template",
    )
    p.add_argument("file", metavar="FILE", help="the .xlsx file to write (replaced if it exists)")
    p.add_argument(
        "--status",
        action="append",
        type=_product_status,
        metavar="S",
        help="active, hidden, out_of_stock, low_stock, no_weight, not_linked or no_cost; "
        "repeat for "
        "several (any of them)",
    )
    p.add_argument(
        "--shop",
        action="append",
        metavar="NAME",
        help="only products listed on this shop (by name); repeat for several shops",
    )
    p.add_argument("--search", metavar="TEXT", help="name, SKU or barcode (accents optional)")
    export_filters.add_product_filters(p)
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="header language")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_export_products)
    p = targets.add_parser(
        "receipts", help="export the goods receipts' lines (all, or found by a search) to .xlsx"
    )
    p.add_argument("file", metavar="FILE", help="the .xlsx file to write (replaced if it exists)")
    p.add_argument("--search", metavar="TEXT", help="receipt code, supplier or note")
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="header language")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_export_receipts)
    p = targets.add_parser(
        "purchase-orders", help="export the purchase orders' lines (all, or some) to .xlsx"
    )
    p.add_argument("file", metavar="FILE", help="the .xlsx file to write (replaced if it exists)")
    p.add_argument("--search", metavar="TEXT", help="order code, supplier, note or a SKU")
    p.add_argument("--state", choices=PURCHASE_ORDER_STATES, help="open = still awaiting goods")
    p.add_argument("--supplier", metavar="NAME_OR_CODE", help="only this supplier's orders")
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="header language")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_export_purchase_orders)
    p = targets.add_parser("suppliers", help="export the suppliers and what they are owed to .xlsx")
    p.add_argument("file", metavar="FILE", help="the .xlsx file to write (replaced if it exists)")
    p.add_argument("--search", metavar="TEXT", help="code, name, phone, email or tax code")
    p.add_argument("--owing", action="store_true", help="only those owed money")
    p.add_argument("--archived", action="store_true", help="the archived suppliers instead")
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="header language")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_export_suppliers)
    p = targets.add_parser(
        "customers", help="export customers (all, or found by a search) to .xlsx, .csv or .txt"
    )
    p.add_argument("file", metavar="FILE", help="the .xlsx, .csv or .txt file to write (replaced)")
    p.add_argument(
        "--format",
        choices=("xlsx", "csv", "txt"),
        default=None,
        help="file format (default: from FILE's extension)",
    )
    p.add_argument("--search", metavar="TEXT", help="name, phone, code or email (accents optional)")
    p.add_argument(
        "--columns",
        type=_customer_columns,
        metavar="KEY,KEY",
        help="only these columns, in this order (default: all; keys as in the README)",
    )
    export_filters.add_customer_filters(p)
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="header language")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_export_customers)

    p = sub.add_parser("customers", help="customer maintenance")
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser, required=True)
    p = actions.add_parser(
        "rebuild-stats",
        help="recompute every customer's order statistics from the orders",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_customers_rebuild_stats)
    from primedist.cli_commands.customer_accounts import register_actions

    register_actions(actions)

    from primedist.cli_commands import register_all

    register_all(sub)
    return parser


def _field_header(text: str) -> tuple[str, str]:
    from primedist.services.customer_import import FIELDS

    field, sep, header = text.partition("=")
    field = field.strip()
    if not sep or field not in FIELDS:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not FIELD=HEADER with a FIELD among {', '.join(FIELDS)}"
        )
    return field, header.strip()


def _customer_columns(text: str) -> list[str]:
    """`--columns KEY,KEY`: keys of the customer export's columns, checked before the store
    is opened."""
    from primedist.services.customer_export import DEFAULT_COLUMNS

    keys = [k.strip() for k in text.split(",") if k.strip()]
    unknown = ", ".join(repr(k) for k in keys if k not in DEFAULT_COLUMNS)
    if unknown or not keys:
        what = f"unknown column {unknown}" if unknown else f"{text!r} names no column"
        raise argparse.ArgumentTypeError(f"{what} (columns: {', '.join(DEFAULT_COLUMNS)})")
    return keys


def _product_status(text: str) -> str:
    from primedist.queries.products import STATUS_CHOICES

    if text not in STATUS_CHOICES:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a product status (one of {', '.join(STATUS_CHOICES)})"
        )
    return text


def _status_tab(text: str) -> str:
    from primedist.queries.orders import STATUS_TABS

    if text not in STATUS_TABS:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a status (one of {', '.join(STATUS_TABS)})"
        )
    return text


def local_date(text: str) -> date:
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


#: The largest whole number the database holds.
MAX_WHOLE = 2**63 - 1


def positive_int(text: str) -> int:
    value = _whole(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be greater than 0")
    return value


def non_negative_int(text: str) -> int:
    """A whole number ≥ 0 (`1_000`, `1,000` and `1000` alike)."""
    value = _whole(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be 0 or more")
    return value


def whole_int(text: str) -> int:
    """A whole number, + or - (`-1_000`, `+1,000` and `1000` alike)."""
    value = _whole(text)
    if value < -MAX_WHOLE:
        raise argparse.ArgumentTypeError(f"{text!r} is too large")
    return value


def money(text: str) -> int:
    """An amount of đồng typed as on the screens (`150000`, `150.000`, `150k`, `1,5k`,
    `1_000` too), + or -: argparse puts the option before the message naming the value."""
    try:
        return parse_money(text.replace("_", ""))
    except ValueError as exc:  # parse_money's own message names the value, unless blank
        problem = str(exc) if text.strip() else f"{text!r} is not an amount of money"
        raise argparse.ArgumentTypeError(problem) from None


def non_negative_money(text: str) -> int:
    """An amount of đồng ≥ 0, typed as on the screens (see `money`)."""
    value = money(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be 0 or more")
    return value


def _whole(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value > MAX_WHOLE:
        raise argparse.ArgumentTypeError(f"{text!r} is too large")
    return value


def _self_test() -> int:
    import os

    if not os.environ.get("QT_QPA_PLATFORM"):  # set it (e.g. xcb) to watch the check
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from primedist.ui.self_test import run_self_test

    return run_self_test()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `primedist` console script."""
    args = build_parser().parse_args(argv)
    # `primedist demo` fills the same demo folder `primedist --demo` opens, never the real
    # shop's data dir (unless --data-dir says otherwise; the environment names the real one).
    settings = resolve_settings(args.data_dir, demo=args.demo or args.command == "demo")
    func: Callable[[argparse.Namespace, Settings], int] | None = getattr(args, "func", None)
    global _acting_user, _acting_password
    _acting_user, _acting_password = args.user, None
    try:
        if args.self_test:
            return _self_test()
        if func is None:
            from primedist.ui.app import run_gui

            return run_gui(settings, demo=args.demo)
        _check_common(args)
        return func(args, settings)
    except UsageError as exc:
        return _usage_error(str(exc))
    except PrimedistError as exc:
        print(f"primedist: error: {exc.user_message}", file=sys.stderr)
        return EXIT_ERROR
    except OverflowError:  # an id or an amount past what the database holds (2**63)
        print("primedist: error: a number given is too large.", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("primedist: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `primedist … | head`: the reader has enough; no traceback
        _silence_stdout()
        return 141
    except Exception as exc:  # a damaged file, a full disk, a busy database, an unreachable
        problem = _store_problem(exc)  # server, from any query: one line too
        if problem is None:
            raise
        print(f"primedist: error: {problem.user_message}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        _acting_user = _acting_password = None


def _store_problem(exc: Exception) -> PrimedistError | None:
    from primedist.db.engine import store_problem

    return store_problem(exc)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so Python's own flush at exit does not fail again."""
    import os

    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
