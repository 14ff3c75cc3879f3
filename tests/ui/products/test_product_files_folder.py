"""The products' template, export and import share one remembered folder: Import opens
where the template or the export was just saved (or the last import was taken from; the
first time, Downloads), and
the export's file name follows the UI's language as the template's does."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from primedist.config import Settings
from primedist.services.catalogue import ProductDraft, VariantDraft, create_product
from primedist.services.context import ServiceContext
from primedist.services.import_templates import TemplateKind
from primedist.ui import file_dialogs, import_template
from primedist.ui.import_report import ImportReportDialog
from primedist.ui.products.page import ProductsPage
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("no_crash")


class Dialogs:
    """Answers every file dialog with the next of `answers` (None: cancelled); the dialogs
    shown, in order."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.answers: list[Path | None] = []
        self.shown: list[QFileDialog] = []
        monkeypatch.setattr(file_dialogs, "run_dialog", self.run)

    def run(self, dialog: QFileDialog) -> tuple[list[str], str]:
        self.shown.append(dialog)
        answer = self.answers.pop(0)
        return ([str(answer)] if answer else []), ""

    def last_folder(self) -> Path:
        return Path(self.shown[-1].directory().absolutePath())


@pytest.fixture
def page(qtbot: Any, owner_ctx: ServiceContext) -> Iterator[ProductsPage]:
    variants = [VariantDraft(sku="AO-TRANG-S", price=29_000, stock=10)]
    create_product(owner_ctx, ProductDraft(
        name="Áo thun trắng", category=None, features=None, description=None,
        option1_name=None, option2_name=None, variants=variants, shop_ids=[], images=[],
    ))  # fmt: skip
    p = show_widget(qtbot, ProductsPage(owner_ctx), height=760)
    yield p
    p.shutdown()


def folder(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.mkdir()
    return path


@pytest.mark.usefixtures("english")
def test_import_opens_where_the_template_or_the_export_was_saved(
    qtbot: Any, page: ProductsPage, owner_ctx: ServiceContext, settings: Settings,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    dialogs = Dialogs(monkeypatch)
    downloads = folder(tmp_path, "Downloads")
    monkeypatch.setattr(file_dialogs.QStandardPaths, "writableLocation",
                        lambda _where: str(downloads))  # fmt: skip
    dialogs.answers.append(None)
    page.import_file()  # nothing remembered yet: where a downloaded file is
    assert dialogs.last_folder() == downloads

    desk = folder(tmp_path, "desk")
    dialogs.answers += [desk / "mau.xlsx", None]
    import_template.save_template(page.list, owner_ctx, TemplateKind.PRODUCTS)
    qtbot.waitUntil(lambda: (desk / "mau.xlsx").exists(), timeout=WAIT)
    page.import_file()
    assert dialogs.last_folder() == desk

    sales = folder(tmp_path, "sales")
    dialogs.answers += [sales / "hang.xlsx", None]
    page.export(None)
    qtbot.waitUntil(lambda: isinstance(page.last_dialog, QMessageBox), timeout=WAIT)
    page.import_file()
    assert dialogs.last_folder() == sales

    # A file imported from elsewhere: the next export is offered there.
    usb = folder(tmp_path, "usb")
    shutil.copy(sales / "hang.xlsx", usb / "hang.xlsx")
    dialogs.answers += [usb / "hang.xlsx", None]
    page.import_file()
    qtbot.waitUntil(lambda: isinstance(page.last_dialog, ImportReportDialog), timeout=WAIT)
    page.export(None)
    assert dialogs.last_folder() == usb


@pytest.mark.usefixtures("vietnamese")
def test_the_export_is_offered_under_a_vietnamese_name_in_vietnamese(
    page: ProductsPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialogs = Dialogs(monkeypatch)
    dialogs.answers.append(None)
    page.export(None)
    chosen = Path(dialogs.shown[0].selectedFiles()[0]).name
    assert chosen == "san-pham-20261120.xlsx"
