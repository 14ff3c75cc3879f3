"""SKU groups ("Prime SKU") page: the group list, the group dialog and the listing picker.

The list is a `SqlTableModel` over GROUPS_SPEC (keys only, keyset paged; the members'
figures are computed for the rows on screen). The group dialog edits code, name,
low-stock level and members; Save applies everything in one transaction
(`services.sku_groups.save_group`) through `Op`. "Add listings…" opens a picker that
searches variants of every shop as you type (`find_candidates`), off the UI thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QIntValidator, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import Engine

from primedist.core.money import format_money
from primedist.queries.sku_groups import GROUPS_SPEC, split_channels
from primedist.services.context import ServiceContext
from primedist.services.sku_groups import (
    Candidate,
    GroupDetail,
    ShopRef,
    delete_group,
    export_groups,
    find_candidates,
    group_detail,
    save_group,
)
from primedist.ui.errors import box_text
from primedist.ui.export_right import gate_export
from primedist.ui.formatting import CellFormatter
from primedist.ui.i18n import current_language
from primedist.ui.labels import QT_TRANSLATE_NOOP, enum_label
from primedist.ui.list_tools import (
    SqlListPage,
    alive,
    ask_save_path,
    count_text,
    export_done_box,
    number,
    setup_list_view,
    sort_by_default,
    xlsx_path,
)
from primedist.ui.messages import error_text
from primedist.ui.ops import Op
from primedist.ui.sub_tabs import dialog_open
from primedist.ui.table_model import Index, SqlTableModel
from primedist.ui.widgets import SearchBox, align_headers, icon, show_cell_colours

#: Loaded but not shown: the price column shows the whole range.
HIDDEN_COLUMNS = ("price_max",)
ICON = 16

# Column headers of GROUPS_SPEC (context "columns", translated by SqlTableModel).
COLUMN_LABELS = (
    QT_TRANSLATE_NOOP("columns", "Group"),
    QT_TRANSLATE_NOOP("columns", "Code"),
    QT_TRANSLATE_NOOP("columns", "Channels"),
    QT_TRANSLATE_NOOP("columns", "Listings"),
    QT_TRANSLATE_NOOP("columns", "Price"),
    QT_TRANSLATE_NOOP("columns", "Highest price"),
    QT_TRANSLATE_NOOP("columns", "Discount price"),
    QT_TRANSLATE_NOOP("columns", "Stock"),
    QT_TRANSLATE_NOOP("columns", "Available"),
    QT_TRANSLATE_NOOP("columns", "Created"),
)


def _money(value: int | None) -> str:
    return "" if value is None else format_money(value, current_language())


def price_range(low: int | None, high: int | None) -> str:
    """`29.000 ₫` or `29.000 ₫ - 49.000 ₫`; empty when there is no price."""
    if low is None:
        return ""
    if high is None or high == low:
        return _money(low)
    return f"{_money(low)} - {_money(high)}"


_badges: dict[str, QIcon] = {}


def channels_badge(channels: Sequence[str]) -> QIcon | None:
    """One icon with the channel logos side by side (cached per channel set)."""
    if not channels:
        return None
    key = ",".join(channels)
    if key not in _badges:
        pixmap = QPixmap(len(channels) * (ICON + 2), ICON)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        for i, channel in enumerate(channels):
            icon(f"channel_{channel}").paint(painter, i * (ICON + 2), 0, ICON, ICON)
        painter.end()
        _badges[key] = QIcon(pixmap)
    return _badges[key]


def _shops_text(shops: Sequence[ShopRef]) -> str:
    return ", ".join(s.name for s in shops)


def ask_confirm(parent: QWidget, title: str, text: str) -> bool:
    """Yes/No question (tests replace it)."""
    answer = QMessageBox.question(parent, title, box_text(text))  # codes as typed
    return answer == QMessageBox.StandardButton.Yes


# --------------------------------------------------------------------------- model


class GroupsTableModel(SqlTableModel):
    """SqlTableModel over GROUPS_SPEC: the price column shows the range, the channels
    column the channel logos (names in its tooltip)."""

    def __init__(self, engine: Engine, parent: Any = None) -> None:
        super().__init__(engine, GROUPS_SPEC, formatter=CellFormatter(), parent=parent)
        self.col = {c.key: i for i, c in enumerate(GROUPS_SPEC.columns)}
        self._shown = len(GROUPS_SPEC.columns)

    def _format_row(self, kinds: list[str], raw: tuple[Any, ...]) -> tuple[str, ...]:
        cells = list(super()._format_row(kinds, raw))
        cells[self.col["price"]] = price_range(raw[self.col["price"]], raw[self.col["price_max"]])
        channels = ",".join(split_channels(raw[self.col["channels"]]))
        cells[self.col["channels"]] = ""
        return (*cells, channels)  # the channel words ride along after the shown cells

    def channels(self, row: int) -> list[str]:
        cells = self._row(row) if 0 <= row < self.rowCount() else None
        if cells is None or len(cells) <= self._shown:
            return []
        return [c for c in cells[self._shown].split(",") if c]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and index.column() == self.col["channels"]:
            if role == Qt.ItemDataRole.DecorationRole:
                return channels_badge(self.channels(index.row()))
            if role == Qt.ItemDataRole.ToolTipRole:
                return ", ".join(enum_label(c) for c in self.channels(index.row())) or None
        return super().data(index, role)

    def cell(self, row: int, key: str) -> str | None:
        """The display text of a cell (tests, status texts)."""
        value = self.data(self.index(row, self.col[key]))
        return None if value is None else str(value)


# --------------------------------------------------------------------------- picker


class ListingPicker(QDialog):
    """Search listings (variants) of every shop as you type, tick some, Add."""

    picked = Signal(list)

    COLUMNS = ("sku", "product", "options", "shops", "price", "stock", "group")

    def __init__(
        self,
        ctx: ServiceContext,
        *,
        group_id: int | None,
        taken: set[int],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("listingPicker")
        self.ctx = ctx
        self.group_id = group_id
        self.taken = set(taken)
        self.candidates: list[Candidate] = []
        self._seq = 0
        self._answered = 0
        self.resize(900, 520)
        layout = QVBoxLayout(self)
        self.search = SearchBox()
        self.search.setObjectName("pickerSearch")
        self.search.searchChanged.connect(self.run_search)
        layout.addWidget(self.search)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("candidates")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        align_headers(self.table, right=(4, 5))  # price, stock
        self.table.itemChanged.connect(lambda _i: self._update_buttons())
        layout.addWidget(self.table, 1)
        self.hint = QLabel()
        self.hint.setObjectName("muted")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setObjectName("primaryButton")
        self.add_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.add_ticked)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.retranslate()
        self._update_buttons()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Add listings to the group"))
        self.search.setPlaceholderText(self.tr("Search any shop by product name, SKU or barcode"))
        self.table.setHorizontalHeaderLabels([
            self.tr("SKU"), self.tr("Product"), self.tr("Options"), self.tr("Shops"),
            self.tr("Price"), self.tr("Stock"), self.tr("Group"),
        ])  # fmt: skip
        self.add_button.setText(self.tr("Add ticked"))
        self.hint.setText(
            self.tr("A listing belongs to one group at most: listings of another group are "
                    "shown greyed. Added listings bring their stock into the group.")
        )  # fmt: skip

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    @property
    def searching(self) -> bool:
        """True until the answer to the latest search is shown."""
        return self._answered != self._seq

    def run_search(self, text: str) -> None:
        """Look the text up off the UI thread; an answer to an older text is dropped."""
        self._seq += 1
        seq, ctx = self._seq, self.ctx
        Op(self, lambda _job: find_candidates(ctx, text)).success(
            lambda found: self._show(seq, found)
        ).run()

    def _show(self, seq: int, found: list[Candidate]) -> None:
        if not alive(self) or seq != self._seq:
            return
        self._answered = seq
        self.candidates = found
        self.table.blockSignals(True)
        self.table.setRowCount(len(found))
        for row, c in enumerate(found):
            in_other = c.group_id is not None and c.group_id != self.group_id
            here = c.variant_id in self.taken  # on the dialog's member table already
            if in_other:
                group_text = c.group_code or ""
            elif here:
                group_text = self.tr("in this group")
            else:
                group_text = ""
            texts = (c.sku, c.product_name, c.options, _shops_text(c.shops),
                     price_range(c.discount_price or c.price, None), number(c.stock),
                     group_text)  # fmt: skip
            for col, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if col == 0:
                    item.setData(Qt.ItemDataRole.UserRole, c.variant_id)
                    if in_other or here:
                        item.setFlags(Qt.ItemFlag.NoItemFlags)
                    else:
                        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                        item.setCheckState(Qt.CheckState.Unchecked)
                    if c.shops:
                        item.setIcon(icon(f"channel_{c.shops[0].channel.value}"))
                elif in_other or here:
                    item.setFlags(Qt.ItemFlag.NoItemFlags)
                if col in (4, 5):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, col, item)
        self.table.blockSignals(False)
        self.table.resizeColumnsToContents()
        self._update_buttons()

    def set_ticked(self, variant_ids: Sequence[int]) -> None:
        """Tick these candidates (as a click on their boxes would)."""
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) in variant_ids:
                if item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                    item.setCheckState(Qt.CheckState.Checked)

    def ticked(self) -> list[Candidate]:
        out = []
        for row, cand in enumerate(self.candidates):
            item = self.table.item(row, 0)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                out.append(cand)
        return out

    def _update_buttons(self) -> None:
        self.add_button.setEnabled(bool(self.ticked()))

    def add_ticked(self) -> None:
        chosen = self.ticked()
        if chosen:
            self.picked.emit(chosen)
        self.accept()


# --------------------------------------------------------------------------- dialog


class GroupDialog(QDialog):
    """Create or edit a group: code, name, low-stock level and its listings; Save applies
    everything in one transaction. `saved(group id)` once it is stored."""

    saved = Signal(int)

    MEMBER_COLUMNS = ("sku", "product", "options", "shops", "price", "discount")
    #: The member columns sharing the room the others leave (elided, whole in a tooltip):
    #: the table fits the dialog, never scrolling sideways past the prices.
    STRETCHED = ("product", "shops")

    def __init__(
        self, ctx: ServiceContext, group_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("skuGroupDialog")
        self.ctx = ctx
        self.group_id = group_id
        self.detail: GroupDetail | None = None
        #: Members shown: variant id → (sku, product, options, shops, price, discount).
        self.rows: dict[int, tuple[str, str, str, str, int, int | None]] = {}
        self.added: dict[int, Candidate] = {}
        self.removed: set[int] = set()
        self.picker: ListingPicker | None = None
        self._saving = False
        self._loaded = group_id is None
        self.resize(860, 560)

        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.code = QLineEdit()
        self.code.setObjectName("groupCode")
        self.code.setMaxLength(64)
        self.name = QLineEdit()
        self.name.setObjectName("groupName")
        self.name.setMaxLength(120)
        self.level = QLineEdit()
        self.level.setObjectName("groupLevel")
        self.level.setValidator(QIntValidator(0, 1_000_000_000, self.level))
        self.code_label, self.name_label, self.level_label = QLabel(), QLabel(), QLabel()
        form.addRow(self.code_label, self.code)
        form.addRow(self.name_label, self.name)
        form.addRow(self.level_label, self.level)
        layout.addLayout(form)
        self.stock = QLabel()
        self.stock.setObjectName("groupStock")
        layout.addWidget(self.stock)
        self.members = QTableWidget(0, len(self.MEMBER_COLUMNS))
        self.members.setObjectName("groupMembers")
        show_cell_colours(self.members)  # the listings just added, in green
        self.members.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.members.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.members.verticalHeader().setVisible(False)
        self._fit_member_columns()
        align_headers(self.members, right=(4, 5))  # the prices
        self.members.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.members, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton()
        self.add_button.setObjectName("addListings")
        self.add_button.clicked.connect(self.open_picker)
        self.remove_button = QPushButton()
        self.remove_button.setObjectName("removeListings")
        self.remove_button.clicked.connect(self.remove_selected)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.note = QLabel()
        self.note.setObjectName("muted")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.error = QLabel()
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("primaryButton")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.retranslate()
        self._update_buttons()
        if group_id is not None:
            gid = group_id
            Op(self, lambda _job: group_detail(ctx, gid)).success(self._loaded_detail).run()

    def _fit_member_columns(self) -> None:
        header = self.members.horizontalHeader()
        header.setStretchLastSection(False)
        for c, key in enumerate(self.MEMBER_COLUMNS):
            mode = (QHeaderView.ResizeMode.Stretch if key in self.STRETCHED
                    else QHeaderView.ResizeMode.ResizeToContents)  # fmt: skip
            header.setSectionResizeMode(c, mode)

    # Text ---------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("New SKU group") if self.group_id is None
                            else self.tr("Edit SKU group"))  # fmt: skip
        self.code_label.setText(self.tr("Code"))
        self.name_label.setText(self.tr("Name"))
        self.level_label.setText(self.tr("Low-stock level"))
        self.code.setPlaceholderText(self.tr("e.g. PS-0001"))
        self.level.setPlaceholderText(self.tr("Empty: the shops' default"))
        self.members.setHorizontalHeaderLabels([
            self.tr("SKU"), self.tr("Product"), self.tr("Options"), self.tr("Shops"),
            self.tr("Price"), self.tr("Discount price"),
        ])  # fmt: skip
        self.add_button.setText(self.tr("Add listings…"))
        self.remove_button.setText(self.tr("Remove"))
        self.note.setText(
            self.tr("The group holds the physical stock of its listings. A listing added to "
                    "the group brings its own stock into it; a listing removed from the group "
                    "leaves with no stock of its own (the goods stay with the group).")
        )  # fmt: skip
        self._show_stock()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # State --------------------------------------------------------------------------------
    @property
    def loaded(self) -> bool:
        return self._loaded

    @property
    def saving(self) -> bool:
        return self._saving

    def member_skus(self) -> list[str]:
        return [
            item.text()
            for r in range(self.members.rowCount())
            if (item := self.members.item(r, 0)) is not None
        ]

    def _loaded_detail(self, detail: GroupDetail) -> None:
        if not alive(self):
            return
        self.detail = detail
        self.code.setText(detail.code)
        self.name.setText(detail.name)
        self.level.setText("" if detail.low_stock_level is None else str(detail.low_stock_level))
        for m in detail.members:
            self.rows[m.variant_id] = (m.sku, m.product_name, m.options, _shops_text(m.shops),
                                       m.price, m.discount_price)  # fmt: skip
        self._loaded = True
        self._fill()

    def _fill(self) -> None:
        self.members.setRowCount(len(self.rows))
        new = QBrush(QColor("#ECFDF5"))
        for r, (vid, values) in enumerate(self.rows.items()):
            sku, product, options, shops, price, discount = values
            texts = (sku, product, options, shops, _money(price), _money(discount))
            for c, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if c == 0:
                    item.setData(Qt.ItemDataRole.UserRole, vid)
                if vid in self.added:
                    item.setBackground(new)
                    item.setToolTip(self.tr("Added: saved with the group"))
                elif self.MEMBER_COLUMNS[c] in self.STRETCHED:
                    item.setToolTip(text)  # the whole of what may be elided
                if c in (4, 5):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.members.setItem(r, c, item)
        self._show_stock()
        self._update_buttons()

    def _show_stock(self) -> None:
        incoming = sum(c.stock for c in self.added.values())
        if self.detail is None:
            text = self.tr("Stock: %1 from the listings added").replace("%1", number(incoming))
        else:
            d = self.detail
            text = (
                self.tr("On hand %1 · reserved %2 · available %3")
                .replace("%1", number(d.stock))
                .replace("%2", number(d.reserved))
                .replace("%3", number(d.available))
            )
            if incoming:
                text += " " + self.tr("(+%1 from the listings added)").replace(
                    "%1", number(incoming)
                )
        self.stock.setText(text)

    def _update_buttons(self) -> None:
        idle = self._loaded and not self._saving
        self.add_button.setEnabled(idle)
        self.remove_button.setEnabled(idle and bool(self.members.selectionModel().selectedRows()))
        self.save_button.setEnabled(idle)

    # Members ------------------------------------------------------------------------------
    def open_picker(self) -> ListingPicker:
        """The listing picker (non-modal); ticked listings join the table when added."""
        picker = ListingPicker(self.ctx, group_id=self.group_id, taken=set(self.rows),
                               parent=self)  # fmt: skip
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        picker.picked.connect(self.add_candidates)
        self.picker = picker
        picker.open()
        return picker

    def add_candidates(self, candidates: Sequence[Candidate]) -> None:
        for c in candidates:
            if c.variant_id in self.rows:
                continue
            self.removed.discard(c.variant_id)
            if self.detail is None or c.group_id != self.group_id:
                self.added[c.variant_id] = c
            self.rows[c.variant_id] = (c.sku, c.product_name, c.options, _shops_text(c.shops),
                                       c.price, c.discount_price)  # fmt: skip
        self._fill()

    def select_skus(self, skus: Sequence[str]) -> None:
        """Select the member rows of these SKUs (as clicks would)."""
        self.members.clearSelection()
        mode = self.members.selectionMode()
        self.members.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for r in range(self.members.rowCount()):
            item = self.members.item(r, 0)
            if item is not None and item.text() in skus:
                self.members.selectRow(r)
        self.members.setSelectionMode(mode)

    def remove_selected(self) -> None:
        """Take the selected listings off the table (they leave the group on Save)."""
        for index in self.members.selectionModel().selectedRows():
            item = self.members.item(index.row(), 0)
            if item is None:
                continue
            vid = int(item.data(Qt.ItemDataRole.UserRole))
            if self.added.pop(vid, None) is None:
                self.removed.add(vid)
            self.rows.pop(vid, None)
        self._fill()

    # Save ---------------------------------------------------------------------------------
    def _level(self) -> int | None:
        text = self.level.text().strip()
        return int(text) if text else None

    def save(self) -> None:
        """Store the group and its member changes in one transaction (off the UI thread)."""
        if self._saving:
            return
        ctx, gid = self.ctx, self.group_id
        code, name, level = self.code.text(), self.name.text(), self._level()
        add, remove = list(self.added), sorted(self.removed)
        self._saving = True
        self.error.hide()
        self._update_buttons()
        Op(
            self,
            lambda _job: save_group(
                ctx, gid, code=code, name=name, low_stock_level=level, add=add, remove=remove
            ),  # fmt: skip
        ).success(self._saved).failure(self._failed).finally_(self._done).run()

    def _saved(self, group_id: int) -> None:
        if not alive(self):
            return
        self.saved.emit(group_id)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        from primedist.errors import PrimedistError
        from primedist.ui.errors import show_crash

        if not alive(self):
            return
        if isinstance(exc, PrimedistError):
            self.error.setText(error_text(exc))
            self.error.show()
        else:
            show_crash(self, exc)

    def _done(self) -> None:
        self._saving = False
        if alive(self):
            self._update_buttons()


# --------------------------------------------------------------------------- page


class SkuGroupsPage(SqlListPage):
    """The SKU group list with search, New group…, Edit…, Delete and Export."""

    model: GroupsTableModel

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("list_sku_groups")
        self.ctx = ctx
        self.dialog: GroupDialog | None = None
        self.last_message: QMessageBox | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        bar = QHBoxLayout()
        self.search = SearchBox()
        self.search.setMinimumWidth(360)
        self.search.searchChanged.connect(self.set_search)
        self.count = QLabel()
        self.count.setObjectName("muted")
        self.new_button = QPushButton()
        self.new_button.setObjectName("newGroup")
        self.new_button.clicked.connect(lambda: self.open_group(None))
        self.edit_button = QPushButton()
        self.edit_button.setObjectName("editGroup")
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button = QPushButton()
        self.delete_button.setObjectName("deleteGroup")
        self.delete_button.clicked.connect(self.delete_selected)
        self.export_button = QPushButton()
        self.export_button.setObjectName("exportGroups")
        self.export_button.clicked.connect(lambda: self.export())
        bar.addWidget(self.search)
        bar.addWidget(self.count)
        bar.addStretch(1)
        for button in (self.new_button, self.edit_button, self.delete_button, self.export_button):
            bar.addWidget(button)
        layout.addLayout(bar)
        layout.addWidget(self._build_view(), 1)
        self.retranslate()
        sort_by_default(self.view, GROUPS_SPEC)

    def _build_view(self) -> QTableView:
        self.model = GroupsTableModel(self.ctx.engine, parent=self)
        view = self.view = QTableView()
        view.setObjectName("groupsView")
        setup_list_view(
            view, self.model, hidden=HIDDEN_COLUMNS, icon_size=QSize(4 * (ICON + 2), ICON),
            single=True, stretch="name",
        )  # fmt: skip
        view.activated.connect(lambda index: self.open_group(self.model.key_at(index.row())))
        self._watch_view()
        return view

    # Text ---------------------------------------------------------------------------------
    def empty_texts(self) -> tuple[str, str]:
        return (
            self.tr("No SKU groups match the search."),
            self.tr("No SKU groups yet: a group lets several SKUs sell from one stock."),
        )

    def retranslate(self) -> None:
        self.search.setPlaceholderText(self.tr("Search groups by code or name"))
        self.new_button.setText(self.tr("New group…"))
        self.edit_button.setText(self.tr("Edit…"))
        self.delete_button.setText(self.tr("Delete"))
        self.export_button.setText(self.tr("Export"))
        self._show_count()
        self._update_actions()

    def _show_count(self) -> None:
        self.count.setText(count_text(self.model.rowCount(), self.tr("%n group"),
                                      self.tr("%n groups")))  # fmt: skip

    # State (busy: SqlListPage; a delete or an export is busy) -----------------------------
    def selected_id(self) -> int | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.key_at(rows[0].row()) if rows else None

    def select_row(self, row: int) -> None:
        self.view.selectRow(row)

    def _update_actions(self) -> None:
        one = self.selected_id() is not None
        self.edit_button.setEnabled(one)
        self.delete_button.setEnabled(one and not self._busy)
        gate_export(self.export_button, self.ctx, not self._busy)  # the right "Export data"

    def set_search(self, text: str) -> None:
        self.model.set_state(self.model.state.with_search(text))

    # (refresh: SqlListPage's, the selected group, the current row and the scroll kept.)
    def in_use(self, *, arriving: bool = False) -> bool:
        """As any list (`SqlListPage.in_use`), and while a dialog of the page shows (a
        group edited, a delete asked, an export's message): see `follow_changes`."""
        return super().in_use(arriving=arriving) or dialog_open(self)

    # Actions ------------------------------------------------------------------------------
    def open_group(self, group_id: int | None) -> GroupDialog:
        """The group dialog (new when `group_id` is None); the list refreshes on save."""
        dialog = GroupDialog(self.ctx, group_id, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda _id: self.refresh() if alive(self) else None)
        self.dialog = dialog
        dialog.open()
        return dialog

    def edit_selected(self) -> None:
        gid = self.selected_id()
        if gid is not None:
            self.open_group(gid)

    def delete_selected(self) -> None:
        """Delete the selected group after asking; a group with listings or stock is refused
        (the message says what to do first)."""
        gid = self.selected_id()
        if gid is None or self._busy:
            return
        row = self.view.selectionModel().selectedRows()[0].row()
        code = self.model.cell(row, "code") or ""
        question = self.tr(
            "Delete group %1? The SKUs that were in it keep the stock movements they made there."
        ).replace("%1", code)
        if not ask_confirm(self, self.tr("Delete SKU group"), question):
            return
        ctx = self.ctx
        self._run("", lambda: delete_group(ctx, gid), lambda _r: None)

    def default_export_path(self) -> Path:
        folder = self.ctx.settings.export_dir if self.ctx.settings else Path.home()
        return folder / "sku-groups.xlsx"

    def export(self, path: Path | None = None) -> None:
        """Export the groups of the current search to an .xlsx file (asks where)."""
        if path is None:
            suggested = self.default_export_path()
            path = ask_save_path(self, self.tr("Export SKU groups"), suggested.parent,
                                 suggested.name, self.ctx)  # fmt: skip
            if path is None:
                return
        target = xlsx_path(path)
        ctx, search, lang = self.ctx, self.model.state.search, current_language()
        self._set_busy(True)
        Op(
            self,
            lambda job: export_groups(
                ctx, target, search=search, lang=lang, progress=job.progress
            ),  # fmt: skip
            title=self.tr("Exporting SKU groups"),
        ).with_progress(beside=True).success(self._exported).finally_(
            lambda: self._set_busy(False)
        ).run()

    def _exported(self, report: Any) -> None:
        if not alive(self):
            return
        one, many = self.tr("%n group exported to %1."), self.tr("%n groups exported to %1.")
        text = count_text(report.rows, one, many).replace("%1", str(report.path))
        box = export_done_box(self, self.tr("Export finished"), text, self.tr("Open folder"),
                              report.path)  # fmt: skip
        box.setObjectName("groupsMessage")
        self.last_message = box
        box.open()

    def shutdown(self) -> None:
        if alive(self):
            self.model.stop()
