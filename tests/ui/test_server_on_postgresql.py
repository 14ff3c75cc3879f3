"""On PostgreSQL: a server out of reach reaches the user as a message naming the server
(never the crash dialog with a traceback), and the status bar names the server the data
is on, not a local folder (never the password)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import sqlalchemy as sa

from primedist.config import Settings
from primedist.db.engine import make_engine
from primedist.services.context import ServiceContext
from primedist.ui import errors
from primedist.ui.app import ui_settings_for
from primedist.ui.main_window import MainWindow
from primedist.ui.ops import Op
from tests.db.test_server_unreachable import closed_port, unreachable_message
from tests.ui.test_store_error_dialogs import boxes, crash_dialogs

__all__ = ["boxes"]  # the fixture

pytest.importorskip("psycopg")


def unreachable_error() -> tuple[sa.exc.OperationalError, str]:
    port = closed_port()
    engine = make_engine(f"postgresql+psycopg://shop:s3cret-pw@127.0.0.1:{port}/shopdata")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError as exc:
        return exc, f"127.0.0.1:{port}/shopdata"
    finally:
        engine.dispose()
    raise AssertionError("a server answered")


def test_a_refresh_with_the_server_gone_is_a_message_naming_it(qtbot: Any, boxes: Any) -> None:
    error, server = unreachable_error()

    def load(_job: object) -> None:
        raise error

    Op(None, load).run()
    qtbot.waitUntil(lambda: boxes != [], timeout=10_000)
    assert boxes == [("Something needs your attention", unreachable_message(server))]
    assert crash_dialogs() == []
    assert errors.store_problem_in(RuntimeError("page load")) is None


def test_the_status_bar_names_the_postgresql_server_not_a_folder(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings
) -> None:
    window = MainWindow(owner_ctx, ui_settings_for(settings), "Cửa hàng")
    qtbot.addWidget(window)
    if settings.is_sqlite:
        assert window.data_label.text() == f"Data: {settings.data_dir}"
    shared = dataclasses.replace(
        settings, database_url="postgresql+psycopg://shop:s3cret@192.168.1.10:5432/shopdata"
    )
    window.ctx = dataclasses.replace(owner_ctx, settings=shared)
    window.retranslate()
    assert window.data_label.text() == "Data: PostgreSQL server 192.168.1.10:5432/shopdata"
    assert str(settings.data_dir) not in window.data_label.text()
