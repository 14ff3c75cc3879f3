"""core/app_lock: one holder at a time per data dir, released on close."""

from __future__ import annotations

from pathlib import Path

from primedist.core.app_lock import AppLock, app_running


def test_one_holder_at_a_time(tmp_path: Path) -> None:
    assert not app_running(tmp_path)  # no lock file yet
    first = AppLock(tmp_path)
    assert first.acquire()
    assert app_running(tmp_path)
    second = AppLock(tmp_path)
    assert not second.acquire()  # a second window on the same data is refused
    first.release()
    assert not app_running(tmp_path)
    assert second.acquire()
    second.release()
    assert AppLock(tmp_path / "other").path.parent.name == "other"
