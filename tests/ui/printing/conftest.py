"""The printing tests' CUPS and sample order, for the UI tests too; the Printers &
templates page and its questions (answered without a dialog)."""

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QMessageBox

from primedist.ui.settings.page import SettingsPage
from primedist.ui.settings.printers import PrintersSettings
from tests.printing.conftest import cups, sample_order, shop_ctx  # noqa: F401


@pytest.fixture
def page(qtbot, shop_ctx) -> Iterator[PrintersSettings]:  # noqa: F811
    """Settings → Printers & templates, shown (the window held by the section)."""
    settings = SettingsPage(shop_ctx)
    qtbot.addWidget(settings)
    settings.show()
    section = settings.select_section("printers")
    assert isinstance(section, PrintersSettings)
    yield section


class Questions(list[str]):
    """The questions asked (their text); each gets `answer`."""

    answer = QMessageBox.StandardButton.Cancel


@pytest.fixture
def answers(monkeypatch) -> Questions:
    """QMessageBox.question answered with `answers.answer`, the texts kept."""
    asked = Questions()

    def question(_parent, _title, text, *_args, **_kw):  # noqa: ANN001, ANN202
        asked.append(text)
        return asked.answer

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return asked
