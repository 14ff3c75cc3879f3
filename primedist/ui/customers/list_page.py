"""The Customers list: folded search, filter chips, quick filters, a sortable SQL-backed
table, selection of one, several or "all N matching", and bulk segment / tag actions.

The table is a `CustomersTableModel` (SqlTableModel over CUSTOMERS_SPEC: keys only, keyset
paged on covering sort indexes, see `queries.customers`). It draws the channels as icons,
the success rate in percent and the points as "remaining / earned". Bulk actions ask for a
segment or tag with the pickers of `ui.customers.segments` and call the segment and tag
services off the UI thread (`Op`), on the selected ids or, once "Select all N matching" is
chosen, on every key of the current query (`matching_ids`; the user confirms the number
when it is not the one the list shows). The message counts every customer chosen, those
that had the tag or membership already too. Open, Add, Export, Import and Create order
are signals the Customers page wires to the other dialogs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSettings,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QHideEvent, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import Engine

from primedist.core.clock import shop_tz
from primedist.core.money import format_money, format_number, parse_money
from primedist.domain.enums import Gender, Rank, Role
from primedist.queries.customers import (
    CUSTOMERS_SPEC,
    NO_GROUP,
    CustomerFilter,
    customer_id_by_code,
    level_choices,
    list_state,
    segment_choices,
    source_names,
    tag_choices,
)
from primedist.queries.spec import QueryState, keys_stmt
from primedist.services.context import ServiceContext
from primedist.services.shops import ShopInfo
from primedist.ui import list_tools
from primedist.ui.action_row import ActionRow
from primedist.ui.export_right import gate_export
from primedist.ui.formatting import (
    CellFormatter,
    format_percent,
    format_success_rate,
    phone_text,
)
from primedist.ui.i18n import current_language
from primedist.ui.labels import QT_TRANSLATE_NOOP, enum_label
from primedist.ui.list_tools import (
    ACTIONS_STYLE,
    CHIP_STYLE,
    FilteredListPage,
    alive,
    count_text,
    push_button,
    setup_list_view,
    short_list,
    sort_by_default,
)
from primedist.ui.messages import localize
from primedist.ui.table_model import Index, SqlTableModel
from primedist.ui.widgets import icon

if TYPE_CHECKING:
    from primedist.services.segments import BulkResult

#: Column headers of CUSTOMERS_SPEC (context "columns", as SqlTableModel translates them).
COLUMN_LABELS = (
    QT_TRANSLATE_NOOP("columns", "Rank"),
    QT_TRANSLATE_NOOP("columns", "Customer group"),
    QT_TRANSLATE_NOOP("columns", "Name"),
    QT_TRANSLATE_NOOP("columns", "Phone"),
    QT_TRANSLATE_NOOP("columns", "Channels"),
    QT_TRANSLATE_NOOP("columns", "Total spent"),
    QT_TRANSLATE_NOOP("columns", "Owes"),
    QT_TRANSLATE_NOOP("columns", "Success rate"),
    QT_TRANSLATE_NOOP("columns", "Successful orders"),
    QT_TRANSLATE_NOOP("columns", "Total orders"),
    QT_TRANSLATE_NOOP("columns", "Segments"),
    QT_TRANSLATE_NOOP("columns", "Tags"),
    QT_TRANSLATE_NOOP("columns", "Points"),
    QT_TRANSLATE_NOOP("columns", "Created"),
    QT_TRANSLATE_NOOP("columns", "Latest transaction"),
    QT_TRANSLATE_NOOP("columns", "Birthday"),
    QT_TRANSLATE_NOOP("columns", "Referrer"),
    QT_TRANSLATE_NOOP("columns", "Customer code"),
)
#: Loaded but not shown as columns.
HIDDEN_COLUMNS = ("points_earned", "email")
#: Filter chip kinds, in chip order.
CHIP_KINDS = (
    "shop", "expenses", "successful", "success_rate", "segment", "rank", "level", "tag",
    "gender", "source", "last_order", "created",
)  # fmt: skip
#: Quick filter toggles: CustomerFilter field names, in button order.
QUICK_FILTERS = ("five_plus_orders", "created_this_month", "birthday_this_month", "female",
                 "gold_and_above", "often_returns", "owes_money", "hide_anonymous")  # fmt: skip
#: ui.ini key: "Hide anonymous buyers" stays as the user left it on this PC.
HIDE_ANONYMOUS_KEY = "customers/hide_anonymous"

_ADD_STYLE = """
QPushButton#addCustomerButton { background: #2563EB; color: #FFFFFF; border: 1px solid #2563EB;
    font-weight: 600; padding: 6px 16px; }
QPushButton#addCustomerButton:hover { background: #1D4ED8; }
QPushButton[quick="true"] { border: 1px solid #D1D5DB; border-radius: 12px; padding: 3px 12px; }
QPushButton[quick="true"]:checked { background: #DBEAFE; border-color: #60A5FA; color: #1E40AF; }
"""
STYLE = CHIP_STYLE + _ADD_STYLE + ACTIONS_STYLE


def _rate_text(value: float, lang: str) -> str:
    """A rate bound of a filter chip: `70%`, `62,5%` (vi)."""
    return format_percent(value, lang, 0 if float(value).is_integer() else 1)


def success_rate_tip() -> str:
    """What the success rate counts (the list's column and the customer's statistics)."""
    return QCoreApplication.translate(
        "customers",
        "Successful orders ÷ finished orders (completed, cancelled or returned). Orders still "
        "waiting or on their way do not count yet; empty until an order has finished.",
    )


def rank_tip() -> str:
    """The Rank column's header: how it differs from the customer group."""
    return QCoreApplication.translate(
        "customers",
        "Rank: automatic, by what the customer spends (Settings → Customer ranking). It does "
        "not change prices.",
    )


def group_tip() -> str:
    """The Customer group column's header: the group sets the prices, the rank does not."""
    return QCoreApplication.translate(
        "customers",
        "Customer group: decides the price list the customer buys at (Settings → Customer "
        "groups & price levels).",
    )


def _prefs(ctx: ServiceContext) -> QSettings | None:
    if ctx.settings is None:
        return None
    return QSettings(str(ctx.settings.data_dir / "ui.ini"), QSettings.Format.IniFormat)


def source_label(source: str) -> str:
    """The display name of a customer source ("walk_in", "referral", a channel, ...)."""
    labels = {
        "walk_in": QCoreApplication.translate("customers", "Walk-in"),
        "referral": QCoreApplication.translate("customers", "Referral"),
        "import": QCoreApplication.translate("customers", "Import"),
        "manual": QCoreApplication.translate("customers", "Added by hand"),
    }
    return labels.get(source) or enum_label(source)


# --------------------------------------------------------------------------- model


class CustomersTableModel(SqlTableModel):
    """SqlTableModel over CUSTOMERS_SPEC with the list's drawing: channel icons, success
    rate in percent, points as "remaining / earned", rank names."""

    FIRST_CHUNK = 200
    CHUNK = 4_000

    def __init__(
        self, engine: Engine, parent: Any = None, flt: CustomerFilter | None = None
    ) -> None:
        super().__init__(engine, CUSTOMERS_SPEC, formatter=CellFormatter(), parent=parent)
        self.col = {c.key: i for i, c in enumerate(CUSTOMERS_SPEC.columns)}
        self._icons: dict[str, QIcon] = {}
        self._state = list_state(flt or CustomerFilter(), shop_tz())

    def _format_row(self, kinds: list[str], raw: tuple[Any, ...]) -> tuple[str, ...]:
        col, lang = self.col, current_language()
        cells = list(super()._format_row(kinds, raw))
        rate = raw[col["success_rate"]]
        cells[col["success_rate"]] = "" if rate is None else format_success_rate(float(rate), lang)
        # Phones read as on the Orders list and the sale screen; search keeps the digits.
        cells[col["phone"]] = phone_text(raw[col["phone"]])
        cells[col["points"]] = (
            f"{format_number(int(raw[col['points']] or 0), lang)} / "
            f"{format_number(int(raw[col['points_earned']] or 0), lang)}"
        )
        owes = int(raw[col["owes"]] or 0)
        cells[col["owes"]] = "" if owes == 0 else cells[col["owes"]]  # most owe nothing
        cells[col["segments"]] = str(raw[col["segments"]] or "")
        cells[col["tags"]] = str(raw[col["tags"]] or "")
        return tuple(cells)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= self.rowCount():
            return None
        column = index.column()
        if column == self.col["channels"]:
            text = super().data(index, Qt.ItemDataRole.DisplayRole)
            channels = [] if text in (None, "…") else [c for c in str(text).split(",") if c]
            if role == Qt.ItemDataRole.DisplayRole:
                return "" if text != "…" else text
            if role == Qt.ItemDataRole.DecorationRole:
                return self.channel_icon(channels)
            if role == Qt.ItemDataRole.ToolTipRole:
                return ", ".join(enum_label(c) for c in channels) or None
            if role == Qt.ItemDataRole.UserRole + 1:
                return channels
        if role == Qt.ItemDataRole.ToolTipRole and column in (
            self.col["segments"],
            self.col["tags"],
            self.col["name"],
        ):
            return super().data(index) or None
        return super().data(index, role)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal:
            tips = {self.col["success_rate"]: success_rate_tip, self.col["rank"]: rank_tip,
                    self.col["level"]: group_tip}  # fmt: skip
            if section in tips:
                return tips[section]()
        return super().headerData(section, orientation, role)

    def channel_icon(self, channels: Sequence[str]) -> QIcon | None:
        """One icon showing each channel once, side by side."""
        distinct = sorted(set(channels))
        if not distinct:
            return None
        key = ",".join(distinct)
        if key not in self._icons:
            size, gap = 16, 3
            pixmap = QPixmap(len(distinct) * (size + gap) - gap, size)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            for i, channel in enumerate(distinct):
                icon(f"channel_{channel}").paint(painter, i * (size + gap), 0, size, size)
            painter.end()
            self._icons[key] = QIcon(pixmap)
        return self._icons[key]


# --------------------------------------------------------------------------- filters

#: Range kinds: (CustomerFilter fields, value kind).
RANGES = {
    "expenses": (("expenses_min", "expenses_max"), "money"),
    "successful": (("successful_min", "successful_max"), "int"),
    "success_rate": (("success_rate_min", "success_rate_max"), "percent"),
}
#: Date kinds: CustomerFilter fields.
DATES = {
    "last_order": ("last_order_from", "last_order_to"),
    "created": ("created_from", "created_to"),
}


class FilterDialog(list_tools.FilterDialog):
    """Edits one kind of filter; `updated` holds the new filter once accepted."""

    def __init__(
        self,
        kind: str,
        flt: CustomerFilter,
        *,
        engine: Engine | None = None,
        shops: Sequence[ShopInfo] = (),
        choices: Sequence[tuple[Any, str]] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(kind, flt, name=f"customerFilter_{kind}", parent=parent)
        self.updated: CustomerFilter = flt
        self._flt: CustomerFilter = flt
        self._engine = engine
        layout = self.body
        if kind == "shop":
            self.title.setText(
                QCoreApplication.translate("customers", "Customers who bought in these shops")
            )
            lst = self.checklist(layout)
            for shop in shops:
                item = lst.add_choice(shop.name, shop.id, shop.id in flt.shop_ids)
                item.setIcon(icon(f"channel_{shop.channel.value}"))
        elif kind in RANGES:
            self._build_range(layout)
        elif kind in DATES:
            self._build_dates(layout)
        elif kind == "source":
            self._build_source(layout, choices)
        else:
            titles = {
                "segment": QCoreApplication.translate(
                    "customers", "Customers in any of these segments"
                ),
                "rank": QCoreApplication.translate("customers", "Customers of these ranks"),
                "level": QCoreApplication.translate(
                    "customers", "Customers in any of these groups"
                ),
                "tag": QCoreApplication.translate("customers", "Customers with any of these tags"),
                "gender": QCoreApplication.translate("customers", "Customers of these genders"),
            }
            self.title.setText(titles[kind])
            current: tuple[Any, ...] = {
                "segment": flt.segment_ids, "rank": flt.ranks, "tag": flt.tag_ids,
                "gender": flt.genders, "level": flt.level_ids,
            }[kind]  # fmt: skip
            lst = self.checklist(layout)
            for value, text in choices:
                lst.add_choice(text, value, value in current)
        self.finish()

    # Building -------------------------------------------------------------------------
    def _build_range(self, layout: QVBoxLayout) -> None:
        fields, value_kind = RANGES[self.kind]
        titles = {
            "expenses": QCoreApplication.translate("customers", "Total spent between"),
            "successful": QCoreApplication.translate("customers", "Successful orders between"),
            "success_rate": QCoreApplication.translate("customers", "Success rate between (%)"),
        }
        self.title.setText(titles[self.kind])
        lang = current_language()
        form = QFormLayout()
        self.min_edit, self.max_edit = QLineEdit(), QLineEdit()
        self.min_edit.setObjectName("rangeMin")
        self.max_edit.setObjectName("rangeMax")
        amount = list_tools.example_amount
        examples = {
            "money": (amount(1_000_000, lang), amount(5_000_000, lang)),
            "int": ("1", "10"),
            "percent": ("50", "80"),
        }
        list_tools.set_range_hints(self.min_edit, self.max_edit, *examples[value_kind])
        for edit, field in zip((self.min_edit, self.max_edit), fields, strict=True):
            value = getattr(self._flt, field)
            if value is not None:
                edit.setText(self._show(value, value_kind, lang))
        form.addRow(QCoreApplication.translate("customers", "At least"), self.min_edit)
        form.addRow(QCoreApplication.translate("customers", "At most"), self.max_edit)
        layout.addLayout(form)

    @staticmethod
    def _show(value: float, value_kind: str, lang: str) -> str:
        if value_kind == "money":
            return format_money(int(value), lang)
        return f"{value:g}" if value_kind == "percent" else str(int(value))

    def _build_dates(self, layout: QVBoxLayout) -> None:
        if self.kind == "last_order":
            self.title.setText(
                QCoreApplication.translate("customers", "Latest transaction between")
            )
        else:
            self.title.setText(QCoreApplication.translate("customers", "Created between"))
        form = QFormLayout()
        self.date_checks: list[QCheckBox] = []
        self.date_edits: list[QDateEdit] = []
        today = QDate.currentDate()
        for field, label, name in zip(
            DATES[self.kind],
            (
                QCoreApplication.translate("customers", "From"),
                QCoreApplication.translate("customers", "To"),
            ),
            ("dateFrom", "dateTo"),
            strict=True,
        ):
            check, edit = QCheckBox(label), QDateEdit()
            check.setObjectName(name + "Check")
            edit.setObjectName(name)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
            value: date | None = getattr(self._flt, field)
            check.setChecked(value is not None)
            edit.setDate(QDate(value.year, value.month, value.day) if value else today)
            edit.setEnabled(value is not None)
            check.toggled.connect(edit.setEnabled)
            form.addRow(check, edit)
            self.date_checks.append(check)
            self.date_edits.append(edit)
        layout.addLayout(form)

    def _build_source(self, layout: QVBoxLayout, choices: Sequence[tuple[Any, str]]) -> None:
        self.title.setText(QCoreApplication.translate("customers", "Customers from these sources"))
        lst = self.checklist(layout)
        for value, text in choices:
            lst.add_choice(text, value, value in self._flt.sources)
        self.referrer_edit = QLineEdit()
        self.referrer_edit.setObjectName("referrerCode")
        self.referrer_edit.setPlaceholderText("KH000042")
        if self._flt.referrer_id is not None:
            self.referrer_edit.setText(f"KH{self._flt.referrer_id:06d}")
        form = QFormLayout()
        form.addRow(
            QCoreApplication.translate("customers", "Referred by (customer code)"),
            self.referrer_edit,
        )
        layout.addLayout(form)

    # Reading --------------------------------------------------------------------------
    def read(self) -> CustomerFilter:
        """The filter with this dialog's part replaced; ValueError (translated) if invalid."""
        f, kind = self._flt, self.kind
        if kind == "shop":
            return replace(f, shop_ids=tuple(int(v) for v in self.checked()))
        if kind == "segment":
            return replace(f, segment_ids=tuple(int(v) for v in self.checked()))
        if kind == "tag":
            return replace(f, tag_ids=tuple(int(v) for v in self.checked()))
        if kind == "rank":
            return replace(f, ranks=tuple(Rank(v) for v in self.checked()))
        if kind == "level":
            return replace(f, level_ids=tuple(int(v) for v in self.checked()))
        if kind == "gender":
            return replace(f, genders=tuple(Gender(v) for v in self.checked()))
        if kind == "source":
            return replace(
                f, sources=tuple(str(v) for v in self.checked()), referrer_id=self._referrer()
            )
        if kind in DATES:
            ends: list[date | None] = [
                _py_date(e.date()) if c.isChecked() else None
                for c, e in zip(self.date_checks, self.date_edits, strict=True)
            ]
            if ends[0] is not None and ends[1] is not None and ends[0] > ends[1]:
                raise ValueError(
                    QCoreApplication.translate("customers", "The start date is after the end date.")
                )
            date_ends: dict[str, Any] = dict(zip(DATES[kind], ends, strict=True))
            return replace(f, **date_ends)
        range_ends: dict[str, Any] = dict(zip(RANGES[kind][0], self._read_range(), strict=True))
        return replace(f, **range_ends)

    def _referrer(self) -> int | None:
        code = self.referrer_edit.text().strip()
        if not code:
            return None
        found = None
        if self._engine is not None:
            with self._engine.connect() as conn:
                found = customer_id_by_code(conn, code)
        if found is None:
            self.referrer_edit.setFocus()
            raise ValueError(
                QCoreApplication.translate("customers", "No customer has the code %1.").replace(
                    "%1", code
                )
            )
        return found

    def _read_range(self) -> tuple[Any, Any]:
        lang = current_language()
        value_kind = RANGES[self.kind][1]
        values: list[Any] = []
        for edit in (self.min_edit, self.max_edit):
            text = edit.text().strip()
            if not text:
                values.append(None)
                continue
            value: Any
            try:
                if value_kind == "money":
                    value = parse_money(text, lang)
                elif value_kind == "percent":
                    value = float(text.replace("%", "").replace(",", ".").strip())
                else:
                    value = int(text.replace(" ", "").replace(".", "").replace(",", ""))
            except ValueError:
                value = None
            bad = value is None or value < 0 or (value_kind == "percent" and value > 100)
            if bad:
                edit.setFocus()
                messages = {
                    "money": QCoreApplication.translate(
                        "customers", "Enter an amount in đồng, such as %1."
                    ).replace("%1", format_money(1_000_000, lang)),
                    "int": QCoreApplication.translate(
                        "customers", "Enter a whole number, such as 10."
                    ),
                    "percent": QCoreApplication.translate(
                        "customers", "Enter a percentage from 0 to 100."
                    ),
                }
                raise ValueError(messages[value_kind])
            values.append(value)
        low, high = values
        if low is not None and high is not None and low > high:
            raise ValueError(
                QCoreApplication.translate("customers", "The lower value is above the upper one.")
            )
        return low, high


def _py_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def cleared(flt: CustomerFilter, kind: str) -> CustomerFilter:
    """The filter without one chip."""
    fields: dict[str, dict[str, Any]] = {
        "shop": {"shop_ids": ()},
        "segment": {"segment_ids": ()},
        "rank": {"ranks": ()},
        "level": {"level_ids": ()},
        "tag": {"tag_ids": ()},
        "gender": {"genders": ()},
        "source": {"sources": (), "referrer_id": None},
    }
    for k, (names, _v) in RANGES.items():
        fields[k] = dict.fromkeys(names)
    for k, names in DATES.items():
        fields[k] = dict.fromkeys(names)
    return replace(flt, **fields[kind])


def confirm_delete(parent: QWidget, count: int) -> bool:
    """Ask before deleting `count` customers (what deleting does); True for Yes."""
    question = count_text(
        count,
        QCoreApplication.translate(
            "customers",
            "Delete %n customer?\n\nThe customer leaves the lists, searches, segments and "
            "tags. Their orders stay, with the buyer's name. A new order from the same phone "
            "or marketplace buyer makes a new customer. A customer who still owes money is "
            "kept.",
        ),
        QCoreApplication.translate(
            "customers",
            "Delete %n customers?\n\nThey leave the lists, searches, segments and tags. "
            "Their orders stay, with the buyer's name. A new order from the same phone or "
            "marketplace buyer makes a new customer. Customers who still owe money are kept.",
        ),
    )
    answer = QMessageBox.question(
        parent, QCoreApplication.translate("customers", "Delete customers"), question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )  # fmt: skip
    return answer == QMessageBox.StandardButton.Yes


def confirm_matching(parent: QWidget, count: int, shown: int) -> bool:
    """Ask before a bulk action on "all matching" when `count` customers match now but
    the list showed `shown` (customers came or went since it was read); True for Yes."""
    lang = current_language()
    question = (
        QCoreApplication.translate(
            "customers",
            "%1 customers match the search and filters now, not %2 as the list showed: "
            "customers were added or changed since (a sync, an import). Go on with all %1?",
        )
        .replace("%1", format_number(count, lang))
        .replace("%2", format_number(shown, lang))
    )
    answer = QMessageBox.question(
        parent, QCoreApplication.translate("customers", "The list has changed"), question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )  # fmt: skip
    return answer == QMessageBox.StandardButton.Yes


# --------------------------------------------------------------------------- page


class CustomerListPage(FilteredListPage):
    """Search, chips, quick filters, the customer list and its bulk actions."""

    #: A customer should open (double-click or Enter on its row, or the row menu).
    openRequested = Signal(int)
    #: "Add customer" was clicked.
    addRequested = Signal()
    #: Export: a list of the selected ids, or None for the current filter and search.
    exportRequested = Signal(object)
    #: "Import" was clicked.
    importRequested = Signal()
    #: The row menu's "Create order" on a customer.
    createOrderRequested = Signal(int)

    model: CustomersTableModel
    _filter: CustomerFilter

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, CustomerFilter(), parent)
        prefs = _prefs(ctx)
        if prefs is not None and prefs.value(HIDE_ANONYMOUS_KEY, False, type=bool):
            self._filter = CustomerFilter(hide_anonymous=True)  # as left on this PC
        self.setObjectName("list_customers")
        self.setStyleSheet(STYLE)
        self.tz = shop_tz()
        self.filter_dialog: FilterDialog | None = None
        self.context_menu: QMenu | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        search_row = self._build_search_row(CHIP_KINDS)
        # What is selected sits by the row count, not among the actions: in Vietnamese the
        # action row with it overflowed 1280 px and cut the buttons' words off.
        search_row.insertLayout(search_row.indexOf(self.count), self._build_selection())
        layout.addLayout(search_row)
        layout.addLayout(self._build_quick())
        layout.addWidget(self._build_chips())
        layout.addWidget(self._build_actions())
        layout.addWidget(self._build_message())
        layout.addWidget(self._build_view(), 1)
        #: (query, customer) to select once that query has answered (`show_customer_row`).
        self._select_when_found: tuple[QueryState, int] | None = None
        self.model.queryChanged.connect(lambda _n: self._select_found())
        self.retranslate()
        self._show_group_column()
        sort_by_default(self.view, CUSTOMERS_SPEC)

    # Construction -------------------------------------------------------------------------
    def _build_quick(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(6)
        self.quick_label = QLabel()
        self.quick_label.setObjectName("muted")
        row.addWidget(self.quick_label)
        self.quick_buttons: dict[str, QPushButton] = {}
        for name in QUICK_FILTERS:
            button = QPushButton()
            button.setObjectName(f"quick_{name}")
            button.setProperty("quick", True)
            button.setCheckable(True)
            button.setChecked(bool(getattr(self._filter, name)))
            button.toggled.connect(lambda on, n=name: self.set_quick(n, on))
            self.quick_buttons[name] = button
            row.addWidget(button)
        row.addStretch(1)
        return row

    def _build_actions(self) -> ActionRow:
        row = self.actions_row = ActionRow()
        self.add_segment_button = push_button("addToSegmentButton", self.add_to_segment)
        self.remove_segment_button = push_button(
            "removeFromSegmentButton", self.remove_from_segment
        )
        self.tag_button = push_button("tagButton", self.tag_selected)
        self.untag_button = push_button("untagButton", self.untag_selected)
        self.level_button = push_button("setLevelButton", self.set_level_selected)
        self.delete_button = push_button("deleteCustomersButton", self.delete_selected)
        self.export_button = push_button("exportButton", self.export)
        self.import_button = push_button(
            "importButton", lambda: self._starting(self.importRequested.emit)
        )
        self.add_button = push_button(
            "addCustomerButton", lambda: self._starting(self.addRequested.emit)
        )
        for w in (self.add_segment_button, self.remove_segment_button, self.tag_button,
                  self.untag_button, self.level_button, self.delete_button):  # fmt: skip
            row.add(w)
        row.add_stretch()
        row.add(self.export_button)
        row.add(self.import_button)
        row.add_more()
        row.add_spacing(12)
        row.add(self.add_button)
        if not self.may_delete():  # neither in the row nor in More
            row.set_shown(self.delete_button, False)
        # Short of room, these go into More, the least used first; Add customer stays.
        row.set_overflow_order(
            (self.import_button, self.remove_segment_button, self.untag_button,
             self.delete_button, self.export_button, self.level_button,
             self.add_segment_button, self.tag_button)
        )  # fmt: skip
        return row

    def _build_selection(self) -> QHBoxLayout:
        """What is selected, beside the count: "2 selected", "Select all 300 matching" or
        "Clear selection"."""
        row = QHBoxLayout()
        row.setSpacing(6)
        self.selection_label = QLabel()
        self.selection_label.setObjectName("muted")
        self.select_all_button = QPushButton()
        self.select_all_button.setObjectName("linkButton")
        self.select_all_button.clicked.connect(self.select_all_matching)
        self.clear_selection_button = QPushButton()
        self.clear_selection_button.setObjectName("linkButton")
        self.clear_selection_button.clicked.connect(lambda: self.view.clearSelection())
        row.addWidget(self.selection_label)
        row.addWidget(self.select_all_button)
        row.addWidget(self.clear_selection_button)
        row.addSpacing(12)
        return row

    def _build_view(self) -> QTableView:
        self.model = CustomersTableModel(self.ctx.engine, parent=self, flt=self._filter)
        view = self.view = QTableView()
        view.setObjectName("customersView")
        setup_list_view(
            view, self.model, hidden=HIDDEN_COLUMNS, icon_size=QSize(80, 16), stretch="name"
        )
        view.activated.connect(self._on_activated)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._show_context_menu)
        self._watch_view()
        return view

    # Text ---------------------------------------------------------------------------------
    def empty_texts(self) -> tuple[str, str]:
        return (
            self.tr("No customers match the search and the filters."),
            self.tr("No customers yet: each order's buyer becomes one, or add one with "
                    "Add customer."),
        )  # fmt: skip

    def retranslate(self) -> None:
        self.search.setPlaceholderText(
            QCoreApplication.translate("customers", "Search by name, phone, customer code or email")
        )
        self.filter_button.setText(QCoreApplication.translate("customers", "Filters"))
        menu = {
            "shop": QCoreApplication.translate("customers", "Shop…"),
            "expenses": QCoreApplication.translate("customers", "Total spent…"),
            "successful": QCoreApplication.translate("customers", "Successful orders…"),
            "success_rate": QCoreApplication.translate("customers", "Success rate…"),
            "segment": QCoreApplication.translate("customers", "Segment…"),
            "rank": QCoreApplication.translate("customers", "Rank…"),
            "level": QCoreApplication.translate("customers", "Customer group…"),
            "tag": QCoreApplication.translate("customers", "Tag…", "filter menu"),
            "gender": QCoreApplication.translate("customers", "Gender…"),
            "source": QCoreApplication.translate("customers", "Source / referrer…"),
            "last_order": QCoreApplication.translate("customers", "Latest transaction…"),
            "created": QCoreApplication.translate("customers", "Created…"),
        }
        for kind, text in menu.items():
            self.filter_actions[kind].setText(text)
        self.quick_label.setText(QCoreApplication.translate("customers", "Quick filters:"))
        quick = {
            "five_plus_orders": QCoreApplication.translate("customers", "5+ orders"),
            "created_this_month": QCoreApplication.translate("customers", "Created this month"),
            "birthday_this_month": QCoreApplication.translate("customers", "Birthday this month"),
            "female": QCoreApplication.translate("customers", "Female"),
            "gold_and_above": QCoreApplication.translate("customers", "Gold and above"),
            "often_returns": QCoreApplication.translate("customers", "Often returns"),
            "owes_money": QCoreApplication.translate("customers", "Owes money"),
            "hide_anonymous": QCoreApplication.translate(
                "customers", "Hide anonymous buyers"
            ),
        }
        for name, text in quick.items():
            self.quick_buttons[name].setText(text)
        self.quick_buttons["hide_anonymous"].setToolTip(QCoreApplication.translate(
            "customers",
            "Leave out marketplace buyers with a hidden name (such as N*****m) and no phone: "
            "nobody can call or recognise them. Stays on until you turn it off.",
        ))  # fmt: skip
        self.clear_filters.setText(QCoreApplication.translate("customers", "Clear all"))
        self.add_segment_button.setText(QCoreApplication.translate("customers", "Add to segment…"))
        self.remove_segment_button.setText(
            QCoreApplication.translate("customers", "Remove from segment…")
        )
        self.tag_button.setText(QCoreApplication.translate("customers", "Tag…"))
        self.untag_button.setText(QCoreApplication.translate("customers", "Untag…"))
        self.level_button.setText(QCoreApplication.translate("customers", "Set group…"))
        self.delete_button.setText(QCoreApplication.translate("customers", "Delete…"))
        self.delete_button.setToolTip(
            QCoreApplication.translate(
                "customers", "Delete the chosen customers (their orders stay)"
            )
        )
        self.level_button.setToolTip(
            QCoreApplication.translate(
                "customers", "Put the chosen customers in a customer group (e.g. Wholesale)"
            )
        )
        self.clear_selection_button.setText(
            QCoreApplication.translate("customers", "Clear selection")
        )
        self.export_button.setText(QCoreApplication.translate("customers", "Export"))
        self.import_button.setText(QCoreApplication.translate("customers", "Import"))
        self.import_button.setToolTip(
            QCoreApplication.translate("customers", "Import customers from an Excel or CSV file")
        )
        self.add_button.setText(QCoreApplication.translate("customers", "Add customer"))
        self._rebuild_chips()
        self._show_count()
        self._update_actions()

    def _show_count(self) -> None:
        self.count.setText(
            count_text(
                self.model.rowCount(),
                QCoreApplication.translate("customers", "%n customer"),
                QCoreApplication.translate("customers", "%n customers"),
            )
        )
        self._update_actions()

    # Search and filters -------------------------------------------------------------------
    def search_text(self) -> str:
        """The search box text the list shows (as last applied)."""
        return self._search

    def search_for(self, text: str) -> None:
        """Search now (as if typed and Enter pressed)."""
        self.search.setText(text)
        self._on_search(text)

    def _on_search(self, text: str) -> None:
        self.clear_message()  # the last action's outcome is about the rows shown before
        super()._on_search(text)

    def show_customer_row(self, code: str, customer_id: int) -> None:
        """Show one customer: search its code and select its row once the search has
        answered (a customer just added would be last of thousands in the list)."""
        self.search_for(code)
        self._select_when_found = (self.model.state, customer_id)
        self._select_found()

    def _select_found(self) -> None:
        wanted = self._select_when_found
        if wanted is None or self.model.busy:
            return
        self._select_when_found = None
        state, customer_id = wanted
        if state is self.model.state and self.select_ids([customer_id]):
            for index in self.view.selectionModel().selectedRows()[:1]:
                self.view.scrollTo(index)

    def query_state(self) -> QueryState:
        """The list's query: filter clauses, search and sort."""
        return self.model.state

    def _cleared(self, flt: CustomerFilter, kind: str) -> CustomerFilter:
        return cleared(flt, kind)

    def _apply(self) -> None:
        """Run the list query for the filter and search; keep the sort."""
        state = self.model.state
        self.model.set_state(
            list_state(self._filter, self.tz, search=self._search, sort_key=state.sort_key,
                       descending=state.descending)
        )  # fmt: skip

    def set_filter(self, flt: Any) -> None:
        before = self._filter.hide_anonymous
        if flt != self._filter:
            self.clear_message()  # the last action's outcome is about the rows shown before
        super().set_filter(flt)
        prefs = _prefs(self.ctx)
        if prefs is not None and self._filter.hide_anonymous != before:
            prefs.setValue(HIDE_ANONYMOUS_KEY, self._filter.hide_anonymous)
            prefs.sync()
        for name, button in self.quick_buttons.items():  # "Clear all" clears them too
            on = bool(getattr(self._filter, name))
            if button.isChecked() != on:
                button.blockSignals(True)
                button.setChecked(on)
                button.blockSignals(False)

    def set_quick(self, name: str, on: bool) -> None:
        """Turn a quick filter (a CustomerFilter flag of QUICK_FILTERS) on or off."""
        flag: dict[str, Any] = {name: on}
        self.set_filter(replace(self._filter, **flag))

    def _choices(self, kind: str) -> list[tuple[Any, str]]:
        if kind == "rank":
            return [(r, enum_label(r)) for r in Rank]
        if kind == "gender":
            return [(g, enum_label(g)) for g in Gender]
        with self.ctx.engine.connect() as conn:
            if kind == "segment":
                return segment_choices(conn)
            if kind == "tag":
                return tag_choices(conn)
            if kind == "level":
                no_group = QCoreApplication.translate("customers", "No group")
                return [(NO_GROUP, no_group), *level_choices(conn)]
            if kind == "source":
                used = set(source_names(conn)) | set(self._filter.sources)
                return [(s, source_label(s)) for s in sorted(used)]
        return []

    def edit_filter(self, kind: str) -> FilterDialog:
        """Open the editor of one filter kind (`open_filter_dialog`)."""
        shops = self.shops(reload=True) if kind == "shop" else ()
        dialog = FilterDialog(
            kind, self._filter, engine=self.ctx.engine, shops=shops,
            choices=self._choices(kind), parent=self,
        )  # fmt: skip
        self.filter_dialog = dialog
        self.open_filter_dialog(dialog)
        return dialog

    def _names(self, kind: str, ids: Sequence[Any]) -> list[str]:
        names = dict(self._choices(kind))
        return [names.get(i, f"#{i}") for i in ids]

    def chip_texts(self) -> dict[str, str]:
        """{kind: text} of the active filters, in chip order."""
        f, lang, out = self._filter, current_language(), {}
        if f.shop_ids:
            names = {s.id: s.name for s in self.shops()}
            out["shop"] = QCoreApplication.translate("customers", "Shop: %1").replace(
                "%1", short_list([names.get(i, f"#{i}") for i in f.shop_ids])
            )
        labels = {
            "expenses": QCoreApplication.translate("customers", "Total spent"),
            "successful": QCoreApplication.translate("customers", "Successful orders"),
            "success_rate": QCoreApplication.translate("customers", "Success rate"),
        }
        for kind, (fields, value_kind) in RANGES.items():
            low, high = (getattr(f, n) for n in fields)
            if low is None and high is None:
                continue
            shown = [
                None if v is None else
                format_money(v, lang) if value_kind == "money" else
                _rate_text(v, lang) if value_kind == "percent" else format_number(v, lang)
                for v in (low, high)
            ]  # fmt: skip
            out[kind] = labels[kind] + ": " + self._range_text(*shown)
        if f.segment_ids:
            out["segment"] = QCoreApplication.translate("customers", "Segment: %1").replace(
                "%1", short_list(self._names("segment", f.segment_ids))
            )
        if f.ranks:
            out["rank"] = QCoreApplication.translate("customers", "Rank: %1").replace(
                "%1", short_list([enum_label(r) for r in f.ranks], 4)
            )
        if f.level_ids:
            out["level"] = QCoreApplication.translate("customers", "Group: %1").replace(
                "%1", short_list(self._names("level", f.level_ids))
            )
        if f.tag_ids:
            out["tag"] = QCoreApplication.translate("customers", "Tag: %1").replace(
                "%1", short_list(self._names("tag", f.tag_ids))
            )
        if f.genders:
            out["gender"] = QCoreApplication.translate("customers", "Gender: %1").replace(
                "%1", short_list([enum_label(g) for g in f.genders], 4)
            )
        if f.sources or f.referrer_id is not None:
            parts = [source_label(s) for s in f.sources]
            if f.referrer_id is not None:
                parts.append(
                    QCoreApplication.translate("customers", "referred by %1").replace(
                        "%1", f"KH{f.referrer_id:06d}"
                    )
                )
            out["source"] = QCoreApplication.translate("customers", "Source: %1").replace(
                "%1", short_list(parts, 4)
            )
        dates = {
            "last_order": QCoreApplication.translate("customers", "Latest transaction"),
            "created": QCoreApplication.translate("customers", "Created"),
        }
        for kind, fields in DATES.items():
            start, end = (getattr(f, n) for n in fields)
            if start is None and end is None:
                continue
            shown_dates = [None if d is None else d.strftime("%d/%m/%Y") for d in (start, end)]
            out[kind] = dates[kind] + ": " + self._range_text(*shown_dates)
        return out

    @staticmethod
    def _range_text(low: str | None, high: str | None) -> str:
        if low is not None and high is not None:
            return f"{low} – {high}"
        if low is not None:
            return QCoreApplication.translate("customers", "from %1").replace("%1", low)
        return QCoreApplication.translate("customers", "up to %1").replace("%1", high or "")

    # Selection ----------------------------------------------------------------------------
    def all_matching_selected(self) -> bool:
        """True when every row of the current query is selected ("Select all N matching")."""
        n = self.model.rowCount()
        return n > 0 and self.selected_count() == n

    def select_all_matching(self) -> None:
        """Select every customer of the current filter and search (not only those shown)."""
        self.view.selectAll()

    def _show_group_column(self) -> None:
        """The Customer group column only once a group exists: without price levels it
        would be an empty column beside the rank, easily taken for it."""
        with self.ctx.engine.connect() as conn:
            any_group = bool(level_choices(conn))
        self.view.setColumnHidden(self.model.col["level"], not any_group)

    def refresh(self) -> None:
        """Re-run the list, keeping the selection ("all matching" stays all matching, also
        over the keys not loaded yet)."""
        self._show_group_column()
        if self.all_matching_selected():
            self.model.refresh()
            self.view.selectAll()
        else:
            super().refresh()

    def matching_ids(self) -> list[int]:
        """Every key of the current query, in list order (one SQL query; the model's key
        loading is left alone)."""
        state = self.model.state
        with self.ctx.engine.connect() as conn:
            stmt = keys_stmt(CUSTOMERS_SPEC, state, conn.dialect.name, after=None, limit=None)
            return [int(k) for k in conn.execute(stmt).scalars()]

    def target_ids(self) -> list[int]:
        """The customers a bulk action applies to: the selected ones, or every customer
        matching now once "all matching" is selected. When that is not the number the
        list shows (it was read before a sync or an import), the user confirms the real
        one; on No the list is read again and nothing is returned."""
        if not self.all_matching_selected():
            return self.selected_ids()
        ids, shown = self.matching_ids(), self.model.rowCount()
        if len(ids) != shown and not confirm_matching(self, len(ids), shown):
            self.refresh()
            return []
        return ids

    def _update_actions(self) -> None:
        if not hasattr(self, "select_all_button"):
            return
        n, total, lang = self.selected_count(), self.model.rowCount(), current_language()
        every = n > 0 and n == total
        if every:
            text = count_text(
                total,
                QCoreApplication.translate("customers", "The %n matching customer is selected."),
                QCoreApplication.translate("customers", "All %n matching customers are selected."),
            )
        elif n:
            text = QCoreApplication.translate("customers", "%n selected").replace(
                "%n", format_number(n, lang)
            )
        else:
            text = ""
        self.selection_label.setText(text)
        self.select_all_button.setText(
            QCoreApplication.translate("customers", "Select all %n matching").replace(
                "%n", format_number(total, lang)
            )
        )
        self.select_all_button.setVisible(0 < n < total)
        self.clear_selection_button.setVisible(every and total > 1)
        free = n > 0 and not self._busy
        for button in (self.add_segment_button, self.remove_segment_button, self.tag_button,
                       self.untag_button, self.level_button, self.delete_button):  # fmt: skip
            button.setEnabled(free)
        self.import_button.setEnabled(not self._busy)
        if n and not every:
            tip = QCoreApplication.translate("customers", "Export the selected customers")
        else:
            tip = QCoreApplication.translate("customers", "Export every customer of this view")
        self.export_button.setToolTip(tip)
        gate_export(self.export_button, self.ctx)  # the right "Export data"

    # Signals to other parts ---------------------------------------------------------------
    def _key(self, index: QModelIndex | QPersistentModelIndex) -> int | None:
        return self.model.key_at(index.row()) if index.isValid() else None

    def _on_activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        key = self._key(index)
        if key is not None:
            self.openRequested.emit(key)

    def export(self) -> None:
        """Ask for an export: the selected ids, or None for the whole filtered list (also
        when every matching customer is selected)."""
        self.clear_message()
        every = self.all_matching_selected() or not self.selected_count()
        self.exportRequested.emit(None if every else self.selected_ids())

    def _show_context_menu(self, pos: QPoint) -> None:
        key = self._key(self.view.indexAt(pos))
        if key is not None:
            self.build_context_menu(key).popup(self.view.viewport().mapToGlobal(pos))

    def build_context_menu(self, customer_id: int) -> QMenu:
        """The row menu of a customer: open, create an order."""
        menu = QMenu(self)
        menu.setObjectName("customerMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addAction(QCoreApplication.translate("customers", "Open…")).triggered.connect(
            lambda: self.openRequested.emit(customer_id)
        )
        menu.addAction(QCoreApplication.translate("customers", "Create order…")).triggered.connect(
            lambda: self.createOrderRequested.emit(customer_id)
        )
        if self.may_delete():
            menu.addSeparator()
            menu.addAction(QCoreApplication.translate("customers", "Delete…")).triggered.connect(
                lambda: self.delete_customers([customer_id])
            )
        self.context_menu = menu
        return menu

    # The last action's outcome ------------------------------------------------------------
    def clear_message(self) -> None:
        """Close the last action's outcome: another action starts, or the rows change."""
        self.message_bar.hide()

    def announce(self, text: str, link: str, on_link: Callable[[], object]) -> None:
        """Say an action's outcome with a link beside it (Open the customer added)."""
        self.message_bar.show_text(text, link, on_link)

    def _starting(self, action: Callable[[], object]) -> None:
        self.clear_message()
        action()

    def _run(
        self, title: str, fn: Callable[[], Any], done: Callable[[Any], None], *,
        progress: bool = False,
    ) -> None:  # fmt: skip
        self.clear_message()  # the outcome shown is an earlier action's
        super()._run(title, fn, done, progress=progress)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        if not event.spontaneous():  # another tab: back later, the outcome is old news
            self.clear_message()

    # Bulk actions -------------------------------------------------------------------------
    def _bulk(
        self,
        pick: Callable[[int], int | None],
        call: Callable[[ServiceContext, int, list[int]], Any],
        title: str,
        report: Callable[[Any], str],
    ) -> None:
        """Pick a target (`pick` is told how many customers), then `call` it on the target
        customers off the UI thread; the message bar shows `report(result)`."""
        ids = self.target_ids()
        if not ids:
            return
        target = pick(len(ids))
        if target is None:
            return
        ctx = self.ctx
        self._run(
            title,
            lambda: call(ctx, target, ids),
            lambda result: self.show_message(report(result)),
            progress=len(ids) > 5_000,
        )

    @staticmethod
    def _counted(one: str, many: str) -> Callable[[Any], str]:
        """The report of a service returning how many customers it changed."""
        return lambda n: count_text(int(n), one, many)

    @staticmethod
    def _linked(
        one: str, many: str, rest_one: str, rest_many: str, *, adding: bool
    ) -> Callable[[BulkResult], str]:
        """The report of a bulk tag or segment change (a BulkResult), adding up to the
        customers chosen (not only those that changed): adding, all of them (each has it
        now) and how many had it already; removing, those that lost it and how many never
        had it."""

        def report(result: BulkResult) -> str:
            text = count_text(result.total if adding else result.changed, one, many)
            if result.unchanged:
                text += " " + count_text(result.unchanged, rest_one, rest_many)
            return text

        return report

    def _pick_segment(self, _count: int) -> int | None:
        from primedist.ui.customers import segments as segments_ui

        return segments_ui.pick_segment(self, self.ctx)

    def _pick_tag(self, _count: int) -> int | None:
        from primedist.ui.customers import segments as segments_ui

        return segments_ui.pick_tag(self, self.ctx)

    def add_to_segment(self) -> None:
        from primedist.services import segments

        self._bulk(
            self._pick_segment,
            segments.add_to_segment,
            QCoreApplication.translate("customers", "Adding customers to the segment"),
            self._linked(
                QCoreApplication.translate("customers", "%n customer added to the segment"),
                QCoreApplication.translate("customers", "%n customers added to the segment"),
                QCoreApplication.translate("customers", "(%n was in it already)"),
                QCoreApplication.translate("customers", "(%n were in it already)"),
                adding=True,
            ),
        )

    def remove_from_segment(self) -> None:
        from primedist.services import segments

        self._bulk(
            self._pick_segment,
            segments.remove_from_segment,
            QCoreApplication.translate("customers", "Removing customers from the segment"),
            self._linked(
                QCoreApplication.translate("customers", "%n customer removed from the segment"),
                QCoreApplication.translate("customers", "%n customers removed from the segment"),
                QCoreApplication.translate("customers", "(%n was not in it)"),
                QCoreApplication.translate("customers", "(%n were not in it)"),
                adding=False,
            ),
        )

    def tag_selected(self) -> None:
        from primedist.services import tags

        self._bulk(
            self._pick_tag,
            tags.tag_customers,
            QCoreApplication.translate("customers", "Tagging customers"),
            self._linked(
                QCoreApplication.translate("customers", "%n customer tagged"),
                QCoreApplication.translate("customers", "%n customers tagged"),
                QCoreApplication.translate("customers", "(%n already had the tag)"),
                QCoreApplication.translate("customers", "(%n already had the tag)"),
                adding=True,
            ),
        )

    def untag_selected(self) -> None:
        from primedist.services import tags

        self._bulk(
            self._pick_tag,
            tags.untag_customers,
            QCoreApplication.translate("customers", "Untagging customers"),
            self._linked(
                QCoreApplication.translate("customers", "%n customer untagged"),
                QCoreApplication.translate("customers", "%n customers untagged"),
                QCoreApplication.translate("customers", "(%n did not have the tag)"),
                QCoreApplication.translate("customers", "(%n did not have the tag)"),
                adding=False,
            ),
        )

    def set_level_selected(self) -> None:
        from primedist.services.loyalty import levels
        from primedist.ui.customers.loyalty_panel import pick_level

        self._bulk(
            lambda count: pick_level(self, self.ctx, count),
            lambda ctx, level_id, chosen: levels.set_customers_level(ctx, level_id or None, chosen),
            QCoreApplication.translate("customers", "Setting the customer group"),
            self._counted(
                QCoreApplication.translate("customers", "%n customer moved to that group"),
                QCoreApplication.translate("customers", "%n customers moved to that group"),
            ),
        )

    def may_delete(self) -> bool:
        """Deleting customers is for the owner and managers (the service refuses others)."""
        return self.ctx.actor.role in (Role.OWNER, Role.MANAGER)

    def delete_selected(self) -> None:
        self.delete_customers(self.target_ids())

    def delete_customers(self, ids: list[int]) -> bool:
        """Ask, then delete these customers; False when there was nothing to do or the
        user said no."""
        if not ids or not confirm_delete(self, len(ids)):
            return False
        from primedist.services.customer_delete import delete_customers

        ctx = self.ctx
        self._run(
            QCoreApplication.translate("customers", "Deleting customers"),
            lambda: delete_customers(ctx, ids),
            lambda report: self.show_message(localize(report.summary())),
            progress=len(ids) > 5_000,
        )
        return True

    def shutdown(self) -> None:
        """Stop background loading (the window is closing)."""
        if alive(self):
            self.model.stop()
