"""A result message a Settings page shows (said by the shared run_inline helpers or
`say`) is said again in the new language on a switch: "Đã lưu." becomes "Saved.", a
refusal stays a refusal (its values kept), and a message the page hid stays hidden.
Driven through the real Settings page on a real migrated store."""

from __future__ import annotations

from typing import Any, cast

import pytest
from PySide6.QtCore import QCoreApplication, QDate, QEvent, Qt
from PySide6.QtWidgets import QLabel

from primedist.services.context import ServiceContext
from primedist.services.staff import MAX_LOCK_MINUTES
from primedist.ui.settings.audit import AuditLogSettings
from primedist.ui.settings.language import LanguageSettings
from primedist.ui.settings.page import SettingsPage
from primedist.ui.settings.points import PointsSettingsSection
from primedist.ui.settings.ranking import RankingSettings
from primedist.ui.settings.staff import StaffSettings
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet", "vietnamese")


def switch(page: SettingsPage, lang: str) -> None:
    """Choose `lang` in Settings → Language, as the owner does."""
    cast(LanguageSettings, page.section("language")).choose(lang)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)


def test_points_page_messages_follow_the_switch(qtbot: Any, owner_ctx: ServiceContext) -> None:
    page = show_widget(qtbot, SettingsPage(owner_ctx))
    points = cast(PointsSettingsSection, page.section("points"))
    page.select_section("points")
    points.earn_per.set_amount(10_000)
    points.point_value.set_amount(1_000)
    qtbot.mouseClick(points.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: points.save_button.isEnabled() and points.message.text() != "",
                    timeout=WAIT)  # fmt: skip
    assert points.message.text() == "Đã lưu."

    switch(page, "en")
    assert points.message.text() == "Saved."

    # A refusal (a point worth more than what earns it) in English, then in Vietnamese.
    points.point_value.set_amount(20_000)
    qtbot.mouseClick(points.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: points.save_button.isEnabled()
                    and points.message.property("error") is True, timeout=WAIT)  # fmt: skip
    english = points.message.text()
    assert english not in ("", "Saved.")

    switch(page, "vi")
    assert points.message.text() not in ("", english, "Đã lưu.")
    assert points.message.property("error") is True
    switch(page, "en")
    assert points.message.text() == english


def test_staff_lock_messages_follow_the_switch(qtbot: Any, owner_ctx: ServiceContext) -> None:
    page = show_widget(qtbot, SettingsPage(owner_ctx))
    staff = cast(StaffSettings, page.section("staff"))
    page.select_section("staff")
    staff.lock_minutes.setValue(5)
    qtbot.mouseClick(staff.lock_save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: staff.lock_save.isEnabled() and staff.lock_message.isVisible(),
                    timeout=WAIT)  # fmt: skip
    assert staff.lock_message.text() == "Đã lưu."

    switch(page, "en")
    assert staff.lock_message.text() == "Saved."
    assert staff.lock_message.isVisible()

    # A refusal said by run_inline (too long a lock): its limit kept, its words translated.
    staff.lock_minutes.setMaximum(MAX_LOCK_MINUTES + 1)
    staff.lock_minutes.setValue(MAX_LOCK_MINUTES + 1)
    qtbot.mouseClick(staff.lock_save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: staff.lock_save.isEnabled() and staff.lock_message.isVisible(),
                    timeout=WAIT)  # fmt: skip
    english = staff.lock_message.text()
    assert str(MAX_LOCK_MINUTES) in english and staff.lock_message.property("error") is True

    switch(page, "vi")
    vietnamese = staff.lock_message.text()
    assert vietnamese != english and str(MAX_LOCK_MINUTES) in vietnamese
    assert staff.lock_message.property("error") is True


def test_a_hidden_message_stays_hidden_and_a_replaced_one_is_not_brought_back(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    page = show_widget(qtbot, SettingsPage(owner_ctx))
    audit = cast(AuditLogSettings, page.section("audit"))
    page.select_section("audit")
    audit.date_from.setDate(QDate(2026, 11, 20))
    audit.date_to.setDate(QDate(2026, 11, 19))  # before From: refused, said
    assert audit.message.isVisible()
    refusal = audit.message.text()
    switch(page, "en")
    assert audit.message.isVisible() and audit.message.text() not in ("", refusal)

    audit.date_to.setDate(QDate(2026, 11, 21))  # a good filter: the message goes
    assert not audit.message.isVisible()
    switch(page, "vi")
    assert not audit.message.isVisible()

    # Text a page writes itself after a said message is not replaced by the old one.
    points = cast(PointsSettingsSection, page.section("points"))
    message: QLabel = points.message
    points.earn_per.set_amount(10_000)
    points.point_value.set_amount(1_000)
    points.save()
    qtbot.waitUntil(lambda: points.save_button.isEnabled() and message.text() != "",
                    timeout=WAIT)  # fmt: skip
    message.setText("")
    switch(page, "en")
    assert message.text() == ""
    audit.shutdown()


def test_a_recomputes_result_follows_the_switch(qtbot: Any, owner_ctx: ServiceContext) -> None:
    page = show_widget(qtbot, SettingsPage(owner_ctx))
    ranking = cast(RankingSettings, page.section("ranking"))
    page.select_section("ranking")
    qtbot.mouseClick(ranking.dry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not ranking.busy and ranking.report is not None, timeout=WAIT)
    vietnamese = ranking.message.text()
    assert vietnamese and not vietnamese.startswith("Dry run")

    switch(page, "en")
    assert ranking.message.text() == (
        "Dry run: 0 customers would move up, 0 down; nothing was changed."
    )
    switch(page, "vi")
    assert ranking.message.text() == vietnamese
