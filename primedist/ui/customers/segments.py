"""Segments page, tags manager and the segment / tag pickers of the Customers tab.

* `SegmentsPage`: every segment with its member count, successful orders and total
  expenses (services/segments.py: one SQL aggregate), and New segment…, Rename…, Delete
  (asks first; the customers stay) and Export… (.xlsx). Double-clicking a segment asks
  for its members in the customer list (`membersRequested`).
* `TagsDialog`: the tags with their customer counts; New tag…, Rename…, Delete (the
  default tags can be renamed, not deleted).
* `pick_segment(parent, ctx)` / `pick_tag(parent, ctx)`: a small modal list returning the
  chosen id or None, with "New…" to create one inline (the Customers list's bulk
  actions use them).

Reads and writes run off the UI thread through `Op`; the names are asked with `ask_name`
and deletions confirmed with `ask_confirm` (module functions the tests replace).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.core.clock import format_date, shop_tz
from primedist.core.money import format_money
from primedist.core.text import fold
from primedist.errors import PrimedistError
from primedist.services.context import ServiceContext
from primedist.services.segments import (
    SegmentRow,
    create_segment,
    delete_segment,
    export_segment,
    list_segments,
    rename_segment,
)
from primedist.services.tags import (
    TagRow,
    create_tag,
    delete_tag,
    list_tags,
    rename_tag,
    vouchers_only_for_tag,
)
from primedist.ui.errors import box_text
from primedist.ui.export_right import gate_export
from primedist.ui.i18n import current_language
from primedist.ui.list_tools import (
    EmptyHint,
    alive,
    ask_save_path,
    count_text,
    export_done_box,
    number,
    xlsx_path,
)
from primedist.ui.ops import Op
from primedist.ui.sub_tabs import TablePlace, in_the_way
from primedist.ui.widgets import align_headers

#: Item data role holding the row's id; the sort role holds the raw value.
ID_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1


def ask_confirm(parent: QWidget, title: str, text: str) -> bool:
    """Yes/No question, No by default (tests replace it)."""
    answer = QMessageBox.question(
        parent, title, box_text(text),  # names as typed
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )  # fmt: skip
    return answer == QMessageBox.StandardButton.Yes


#: The name prompt's least width: its title ("Tạo phân khúc") was cut to "Tạo ph… khúc" by
#: the title bar's buttons in a dialog as narrow as its one-line field.
NAME_PROMPT_WIDTH = 380


def name_dialog(parent: QWidget, title: str, label: str, text: str = "") -> QInputDialog:
    """The prompt `ask_name` shows: wide enough for its title beside the title bar's buttons
    and for a long name."""
    dialog = QInputDialog(parent)
    dialog.setInputMode(QInputDialog.InputMode.TextInput)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setTextValue(text)
    # The title bar's font is the window manager's: allow half again the text's width, plus
    # room for the icon and the three buttons.
    title_width = dialog.fontMetrics().horizontalAdvance(title) * 3 // 2 + 160
    # The dialog's layout fixes its size from its widgets: widen the field, not the dialog.
    edit = dialog.findChild(QLineEdit)
    if edit is not None:
        edit.setMinimumWidth(max(NAME_PROMPT_WIDTH, title_width))
    return dialog


def ask_name(parent: QWidget, title: str, label: str, text: str = "") -> str | None:
    """A name typed by the user, or None when cancelled (tests replace it)."""
    dialog = name_dialog(parent, title, label, text)
    ok = dialog.exec() == QInputDialog.DialogCode.Accepted
    return dialog.textValue() if ok else None


def _money(value: int) -> str:
    return format_money(value, current_language())


def _date(value: datetime) -> str:
    return format_date(value, current_language(), shop_tz())


class _Item(QTableWidgetItem):
    """A cell sorting by its raw value (numbers as numbers, names folded)."""

    def __init__(self, text: str, raw: Any) -> None:
        super().__init__(text)
        self.setData(SORT_ROLE, raw)
        self.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(SORT_ROLE), other.data(SORT_ROLE)
        if isinstance(mine, type(theirs)) or isinstance(theirs, type(mine)):
            return bool(mine < theirs)
        return super().__lt__(other)


def _table(name: str, columns: int, right: Iterable[int] = ()) -> QTableWidget:
    table = QTableWidget(0, columns)
    table.setObjectName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    header.setHighlightSections(False)
    # By name, A to Z, until the owner clicks a header (Qt's default is column 0, Z to A).
    header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
    align_headers(table, right)
    return table


class _RowsWidget:
    """What the segments page and the tags dialog share: a table of rows loaded off the UI
    thread (`loaded` after each load), the selected id, and writes run one at a time
    (`busy`), each followed by a reload and `changed`."""

    table: QTableWidget
    ctx: ServiceContext
    loaded: Any
    changed: Any

    def _init_rows(self) -> None:
        self._busy = False
        self._loading = False
        self.rows: list[Any] = []

    @property
    def busy(self) -> bool:
        """True while a load or a write runs."""
        return self._busy or self._loading

    def _owner(self) -> QWidget:
        assert isinstance(self, QWidget)
        return self

    def _fetch(self) -> list[Any]:
        raise NotImplementedError

    def _fill(self, rows: list[Any]) -> None:
        raise NotImplementedError

    def _update_actions(self) -> None:
        raise NotImplementedError

    def refresh(self) -> None:
        """Reload the rows (keeping the selection)."""
        self._loading = True
        fetch = self._fetch
        Op(self._owner(), lambda _job: fetch()).success(self._loaded).finally_(
            self._load_ended
        ).run()

    def _load_ended(self) -> None:
        self._loading = False
        if alive(self._owner()):
            self._update_actions()

    def _loaded(self, rows: list[Any]) -> None:
        if not alive(self._owner()):
            return
        keep = self.selected_id()
        self.rows = rows
        table = self.table
        table.setSortingEnabled(False)
        table.setRowCount(0)
        table.setRowCount(len(rows))
        self._fill(rows)
        table.setSortingEnabled(True)
        if keep is not None:
            self.select_id(keep)
        self._update_actions()
        self.loaded.emit()

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return None if item is None else int(item.data(ID_ROLE))

    def selected_row(self) -> Any:
        """The selected row's data (SegmentRow / TagRow), or None."""
        sid = self.selected_id()
        return next((r for r in self.rows if r.id == sid), None)

    def select_id(self, row_id: int) -> bool:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(ID_ROLE) == row_id:
                self.table.selectRow(row)
                return True
        return False

    def _write(self, fn: Callable[[], Any], done: Callable[[Any], None] | None = None) -> None:
        """Run a write off the UI thread (busy meanwhile), then reload, emit `changed` and
        call `done(result)`."""
        self._busy = True
        self._update_actions()

        def after(result: Any) -> None:
            if not alive(self._owner()):
                return
            self.refresh()
            self.changed.emit()
            if done is not None:
                done(result)

        def ended() -> None:
            self._busy = False
            if alive(self._owner()):
                self._update_actions()

        Op(self._owner(), lambda _job: fn()).success(after).finally_(ended).run()


# --------------------------------------------------------------------------- segments


class SegmentsPage(QWidget, _RowsWidget):
    """The segments with their figures; New segment…, Rename…, Delete, Export…."""

    #: After each load of the list.
    loaded = Signal()
    #: After a segment was created, renamed, deleted.
    changed = Signal()
    #: A segment was double-clicked: show its members (segment id).
    membersRequested = Signal(int)

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._init_rows()
        self.ctx = ctx
        self.setObjectName("page_segments")
        #: Where the table was, read again for a change made elsewhere (`follow_changes`).
        self._follow_place: TablePlace | None = None
        self.last_message: QMessageBox | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        bar = QHBoxLayout()
        self.count = QLabel()
        self.count.setObjectName("muted")
        bar.addWidget(self.count)
        bar.addStretch(1)
        self.new_button = self._button("newSegment", lambda: self.new_segment())
        self.rename_button = self._button("renameSegment", lambda: self.rename_selected())
        self.delete_button = self._button("deleteSegment", self.delete_selected)
        self.export_button = self._button("exportSegment", lambda: self.export())
        for button in (self.new_button, self.rename_button, self.delete_button,
                       self.export_button):  # fmt: skip
            bar.addWidget(button)
        layout.addLayout(bar)
        self.table = _table("segmentsView", 5, right=range(1, 5))
        for column in range(1, 5):
            self.table.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents
            )
        self.table.itemSelectionChanged.connect(self._update_actions)
        self.table.itemDoubleClicked.connect(self._on_double_click)
        layout.addWidget(self.table, 1)
        # No segment yet: what one is for and how to make it (blank until the first load).
        self._listed = False
        self.empty_hint = EmptyHint(self.table, lambda: ("", self.empty_text()), lambda: False)
        self.retranslate()
        self.refresh()

    def _button(self, name: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton()
        button.setObjectName(name)
        button.clicked.connect(lambda _c=False: slot())
        return button

    # Text ---------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            if self.rows:
                self._loaded(self.rows)
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.new_button.setText(self.tr("New segment…"))
        self.rename_button.setText(self.tr("Rename…"))
        self.delete_button.setText(self.tr("Delete"))
        self.export_button.setText(self.tr("Export…"))
        self.table.setHorizontalHeaderLabels([
            self.tr("Segment"), self.tr("Customers"), self.tr("Successful orders"),
            self.tr("Total spent"), self.tr("Created"),
        ])  # fmt: skip
        self._show_count()
        self.empty_hint.update_hint()

    def empty_text(self) -> str:
        """What the empty list says: what a segment is for and how to make one."""
        if not self._listed:
            return ""
        return self.tr(
            "No segments yet. A segment is a named list of customers you build, to find "
            "them again in the customer list or export them. Create one with New segment…, "
            "then add customers to it from the Customers list (select them, then Add to "
            "segment…)."
        )

    def _show_count(self) -> None:
        self.count.setText(
            count_text(len(self.rows), self.tr("%n segment"), self.tr("%n segments"))
        )

    # Rows ---------------------------------------------------------------------------------
    def _fetch(self) -> list[Any]:
        return list_segments(self.ctx)

    def follow_changes(self, *, arriving: bool = False) -> bool:
        """Changed elsewhere (`SubTabsPage.follow_changes`): the segments and their figures
        read again in place, the segment selected and the rows on screen kept; not while a
        load or a write runs, a dialog of the page shows (a name asked, a delete), a menu is
        open or a mouse button held (False: ask again later)."""
        if self.busy or in_the_way(self, arriving=arriving):
            return False
        self._follow_place = TablePlace.of(self.table, self._row_ids())
        self.refresh()
        return True

    def _row_ids(self) -> list[int]:
        """The segments' ids in the order the table shows them (sorted by the user)."""
        items = (self.table.item(r, 0) for r in range(self.table.rowCount()))
        return [int(item.data(ID_ROLE)) if item is not None else -1 for item in items]

    def _loaded(self, rows: list[Any]) -> None:
        place, self._follow_place = self._follow_place, None
        super()._loaded(rows)
        if place is not None and alive(self):
            place.restore(self.table, self._row_ids())

    def _fill(self, rows: list[Any]) -> None:
        for r, seg in enumerate(rows):
            assert isinstance(seg, SegmentRow)
            name = _Item(seg.name, fold(seg.name))
            name.setData(ID_ROLE, seg.id)
            cells = (
                name,
                _Item(number(seg.count), seg.count),
                _Item(number(seg.successful_orders), seg.successful_orders),
                _Item(_money(seg.total_expenses), seg.total_expenses),
                _Item(_date(seg.created_at), seg.created_at.timestamp()),
            )
            for c, item in enumerate(cells):
                if c:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(r, c, item)
        self._listed = True
        self._show_count()
        self.empty_hint.update_hint()  # an empty list loaded again changes no row

    def _update_actions(self) -> None:
        one = self.selected_id() is not None
        self.new_button.setEnabled(not self._busy)
        self.rename_button.setEnabled(one and not self._busy)
        self.delete_button.setEnabled(one and not self._busy)
        gate_export(self.export_button, self.ctx, one and not self._busy)  # "Export data"

    def _on_double_click(self, item: QTableWidgetItem) -> None:
        first = self.table.item(item.row(), 0)
        if first is not None:
            self.membersRequested.emit(int(first.data(ID_ROLE)))

    # Actions ------------------------------------------------------------------------------
    def new_segment(self, name: str | None = None) -> None:
        """Create a segment (asks its name unless given); it is selected once created."""
        if name is None:
            name = ask_name(self, self.tr("New segment"), self.tr("Segment name:"))
        if not name or self._busy:
            return
        ctx, wanted = self.ctx, name
        self._write(lambda: create_segment(ctx, wanted), self._select_after_load)

    def _select_after_load(self, segment_id: int) -> None:
        def select() -> None:
            self.loaded.disconnect(select)
            self.select_id(segment_id)

        self.loaded.connect(select)

    def rename_selected(self, name: str | None = None) -> None:
        seg = self.selected_row()
        if seg is None or self._busy:
            return
        if name is None:
            name = ask_name(self, self.tr("Rename segment"), self.tr("New name:"), seg.name)
        if not name or name == seg.name:
            return
        ctx, sid, wanted = self.ctx, seg.id, name
        self._write(lambda: rename_segment(ctx, sid, wanted))

    def delete_selected(self) -> None:
        """Delete the selected segment after asking (its customers are not deleted)."""
        seg = self.selected_row()
        if seg is None or self._busy:
            return
        question = count_text(
            seg.count,
            self.tr("Delete segment %1? Its %n customer stays; only the segment goes."),
            self.tr("Delete segment %1? Its %n customers stay; only the segment goes."),
        ).replace("%1", seg.name)
        if not ask_confirm(self, self.tr("Delete segment"), question):
            return
        ctx, sid = self.ctx, seg.id
        self._write(lambda: delete_segment(ctx, sid))

    def default_export_path(self, name: str) -> Path:
        """The export's folder and file name, its word in the UI's language (as the
        products export's: "phan-khuc-Khách VIP.xlsx", "segment-Khách VIP.xlsx")."""
        folder = self.ctx.settings.export_dir if self.ctx.settings else Path.home()
        safe = "".join(ch if ch.isalnum() or ch in "-_ " else "_" for ch in name).strip()
        word = "phan-khuc" if current_language() == "vi" else "segment"
        return folder / f"{word}-{safe or 'export'}.xlsx"

    def export(self, path: Path | None = None) -> None:
        """Export the selected segment's customers to an .xlsx file (asks where)."""
        seg = self.selected_row()
        if seg is None or self._busy:
            return
        if path is None:
            suggested = self.default_export_path(seg.name)
            path = ask_save_path(self, self.tr("Export segment"), suggested.parent,
                                 suggested.name, self.ctx)  # fmt: skip
            if path is None:
                return
        target = xlsx_path(path)
        ctx, sid, lang = self.ctx, seg.id, current_language()
        self._busy = True
        self._update_actions()

        def ended() -> None:
            self._busy = False
            if alive(self):
                self._update_actions()

        Op(
            self,
            lambda job: export_segment(ctx, sid, target, lang, progress=job.progress),
            title=self.tr("Exporting a segment"),
        ).with_progress(beside=True).success(self._exported).finally_(ended).run()

    def _exported(self, report: Any) -> None:
        if not alive(self):
            return
        one = self.tr("%n customer exported to %1.")
        many = self.tr("%n customers exported to %1.")
        text = count_text(report.rows, one, many).replace("%1", str(report.path))
        box = export_done_box(self, self.tr("Export finished"), text, self.tr("Open folder"),
                              report.path)  # fmt: skip
        box.setObjectName("segmentsMessage")
        self.last_message = box
        box.open()

    def shutdown(self) -> None:
        """Nothing runs in the background between actions; here for the tab's shutdown."""


# --------------------------------------------------------------------------- tags


class TagsDialog(QDialog, _RowsWidget):
    """Manage the customer tags: New tag…, Rename…, Delete (not the defaults)."""

    loaded = Signal()
    changed = Signal()

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._init_rows()
        self.ctx = ctx
        self.setObjectName("tagsDialog")
        self.resize(460, 420)
        layout = QVBoxLayout(self)
        self.table = _table("tagsView", 2, right=[1])
        self.table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents
        )
        self.table.itemSelectionChanged.connect(self._update_actions)
        layout.addWidget(self.table, 1)
        self.hint = QLabel()
        self.hint.setObjectName("muted")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        row = QHBoxLayout()
        self.new_button = QPushButton()
        self.new_button.setObjectName("newTag")
        self.new_button.clicked.connect(lambda: self.new_tag())
        self.rename_button = QPushButton()
        self.rename_button.setObjectName("renameTag")
        self.rename_button.clicked.connect(lambda: self.rename_selected())
        self.delete_button = QPushButton()
        self.delete_button.setObjectName("deleteTag")
        self.delete_button.clicked.connect(self.delete_selected)
        for button in (self.new_button, self.rename_button, self.delete_button):
            row.addWidget(button)
        row.addStretch(1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        row.addWidget(self.buttons)
        layout.addLayout(row)
        self.retranslate()
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            if self.rows:
                self._loaded(self.rows)
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Customer tags"))
        self.new_button.setText(self.tr("New tag…"))
        self.rename_button.setText(self.tr("Rename…"))
        self.delete_button.setText(self.tr("Delete"))
        self.hint.setText(self.tr("Default tags can be renamed but not deleted."))
        self.table.setHorizontalHeaderLabels([self.tr("Tag"), self.tr("Customers")])

    def _fetch(self) -> list[Any]:
        return list_tags(self.ctx)

    def _fill(self, rows: list[Any]) -> None:
        default = self.tr("default")
        for r, tag in enumerate(rows):
            assert isinstance(tag, TagRow)
            text = f"{tag.name}  ({default})" if tag.is_default else tag.name
            name = _Item(text, fold(tag.name))
            name.setData(ID_ROLE, tag.id)
            count = _Item(number(tag.count), tag.count)
            count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(r, 0, name)
            self.table.setItem(r, 1, count)

    def _update_actions(self) -> None:
        tag = self.selected_row()
        self.new_button.setEnabled(not self._busy)
        self.rename_button.setEnabled(tag is not None and not self._busy)
        self.delete_button.setEnabled(tag is not None and not tag.is_default and not self._busy)

    def new_tag(self, name: str | None = None) -> None:
        if name is None:
            name = ask_name(self, self.tr("New tag"), self.tr("Tag name:"))
        if not name or self._busy:
            return
        ctx, wanted = self.ctx, name
        self._write(lambda: create_tag(ctx, wanted))

    def rename_selected(self, name: str | None = None) -> None:
        tag = self.selected_row()
        if tag is None or self._busy:
            return
        if name is None:
            name = ask_name(self, self.tr("Rename tag"), self.tr("New name:"), tag.name)
        if not name or name == tag.name:
            return
        ctx, tid, wanted = self.ctx, tag.id, name
        self._write(lambda: rename_tag(ctx, tid, wanted))

    def delete_selected(self) -> None:
        tag = self.selected_row()
        if tag is None or tag.is_default or self._busy:
            return
        question = count_text(
            tag.count,
            self.tr("Delete tag %1? It is taken off its %n customer."),
            self.tr("Delete tag %1? It is taken off its %n customers."),
        ).replace("%1", tag.name)
        codes = self._vouchers_only_for(tag.id)
        if codes:  # without the tag they would be for everyone: the delete switches them off
            question += "\n\n" + self.tr(
                "Vouchers %1 are only for this tag: they will be switched off."
            ).replace("%1", ", ".join(codes))
        if not ask_confirm(self, self.tr("Delete tag"), question):
            return
        ctx, tid = self.ctx, tag.id
        self._write(lambda: delete_tag(ctx, tid))

    def _vouchers_only_for(self, tag_id: int) -> list[str]:
        try:
            return vouchers_only_for_tag(self.ctx, tag_id)
        except PrimedistError:
            return []  # the delete says what is wrong


# --------------------------------------------------------------------------- pickers


class PickDialog(QDialog):
    """Choose one segment or tag (`kind`), filtered as you type; "New…" creates one and
    selects it. `chosen_id()` after OK."""

    loaded = Signal()

    def __init__(
        self,
        ctx: ServiceContext,
        kind: str,
        title: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        if kind not in ("segment", "tag"):
            raise ValueError(f"kind must be 'segment' or 'tag', not {kind!r}")
        self.ctx = ctx
        self.kind = kind
        self._busy = False
        self._select: int | None = None
        self.rows: Sequence[SegmentRow | TagRow] = ()
        self.setObjectName(f"pick_{kind}")
        self.resize(380, 420)
        layout = QVBoxLayout(self)
        self.filter = QLineEdit()
        self.filter.setObjectName("pickFilter")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._apply_filter)
        layout.addWidget(self.filter)
        self.list = QListWidget()
        self.list.setObjectName("pickList")
        self.list.itemSelectionChanged.connect(self._update_actions)
        self.list.itemDoubleClicked.connect(lambda _i: self.accept())
        layout.addWidget(self.list, 1)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setObjectName("primaryButton")
        self.new_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.ActionRole)
        self.new_button.setObjectName("pickNew")
        self.new_button.clicked.connect(lambda: self.create_new())
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._title = title
        self.retranslate()
        self.refresh()

    def retranslate(self) -> None:
        if self.kind == "segment":
            self.setWindowTitle(self._title or self.tr("Choose a segment"))
            self.new_button.setText(self.tr("New segment…"))
            self.filter.setPlaceholderText(self.tr("Find a segment"))
        else:
            self.setWindowTitle(self._title or self.tr("Choose a tag"))
            self.new_button.setText(self.tr("New tag…"))
            self.filter.setPlaceholderText(self.tr("Find a tag"))

    def refresh(self) -> None:
        self._busy = True
        ctx = self.ctx
        fetch: Callable[[], Sequence[SegmentRow | TagRow]]
        if self.kind == "segment":
            fetch = lambda: list_segments(ctx)  # noqa: E731
        else:
            fetch = lambda: list_tags(ctx)  # noqa: E731
        Op(self, lambda _job: fetch()).success(self._loaded).finally_(self._ended).run()

    def _ended(self) -> None:
        self._busy = False
        if alive(self):
            self._update_actions()

    def _loaded(self, rows: Sequence[SegmentRow | TagRow]) -> None:
        if not alive(self):
            return
        keep = self._select if self._select is not None else self.chosen_id()
        self.rows = rows
        self.list.clear()
        for row in rows:
            item = QListWidgetItem(f"{row.name}  ·  {number(row.count)}")
            item.setData(ID_ROLE, row.id)
            item.setData(SORT_ROLE, fold(row.name))
            self.list.addItem(item)
        self._apply_filter(self.filter.text())
        if keep is not None:
            self.select_id(keep)
        self._select = None
        self._update_actions()
        self.loaded.emit()

    def _apply_filter(self, text: str) -> None:
        wanted = fold(text).strip()
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setHidden(bool(wanted) and wanted not in str(item.data(SORT_ROLE)))
        if self.chosen_id() is None:  # nothing chosen, or the choice filtered out
            items = (self.list.item(i) for i in range(self.list.count()))
            first = next((it for it in items if not it.isHidden()), None)
            if first is not None:
                self.list.setCurrentItem(first)
            else:
                self.list.clearSelection()

    def select_id(self, row_id: int) -> bool:
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(ID_ROLE) == row_id:
                item.setHidden(False)
                self.list.setCurrentItem(item)
                return True
        return False

    def chosen_id(self) -> int | None:
        items = [it for it in self.list.selectedItems() if not it.isHidden()]
        return int(items[0].data(ID_ROLE)) if items else None

    def _update_actions(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.chosen_id() is not None and not self._busy)
        self.new_button.setEnabled(not self._busy)

    def create_new(self, name: str | None = None) -> None:
        """Create a segment/tag (asks its name unless given) and select it."""
        if name is None:
            title = self.tr("New segment") if self.kind == "segment" else self.tr("New tag")
            label = self.tr("Segment name:") if self.kind == "segment" else self.tr("Tag name:")
            name = ask_name(self, title, label, self.filter.text().strip())
        if not name or self._busy:
            return
        ctx, wanted, kind = self.ctx, name, self.kind
        make: Callable[[], int] = (
            (lambda: create_segment(ctx, wanted)) if kind == "segment"
            else (lambda: create_tag(ctx, wanted))
        )  # fmt: skip
        self._busy = True
        self._update_actions()

        def created(new_id: int) -> None:
            if not alive(self):
                return
            self._select = new_id
            self.filter.clear()
            self.refresh()

        Op(self, lambda _job: make()).success(created).finally_(self._ended).run()


def _pick(parent: QWidget | None, ctx: ServiceContext, kind: str, title: str | None) -> int | None:
    dialog = PickDialog(ctx, kind, title, parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.chosen_id()
    finally:
        dialog.deleteLater()


def pick_segment(
    parent: QWidget | None, ctx: ServiceContext, title: str | None = None
) -> int | None:
    """Ask for a segment (or a new one); its id, or None when cancelled."""
    return _pick(parent, ctx, "segment", title)


def pick_tag(parent: QWidget | None, ctx: ServiceContext, title: str | None = None) -> int | None:
    """Ask for a tag (or a new one); its id, or None when cancelled."""
    return _pick(parent, ctx, "tag", title)
