"""The status bar's sync text says every count it has: failed actions never hide the
waiting ones, and a marketplace that answered with an error is not "offline"."""

from __future__ import annotations

from typing import Any

import pytest

from primedist.services.context import ServiceContext
from primedist.services.sync import SyncState
from primedist.ui.i18n import install_language
from primedist.ui.sync.status import SyncStatusWidget
from tests.ui.support import WAIT

pytestmark = pytest.mark.usefixtures("english", "no_crash")


def _widget(qtbot: Any, ctx: ServiceContext, state: SyncState) -> SyncStatusWidget:
    widget = SyncStatusWidget(ctx, state=state)
    qtbot.addWidget(widget)
    widget.timer.stop()  # refreshed by hand below
    return widget


def _shows(widget: SyncStatusWidget, state: SyncState, **values: Any) -> str:
    state.update(**values)
    widget.refresh()
    return widget.text()


def test_failed_and_waiting_actions_are_both_shown(qtbot: Any, ctx: ServiceContext) -> None:
    state = SyncState()
    widget = _widget(qtbot, ctx, state)
    assert _shows(widget, state, failed=1, waiting=13) == "1 action failed · 13 actions waiting"
    assert _shows(widget, state, failed=2, waiting=0) == "2 actions failed"
    assert _shows(widget, state, offline=True, failed=1, waiting=13) == (
        "Offline — 13 actions waiting · 1 action failed"
    )
    state.update(offline=False)
    install_language("vi")
    qtbot.waitUntil(
        lambda: widget.text() == "1 thao tác bị lỗi · 13 thao tác đang chờ", timeout=WAIT
    )


def test_a_marketplace_error_is_not_called_offline(qtbot: Any, ctx: ServiceContext) -> None:
    state = SyncState()
    widget = _widget(qtbot, ctx, state)
    text = _shows(widget, state, marketplace_error=True, waiting=3)
    assert "Offline" not in text
    assert text == "The marketplace answered with an error, will retry · 3 actions waiting"
    assert _shows(widget, state, marketplace_error=False) == "3 actions waiting"
