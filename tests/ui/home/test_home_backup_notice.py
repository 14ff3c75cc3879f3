"""Home's backup advice: a shop with orders whose backups are all on this PC is told so
(with a link to Backup & restore); the notice goes once a backup is copied outside, and
comes back as "No backup outside this PC for N days" a week after the last copy (the
stick left at home), saying why the copy was not made. Staff never see it."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from primedist.core.clock import FixedClock
from primedist.domain.enums import Channel, Role
from primedist.services import backup as svc
from primedist.services.context import Actor, ServiceContext
from primedist.ui.home.page import HomePage
from tests.factories import make_orders, make_shop
from tests.services.test_backup_second_folder import needs_sqlite

pytestmark = [pytest.mark.usefixtures("quiet"), needs_sqlite]

WAIT = 10_000


def home(qtbot: QtBot, ctx: ServiceContext) -> HomePage:
    page = HomePage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.running == 0 and page.data is not None, timeout=WAIT)
    return page


def refresh(qtbot: QtBot, page: HomePage) -> None:
    page.backup_notice.notice = "stale"  # type: ignore[assignment]  # told apart from a new read
    page.refresh()
    qtbot.waitUntil(lambda: page.backup_notice.notice != "stale", timeout=WAIT)


def test_the_notice_comes_and_goes(
    qtbot: QtBot, owner_ctx: ServiceContext, tmp_path: Path, clock: FixedClock
) -> None:
    shop = make_shop(owner_ctx.engine, "Quầy", Channel.OFFLINE)
    make_orders(owner_ctx.engine, shop, 2, start=clock.now(), step=timedelta(hours=1))
    page = home(qtbot, owner_ctx)
    notice = page.backup_notice
    qtbot.waitUntil(notice.isVisible, timeout=WAIT)
    assert notice.title.text() == "The shop's backups are only on this PC"
    assert "USB stick" in notice.toolTip()  # the standing advice: one line, why on hover
    assert notice.detail.isHidden() and notice.height() < 60
    with qtbot.waitSignal(page.openBackup, timeout=WAIT):
        qtbot.mouseClick(notice.link, Qt.MouseButton.LeftButton)

    usb = tmp_path / "usb"
    usb.mkdir()
    svc.set_backup_also_to(owner_ctx, usb)
    svc.backup_now(owner_ctx)  # copied to the stick
    refresh(qtbot, page)
    assert notice.isHidden()

    shutil.rmtree(usb)  # the stick left at home for 8 days
    clock.advance(timedelta(days=8))
    svc.daily_backup(owner_ctx)
    refresh(qtbot, page)
    assert notice.isVisible()
    assert notice.title.text() == "No backup outside this PC for 8 days"
    assert notice.detail.text().startswith("The copy to “")
    assert "The folder is not there" in notice.detail.text()
    assert notice.detail.isVisible() and notice.toolTip() == ""  # a failure says why at once
    assert notice.link.text() == "Open Backup && restore"  # "&&": no shortcut key


def test_staff_are_not_told(qtbot: QtBot, owner_ctx: ServiceContext, clock: FixedClock) -> None:
    shop = make_shop(owner_ctx.engine, "Quầy", Channel.OFFLINE)
    make_orders(owner_ctx.engine, shop, 1, start=clock.now(), step=timedelta(hours=1))
    assert svc.outside_notice(owner_ctx) is not None
    staff = owner_ctx.with_actor(Actor(id=None, name="Staff", email="s@example.vn",
                                       role=Role.STAFF))  # fmt: skip
    page = home(qtbot, staff)
    assert not page.may_back_up and page.backup_notice.isHidden()
