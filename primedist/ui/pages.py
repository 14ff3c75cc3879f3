"""The plain "what this tab will hold" page of a tab whose own issue is still to come."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from primedist.ui.labels import QT_TRANSLATE_NOOP
from primedist.ui.widgets import icon

# What each tab will hold, until its own issue fills it (context "pages").
PLANNED: dict[str, tuple[str, list[str]]] = {
    "home": (
        QT_TRANSLATE_NOOP("pages", "Home"),
        [
            QT_TRANSLATE_NOOP(
                "pages",
                "To-do cards: orders to handle, products low on stock or without revenue",
            ),
            QT_TRANSLATE_NOOP("pages", "Total revenue and new orders against the previous period"),
            QT_TRANSLATE_NOOP(
                "pages", "Revenue per marketplace, a pie chart of new orders, and the latest events"
            ),
        ],
    ),
    "analytics": (
        QT_TRANSLATE_NOOP("pages", "Analytics"),
        [
            QT_TRANSLATE_NOOP(
                "pages",
                "Revenue, orders, products sold and repeat rate against the previous period",
            ),
            QT_TRANSLATE_NOOP("pages", "Top locations, shipping providers and product rank"),
            QT_TRANSLATE_NOOP("pages", "A chart and table per metric, with export to Excel"),
        ],
    ),
    "settings": (
        QT_TRANSLATE_NOOP("pages", "Settings"),
        [
            QT_TRANSLATE_NOOP("pages", "My account, staff and permissions"),
            QT_TRANSLATE_NOOP(
                "pages", "Sales channels, delivery providers, printers and templates"
            ),
            QT_TRANSLATE_NOOP(
                "pages", "Customer ranking, levels, points, backup and restore, language"
            ),
        ],
    ),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("pages", text)


class PlannedPage(QWidget):
    """Says plainly what a tab will hold (the tab's own work is still to come)."""

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName(f"page_{key}")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        card = QFrame()
        card.setObjectName("card")
        card.setMaximumWidth(620)
        layout = QVBoxLayout(card)
        layout.setSpacing(10)
        badge = QLabel()
        badge.setPixmap(icon(key).pixmap(40, 40))
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.intro = QLabel()
        self.intro.setObjectName("muted")
        self.points = QLabel()
        self.points.setWordWrap(True)
        self.points.setTextFormat(Qt.TextFormat.RichText)
        for w in (badge, self.title, self.intro, self.points):
            layout.addWidget(w)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 3)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        title, points = PLANNED[self.key]
        self.title.setText(_tr(title))
        self.intro.setText(
            QCoreApplication.translate("pages", "This tab is being built. It will hold:")
        )
        items = "".join(f"<li style='margin-bottom:6px'>{_tr(p)}</li>" for p in points)
        self.points.setText(f"<ul style='margin-left:-20px'>{items}</ul>")
