"""The orders dialogs' own error box (`ui/orders/detail.show_error`) is recorded like the
app's (tests/ui/conftest.py `quiet`: there must be none unless a test expects it)."""

from __future__ import annotations

import pytest

from primedist.ui.orders import detail as detail_module


@pytest.fixture(autouse=True)
def quiet(quiet: list[str], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setattr(detail_module, "show_error", lambda _p, message: quiet.append(message))
    return quiet
