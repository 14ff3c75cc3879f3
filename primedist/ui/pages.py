"""Tab pages: the SQL-backed list page, and the plain 'what this tab will hold' page."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import Engine

from primedist.core.money import format_number
from primedist.queries.spec import QuerySpec
from primedist.ui.formatting import CellFormatter
from primedist.ui.i18n import current_language
from primedist.ui.labels import QT_TRANSLATE_NOOP
from primedist.ui.list_tools import setup_list_view, sort_by_default
from primedist.ui.table_model import SqlTableModel
from primedist.ui.widgets import SearchBox, icon

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
    "products": (
        QT_TRANSLATE_NOOP("pages", "Products"),
        [
            QT_TRANSLATE_NOOP(
                "pages", "The catalogue with variants, prices and stock, searchable and filterable"
            ),
            QT_TRANSLATE_NOOP(
                "pages", "SKU groups that share stock across shops, so nothing is oversold"
            ),
            QT_TRANSLATE_NOOP("pages", "Stock in, stock out, stock-take and low-stock alerts"),
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


class ListPage(QWidget):
    """A searchable list over a QuerySpec, paged from SQL (orders and customers for now)."""

    def __init__(
        self,
        engine: Engine,
        spec: QuerySpec,
        *,
        noun: str,
        note: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"list_{spec.name}")
        self._noun = noun
        self._note = note
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        self.note = QLabel()
        self.note.setObjectName("banner")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        bar = QHBoxLayout()
        self.search = SearchBox()
        self.search.setMinimumWidth(460)
        self.count = QLabel()
        self.count.setObjectName("muted")
        bar.addWidget(self.search)
        bar.addStretch(1)
        bar.addWidget(self.count)
        layout.addLayout(bar)
        self.model = SqlTableModel(engine, spec, formatter=CellFormatter(), parent=self)
        self.view = QTableView()
        setup_list_view(self.view, self.model)
        layout.addWidget(self.view, 1)
        self.search.searchChanged.connect(self._on_search)
        self.model.queryChanged.connect(lambda _n: self._show_count())
        self.model.keysLoaded.connect(lambda _n: self._show_count())
        sort_by_default(self.view, spec)
        self.retranslate()

    def _on_search(self, text: str) -> None:
        self.model.set_state(self.model.state.with_search(text))

    def search_for(self, text: str) -> None:
        """Show the rows matching `text` (typed into the search box for the user to see)."""
        self.search.setText(text)
        self._on_search(text)

    def _show_count(self) -> None:
        n = format_number(self.model.rowCount(), current_language())
        self.count.setText(f"{n} {_tr(self._noun)}")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            self.model.reformat()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.note.setText(_tr(self._note))
        self.search.setPlaceholderText(
            QCoreApplication.translate("pages", "Search by name, phone or code (accents optional)")
        )
        self._show_count()

    def shutdown(self) -> None:
        self.model.stop()


ORDERS_NOTE = QT_TRANSLATE_NOOP(
    "pages",
    "All orders from every channel, newest first. Status tabs, filters, order detail and "
    "actions (confirm, cancel, print) are being built.",
)
CUSTOMERS_NOTE = QT_TRANSLATE_NOOP(
    "pages",
    "Your customers, newest first. Filters, segments, tags, detail and loyalty are being built.",
)
ORDERS_NOUN = QT_TRANSLATE_NOOP("pages", "orders")
CUSTOMERS_NOUN = QT_TRANSLATE_NOOP("pages", "customers")
