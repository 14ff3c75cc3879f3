"""A switch of language in Settings → Language reaches what was already on screen: the
number boxes show the new language's thousands separators at once (in both directions,
the value kept), and the Backup page's last message is said again in the new language.
Driven through the real Settings page on a real migrated store."""

from __future__ import annotations

from typing import Any, cast

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QDialog, QSpinBox, QVBoxLayout

from primedist.domain.enums import Rank
from primedist.services.context import ServiceContext
from primedist.ui.settings.backup import BackupSettings
from primedist.ui.settings.language import LanguageSettings
from primedist.ui.settings.page import SettingsPage
from primedist.ui.settings.points import PointsSettingsSection
from primedist.ui.settings.ranking import RankingSettings
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


def switch(page: SettingsPage, lang: str) -> None:
    """Choose `lang` in Settings → Language, as the owner does (the widgets get the
    LanguageChange Qt posts them)."""
    cast(LanguageSettings, page.section("language")).choose(lang)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)


def test_number_boxes_follow_the_language_at_once_keeping_their_values(
    qtbot: Any, owner_ctx: ServiceContext, vietnamese: None
) -> None:
    page = show_widget(qtbot, SettingsPage(owner_ctx))
    ranking = cast(RankingSettings, page.section("ranking"))
    points = cast(PointsSettingsSection, page.section("points"))
    diamond = ranking.amounts[Rank.DIAMOND]
    assert diamond.text() == "10.000.000"  # the default, as saved
    points.earn_per.set_amount(10_000)
    points.point_value.set_amount(1_000)
    # A dialog open at the switch (a window of its own) and a box made after it follow too.
    dialog = QDialog(page)
    in_dialog = QSpinBox()
    in_dialog.setRange(0, 2_000_000_000)
    in_dialog.setGroupSeparatorShown(True)
    in_dialog.setValue(25_000)
    QVBoxLayout(dialog).addWidget(in_dialog)
    dialog.show()
    money = (diamond, points.earn_per, points.point_value)  # MoneyEdit: re-written
    shown = (*money, in_dialog)
    assert [b.text() for b in shown] == ["10.000.000", "10.000", "1.000", "25.000"]

    switch(page, "en")

    assert [b.text() for b in shown] == ["10,000,000", "10,000", "1,000", "25,000"]
    assert [b.amount() for b in money] == [10_000_000, 10_000, 1_000]
    assert in_dialog.value() == 25_000
    # The table under the boxes says the same number the same way.
    assert ranking.table.item(0, 1).text() == "10,000,000 VND"
    later = QSpinBox(ranking)
    later.setRange(0, 100_000)
    later.setGroupSeparatorShown(True)
    later.setValue(5_000)
    assert later.text() == "5,000"

    switch(page, "vi")

    assert [b.text() for b in shown] == ["10.000.000", "10.000", "1.000", "25.000"]
    assert [b.amount() for b in money] == [10_000_000, 10_000, 1_000]
    assert in_dialog.value() == 25_000
    assert later.text() == "5.000"
    # What is typed reads in the language shown: "2.000.000" is two million again.
    diamond.selectAll()
    qtbot.keyClicks(diamond, "2.000.000")
    assert diamond.amount() == 2_000_000
    dialog.close()


def test_the_backup_message_is_said_again_in_the_new_language(
    qtbot: Any, owner_ctx: ServiceContext, vietnamese: None
) -> None:
    page = show_widget(qtbot, SettingsPage(owner_ctx))
    backup = cast(BackupSettings, page.section("backup"))
    page.select_section("backup")
    qtbot.waitUntil(lambda: backup.loaded, timeout=WAIT)
    qtbot.mouseClick(backup.backup_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: backup.message.isVisible() and backup.backup_button.isEnabled()
                    and backup.table.rowCount() == 1, timeout=WAIT)  # fmt: skip
    name = backup.backups[0].path.name
    assert backup.message.text() == f"Đã sao lưu: {name}"

    switch(page, "en")

    assert backup.message.text() == f"Backup written: {name}"
    assert backup.message.isVisible()

    # A refusal said in the page (keep 0 backups) is said again too, as an error.
    backup.keep.setMinimum(0)
    backup.keep.setValue(0)
    qtbot.mouseClick(backup.keep_save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: backup.keep_save.isEnabled() and backup.message.isVisible(),
                    timeout=WAIT)  # fmt: skip
    english = backup.message.text()
    assert english and name not in english and backup.message.property("error") is True

    switch(page, "vi")

    assert backup.message.text() not in ("", english)
    assert backup.message.property("error") is True

    # Saved. (in Vietnamese) becomes Saved. in English.
    backup.keep.setValue(5)
    qtbot.mouseClick(backup.keep_save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: backup.keep_save.isEnabled() and backup.message.isVisible()
                    and backup.message.property("error") is False, timeout=WAIT)  # fmt: skip
    vi_saved = backup.message.text()
    switch(page, "en")
    assert (vi_saved, backup.message.text()) == ("Đã lưu.", "Saved.")
