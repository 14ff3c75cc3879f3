"""Every file dialog of the app (open, save, choose a folder) comes from here: Qt's own
dialog (the same on every system) whose list never opens the files it shows, starting in
the folder last used for that purpose, never in the data dir.

Why: SQLite locks its files with POSIX (fcntl) locks, and a process loses all its locks on
a file as soon as it closes *any* descriptor of that file. Qt's stock icon provider opens
every listed file to guess its type from the content, so listing the data dir
(`primedist.db`, `-wal`, `-shm`) silently dropped the app's locks: a CLI import or
`sync --loop` then took itself for the only user, deleted the WAL under the running app,
and the app's next writes went to a deleted file (a damaged database, lost sales).
The icon provider below decides from the name only; the start folder keeps the dialog out
of the data dir unless the user walks in on purpose.
"""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QFileInfo, QMimeDatabase, QSettings, QSize, QStandardPaths
from PySide6.QtGui import QAbstractFileIconProvider, QIcon
from PySide6.QtWidgets import QFileDialog, QFileIconProvider, QWidget

from primedist.services.context import ServiceContext

#: The purposes whose last folder is remembered apart (ui.ini, group `file_dialogs`).
IMPORT, EXPORT, PICTURE, BACKUP = "import", "export", "picture", "backup"
#: The products' template, export and import share one folder: the file just saved (a
#: template to fill in, an export to edit) is where the next Import starts.
PRODUCT_FILES = "product_files"
#: The purposes whose open dialogs pick a file to import (they start in Downloads).
IMPORTS = (IMPORT, PRODUCT_FILES)

_IconType = QAbstractFileIconProvider.IconType


class NameOnlyIconProvider(QFileIconProvider):
    """Icons and type names from a file's name and whether it is a folder: never opens
    the file (Qt's provider reads its first bytes, which drops SQLite's locks)."""

    def __init__(self) -> None:
        super().__init__()
        # A custom folder icon is read from a file inside the folder.
        self.setOptions(QAbstractFileIconProvider.Option.DontUseCustomDirectoryIcons)
        self._mime_types = QMimeDatabase()

    def icon(self, what: QFileInfo | _IconType) -> QIcon:
        if not isinstance(what, QFileInfo):
            return super().icon(what)
        if what.isRoot():
            return super().icon(_IconType.Drive)
        return super().icon(_IconType.Folder if what.isDir() else _IconType.File)

    def type(self, info: QFileInfo) -> str:
        if info.isDir():  # "Folder" / "Drive": Qt says it without reading anything
            return super().type(info)
        mime = self._mime_types.mimeTypeForFile(
            info.fileName(), QMimeDatabase.MatchMode.MatchExtension
        )
        return mime.comment() or mime.name()


_provider: NameOnlyIconProvider | None = None


def icon_provider() -> NameOnlyIconProvider:
    """One provider for every dialog (a dialog does not own it, and its model may still
    ask it from its thread while the dialog is being deleted)."""
    global _provider
    if _provider is None:
        _provider = NameOnlyIconProvider()
    return _provider


#: Room for the names, sizes and dates of a folder's files (fits a 1280×800 screen).
DIALOG_SIZE = QSize(900, 560)


def build_file_dialog(parent: QWidget | None, title: str, folder: Path, filters: str,
                      *, save: bool = False, many: bool = False) -> QFileDialog:  # fmt: skip
    """A file dialog (not the system's: it would list the folder its own way) showing
    `folder`, the name filters `filters` (";;"-separated; none when empty); not yet open."""
    dialog = QFileDialog(parent, title)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setIconProvider(icon_provider())  # before the folder: its listing uses it
    if filters:
        dialog.setNameFilters(filters.split(";;"))
    dialog.setDirectory(str(folder))
    if save:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    else:
        mode = QFileDialog.FileMode
        dialog.setFileMode(mode.ExistingFiles if many else mode.ExistingFile)
    dialog.resize(DIALOG_SIZE)  # Qt's own size cuts the Size and Date columns
    return dialog


def run_dialog(dialog: QFileDialog) -> tuple[list[str], str]:
    """Show the dialog until closed: the files chosen (none when cancelled) and the name
    filter selected. (Tests replace it.)"""
    if not dialog.exec():
        return [], ""
    return dialog.selectedFiles(), dialog.selectedNameFilter()


def ask_open_file(parent: QWidget | None, ctx: ServiceContext | None, purpose: str,
                  title: str, filters: str, folder: Path | None = None) -> Path | None:  # fmt: skip
    """The file the user picks to open (None when cancelled), starting in the folder last
    used for `purpose` (else `folder`, else Documents; Pictures for a picture; a file to
    import: Downloads, then Documents, then `folder`)."""
    chosen = _ask(parent, ctx, purpose, title, filters, folder, save=False, many=False)[0]
    return chosen[0] if chosen else None


def ask_open_files(parent: QWidget | None, ctx: ServiceContext | None, purpose: str,
                   title: str, filters: str, folder: Path | None = None) -> list[Path]:  # fmt: skip
    """The files the user picks (several at once; none when cancelled)."""
    return _ask(parent, ctx, purpose, title, filters, folder, save=False, many=True)[0]


def ask_save_file(
    parent: QWidget | None, ctx: ServiceContext | None, purpose: str, title: str,
    suggested: Path, filters: str,
) -> tuple[Path, str] | None:  # fmt: skip
    """Where to save (and the name filter chosen), offering `suggested`'s name in the folder
    last used for `purpose` (else `suggested`'s folder); None when cancelled."""
    chosen, name_filter = _ask(
        parent, ctx, purpose, title, filters, suggested.parent, save=True, name=suggested.name
    )
    return (chosen[0], name_filter) if chosen else None


def ask_folder(parent: QWidget | None, ctx: ServiceContext | None, purpose: str,
               title: str, folder: Path | None = None) -> Path | None:  # fmt: skip
    """The folder the user picks (None when cancelled), starting in the folder last used
    for `purpose` (else `folder`, else Documents); the folder itself is remembered."""
    dialog = build_file_dialog(parent, title, start_folder(ctx, purpose, folder), "")
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    try:
        chosen, _filter = run_dialog(dialog)
    finally:
        if shiboken6.isValid(dialog):  # a parent closed meanwhile took it along
            dialog.deleteLater()
    if not chosen:
        return None
    picked = Path(chosen[0])
    remember_folder(ctx, purpose, picked)
    return picked


def _ask(parent: QWidget | None, ctx: ServiceContext | None, purpose: str, title: str,
         filters: str, folder: Path | None, *, save: bool, many: bool = False,
         name: str = "") -> tuple[list[Path], str]:  # fmt: skip
    start = start_folder(ctx, purpose, folder, importing=not save and purpose in IMPORTS)
    dialog = build_file_dialog(parent, title, start, filters, save=save, many=many)
    if name:
        dialog.selectFile(name)
    try:
        chosen, name_filter = run_dialog(dialog)
    finally:
        if shiboken6.isValid(dialog):  # a parent closed meanwhile took it along
            dialog.deleteLater()
    paths = [Path(p) for p in chosen]
    if paths:
        remember_folder(ctx, purpose, paths[0].parent)
    return paths, name_filter


def start_folder(ctx: ServiceContext | None, purpose: str, folder: Path | None = None,
                 *, importing: bool = False) -> Path:  # fmt: skip
    """The folder last used for `purpose`, else `folder`, else Pictures (pictures) or
    Documents, else home: the first that exists and does not hold the database. A file to
    import (`importing`) is first looked for in Downloads, then Documents, before `folder`:
    it is usually a marketplace's or a supplier's file just downloaded, not one the app
    wrote into its data folder."""
    prefs = _prefs(ctx)
    remembered = str(prefs.value(_key(purpose), "")) if prefs is not None else ""
    where = QStandardPaths.StandardLocation
    usual = where.PicturesLocation if purpose == PICTURE else where.DocumentsLocation
    documents = QStandardPaths.writableLocation(where.DocumentsLocation)
    candidates: tuple[str | Path | None, ...]
    if importing:
        downloads = QStandardPaths.writableLocation(where.DownloadLocation)
        candidates = (remembered, downloads, documents, folder, Path.home())
    else:
        candidates = (remembered, folder, QStandardPaths.writableLocation(usual), documents,
                      Path.home())  # fmt: skip
    for candidate in candidates:
        if candidate and Path(candidate).is_dir() and not holds_database(ctx, Path(candidate)):
            return Path(candidate)
    return Path.home().parent  # the data dir is the home folder itself


def remember_folder(ctx: ServiceContext | None, purpose: str, folder: Path) -> None:
    """The folder the next dialog of `purpose` starts in (not one holding the database)."""
    prefs = _prefs(ctx)
    if prefs is not None and not holds_database(ctx, folder):
        prefs.setValue(_key(purpose), str(folder))


def holds_database(ctx: ServiceContext | None, folder: Path) -> bool:
    """Whether `folder` is the data dir or the SQLite database's folder."""
    settings = ctx.settings if ctx is not None else None
    if settings is None:
        return False
    homes = {settings.data_dir} | ({settings.db_path.parent} if settings.db_path else set())
    return _resolved(folder) in {_resolved(p) for p in homes}


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path


def _key(purpose: str) -> str:
    return f"file_dialogs/{purpose}"


def _prefs(ctx: ServiceContext | None) -> QSettings | None:
    if ctx is None or ctx.settings is None:
        return None
    return QSettings(str(ctx.settings.data_dir / "ui.ini"), QSettings.Format.IniFormat)
