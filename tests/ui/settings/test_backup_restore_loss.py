"""Settings → Backup & restore: the restore's question says what the current data has that
the backup lacks (read from both files off the UI thread), and after the restore the
session lands on Settings → Sales channels naming the shops to authorise again."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget

from primedist.config import Settings
from primedist.core.clock import FixedClock
from primedist.domain.enums import Channel
from primedist.services import auth, backup
from primedist.services import goods_receipts as gr
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.app import GuiSession
from primedist.ui.settings.backup import BackupSettings
from primedist.ui.settings.channels import ChannelsSettings
from primedist.ui.settings.page import SettingsPage
from tests.conftest import OWNER_EMAIL, OWNER_PASSWORD
from tests.factories import give_tokens, make_customers, make_product, make_shop
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


def backup_at(ctx: ServiceContext, minutes_ago: int) -> Path:
    """A backup taken `minutes_ago` before the test's clock (09:55 for 5: FIXED_NOW is
    10:00 in Vietnam): the list's Taken is when the file was written."""
    path = backup.backup_now(ctx)
    when = (ctx.clock.now() - timedelta(minutes=minutes_ago)).timestamp()
    os.utime(path, (when, when))
    return path


def answering(monkeypatch: pytest.MonkeyPatch, answer: QMessageBox.StandardButton) -> list[str]:
    asked: list[str] = []

    def question(_parent: QWidget, _title: str, text: str, *_args: Any) -> Any:
        asked.append(text)
        return answer

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def ask_to_restore(qtbot: Any, page: BackupSettings, asked: list[str]) -> str:
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=WAIT)
    page.table.selectRow(0)
    page.restore_selected()
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=WAIT)
    return asked.pop()


def test_the_question_says_what_the_restore_loses(
    qtbot: Any, owner_ctx: ServiceContext, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = owner_ctx.engine
    (hat,) = make_product(engine, "Mũ", [("MU-1", 100_000, 50)])
    lazada = make_shop(engine, "Prime Store - Lazada", Channel.LAZADA)
    saved = backup_at(owner_ctx, 5)
    asked = answering(monkeypatch, QMessageBox.StandardButton.No)
    page = show_widget(qtbot, BackupSettings(owner_ctx))
    text = ask_to_restore(qtbot, page, asked)
    question, nothing, accounts, _copy = text.split("\n\n")
    assert question.startswith(f"Replace ALL current data with the backup {saved.name}, "
                               "taken on 20/11/2026 09:55?")  # fmt: skip
    assert nothing == ("Since 09:55 no order was made or changed, and no return, goods "
                       "receipt, purchase order, customer or product was added.")  # fmt: skip
    assert accounts.startswith("The staff accounts and their passwords come back")

    # The shop works on after the backup.
    clock.advance(timedelta(minutes=20))
    for _ in range(2):
        svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(hat, 1),)))
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(hat, 5, 60_000)]))
    make_customers(engine, 1)
    give_tokens(engine, lazada)
    text = ask_to_restore(qtbot, page, asked)
    question, lost, accounts, _copy = text.split("\n\n")
    assert lost == (
        "Restoring loses what was made or changed after 09:55: 2 new orders, 1 goods "
        "receipt, 1 new customer.\n"
        "Shops linked since then must be authorised again after the restore: "
        "Prime Store - Lazada."
    )
    assert accounts.startswith("The staff accounts and their passwords come back")
    loss = backup.restore_loss(owner_ctx, saved)  # answered No: the data is still today's
    assert loss is not None and loss.counts["orders"] == 2


def test_after_the_restore_sales_channels_names_the_shops_to_authorise_again(
    qtbot: Any, qapp: Any, owner_ctx: ServiceContext, ctx: ServiceContext, settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    engine = owner_ctx.engine
    shopee = make_shop(engine, "Prime Official - Shopee")
    give_tokens(engine, shopee)  # linked in the backup too: nothing to do for it
    lazada = make_shop(engine, "Prime Store - Lazada", Channel.LAZADA)
    backup_at(owner_ctx, 5)
    give_tokens(engine, lazada)  # linked after the backup
    session = GuiSession(qapp, settings, ctx)
    main = session.open_main(owner_ctx.actor)  # closed and deleted by the restart
    settings_page = main.select_tab("settings")
    assert isinstance(settings_page, SettingsPage)
    page = settings_page.select_section("backup")
    assert isinstance(page, BackupSettings)
    asked = answering(monkeypatch, QMessageBox.StandardButton.Yes)
    ask_to_restore(qtbot, page, asked)
    qtbot.waitUntil(lambda: session.main is None and session.welcome is not None, timeout=WAIT)
    welcome = session.welcome
    assert welcome is not None
    qtbot.addWidget(welcome)

    # Who restored signs in again: Settings → Sales channels, not the first section.
    main = session.signed_in(auth.login(session.ctx, OWNER_EMAIL, OWNER_PASSWORD))
    assert main is not None
    qtbot.addWidget(main)
    assert main.tabs.currentWidget() is main.tab_pages["settings"]
    settings_page = main.tab_pages["settings"].page
    assert isinstance(settings_page, SettingsPage)
    channels = settings_page.section("channels")
    assert isinstance(channels, ChannelsSettings) and channels.isVisible()
    assert channels.relink_banner.isVisible()
    assert channels.relink_banner.text() == (
        "The data was restored from a backup taken before these shops were linked: "
        "Prime Store - Lazada. Authorise each again: select it, then Re-authorise… (App "
        "credentials… first, when Re-authorise… is greyed out)."
    )
    selected = channels.selected_shop()
    assert selected is not None and selected.name == "Prime Store - Lazada"
    # Once the shop is linked again the banner goes (at the next read of the list).
    give_tokens(session.ctx.engine, lazada)
    channels.reload()
    assert not channels.relink_banner.isVisible()
    # Said once: the next sign-in opens as usual.
    assert session.relink == ()
    main.close()
    session.ctx.engine.dispose()
