"""Settings → Backup & restore: Back up now (or to a folder: a USB stick), the backups in
the data dir, how many to keep, and Restore… (the file is checked first, then confirmed;
the session restarts on the restored data).

On a PostgreSQL server the backups are pg_dump files, taken the same way; Restore stays
off (other PCs use the database meanwhile): the page gives the pg_restore command of the
selected backup instead, to run when every PC has closed the app."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.core.clock import format_datetime, shop_tz, to_local
from primedist.core.messages import Message
from primedist.db.backup import taken_at
from primedist.domain.enums import Role
from primedist.errors import Cancelled, PrimedistError
from primedist.services import backup as svc
from primedist.services.backup import (
    BackupFailure,
    BackupFile,
    DailyBackup,
    OutsideCopy,
    RestoreLoss,
)
from primedist.services.context import ServiceContext
from primedist.ui.file_dialogs import BACKUP, ask_folder, ask_open_file
from primedist.ui.formatting import format_file_size, short_path
from primedist.ui.i18n import current_language
from primedist.ui.list_tools import count_text
from primedist.ui.messages import error_text, localize, say
from primedist.ui.ops import Job, Op, failure_text
from primedist.ui.settings.account import message_label, run_inline
from primedist.ui.widgets import align_headers, set_style_property

COL_WHEN, COL_KIND, COL_SIZE, COL_FILE = range(4)

#: What the page reads: the backups, the daily backup's failure, on PostgreSQL why this PC
#: cannot back up (no pg_dump) and the shop's last daily backup, and the copies outside.
_Found = tuple[
    list[BackupFile], BackupFailure | None, str | None, DailyBackup | None, OutsideCopy | None
]
#: A dump's restore command and what pg_restore's check of it noted.
ReadBack = tuple[str, Message | None]
#: A restore done: the context on the restored data, the safety copy of the data it
#: replaced, and the shops to authorise again (`svc.shops_to_link_again`).
_Restored = tuple[ServiceContext, Path, list[str]]

log = logging.getLogger(__name__)


def fill_in(text: str, *values: str) -> str:
    """`text` with %1, %2… replaced by `values` in one pass (a value holding "%2" stays)."""
    return re.sub(r"%(\d)", lambda m: values[int(m.group(1)) - 1], text)


class BackupSettings(QWidget):
    #: The data was restored: the new ServiceContext (the window restarts the session).
    restored = Signal(object)
    #: A backup was written (its path).
    backedUp = Signal(object)

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.backups: list[BackupFile] = []
        self.failure: BackupFailure | None = None
        self.setObjectName("backupSettings")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        layout.addWidget(self.title)
        self.explanation = QLabel()
        self.explanation.setObjectName("banner")
        self.explanation.setWordWrap(True)
        layout.addWidget(self.explanation)
        # The daily backup's latest failure (cause and time), until a daily backup works.
        self.failure_note = message_label("backupFailure")
        self.failure_note.setProperty("error", True)
        layout.addWidget(self.failure_note)
        # PostgreSQL: no pg_dump on this PC (Back up now would fail), and which PC took
        # the shop's last daily backup (any of them may: each into its own folder).
        self.tool_note = message_label("backupToolMissing")
        self.tool_note.setProperty("error", True)
        layout.addWidget(self.tool_note)
        self.daily_note = message_label("lastDailyBackup")
        layout.addWidget(self.daily_note)
        bar = QHBoxLayout()
        self.backup_button = QPushButton()
        self.backup_button.setObjectName("primaryButton")
        self.backup_button.clicked.connect(self.back_up_now)
        self.backup_to_button = QPushButton()
        self.backup_to_button.setObjectName("backupToFolderButton")
        self.backup_to_button.clicked.connect(self.choose_and_back_up)
        self.restore_button = QPushButton()
        self.restore_button.setObjectName("restoreButton")
        self.restore_button.clicked.connect(self.choose_and_restore)
        self.restore_selected_button = QPushButton()
        self.restore_selected_button.clicked.connect(self.restore_selected)
        for b in (self.backup_button, self.backup_to_button, self.restore_button,
                  self.restore_selected_button):  # fmt: skip
            bar.addWidget(b)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.message = message_label("backupMessage")
        layout.addWidget(self.message)
        # Where the backups are (short; the whole path on hover), to copy one to a stick
        # or check it is there: the file names alone do not say.
        folder_row = QHBoxLayout()
        self.folder_label = QLabel()
        self.folder_label.setObjectName("backupFolder")
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_folder_button = QPushButton()
        self.open_folder_button.setObjectName("openBackupFolder")
        self.open_folder_button.clicked.connect(self.open_folder)
        folder_row.addWidget(self.folder_label)
        folder_row.addWidget(self.open_folder_button)
        folder_row.addStretch(1)
        layout.addLayout(folder_row)
        # A second folder for the daily copy (a USB stick, a synced Drive folder): the
        # backups folder is on the same disk as the data, and would go with it.
        also_row = QHBoxLayout()
        self.also_caption = QLabel()
        self.also_folder = QLabel()
        self.also_folder.setObjectName("backupAlsoTo")
        self.also_folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.also_choose = QPushButton()
        self.also_choose.setObjectName("chooseAlsoTo")
        self.also_choose.clicked.connect(self.choose_also_to)
        self.also_clear = QPushButton()
        self.also_clear.setObjectName("clearAlsoTo")
        self.also_clear.clicked.connect(lambda: self.set_also_to(None))
        for part in (self.also_caption, self.also_folder, self.also_choose, self.also_clear):
            also_row.addWidget(part)
        also_row.addStretch(1)
        layout.addLayout(also_row)
        # The last copy made there, or why the last one was not (the backup itself was).
        self.also_note = message_label("backupAlsoToNote")
        layout.addWidget(self.also_note)
        # PostgreSQL: how to restore the selected backup (selectable: to copy the command).
        self.restore_note = message_label("restoreCommand")
        self.restore_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.restore_note)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("backupsTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        align_headers(self.table, right=[2])  # the size
        self.table.itemSelectionChanged.connect(self._update_actions)
        layout.addWidget(self.table, 1)
        # Said under the empty list once it is read (a new shop, or every file deleted).
        self.empty_note = message_label("noBackups")
        layout.addWidget(self.empty_note)
        self.loaded = False
        keep_row = QHBoxLayout()
        self.keep_caption = QLabel()
        self.keep = QSpinBox()
        self.keep.setObjectName("backupKeep")
        self.keep.setRange(1, svc.MAX_KEEP)
        self.keep_save = QPushButton()
        self.keep_save.setObjectName("saveKeep")
        self.keep_save.clicked.connect(self.save_keep)
        keep_row.addWidget(self.keep_caption)
        keep_row.addWidget(self.keep)
        keep_row.addWidget(self.keep_save)
        keep_row.addStretch(1)
        layout.addLayout(keep_row)
        self.on_server = ctx.settings is not None and not ctx.settings.is_sqlite
        self.allowed = ctx.actor.role in (Role.OWNER, Role.MANAGER)
        # Restoring under the other PCs using a server's database is not safe: pg_restore
        # is run by hand once they have all closed the app.
        self.can_restore = self.allowed and not self.on_server
        self.tool_problem: str | None = None
        self.last_daily: DailyBackup | None = None
        self.outside: OutsideCopy | None = None
        # pg_restore's reading of each dump selected (by path, size and time written),
        # and the one being read now.
        self.read_back: dict[tuple[Path, int, int], ReadBack | PrimedistError] = {}
        self.reading: tuple[Path, Job] | None = None
        for w in (self.backup_button, self.backup_to_button, self.keep, self.keep_save,
                  self.table, self.also_choose, self.also_clear):  # fmt: skip
            w.setEnabled(self.allowed)
        for also in (self.also_caption, self.also_folder, self.also_choose, self.also_clear):
            also.setVisible(self.allowed)
        self.restore_button.setEnabled(self.can_restore)
        has_folder = self.allowed and ctx.settings is not None
        self.folder_label.setVisible(has_folder)
        self.open_folder_button.setVisible(has_folder)
        self.retranslate()
        # Everyone reads how many backups the shop keeps (only a manager changes it).
        self.keep.setValue(svc.backup_keep(ctx))
        if self.allowed:
            self.reload()
        self._update_actions()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Backup & restore"))
        if not self.allowed:
            text = self.tr("Only the owner or a manager backs up and restores the data.")
        elif self.on_server:
            folder = self.ctx.settings.backup_dir if self.ctx.settings else ""
            text = self.tr(
                "The shop's data is on a PostgreSQL server that the shop's PCs share. A "
                "backup is a complete copy of it (a .dump file made with pg_dump), taken "
                "safely while the app runs, into this PC's folder “%1”. One is made every "
                "day automatically, by one of the shop's PCs, into that PC's folder. "
                "Restoring is not done from the app while other PCs use the data: select a "
                "backup to see the command to run when every PC has closed the app."
            ).replace("%1", str(folder))
        else:
            text = self.tr(
                "A backup is a complete copy of the shop's data, taken safely while the app "
                "runs. One is made every day automatically; restoring replaces all current "
                "data (a copy of it is kept first)."
            )
        self.explanation.setText(text)
        self.backup_button.setText(self.tr("Back up now"))
        self.backup_to_button.setText(self.tr("Back up to a folder…"))
        self.restore_button.setText(self.tr("Restore from a file…"))
        self.restore_selected_button.setText(self.tr("Restore selected…"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Taken"), self.tr("Kind"), self.tr("Size"), self.tr("File")]
        )
        header = self.table.horizontalHeaderItem(COL_FILE)
        if header is not None:
            header.setToolTip(self.tr(
                "The time in the file name is the shop's time; backups made by an older "
                "version of the app are named in UTC (world time)."))  # fmt: skip
        self.keep_caption.setText(self.tr("Keep the newest backups of each kind:"))
        self.keep_save.setText(self.tr("Save"))
        backups = self.folder()
        if backups is not None:
            self.folder_label.setText(fill_in(self.tr("Backups folder: %1"),
                                              short_path(str(backups))))  # fmt: skip
            self.folder_label.setToolTip(str(backups))
        self.open_folder_button.setText(self.tr("Open folder"))
        self.also_caption.setText(self.tr("Also copy the daily backup to:"))
        self.also_choose.setText(self.tr("Choose folder…"))
        self.also_choose.setToolTip(self.tr(
            "A USB stick, another drive, or a Google Drive/OneDrive folder that syncs to the "
            "cloud: a copy there is safe when this PC's disk dies, the PC is stolen, or "
            "ransomware locks its files."))  # fmt: skip
        self.also_clear.setText(self.tr("Don't copy"))
        self._fill()
        self._show_failure()
        self._show_server_notes()
        self._show_outside()

    def _utc_note(self) -> str:
        # Older versions named backups in UTC (`db.backup.taken_at` reads both kinds).
        return self.tr(
            "The time in the file name is UTC (world time); Taken shows the shop's time."
        )

    def _kind(self, reason: str) -> str:
        kinds = {
            "manual": self.tr("Manual"),
            "daily": self.tr("Daily"),
            "pre-restore": self.tr("Before a restore"),
            "pre-migrate": self.tr("Before an upgrade"),
        }
        return kinds.get(reason, reason)

    # The list -----------------------------------------------------------------------------
    def reload(self) -> None:
        on_server, settings = self.on_server, self.ctx.settings

        def read(_job: object) -> _Found:
            backups, failure = svc.list_backups(self.ctx), svc.daily_failure(self.ctx)
            outside = svc.outside_copy(self.ctx)
            if not on_server or settings is None:
                return backups, failure, None, None, outside
            # pg_dump is looked for on disk (PATH, Program Files): off the UI thread too.
            return (backups, failure, svc.backup_tool_problem(settings),
                    svc.last_daily_backup(self.ctx), outside)  # fmt: skip

        op: Op[_Found] = Op(self, read)
        op.success(self._loaded).run()

    def _loaded(self, found: _Found) -> None:
        self.backups, self.failure, self.tool_problem, self.last_daily, self.outside = found
        self.loaded = True
        self._fill()
        self._show_failure()
        self._show_server_notes()
        self._show_outside()

    def _show_outside(self) -> None:
        """The second folder (or "Not set"), and under it the last copy made there or why
        the last one was not: the owner learns here, not from the log, that the stick was
        out."""
        outside = self.outside
        folder = None if outside is None else outside.folder
        if folder is None:
            self.also_folder.setText(self.tr("Not set"))
            self.also_folder.setToolTip("")
        else:
            self.also_folder.setText(short_path(str(folder)))
            self.also_folder.setToolTip(str(folder))
        self.also_clear.setVisible(self.allowed and folder is not None)
        self.also_choose.setText(self.tr("Choose folder…") if folder is None
                                 else self.tr("Change…"))  # fmt: skip
        if outside is None or not self.loaded:
            self.also_note.hide()
            return
        lang, tz = current_language(), shop_tz()
        failure = outside.failure
        if failure is not None and folder is not None:
            when = format_datetime(failure.at, tz, lang)
            text = self.tr("On %1 the backup was made but not copied to “%2”: %3 The next "
                           "backup will try again.")  # fmt: skip
            reason = _sentence(localize(failure.reason))
            said = fill_in(text, when, short_path(failure.folder), reason)
            self._note_outside(said, error=True)
        elif outside.last_at is not None:
            when = format_datetime(outside.last_at, tz, lang)
            self._note_outside(fill_in(self.tr("Last backup outside this PC: %1 (%2)."),
                                       when, short_path(outside.last_file)))  # fmt: skip
        elif folder is None:
            self._note_outside(self.tr(
                "The backups are only on this PC so far. Choose a USB stick or a synced "
                "Google Drive/OneDrive folder: a copy there is safe when this PC's disk "
                "dies, the PC is stolen, or ransomware locks its files."))  # fmt: skip
        else:
            self._note_outside(self.tr("The next backup is copied there (press Back up now "
                                       "to copy one now)."))  # fmt: skip

    def _note_outside(self, text: str, *, error: bool = False) -> None:
        self.also_note.setText(text)
        set_style_property(self.also_note, "error", error)
        self.also_note.show()

    def choose_also_to(self) -> None:
        folder = ask_folder(self, self.ctx, BACKUP,
                            self.tr("Choose where to copy the daily backup"))  # fmt: skip
        if folder is not None:
            self.set_also_to(folder)

    def set_also_to(self, folder: Path | None) -> None:
        def saved(_folder: Path | None) -> None:
            self._say(lambda: self.tr("Saved."))
            self.reload()

        run_inline(self, lambda: svc.set_backup_also_to(self.ctx, folder), self.message,
                   saved, self.also_choose)  # fmt: skip

    def _show_server_notes(self) -> None:
        """PostgreSQL: no pg_dump on this PC, and the shop's last daily backup."""
        if self.tool_problem is None:
            self.tool_note.hide()
        else:
            self.tool_note.setText(localize(self.tool_problem))
            self.tool_note.show()
        daily = self.last_daily
        if daily is None:
            self.daily_note.hide()
            return
        when = format_datetime(daily.at, shop_tz(), current_language())
        if daily.pc:
            text = fill_in(self.tr("The last daily backup: %1, on the PC %2 (%3)."),
                           when, daily.pc, daily.file)  # fmt: skip
        else:
            text = fill_in(self.tr("The last daily backup: %1 (%2)."), when, daily.file)
        self.daily_note.setText(text)
        self.daily_note.show()

    def _show_failure(self) -> None:
        failure = self.failure
        if failure is None:
            self.failure_note.hide()
            return
        when = format_datetime(failure.at, shop_tz(), current_language())
        if failure.folder:  # named once, short; the whole path on hover
            text = self.tr("The daily backup to the folder “%1” failed on %2: %3")
            said = fill_in(text, short_path(failure.folder), when, localize(failure.reason))
        else:  # a failure posted by an older version, without its folder
            text = self.tr("The daily backup failed on %1: %2")
            said = fill_in(text, when, localize(failure.reason))
        self.failure_note.setText(said)
        self.failure_note.setToolTip(failure.folder)
        self.failure_note.show()

    def _fill(self) -> None:
        lang, tz = current_language(), shop_tz()
        self.table.setRowCount(len(self.backups))
        for row, b in enumerate(self.backups):
            taken = format_datetime(b.created_at, tz, lang)
            if b.in_future:  # the PC's clock was ahead when it was made: listed last
                taken = self.tr("%1 (dated in the future)").replace("%1", taken)
            texts = (taken, self._kind(b.reason),
                     format_file_size(b.size, lang), b.path.name)  # fmt: skip
            for col, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, str(b.path))
                if col == COL_FILE and b.utc_name:
                    item.setToolTip(self._utc_note())
                if col == 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, col, item)
        self.empty_note.setText(self.tr(
            "No backups yet. The app makes one every day while it runs; press Back up now "
            "to make one now."))  # fmt: skip
        self.empty_note.setVisible(self.loaded and not self.backups)
        self._update_actions()

    def _update_actions(self) -> None:
        selected = self.selected()
        self.restore_selected_button.setEnabled(self.can_restore and selected is not None)
        if self.on_server and self.allowed:
            self._show_restore_command(selected)

    def _show_restore_command(self, selected: Path | None) -> None:
        """PostgreSQL: the pg_restore command of the selected backup, under the list and
        on the (disabled) restore buttons, once pg_restore has read the file back (off the
        UI thread; a file damaged since it was made gets why instead of a command)."""
        if self.reading is not None and self.reading[0] != selected:
            self.reading[1].progress.cancel()  # another backup was selected meanwhile
            self.reading = None
        if selected is None or self.ctx.settings is None:
            self._say_restore(self.tr("Restoring is done with pg_restore when every PC has "
                                      "closed the app: select a backup to see the command."))
            return
        found = self.read_back.get(_file_stamp(selected))
        if found is not None:
            self._say_restore(self._restore_text(selected, found))
            return
        self._say_restore(fill_in(self.tr("Reading %1 back with pg_restore, to check it before "
                                          "giving its restore command…"), selected.name))
        if self.reading is None:
            self._read_back(selected)

    def _read_back(self, dump: Path) -> None:
        ctx, stamp = self.ctx, _file_stamp(dump)
        op: Op[ReadBack] = Op(
            self, lambda job: svc.checked_pg_restore_command(ctx, dump, stop=job.progress.stop),
            title=self.tr("Checking a backup"),
        )  # fmt: skip

        def done(found: ReadBack | BaseException) -> None:
            if self.reading is not None and self.reading[1] is op.job:
                self.reading = None
            if isinstance(found, Cancelled):
                return  # another backup was selected, or the page closed
            if isinstance(found, BaseException) and not isinstance(found, PrimedistError):
                failure_text(self, found)  # a bug: reported once, as any failed job
                return
            self.read_back[stamp] = found
            if self.selected() == dump:
                self._show_restore_command(dump)

        op.success(done).failure(done)
        self.reading = (dump, op.job)
        op.with_progress(beside=True).run()  # reads a file, not the database

    def _restore_text(self, dump: Path, found: ReadBack | PrimedistError) -> str:
        if isinstance(found, PrimedistError):
            return error_text(found)  # names the file, says why, what to do
        command, note = found
        text = fill_in(self.tr(
            "To restore %1: when every PC has closed the app, run this on a PC with the "
            "PostgreSQL client tools (it replaces all the data on the server):\n%2"),
            dump.name, command)  # fmt: skip
        return text if note is None else f"{localize(note)}\n{text}"

    def _say_restore(self, text: str) -> None:
        self.restore_note.setText(text)
        self.restore_note.show()
        for button in (self.restore_button, self.restore_selected_button):
            button.setToolTip(text)

    def selected(self) -> Path | None:
        model = self.table.selectionModel()
        rows = model.selectedRows() if model is not None else []
        if not rows or rows[0].row() >= len(self.backups):
            return None
        return self.backups[rows[0].row()].path

    # Actions ------------------------------------------------------------------------------
    def folder(self) -> Path | None:
        """This PC's backups folder (None without settings: nothing to show)."""
        return self.ctx.settings.backup_dir if self.ctx.settings is not None else None

    def open_folder(self) -> None:
        """Show the backups folder in the file manager (made first: a new shop's daily
        backup may not have run yet)."""
        folder = self.folder()
        if folder is None:
            return
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # the file manager's own refusal is said below
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self._say(lambda: fill_in(self.tr("Could not open the folder %1."), str(folder)),
                      error=True)  # fmt: skip

    def back_up_now(self) -> None:
        self._busy(True)
        op: Op[Path] = Op(
            self, lambda job: svc.backup_now(self.ctx, cancelled=lambda: job.progress.cancelled),
            title=self.tr("Backing up"),
        )  # fmt: skip
        op.success(self._backed_up).finally_(lambda: self._busy(False))
        op.with_progress(beside=True).run()  # a backup only reads the database

    def _backed_up(self, path: Path) -> None:
        self._say(lambda: self.tr("Backup written: %s") % path.name)
        self.backedUp.emit(path)
        self.reload()

    def choose_and_back_up(self) -> None:
        """A backup into a folder the user picks (a USB stick), named as in the backups
        folder so that a restore from it later shows when it was taken."""
        folder = ask_folder(self, self.ctx, BACKUP, self.tr("Choose the folder for the backup"))
        if folder is not None:
            self.back_up_to(folder)

    def back_up_to(self, folder: Path) -> None:
        self._busy(True)
        op: Op[Path] = Op(
            self, lambda job: svc.backup_now(self.ctx, folder, folder=True,
                                             cancelled=lambda: job.progress.cancelled),
            title=self.tr("Backing up"),
        )  # fmt: skip
        op.success(self._backed_up_to).failure(self._failed)
        op.finally_(lambda: self._busy(False)).with_progress(beside=True).run()

    def _backed_up_to(self, path: Path) -> None:
        # The whole path: the owner must see it went onto the stick, not the PC.
        self._say(lambda: self.tr("Backup written to %s") % path)
        self.backedUp.emit(path)
        settings = self.ctx.settings
        if settings is not None and _same_folder(path.parent, settings.backup_dir):
            self.reload()

    def save_keep(self) -> None:
        keep = self.keep.value()
        run_inline(self, lambda: svc.set_backup_keep(self.ctx, keep), self.message,
                   lambda _k: self._say(lambda: self.tr("Saved.")), self.keep_save)  # fmt: skip

    def choose_and_restore(self) -> None:
        folder = self.ctx.settings.backup_dir if self.ctx.settings else None
        path = ask_open_file(
            self, self.ctx, BACKUP, self.tr("Restore from a backup"),
            self.tr("Backups (*.db);;All files (*)"), folder,
        )  # fmt: skip
        if path is not None:
            self.restore_file(path)

    def restore_selected(self) -> None:
        path = self.selected()
        if path is not None:
            self.restore_file(path)

    def restore_file(self, path: Path) -> None:
        """Check the file and read what the restore would lose (off the UI thread: both
        files are read), ask for confirmation, then restore."""
        self._busy(True)
        ctx = self.ctx

        def check(_job: Job) -> RestoreLoss | None:
            svc.check_backup(ctx, path)
            return svc.restore_loss(ctx, path)

        op: Op[RestoreLoss | None] = Op(self, check)
        op.success(lambda loss: self._confirm_restore(path, loss)).failure(self._failed)
        op.finally_(lambda: self._busy(False)).run()

    def taken(self, path: Path) -> datetime:
        """When the backup was taken: as listed, else the time in its name, else when the
        file was last written (a backup copied in under another name)."""
        for b in self.backups:
            if b.path == path:
                return b.created_at
        return taken_at(path) or datetime.fromtimestamp(path.stat().st_mtime, UTC)

    def restore_question(self, path: Path, taken: datetime, loss: RestoreLoss | None) -> str:
        """The restore's question: the backup and when it was taken, what the current data
        has that it lacks (after the question: the owner weighs it before the rest), the
        accounts that come back with it."""
        when = format_datetime(taken, shop_tz(), current_language())
        text = self.tr(
            "Replace ALL current data with the backup %1, taken on %2?\n\nThe staff "
            "accounts and their passwords come back as they were then: whoever changed "
            "a password since signs in with the old one, and accounts added since are "
            "gone.\n\nA copy of the current data is kept in the backups folder first. "
            "You will sign in again afterwards."
        ).replace("%1", path.name).replace("%2", when)  # fmt: skip
        lost = "" if loss is None else self.loss_text(loss, taken)
        if not lost:
            return text
        question, gap, rest = text.partition("\n\n")
        return f"{question}\n\n{lost}{gap}{rest}"

    def loss_text(self, loss: RestoreLoss, taken: datetime) -> str:
        """What restoring a backup taken at `taken` loses: "Restoring loses what was made or
        changed after 10:02: 12 new orders, 1 goods receipt…", and the shops linked since."""
        tz, lang = shop_tz(), current_language()
        same_day = to_local(taken, tz).date() == to_local(self.ctx.clock.now(), tz).date()
        when = format_datetime(taken, tz, lang)
        if same_day:  # the date is in the question just above
            when = when.split(" ")[-1]
        if loss.nothing:
            return self.tr(
                "Since %1 no order was made or changed, and no return, goods receipt, purchase "
                "order, customer or product was added."
            ).replace("%1", when)  # fmt: skip
        words = {
            "orders": (self.tr("%n new order"), self.tr("%n new orders")),
            "changed": (self.tr("changes to %n order"), self.tr("changes to %n orders")),
            "returns": (self.tr("%n return"), self.tr("%n returns")),
            "goods_receipts": (self.tr("%n goods receipt"), self.tr("%n goods receipts")),
            "purchase_orders": (self.tr("%n purchase order"), self.tr("%n purchase orders")),
            "supplier_returns": (self.tr("%n return to a supplier"),
                                 self.tr("%n returns to suppliers")),
            "customers": (self.tr("%n new customer"), self.tr("%n new customers")),
            "products": (self.tr("%n new product"), self.tr("%n new products")),
        }  # fmt: skip
        counts = {**loss.counts, "changed": loss.changed_orders}
        parts = [count_text(counts[key], *forms) for key, forms in words.items()
                 if counts.get(key)]  # fmt: skip
        lines = []
        if parts:
            lines.append(fill_in(self.tr("Restoring loses what was made or changed after %1: %2."),
                                 when, ", ".join(parts)))  # fmt: skip
        if loss.linked_since:
            lines.append(fill_in(self.tr(
                "Shops linked since then must be authorised again after the restore: %1."),
                ", ".join(loss.linked_since)))  # fmt: skip
        return "\n".join(lines)

    def _confirm_restore(self, path: Path, loss: RestoreLoss | None = None) -> None:
        # The accounts come back with the data: a password changed since no longer works,
        # and staff added since are gone. Say so, when the backup is from, and what the
        # data has since.
        taken = self.taken(path)
        answer = QMessageBox.question(
            self, self.tr("Restore"), self.restore_question(path, taken, loss)
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._busy(True)
        ctx, linked = self.ctx, loss.linked_now if loss is not None else ()

        def run(_job: Job) -> _Restored:
            new_ctx, safety = svc.restore(ctx, path)
            try:  # the shops linked before that the restored data holds unlinked
                relink = svc.shops_to_link_again(new_ctx, linked) if linked else []
            except PrimedistError:
                log.warning("the shops to link again could not be read", exc_info=True)
                relink = []
            return new_ctx, safety, relink

        op: Op[_Restored] = Op(self, run, title=self.tr("Restoring"))
        op.success(lambda result: self._restored(result, taken)).failure(self._failed)
        op.finally_(lambda: self._busy(False)).with_progress(alone=True).run()

    def _restored(self, result: _Restored, taken: datetime) -> None:
        new_ctx, safety, relink = result
        self.ctx = new_ctx
        self._say(lambda: self.tr("Restored. The data it replaced is saved as %s.") % safety.name)
        self.restored.emit(new_ctx)
        restart = getattr(self.window(), "restart_session", None)
        if callable(restart):
            # The sign-in says whose passwords are back; then Sales channels names the
            # shops to authorise again.
            restart(new_ctx, taken, relink)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, PrimedistError):
            self._say(lambda: error_text(exc), error=True)
            return
        from primedist.ui.errors import show_crash

        show_crash(self, exc)

    def _busy(self, busy: bool) -> None:
        for b in (self.backup_button, self.backup_to_button):
            b.setEnabled(self.allowed and not busy)
        for b in (self.restore_button, self.restore_selected_button):
            b.setEnabled(self.can_restore and not busy)
        if not busy:
            self._update_actions()

    def _say(self, text: Callable[[], str], *, error: bool = False) -> None:
        """Show what `text` makes; `say` makes it again in the new language when that
        changes (the backup's name or the error kept, the words translated)."""
        say(self.message, text, error=error)
        self.message.show()


def _sentence(text: str) -> str:
    """A reason as a sentence (the next one follows it)."""
    text = text.strip()
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b


def _file_stamp(path: Path) -> tuple[Path, int, int]:
    """A file as it is now: a copy put in its place since is read back again."""
    try:
        info = path.stat()
    except OSError:
        return path, -1, -1
    return path, info.st_size, info.st_mtime_ns
