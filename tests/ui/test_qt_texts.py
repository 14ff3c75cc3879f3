"""Qt's own texts in Vietnamese: standard buttons, the (non-native) file dialog and the
print preview, from resources/translations/qt_extra_vi.ts compiled into the catalogue the
app installs (primedist.ui.i18n.install_language)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QWidget,
)

SB = QMessageBox.StandardButton


def plain(text: str) -> str:
    """A button's text without its accelerator marker."""
    return text.replace("&", "")


def box_texts(qtbot, buttons: QMessageBox.StandardButton) -> dict[str, str]:
    box = QMessageBox(QMessageBox.Icon.Question, "?", "?", buttons)
    qtbot.addWidget(box)
    return {b.name: plain(box.button(b).text()) for b in SB if b != SB.NoButton and buttons & b}


def test_message_box_buttons_are_vietnamese(qtbot, vietnamese):
    texts = box_texts(qtbot, SB.Yes | SB.No | SB.YesToAll | SB.NoToAll | SB.Cancel)
    assert texts == {
        "Yes": "Có", "No": "Không", "YesToAll": "Có với tất cả",
        "NoToAll": "Không với tất cả", "Cancel": "Hủy",
    }  # fmt: skip
    texts = box_texts(qtbot, SB.Ok | SB.Save | SB.SaveAll | SB.Open | SB.Close | SB.Retry)
    assert texts == {
        "Ok": "Đồng ý", "Save": "Lưu", "SaveAll": "Lưu tất cả", "Open": "Mở",
        "Close": "Đóng", "Retry": "Thử lại",
    }  # fmt: skip


def test_message_box_buttons_stay_english_in_english(qtbot, english):
    assert box_texts(qtbot, SB.Yes | SB.No) == {"Yes": "Yes", "No": "No"}


def file_dialog(qtbot, mode: QFileDialog.AcceptMode, folder: Path) -> QFileDialog:
    dialog = QFileDialog(None, "PDF", str(folder), "PDF (*.pdf)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setAcceptMode(mode)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def label(dialog: QFileDialog, name: str) -> str:
    widget = dialog.findChild(QLabel, name)
    assert widget is not None, name
    return plain(widget.text())


def test_save_file_dialog_is_vietnamese(qtbot, vietnamese, tmp_path):
    dialog = file_dialog(qtbot, QFileDialog.AcceptMode.AcceptSave, tmp_path)
    assert label(dialog, "lookInLabel") == "Thư mục:"
    assert label(dialog, "fileNameLabel") == "Tên tệp:"
    assert label(dialog, "fileTypeLabel") == "Loại tệp:"
    buttons = dialog.findChild(QDialogButtonBox, "buttonBox")
    assert buttons is not None
    texts = sorted(plain(b.text()) for b in buttons.buttons())
    assert texts == ["Hủy", "Lưu"]
    tips = {w.toolTip() for w in dialog.findChildren(QWidget) if w.toolTip()}
    assert {"Quay lại", "Thư mục cha", "Tạo thư mục mới"} <= tips
    assert not tips & {"Back", "Parent Directory", "Create New Folder", "Detail View"}


def test_open_file_dialog_is_vietnamese(qtbot, vietnamese, tmp_path):
    dialog = file_dialog(qtbot, QFileDialog.AcceptMode.AcceptOpen, tmp_path)
    buttons = dialog.findChild(QDialogButtonBox, "buttonBox")
    assert buttons is not None
    assert sorted(plain(b.text()) for b in buttons.buttons()) == ["Hủy", "Mở"]
    assert label(dialog, "lookInLabel") == "Thư mục:"


def test_print_preview_toolbar_is_vietnamese(qtbot, vietnamese):
    printer = QPrinter()
    dialog = QPrintPreviewDialog(printer)
    qtbot.addWidget(dialog)
    texts = {a.text() for a in dialog.findChildren(QAction)}
    assert {"Trang sau", "Phóng to", "In", "Cài đặt trang"} <= texts
    assert not texts & {"Next page", "Zoom in", "Print", "Page setup"}
    dialog.close()
    del dialog


@pytest.mark.parametrize(
    ("context", "source", "vietnamese_text"),
    [
        ("QFileDialog", "%1 already exists.\nDo you want to replace it?",
         "%1 đã có.\nBạn có muốn thay bằng tệp mới không?"),
        ("QFileDialog", "%1\nFile not found.\nPlease verify the correct file name was given.",
         "%1\nKhông tìm thấy tệp.\nVui lòng kiểm tra lại tên tệp."),
    ],
)  # fmt: skip
def test_file_dialog_messages_keep_their_lines(vietnamese, context, source, vietnamese_text):
    """Qt's multi-line messages (asked before overwriting a file) match line by line."""
    from PySide6.QtCore import QCoreApplication

    assert QCoreApplication.translate(context, source) == vietnamese_text
