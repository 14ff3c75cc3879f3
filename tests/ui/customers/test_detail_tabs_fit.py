"""The customer card on a 1024-pixel screen: its eight tabs all show, none scrolled out of
sight behind the tab bar's arrows (the Vietnamese "Khách được giới thiệu" was cut and the
Rank tab hidden), in Vietnamese and in English."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QRect, QTranslator
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QToolButton
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import Engine

from primedist.services.context import ServiceContext
from primedist.ui.customers.detail import CustomerDetailDialog
from primedist.ui.i18n import install_language
from tests.factories import make_customers
from tests.ui.conftest import back_to_english
from tests.ui.support import WAIT

pytestmark = pytest.mark.usefixtures("quiet", "app_style")

SCREEN = QRect(0, 0, 1024, 768)
#: The tab's Vietnamese, should the catalogue not have it yet (the lead translates).
REFERRALS_VI = "Giới thiệu"


class _Referrals(QTranslator):
    def translate(self, context: str, source: str, disambiguation: str | None = None,
                  n: int = -1) -> str | None:  # fmt: skip
        # None (a null string): not ours, the catalogue answers.
        return REFERRALS_VI if (context, source) == ("CustomerDetailDialog", "Referrals") else None


@pytest.fixture(params=["vi", "en"])
def language(request: pytest.FixtureRequest, qapp) -> Iterator[str]:
    install_language(request.param)
    extra = _Referrals(qapp)
    if request.param == "vi":
        QCoreApplication.installTranslator(extra)
    yield request.param
    QCoreApplication.removeTranslator(extra)
    back_to_english()


def test_every_tab_shows_at_1024_pixels(
    qtbot: QtBot, engine: Engine, owner_ctx: ServiceContext, language: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _s: SCREEN)
    (cid,) = make_customers(engine, 1, names=["Nguyễn Khánh Chi"])
    dialog = CustomerDetailDialog(owner_ctx, cid)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: not dialog.stats_loading, timeout=WAIT)
    assert dialog.width() <= SCREEN.width()
    bar = dialog.tabs.tabBar()
    texts = [bar.tabText(i) for i in range(bar.count())]
    assert texts[-2] == ("Giới thiệu" if language == "vi" else "Referrals")
    # No scroll arrows, and every tab whole inside the bar.
    arrows = [b for b in bar.findChildren(QToolButton) if b.isVisible()]
    assert arrows == [], texts
    assert all(bar.rect().contains(bar.tabRect(i)) for i in range(bar.count())), texts
