"""`primedist --self-test`: prove an installation (a built bundle above all) can run.

In a throw-away data dir it creates and migrates the database, sets up a shop, loads the
Vietnamese catalogue, checks the font draws Vietnamese, draws the icons, builds and
renders every tab of the main window and prints a sample receipt to PDF: the parts a
bundle most often loses (migration scripts, resources, Qt plugins, fonts, templates).
Prints `OK` and returns 0, or names the failed check and its cause and returns 1.

Imported lazily by the CLI, after QT_QPA_PLATFORM is set (Qt reads it at start-up).
"""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from PySide6.QtCore import (
    QCoreApplication,
    QMessageLogContext,
    QSettings,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtGui import QFontMetrics, QImage
from PySide6.QtWidgets import QApplication, QMessageBox

from primedist.config import Settings, resolve_settings
from primedist.db.store import open_store
from primedist.printing.model import TEMPLATES
from primedist.printing.store import default_template
from primedist.services import auth
from primedist.services.context import ServiceContext
from primedist.ui import ops
from primedist.ui.app import apply_style, make_app
from primedist.ui.i18n import install_language
from primedist.ui.main_window import MainWindow
from primedist.ui.widgets import icon

T = TypeVar("T")

#: Vietnamese letters the app font must draw (every tone mark on each vowel, and đ).
VIETNAMESE_SAMPLE = "ĂÂĐÊÔƠƯăâđêôơư àáảãạ ằắẳẵặ ầấẩẫậ ềếểễệ ồốổỗộ ờớởỡợ ừứửữự ỳýỷỹỵ"
#: Icons drawn by the check (SVG: needs Qt's svg image-format and icon-engine plugins).
ICONS_CHECKED = ("logo", "home", "orders", "products", "customers", "settings", "chevron_down")
#: How long the main window's background work may take before the check gives up.
SETTLE_SECONDS = 60.0


class SelfTestFailed(Exception):
    """One check failed: the message names it and says why."""


def run_self_test() -> int:
    """Run every check; print `OK` and return 0, or name the failure and return 1."""
    try:
        with tempfile.TemporaryDirectory(prefix="primedist-self-test-") as tmp:
            _run_checks(Path(tmp))
    except SelfTestFailed as exc:
        print(f"primedist: self-test failed: {exc}", file=sys.stderr)  # noqa: T201
        return 1
    print("OK", flush=True)  # noqa: T201
    return 0


def _run_checks(data_dir: Path) -> None:
    # Always a new SQLite file in the temporary dir: never a shop's real database.
    settings = resolve_settings(data_dir, f"sqlite:///{data_dir / 'primedist.db'}")
    app = _check("Qt", _make_styled_app)
    with _errors_collected() as errors:
        ctx = _check("database", lambda: _open_new_shop(settings))
        try:
            _check("translations", lambda: install_language("vi"))
            _check("fonts", lambda: _check_vietnamese_font(app))
            _check("icons", _draw_icons)
            _check("main window", lambda: _render_main_window(app, ctx, settings))
            _check("printing", lambda: _print_sample_documents(data_dir))
        finally:
            _settle(app)
            ctx.engine.dispose()
        if errors:
            raise SelfTestFailed(f"an error was reported: {errors[0]}")


def _check(name: str, step: Callable[[], T]) -> T:
    try:
        return step()
    except SelfTestFailed as exc:
        raise SelfTestFailed(f"{name}: {exc}") from exc
    except Exception as exc:  # any failure is the answer, named with its check
        raise SelfTestFailed(f"{name}: {type(exc).__name__}: {exc}") from exc


#: What the offscreen platform (the check's own choice) says each time a shown window's
#: size limits change (Home's to-do cards taking two rows): nothing is wrong, it only
#: has no window manager to tell.
OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints()"


def _qt_message(_kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    """Qt's messages on stderr as Qt prints them, but the offscreen platform's noise."""
    if message != OFFSCREEN_NOISE:
        print(message, file=sys.stderr)  # noqa: T201


def _make_styled_app() -> QApplication:
    qInstallMessageHandler(_qt_message)
    app = make_app()
    apply_style(app)
    return app


def _open_new_shop(settings: Settings) -> ServiceContext:
    """Create and migrate the database and set up a shop (the first-run path)."""
    ctx = ServiceContext(open_store(settings), settings=settings)
    owner = auth.setup_shop(
        ctx,
        shop_name="Cửa hàng tự kiểm tra",
        owner_name="Người kiểm tra",
        owner_email="self-test@example.invalid",
        owner_password="self-test-password",
    )
    return ctx.with_actor(owner)


def _check_vietnamese_font(app: QApplication) -> None:
    metrics = QFontMetrics(app.font())
    missing = sorted({ch for ch in VIETNAMESE_SAMPLE if not ch.isspace()} - _drawable(metrics))
    if missing:
        family = app.font().family()
        raise SelfTestFailed(f"the font {family!r} has no glyph for {''.join(missing)}")


def _drawable(metrics: QFontMetrics) -> set[str]:
    return {ch for ch in VIETNAMESE_SAMPLE if metrics.inFontUcs4(ord(ch))}


def _draw_icons() -> None:
    for name in ICONS_CHECKED:
        if icon(name).pixmap(32, 32).isNull():
            raise SelfTestFailed(f"the icon {name!r} cannot be drawn (SVG plugins missing?)")


def _render_main_window(app: QApplication, ctx: ServiceContext, settings: Settings) -> None:
    """Open the main window, build every tab and render it into an image."""
    ui = QSettings(str(settings.data_dir / "ui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(ctx, ui, "Cửa hàng tự kiểm tra")
    try:
        window.show()
        for key in window.tab_pages:
            window.select_tab(key)
            _settle(app)
            image = window.grab().toImage()
            if image.isNull() or _is_blank(image):
                raise SelfTestFailed(f"the {key!r} tab rendered an empty image")
    finally:
        window.close()
        window.deleteLater()
        QCoreApplication.processEvents()


def _is_blank(image: QImage) -> bool:
    """One colour everywhere (sampled on a grid): nothing was drawn."""
    first = image.pixel(0, 0)
    step_x, step_y = max(1, image.width() // 40), max(1, image.height() // 40)
    return all(
        image.pixel(x, y) == first
        for x in range(0, image.width(), step_x)
        for y in range(0, image.height(), step_y)
    )


def _print_sample_documents(data_dir: Path) -> None:
    """Every shipped template (receipts, invoice, packing slip) filled with the sample
    order and printed into one PDF."""
    from primedist.ui.printing.jobs import sample_document
    from primedist.ui.printing.render import print_to_pdf

    documents = [
        sample_document(default_template(spec.name), spec.doc_type, spec.paper, "vi")
        for spec in TEMPLATES.values()
    ]
    pdf = print_to_pdf(documents, data_dir / "sample.pdf")
    size = pdf.stat().st_size
    if pdf.read_bytes()[:5] != b"%PDF-" or size < 1000:
        raise SelfTestFailed(f"the sample PDF is not a PDF ({size} bytes)")


def _settle(app: QApplication) -> None:
    """Let queued background work finish and its results arrive (the database worker
    runs jobs in order, so a no-op queued behind them finishes last)."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        app.processEvents()
        barrier = ops.Op(None, lambda _job: None).run()
        while not barrier.done():
            if time.monotonic() > deadline:
                raise SelfTestFailed("background work did not finish in time")
            app.processEvents()
            time.sleep(0.01)
        app.processEvents()
        if not ops.tracker().jobs:
            return


class _ErrorCollector(logging.Handler):
    def __init__(self, errors: list[str]) -> None:
        super().__init__(logging.ERROR)
        self.errors = errors

    def emit(self, record: logging.LogRecord) -> None:
        cause = f" ({record.exc_info[1]!r})" if record.exc_info else ""
        self.errors.append(f"{record.getMessage()}{cause}")


@contextmanager
def _errors_collected() -> Iterator[list[str]]:
    """Errors logged or raised in Qt callbacks meanwhile (they never reach the caller)."""
    errors: list[str] = []
    handler = _ErrorCollector(errors)
    root = logging.getLogger()
    saved_hook = sys.excepthook

    def hook(kind: type[BaseException], exc: BaseException, _tb: TracebackType | None) -> None:
        errors.append(f"{kind.__name__}: {exc}")

    watchdog = QTimer()
    watchdog.setInterval(100)
    watchdog.timeout.connect(lambda: _close_modal_dialog(errors))
    root.addHandler(handler)
    sys.excepthook = hook
    watchdog.start()
    try:
        yield errors
    finally:
        watchdog.stop()
        sys.excepthook = saved_hook
        root.removeHandler(handler)


def _close_modal_dialog(errors: list[str]) -> None:
    """A message box or crash dialog would wait for a click that never comes: close it
    and keep what it said."""
    dialog = QApplication.activeModalWidget()
    if dialog is None:
        return
    text = dialog.text() if isinstance(dialog, QMessageBox) else ""
    errors.append(f"a dialog was shown: {dialog.windowTitle()} {text}".strip())
    dialog.close()
