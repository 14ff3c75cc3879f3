"""GUI composition root: QApplication, language, style, store, sign-in, main window."""

from __future__ import annotations

import errno
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QSettings, Qt, QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox, QProgressDialog
from sqlalchemy.engine import Engine

from primedist import __version__
from primedist.config import Settings
from primedist.core.app_lock import AppLock
from primedist.core.clock import format_datetime, shop_tz
from primedist.db.engine import read_only_error, retry_when_busy
from primedist.db.store import open_store
from primedist.errors import Cancelled, PrimedistError
from primedist.jobs import backup as backup_jobs
from primedist.jobs.scheduler import AppScheduler
from primedist.paths import RESOURCES
from primedist.services import auth, backup
from primedist.services.context import SYSTEM, Actor, ServiceContext
from primedist.ui import ops
from primedist.ui.errors import install_excepthook, setup_logging, show_error
from primedist.ui.file_dialogs import BACKUP, ask_open_file
from primedist.ui.i18n import DEFAULT_LANGUAGE, current_language, install_language
from primedist.ui.main_window import MainWindow
from primedist.ui.messages import error_text
from primedist.ui.sync.status import DeliverOnChanges
from primedist.ui.ui_thread_gc import collect_on_ui_thread
from primedist.ui.welcome import WelcomeWindow
from primedist.ui.wheel_guard import install_wheel_guard

log = logging.getLogger(__name__)


def ui_settings_for(settings: Settings) -> QSettings:
    """UI preferences (language, geometry) kept in the data dir, per installation."""
    return QSettings(str(settings.data_dir / "ui.ini"), QSettings.Format.IniFormat)


def apply_style(app: QApplication) -> None:
    """The app's stylesheet and a font with Vietnamese glyphs."""
    families = set(QFontDatabase.families())
    for family in ("Noto Sans", "Segoe UI", "DejaVu Sans"):
        if family in families:
            app.setFont(QFont(family, 10))
            break
    qss = RESOURCES / "style.qss"
    if qss.is_file():
        # url() in a stylesheet is relative to the working directory: make it absolute.
        icons = (RESOURCES / "icons").as_posix()
        app.setStyleSheet(qss.read_text(encoding="utf-8").replace("@ICONS@", icons))


def make_app(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("Prime Distribution")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("primedist")
    collect_on_ui_thread(app)  # a GC pass on a worker thread would delete QObjects there
    install_wheel_guard(app)  # scrolling a page never changes a box under the pointer
    return app


class GuiSession:
    """Holds the windows of one GUI run and moves from sign-in to the main window."""

    def __init__(self, app: QApplication, settings: Settings, ctx: ServiceContext) -> None:
        self.app = app
        self.settings = settings
        self.ctx = ctx
        self.ui = ui_settings_for(settings)
        self.welcome: WelcomeWindow | None = None
        self.main: MainWindow | None = None
        #: The background jobs, once started (run_gui).
        self.scheduler: AppScheduler | None = None
        #: Runs the outbox deliveries when the user queued actions (run_gui).
        self.deliver_on_changes: DeliverOnChanges | None = None
        #: After a restore: the shops to authorise again, said at the next sign-in.
        self.relink: tuple[str, ...] = ()

    def set_language(self, lang: str) -> None:
        install_language(lang)
        self.ui.setValue("language", lang)

    def show_welcome(self, *, someone_else: bool = False) -> WelcomeWindow:
        """The setup or the sign-in; `someone_else` signs in next (Switch user): the sign-in
        starts empty instead of with the email last signed in with."""
        profile = {} if auth.needs_setup(self.ctx.engine) else auth.shop_profile(self.ctx)
        self.welcome = WelcomeWindow(self.ctx, profile.get("name", ""), someone_else=someone_else)
        self.welcome.signedIn.connect(self.signed_in)
        self.welcome.languageChosen.connect(self.set_language)
        self.welcome.show()
        form = "setup" if self.welcome.showing_setup else "sign-in"
        _startup_probe(f"primedist-welcome {form}")
        return self.welcome

    def signed_in(self, actor: Actor) -> MainWindow | None:
        """Open the main window; a one-time password is replaced by one's own first."""
        if actor.must_change_password:
            from primedist.ui.settings.account import ChoosePasswordDialog

            dialog = ChoosePasswordDialog(self.ctx.with_actor(actor), self.welcome)
            if dialog.exec() != ChoosePasswordDialog.DialogCode.Accepted or dialog.actor is None:
                return None  # stays on the sign-in form
            actor = dialog.actor
        return self.open_main(actor)

    def switch_user(self) -> WelcomeWindow:
        """Switch user (the user menu's or the lock screen's): someone else signs in, on a
        sign-in with an empty email (with the last one's offered, the next person typed
        their password into it and it counted as that person's failed sign-in)."""
        return self.back_to_sign_in(someone_else=True)

    def back_to_sign_in(self, *, someone_else: bool = False) -> WelcomeWindow:
        """Back to the sign-in (shown before the main window closes: the app keeps running)."""
        welcome = self.show_welcome(someone_else=someone_else)
        if self.main is not None:
            self.main.close()
            self.main.deleteLater()
            self.main = None
        return welcome

    def signed_out(self, reason: str) -> WelcomeWindow:
        """The account was disabled or lost rights while signed in (MainWindow.sign_out):
        back to the sign-in, which says `reason` (to the same person: their email kept)."""
        welcome = self.back_to_sign_in()
        welcome.login_page.show_error(reason)
        return welcome

    def restart(
        self, ctx: ServiceContext, backup_taken: datetime | None = None,
        relink: Sequence[str] = (),
    ) -> WelcomeWindow:  # fmt: skip
        """After a restore: sign in again on the restored data (with the accounts and
        passwords of the backup taken at `backup_taken`, which the sign-in says); the main
        window then opens on Sales channels when shops are to be authorised again
        (`relink`: linked before the restore, not in the restored data)."""
        self.ctx = ServiceContext(ctx.engine, SYSTEM, ctx.clock, ctx.settings)
        self.relink = tuple(relink)
        welcome = self.back_to_sign_in()  # who restored signs in again
        if backup_taken is not None:
            welcome.show_restored(backup_taken)
        return welcome

    def open_main(self, actor: Actor) -> MainWindow:
        if self.welcome is not None and self.welcome.showing_setup:
            self.first_backup()
        ctx = self.ctx.with_actor(actor)
        name = auth.shop_profile(ctx).get("name", "")
        self.main = MainWindow(ctx, self.ui, name)
        self.main.language.languageChosen.connect(self.set_language)
        self.main.switchUserRequested.connect(self.switch_user)
        self.main.signedOut.connect(self.signed_out)
        self.main.restartRequested.connect(self.restart)
        self.main.show()
        # Once, to the first one signed in after the restore who has the Settings tab.
        if self.relink and self.main.show_shops_to_link(self.relink):
            self.relink = ()
        if self.welcome is not None:
            self.welcome.close()
            self.welcome.deleteLater()
            self.welcome = None
        tabs = ",".join(self.main.tab_pages)
        _startup_probe(f"primedist-main {self.main.windowTitle()} [{tabs}]")
        return self.main

    def first_backup(self) -> None:
        """Right after the setup: none is taken before there is a shop, so the daily
        backup's check runs now instead of within the hour."""
        if self.scheduler is not None:
            backup_jobs.run_soon(self.scheduler.scheduler)


def _startup_probe(what: str) -> None:
    """PRIMEDIST_STARTUP_PROBE=shown|idle=SECONDS: say which window is shown and when, or
    the idle RSS, then quit. Used by benchmarks/ and tests to measure and check the real
    process, not a mock-up of it.
    """
    probe = os.environ.get("PRIMEDIST_STARTUP_PROBE")
    if not probe:
        return

    def report_shown() -> None:
        print(what, flush=True)  # noqa: T201
        print("primedist-shown", flush=True)  # noqa: T201
        if probe.startswith("idle="):
            QTimer.singleShot(int(float(probe[5:]) * 1000), report_idle)
        else:
            QApplication.quit()

    def report_idle() -> None:
        import psutil

        rss = psutil.Process().memory_info().rss / 1e6
        print(f"primedist-idle-rss {rss:.1f}", flush=True)  # noqa: T201
        QApplication.quit()

    QTimer.singleShot(0, report_shown)


def _prepare_demo(app: QApplication, ctx: ServiceContext, data_dir: Path) -> Actor | None:
    """Make sure the demo shop exists and is filled; returns its owner (None if cancelled).
    Raises Conflict on a real shop's store: the demo signs in without a password, so only
    as the owner it made itself."""
    from primedist.services import demo

    owner = demo.demo_owner(ctx, data_dir)
    if demo.is_filled(ctx):
        return owner
    dialog = QProgressDialog()
    dialog.setWindowTitle(app.translate("app", "Prime Distribution"))
    dialog.setLabelText(app.translate("app", "Preparing the demo shop…"))
    dialog.setCancelButtonText(app.translate("app", "Cancel"))
    dialog.setRange(0, 100)
    dialog.setMinimumDuration(0)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    outcome: dict[str, object] = {}
    op = ops.Op(
        None,
        lambda job: demo.generate_demo(ctx.with_actor(owner), progress=job.progress),
        engine=ctx.engine,
        title=app.translate("app", "Preparing the demo shop…"),
    )
    op.with_progress()
    dialog.canceled.connect(op.job.progress.cancel)
    ops.tracker().changed.connect(lambda: dialog.setValue(int(op.job.progress.fraction * 100)))
    done = QEventLoop()
    op.success(lambda s: outcome.update(ok=s)).failure(lambda e: outcome.update(error=e))

    def finished() -> None:
        dialog.reset()
        done.quit()

    op.finally_(finished).run()
    dialog.exec()  # returns when the job finishes, or at once on Cancel
    if not outcome:
        done.exec()  # cancelled: wait until the job has stopped and rolled back
    error = outcome.get("error")
    if isinstance(error, Cancelled):
        return None
    if isinstance(error, BaseException):
        raise error  # run_gui shows a PrimedistError; anything else is a crash
    return owner


def _data_dir_problem(settings: Settings, exc: OSError) -> str:
    """Why the app cannot use its data dir, where not even its lock file can be made: as
    opening the store says it (a read-only folder, a file in the way), else the OS's
    words. The store is only looked at (no migration: no lock is held)."""
    try:
        open_store(settings, migrate=False, create=False).dispose()
    except PrimedistError as problem:
        return error_text(problem)
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):  # SQLite could still read it
        return error_text(read_only_error())
    return str(exc)


# A damaged database at start ------------------------------------------------------------
def open_store_or_restore(settings: Settings) -> Engine | None:
    """The store, opened (and migrated); None when it cannot be and the user was told why.
    A damaged database offers to restore a backup on the spot: the app cannot start on
    it, so its Settings → Backup & restore cannot be reached."""
    try:
        return open_store(settings)
    except PrimedistError as exc:
        problem = error_text(exc)
    found = backup.store_state(settings)
    if found.state != backup.DAMAGED:
        QMessageBox.critical(None, "Prime Distribution", problem)
        return None
    while True:  # until a restore is done or the user gives up
        chosen = _ask_restore(settings, problem)
        if chosen is None:
            return None
        try:
            with _busy():
                done = backup.restore_without_sign_in(settings, chosen, found)
        except PrimedistError as exc:  # not a backup, damaged too: another may be chosen
            problem = error_text(exc)
            continue
        aside = done.set_aside[0].name if done.set_aside else "-"
        QMessageBox.information(
            None,
            "Prime Distribution",
            QCoreApplication.translate(
                "app", "The backup %1 was restored. The damaged data was set aside as %2."
            )
            .replace("%1", chosen.name)
            .replace("%2", aside),
        )
        return done.ctx.engine


def _ask_restore(settings: Settings, problem: str) -> Path | None:
    """The damaged database's message with a "Restore a backup…" button: the backup the
    user then chooses (None when the app is to close)."""
    while True:
        box = QMessageBox(QMessageBox.Icon.Critical, "Prime Distribution", problem)
        box.setInformativeText(QCoreApplication.translate(
            "app", "Restore a backup now to start the app on the data it holds; the damaged "
            "file is set aside, not deleted."))  # fmt: skip
        restore = box.addButton(
            QCoreApplication.translate("app", "Restore a backup…"),
            QMessageBox.ButtonRole.AcceptRole,
        )
        box.addButton(QMessageBox.StandardButton.Close)
        box.setDefaultButton(restore)
        box.exec()
        if box.clickedButton() is not restore:
            return None
        chosen = _choose_backup(settings)
        if chosen is not None:
            return chosen


def _choose_backup(settings: Settings) -> Path | None:
    """One of the data dir's backups (newest first), or another file through the file
    dialog (also at once where the backups folder holds none)."""
    found = backup.backups_without_sign_in(settings)
    other = QCoreApplication.translate("app", "Another file…")
    if found:
        lang = current_language()
        names = [f"{format_datetime(b.created_at, shop_tz(), lang)}   {b.path.name}"
                 for b in found]  # fmt: skip
        picked, ok = QInputDialog.getItem(
            None,
            QCoreApplication.translate("app", "Restore a backup"),
            QCoreApplication.translate("app", "Backups in the data folder, newest first:"),
            [*names, other],
            0,
            False,
        )
        if not ok:
            return None
        if picked in names:
            return found[names.index(picked)].path
    return ask_open_file(
        None,
        None,
        BACKUP,
        QCoreApplication.translate("app", "Restore a backup"),
        QCoreApplication.translate("app", "Backups (*.db);;All files (*)"),
        settings.backup_dir,
    )


@contextmanager
def _busy() -> Iterator[None]:
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


def _start_scheduler(ctx: ServiceContext) -> AppScheduler:
    """Background jobs (marketplace sync, outbox, ...) on the scheduler's own threads."""
    scheduler = AppScheduler(ctx)
    scheduler.start()
    return scheduler


def start_demo_sandboxes(ctx: ServiceContext, scheduler: AppScheduler) -> Callable[[], None]:
    """Demo: start the sandbox marketplaces in the background and link the demo's Shopee,
    Lazada, TikTok Shop and Tiki shops to them, so the scheduler pulls live orders and
    delivers their waiting pushes, and the sandbox carrier behind the demo's GHN account;
    returns what stops the sandboxes (on quit)."""
    from primedist.jobs import shipping as shipping_jobs
    from primedist.jobs.sync import reconcile_shops
    from primedist.services import demo_carrier, demo_sync
    from primedist.services.context import SYSTEM

    running: list[demo_sync.DemoSync | demo_carrier.DemoCarrier] = []

    def start(_job: ops.Job) -> None:
        # The scheduler's catch-ups write at the same moment (SQLite: busy).
        try:
            carrier = retry_when_busy(lambda: demo_carrier.start_demo_carrier(ctx))
        except (PrimedistError, OSError) as exc:  # the marketplace's demo goes on without it
            log.warning("demo carrier not started: %s", exc)
        else:
            if carrier is not None:
                running.append(carrier)
                shipping_jobs.poll(ctx.with_actor(SYSTEM))  # the start-up's went to the old port
        # One after the other on this thread: the window is up already, and four at once
        # would only fight over the two cores and SQLite's write lock.
        for channel in demo_sync.DEMO_CHANNELS:
            try:
                linked = retry_when_busy(partial(demo_sync.start_demo_sync, ctx, channel))
            except (PrimedistError, OSError) as exc:  # the other marketplaces go on
                log.warning("demo live sync of %s not started: %s", channel.value, exc)
                continue
            if linked is not None:
                running.append(linked)
                # Its first pull in 5 s, not after the other platforms are linked.
                reconcile_shops(scheduler.scheduler, ctx.with_actor(SYSTEM))

    def failed(exc: BaseException) -> None:
        log.warning("demo live sync not started: %s", exc)

    def stop() -> None:
        for sandbox in running:
            sandbox.stop()

    ops.Op(None, start, engine=ctx.engine, network=True).failure(failed).run()
    return stop


def run_gui(settings: Settings, *, demo: bool = False) -> int:
    """Start the GUI; returns the process exit code."""
    app = make_app()
    try:
        settings.ensure_dirs()
    except OSError:  # a read-only data dir, a file in the way: said below, in our words
        pass
    install_excepthook(setup_logging(settings.log_dir))  # stderr when it cannot be written
    ui = ui_settings_for(settings)
    install_language(str(ui.value("language", DEFAULT_LANGUAGE)))
    apply_style(app)
    lock = AppLock(settings.data_dir)
    try:
        locked = lock.acquire()
    except OSError as exc:  # not even the lock file can be made in the data dir
        QMessageBox.critical(None, "Prime Distribution", _data_dir_problem(settings, exc))
        return 1
    if not locked:  # two windows would run every sync and delivery job twice
        QMessageBox.information(
            None,
            "Prime Distribution",
            QCoreApplication.translate(
                "app",
                "Prime Distribution is already open on this computer (data in %1), or "
                "`primedist sync --loop` runs on it.",
            ).replace("%1", str(settings.data_dir)),
        )
        return 1
    engine = open_store_or_restore(settings)
    if engine is None:
        return 1
    ctx = ServiceContext(engine, settings=settings)
    session = GuiSession(app, settings, ctx)
    demo_ctx: ServiceContext | None = None
    if demo:
        try:
            owner = _prepare_demo(app, ctx, settings.data_dir)
        except PrimedistError as exc:  # a real shop's store too: no one signed in, app closed
            engine.dispose()
            show_error(None, error_text(exc))
            return 1
        if owner is None:
            engine.dispose()
            return 1
        session.open_main(owner)
        demo_ctx = ctx.with_actor(owner)
    else:
        session.show_welcome()
    app.aboutToQuit.connect(ops.shutdown_pools)
    scheduler = session.scheduler = _start_scheduler(ctx)
    # What the user queues (a confirm, a cancel…) goes out now, not at the next minute.
    session.deliver_on_changes = DeliverOnChanges(scheduler.scheduler, app)
    app.aboutToQuit.connect(scheduler.stop)
    if demo_ctx is not None:
        app.aboutToQuit.connect(start_demo_sandboxes(demo_ctx, scheduler))
    code = app.exec()
    engine.dispose()
    return int(code)
