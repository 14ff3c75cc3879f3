"""The segment export's suggested file name is in the UI's language, as the products
export's ("phan-khuc-…" in Vietnamese: it began with the English "segment-")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from primedist.services import segments as sg
from primedist.services.context import ServiceContext
from primedist.ui.customers import segments as ui
from primedist.ui.customers.segments import SegmentsPage
from primedist.ui.i18n import install_language
from tests.ui.conftest import back_to_english
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.mark.parametrize(
    ("lang", "suggested"),
    [("vi", "phan-khuc-Khách Hà Nội.xlsx"), ("en", "segment-Khách Hà Nội.xlsx")],
)
def test_the_file_name_is_in_the_ui_language(
    qtbot: QtBot, owner_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch, lang: str,
    suggested: str,
) -> None:  # fmt: skip
    segment = sg.create_segment(owner_ctx, "Khách Hà Nội")
    asked: list[tuple[Path, str]] = []

    def ask(_parent: Any, _title: str, folder: Path, name: str, _ctx: Any) -> None:
        asked.append((folder, name))  # cancelled: nothing exported

    monkeypatch.setattr(ui, "ask_save_path", ask)
    install_language(lang)
    try:
        page = SegmentsPage(owner_ctx)
        with qtbot.waitSignal(page.loaded, timeout=WAIT):
            show_widget(qtbot, page)
        page.select_id(segment)
        page.export()
    finally:
        back_to_english()
    assert [name for _folder, name in asked] == [suggested]
