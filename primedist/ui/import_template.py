"""Download an import template: a "Template…" button beside each Import (orders, products,
customers) saves the empty file to fill in, with its guide sheet, in the app's language."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from primedist.services.context import ServiceContext
from primedist.services.import_templates import TemplateKind, write_import_template
from primedist.ui.file_dialogs import EXPORT, PRODUCT_FILES
from primedist.ui.i18n import current_language
from primedist.ui.list_tools import ask_save_path, push_button
from primedist.ui.ops import Op

#: The file name offered: (Vietnamese, English).
FILE_NAMES = {
    TemplateKind.ORDERS: ("mau-nhap-don-hang.xlsx", "orders-import-template.xlsx"),
    TemplateKind.PRODUCTS: ("mau-nhap-san-pham.xlsx", "products-import-template.xlsx"),
    TemplateKind.CUSTOMERS: ("mau-nhap-khach-hang.xlsx", "customers-import-template.xlsx"),
}


def template_button(parent: QWidget, ctx: ServiceContext, kind: TemplateKind) -> QPushButton:
    """The "Template…" button (its texts follow the language: call `retranslate_button`)."""
    button = push_button("templateButton", lambda: save_template(parent, ctx, kind))
    retranslate_button(button)
    return button


def retranslate_button(button: QPushButton) -> None:
    button.setText(QCoreApplication.translate("import_template", "Template…"))
    button.setToolTip(
        QCoreApplication.translate(
            "import_template",
            "Save an empty file to fill in and import, with a sheet that says how to fill in "
            "each column",
        )
    )


def default_path(ctx: ServiceContext, kind: TemplateKind) -> Path:
    folder = ctx.settings.export_dir if ctx.settings else Path.home()
    return folder / FILE_NAMES[kind][0 if current_language() == "vi" else 1]


def save_template(parent: QWidget, ctx: ServiceContext, kind: TemplateKind) -> None:
    """Ask where, write the template off the UI thread, then say where it is."""
    suggested = default_path(ctx, kind)
    target = ask_save_path(
        parent, QCoreApplication.translate("import_template", "Save the import template"),
        suggested.parent, suggested.name, ctx,
        purpose=PRODUCT_FILES if kind == TemplateKind.PRODUCTS else EXPORT,
    )  # fmt: skip
    if target is not None:
        write_to(parent, ctx, kind, target)


def write_to(parent: QWidget, ctx: ServiceContext, kind: TemplateKind, path: Path) -> None:
    lang = current_language()
    title = QCoreApplication.translate("import_template", "Saving the import template")
    Op(parent, lambda _job: write_import_template(ctx, kind, path, lang), title=title).success(
        lambda written: _saved(parent, written)
    ).run()


def _saved(parent: QWidget, path: Path) -> None:
    box = QMessageBox(parent)
    box.setObjectName("templateSaved")
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle(QCoreApplication.translate("import_template", "Import template saved"))
    text = QCoreApplication.translate(
        "import_template",
        "Saved %1. Fill in one row per line on its first sheet (the second sheet says how), "
        "then choose Import.",
    )
    box.setText(text.replace("%1", str(path)))
    open_folder = QCoreApplication.translate("import_template", "Open the folder")
    open_button = box.addButton(open_folder, QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Ok)
    open_button.clicked.connect(
        lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))
    )
    box.open()
