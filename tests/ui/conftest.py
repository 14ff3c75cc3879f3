"""Fixtures of the UI tests. None is autouse: a module asks for them with
`pytestmark = pytest.mark.usefixtures(...)` or as arguments."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent

from primedist.ui import errors
from primedist.ui.i18n import install_language
from tests.ui.support import assert_db_worker_idle


def back_to_english() -> None:
    """English again after a test. The test's widgets closed at its end are deleted first:
    a change of language sends every live widget a LanguageChange, and one half torn down
    (its Python side gone) is no widget to retranslate."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    install_language("en")


@pytest.fixture
def english(qapp: Any) -> Iterator[None]:
    """English texts during the test, and after it."""
    install_language("en")
    yield
    back_to_english()


@pytest.fixture
def vietnamese(qapp: Any) -> Iterator[None]:
    """Vietnamese texts during the test, English after it."""
    install_language("vi")
    yield
    back_to_english()


@pytest.fixture
def app_style(qapp: Any) -> Iterator[None]:
    """The app's own font and stylesheet (as it runs: sizes depend on them), put back
    afterwards."""
    from primedist.ui.app import apply_style

    font, sheet = qapp.font(), qapp.styleSheet()
    apply_style(qapp)
    yield
    qapp.setStyleSheet(sheet)
    qapp.setFont(font)


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[Any]]]:
    """What would have reached the user as an error dialog: {"error": messages, "crash":
    exceptions}; a crash fails the test."""
    seen: dict[str, list[Any]] = {"error": [], "crash": []}
    monkeypatch.setattr(errors, "show_error", lambda _p, msg, _t=None: seen["error"].append(msg))
    monkeypatch.setattr(errors, "show_crash", lambda _p, exc: seen["crash"].append(exc))
    yield seen
    assert seen["crash"] == []


@pytest.fixture
def no_crash(shown: dict[str, list[Any]]) -> Iterator[dict[str, list[Any]]]:
    """As `shown`, and an error message fails the test too."""
    yield shown
    assert shown["error"] == []


@pytest.fixture
def quiet(monkeypatch: pytest.MonkeyPatch, qapp: Any) -> Iterator[list[str]]:
    """English texts; error and crash boxes recorded instead of shown (there must be none);
    no job of the test may still run on the database worker after it."""
    install_language("en")
    seen: list[str] = []
    monkeypatch.setattr(errors, "show_error", lambda _p, message, _t=None: seen.append(message))
    monkeypatch.setattr(errors, "show_crash", lambda _p, exc: seen.append(repr(exc)))
    yield seen
    assert_db_worker_idle()
    assert seen == []
