# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""Settings → Printers with no printer installed says what to do next, and greys out the
ESC/POS-only ticks (cut, cash drawer) for a system printer, saying why."""

from __future__ import annotations

import pytest

from primedist.printing.model import TargetKind
from primedist.ui.printing import render
from primedist.ui.settings.printers import PrintersSettings
from tests.ui.printing.test_printers_settings import page  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("english")


def test_no_printer_found_says_the_next_step(
    qtbot, page: PrintersSettings, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    monkeypatch.setattr(render, "available_printers", lambda: [])
    page.refresh_button.click()
    assert page.kind.currentData() == TargetKind.SYSTEM
    assert page.system_name.currentText() == "No printer found"
    hint = page.no_printer_hint
    assert hint.isVisible()
    assert "Plug the printer in, install its driver, then press Refresh printer list" in (
        hint.text()
    )
    assert '"ESC/POS thermal printer on the network"' in hint.text()
    assert page.kind.findText("ESC/POS thermal printer on the network") >= 0  # named as shown

    # A network thermal printer needs no driver: the hint goes.
    page.kind.setCurrentIndex(page.kind.findData(TargetKind.NETWORK.value))
    assert not hint.isVisible()
    page.kind.setCurrentIndex(page.kind.findData(TargetKind.SYSTEM.value))
    assert hint.isVisible()

    # The printer installed, Refresh finds it: the hint goes.
    monkeypatch.setattr(render, "available_printers", lambda: ["XP-80C"])
    page.refresh_button.click()
    assert page.system_name.findData("XP-80C") > 0
    assert not hint.isVisible()


def test_esc_pos_options_are_greyed_out_for_a_system_printer(
    qtbot, page: PrintersSettings  # noqa: F811
) -> None:
    page.kind.setCurrentIndex(page.kind.findData(TargetKind.SYSTEM.value))
    for box in (page.cut, page.drawer):
        assert not box.isEnabled()
        assert box.toolTip().startswith("Only for an ESC/POS thermal printer.")
    assert page.show_preview.isEnabled()

    page.kind.setCurrentIndex(page.kind.findData(TargetKind.USB.value))
    for box in (page.cut, page.drawer):
        assert box.isEnabled() and box.toolTip() == ""
    assert not page.show_preview.isEnabled()
