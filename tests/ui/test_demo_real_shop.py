"""`primedist --demo --data-dir <a real shop>` (ui/app.run_gui's demo path): the real
owner is not signed in without a password, no demo data is written, the user is told
why and the app closes. A new data dir still becomes the demo shop."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from primedist.config import Settings
from primedist.services import demo
from primedist.services.context import Actor, ServiceContext
from primedist.ui import app as app_module
from tests.factories import make_product
from tests.services.test_demo import counts

TABLES = ("users", "shops", "products", "customers", "orders", "audit_events", "app_settings")


@pytest.fixture
def started(qapp: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """What the start showed: warnings, and whom it signed in (the main window is not
    opened: recorded instead). Neither the event loop, the background jobs nor the
    sandboxes run: the start only."""
    seen: dict[str, list[Any]] = {"warning": [], "signed_in": []}
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: seen["warning"].append(text))
    monkeypatch.setattr(app_module.GuiSession, "open_main",
                        lambda _self, actor: seen["signed_in"].append(actor))  # fmt: skip
    for name in ("setup_logging", "install_excepthook", "install_language", "apply_style"):
        monkeypatch.setattr(app_module, name, lambda *_a: None)  # process-wide: not here
    monkeypatch.setattr(app_module, "start_demo_sandboxes", lambda *_a: lambda: None)
    monkeypatch.setattr(app_module, "_start_scheduler", lambda _c: SimpleNamespace(
        stop=lambda: None, scheduler=None))  # fmt: skip
    monkeypatch.setattr(qapp, "exec", lambda: 0)
    return seen


@pytest.mark.parametrize("products", [0, 2])
def test_demo_on_a_real_shop_signs_no_one_in_and_writes_nothing(
    qapp: Any,
    settings: Settings,
    ctx: ServiceContext,
    owner: Actor,
    started: dict[str, list[Any]],
    products: int,
) -> None:
    if products:  # the repro: `init`, two products imported, no orders yet
        make_product(ctx.engine, "Áo thun", [("AT-01", 150_000, 5), ("AT-02", 150_000, 3)])
    before = counts(ctx.engine, *TABLES)

    code = app_module.run_gui(settings, demo=True)

    assert [a.email for a in started["signed_in"]] == []  # the old start: the real owner
    assert code == 1  # the app closes
    assert started["warning"] == [
        f"{settings.data_dir} holds the shop “Cửa hàng Thử”, not the demo shop: --demo signs "
        "in without a password only to the demo shop it made itself. Open the app without "
        "--demo to sign in, or choose another --data-dir for the demo."
    ]
    assert counts(ctx.engine, *TABLES) == before
    assert not demo.is_filled(ctx)


def test_demo_on_a_filled_demo_store_signs_the_demo_owner_in(
    qapp: Any,
    settings: Settings,
    ctx: ServiceContext,
    started: dict[str, list[Any]],
) -> None:
    owner = demo.ensure_demo_owner(ctx)
    demo.generate_demo(ctx.with_actor(owner), orders=200, customers=40, seed=5)
    before = counts(ctx.engine, *TABLES)

    assert app_module.run_gui(settings, demo=True) == 0

    assert started["warning"] == []
    assert [a.email for a in started["signed_in"]] == [demo.DEMO_OWNER_EMAIL]
    assert counts(ctx.engine, "orders", "customers") == {
        "orders": before["orders"], "customers": before["customers"],
    }  # fmt: skip
