"""A second window on the same data is refused (two would run every sync and delivery job
twice); the first one's lock is the data dir's app lock (core/app_lock)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from primedist.config import resolve_settings
from primedist.core.app_lock import AppLock
from primedist.ui import app as app_module


def test_a_second_window_on_the_same_data_is_refused(
    qapp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = resolve_settings(tmp_path / "data")
    settings.ensure_dirs()
    first = AppLock(settings.data_dir)  # the window already open
    assert first.acquire()
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: shown.append(text))
    monkeypatch.setattr(app_module, "open_store", lambda _s: pytest.fail("must not open"))
    for name in ("setup_logging", "install_excepthook", "install_language", "apply_style"):
        monkeypatch.setattr(app_module, name, lambda *_a: None)  # process-wide: not here
    try:
        assert app_module.run_gui(settings) == 1
    finally:
        first.release()
    assert shown == [
        f"Prime Distribution is already open on this computer (data in {settings.data_dir}), "
        "or `primedist sync --loop` runs on it."
    ]
