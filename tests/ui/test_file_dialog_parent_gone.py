"""A file dialog whose parent goes while it is open (a product editor closed under its
image picker) ends as cancelled: the parent took the dialog with it, and clearing it up
must not touch it again (it raised "Internal C++ object (QFileDialog) already deleted")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog, QWidget

from primedist.ui import file_dialogs
from primedist.ui.file_dialogs import PICTURE


def test_the_parent_closed_under_an_open_dialog(qtbot: Any, tmp_path: Path) -> None:
    (tmp_path / "photo.png").write_bytes(b"not really a picture")
    editor = QWidget()
    editor.show()
    qtbot.waitExposed(editor)
    seen: list[bool] = []

    def close_the_editor() -> None:
        dialog = editor.findChild(QFileDialog)
        seen.append(dialog is not None and dialog.isVisible())
        shiboken6.delete(editor)  # the C++ editor, and its children with it

    QTimer.singleShot(300, close_the_editor)
    chosen = file_dialogs.ask_open_file(editor, None, PICTURE, "Picture", "All files (*)",
                                        tmp_path)  # fmt: skip
    assert seen == [True]  # the dialog was open when its parent went
    assert chosen is None
    assert not shiboken6.isValid(editor)
