"""Duplicate customers: groups of likely duplicates, pick the survivor, merge.

`DuplicatesDialog(ctx)` lists `services.customers.find_duplicates` (same normalised phone,
or same folded name and province) as a tree: one group per top-level row, its customers
below with their phones, province, orders, expenses, what they owe (the Customers list's
Owes: a merge moves it) and dates. In each group the user ticks **Keep** on the customer
that stays (by default the one with the most orders, then the oldest) and **Merge** on the
ones to merge into it (all, by default, in a group of the same phone: untick a customer who
is someone else). A group of the same name alone is a *possible match* (namesakes are
common): shown after the phone groups, nothing ticked until the owner ticks Merge (Keep then
goes to the suggested customer); the address and latest order sit beside the name to
decide by, within the width of a 1366 px screen. "Merge…"
asks first (`ask_confirm`, which tests replace), runs `merge_customers` off the UI thread,
says what moved, emits `merged(survivor_id)` and reloads the groups. "Not duplicates"
records that the group's customers are different people (`mark_not_duplicates`: a husband
and wife sharing a phone) after asking, and reloads: the group no longer shows. Merging
hides customers for good, and a group said not to be duplicates does not come back, so only
the owner or a manager does either: for the others the buttons stay off and say why.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.core.clock import format_date, shop_tz
from primedist.core.money import format_money
from primedist.domain.enums import Role
from primedist.services.context import ServiceContext
from primedist.services.customers import (
    DuplicateGroup,
    DuplicateMember,
    MergeReport,
    find_duplicates,
    mark_not_duplicates,
    merge_customers,
)
from primedist.ui.errors import box_text
from primedist.ui.formatting import phone_text
from primedist.ui.i18n import current_language
from primedist.ui.list_tools import alive, number
from primedist.ui.ops import Op

ID_ROLE = Qt.ItemDataRole.UserRole
# What tells two customers apart comes first (name, phones, address, latest order).
KEEP, MERGE, NAME, PHONES, ADDRESS, PROVINCE, LAST, ORDERS, EXPENSES, OWES, CODE, CREATED = range(
    12
)


def ask_confirm(parent: QWidget, title: str, text: str) -> bool:
    """Yes/No question, No by default (tests replace it)."""
    answer = QMessageBox.question(
        parent, title, box_text(text),  # names as typed or imported
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )  # fmt: skip
    return answer == QMessageBox.StandardButton.Yes


def _children(item: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    return [c for c in (item.child(i) for i in range(item.childCount())) if c is not None]


def default_survivor(group: DuplicateGroup) -> DuplicateMember:
    """The customer kept unless the user picks another: most orders, then the oldest."""
    return suggested(group.members)


def suggested(members: Sequence[DuplicateMember]) -> DuplicateMember:
    """Of these customers, the one to keep: most orders, then the oldest."""
    return min(members, key=lambda m: (-m.total_orders, m.created_at, m.id))


class DuplicatesDialog(QDialog):
    """Find and merge duplicate customers. Signal `merged(int survivor_id)` after a merge."""

    merged = Signal(int)

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.groups: list[DuplicateGroup] = []
        self._busy = False
        self._syncing = False
        #: What the last merge (or "Not duplicates") did, until the groups are read again.
        self.merge_result = ""
        self.resize(1240, 600)  # fits a 1366 px screen
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(12)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The address takes the room left (cut short, whole in its tooltip): no side-scroll.
        header.setSectionResizeMode(ADDRESS, QHeaderView.ResizeMode.Stretch)
        self.tree.itemChanged.connect(self._item_changed)
        self.tree.currentItemChanged.connect(lambda *_: self._update_actions())
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.refresh)
        self.merge_button = QPushButton()
        self.merge_button.clicked.connect(self.merge_current)
        self.apart_button = QPushButton()
        self.apart_button.clicked.connect(self.not_duplicates_current)
        self.close_button = QPushButton()
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        buttons.addWidget(self.apart_button)
        buttons.addWidget(self.merge_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.retranslate()
        self.refresh()

    # ------------------------------------------------------------------ texts
    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Duplicate customers"))
        self.intro.setText(
            self.tr(
                "Customers with the same phone, or the same name in the same province. In "
                "each group tick Keep on the customer who stays and Merge on those to merge "
                "into it: their orders, points, tags, segments, addresses, phones and "
                "marketplace ids move to the customer kept. For customers who are really "
                "different people (a husband and wife sharing a phone), use Not duplicates…: "
                "their group is no longer shown. Same name only is a possible match: "
                "nothing is ticked, compare the address and latest order first."
            )
        )
        self.tree.setHeaderLabels([
            self.tr("Keep"), self.tr("Merge"), self.tr("Name"), self.tr("Phones"),
            self.tr("Address"), self.tr("Province"), self.tr("Latest order"),
            self.tr("Orders"), self.tr("Total spent"), self.tr("Owes"), self.tr("Code"),
            self.tr("Created"),
        ])  # fmt: skip
        self.refresh_button.setText(self.tr("Refresh"))
        self.merge_button.setText(self.tr("Merge…"))
        self.merge_button.setToolTip(
            "" if self.may_merge() else self.tr("Only the owner or a manager merges customers.")
        )
        self.apart_button.setText(self.tr("Not duplicates…"))
        self.apart_button.setToolTip(
            self.tr(
                "The customers of this group are different people: stop showing them as duplicates."
            )
            if self.may_merge()
            else self.tr("Only the owner or a manager says customers are not duplicates.")
        )
        self.close_button.setText(self.tr("Close"))
        if self.groups:
            self._fill(self.groups)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _group_title(self, group: DuplicateGroup) -> str:
        n = len(group.members)
        if group.reason == "phone":
            phone = phone_text(group.key)
            return self.tr("Same phone {phone} ({n} customers)").format(phone=phone, n=n)
        # The first member's own spelling (the key is folded: "ho my chau · tp. ho chi minh").
        first = group.members[0]
        key = " · ".join(part for part in (first.name, first.province) if part) or group.key
        return self.tr("Possible match: same name and province, {key} ({n} customers)").format(
            key=key, n=n
        )

    # ------------------------------------------------------------------ loading
    def refresh(self) -> None:
        self._busy = True
        self._update_actions()
        ctx = self.ctx
        Op(self, lambda _job: find_duplicates(ctx)).success(self._loaded).finally_(
            self._ended
        ).run()

    def _ended(self) -> None:
        self._busy = False
        if alive(self):
            self._update_actions()

    def _loaded(self, groups: list[DuplicateGroup]) -> None:
        if not alive(self):
            return
        self.groups = groups
        self._fill(groups)
        if not groups:
            # After merging the last group, what the merge did stays in view.
            merged = self.merge_result
            none_left = self.tr("No likely duplicates found.")
            self.message.setText(f"{merged} {none_left}" if merged else none_left)
        self.merge_result = ""

    def _fill(self, groups: Sequence[DuplicateGroup]) -> None:
        tz = shop_tz()
        lang = current_language()
        self._syncing = True
        self.tree.clear()
        for index, group in enumerate(groups):
            # The title spans the row (as wide as the Name column, it pushed the columns
            # that tell customers apart off to the right).
            top = QTreeWidgetItem([self._group_title(group)])
            top.setData(NAME, ID_ROLE, index)
            keep = default_survivor(group)
            # A shared phone is most likely one person; a shared name is only a guess: the
            # owner ticks Merge after comparing (a merge cannot be undone).
            sure = group.reason == "phone"
            for m in group.members:
                phones = ", ".join(map(phone_text, m.phones))
                row = QTreeWidgetItem(["", "", m.name, phones, m.address, m.province or "",
                                       format_date(m.last_order_at, lang, tz)
                                       if m.last_order_at else "",
                                       number(m.total_orders),
                                       format_money(m.total_expenses, lang),
                                       format_money(m.owed, lang) if m.owed else "",
                                       m.code, format_date(m.created_at, lang, tz)])  # fmt: skip
                row.setToolTip(ADDRESS, m.address)
                row.setData(NAME, ID_ROLE, m.id)
                row.setFlags(row.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                is_keep = sure and m.id == keep.id
                is_merge = sure and not is_keep
                row.setCheckState(
                    KEEP, Qt.CheckState.Checked if is_keep else Qt.CheckState.Unchecked
                )
                row.setCheckState(
                    MERGE, Qt.CheckState.Checked if is_merge else Qt.CheckState.Unchecked
                )
                top.addChild(row)
            self.tree.addTopLevelItem(top)
            top.setFirstColumnSpanned(True)
            top.setExpanded(True)
        self._syncing = False
        if self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.group_item(0))
        self._update_actions()

    # ------------------------------------------------------------------ choices
    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        """Keep is one per group; the customer kept is not merged."""
        parent = item.parent()
        if self._syncing or parent is None or column not in (KEEP, MERGE):
            return
        self._syncing = True
        if column == KEEP and item.checkState(KEEP) == Qt.CheckState.Checked:
            for other in _children(parent):
                if other is not item:
                    if other.checkState(KEEP) == Qt.CheckState.Checked:
                        other.setCheckState(MERGE, Qt.CheckState.Checked)
                    other.setCheckState(KEEP, Qt.CheckState.Unchecked)
            item.setCheckState(MERGE, Qt.CheckState.Unchecked)
        elif column == MERGE and item.checkState(MERGE) == Qt.CheckState.Checked:
            item.setCheckState(KEEP, Qt.CheckState.Unchecked)
            self._suggest_keep(parent)
        self._syncing = False
        self._update_actions()

    def _suggest_keep(self, top: QTreeWidgetItem) -> None:
        """Merge ticked in a group with no one kept (a possible match starts so): keep the
        suggested customer (`default_survivor`) of those not being merged."""
        rows = _children(top)
        if any(r.checkState(KEEP) == Qt.CheckState.Checked for r in rows):
            return
        left = {int(r.data(NAME, ID_ROLE)): r for r in rows
                if r.checkState(MERGE) != Qt.CheckState.Checked}  # fmt: skip
        members = [m for m in (self._member(cid) for cid in left) if m is not None]
        if members:
            left[suggested(members).id].setCheckState(KEEP, Qt.CheckState.Checked)

    def current_group(self) -> QTreeWidgetItem | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        return item.parent() or item

    def group_item(self, index: int) -> QTreeWidgetItem:
        item = self.tree.topLevelItem(index)
        assert item is not None
        return item

    def choice(self, top: QTreeWidgetItem) -> tuple[int | None, list[int]]:
        """(survivor id or None, ids to merge into it) of a group row."""
        keep: int | None = None
        merge: list[int] = []
        for row in _children(top):
            cid = int(row.data(NAME, ID_ROLE))
            if row.checkState(KEEP) == Qt.CheckState.Checked:
                keep = cid
            elif row.checkState(MERGE) == Qt.CheckState.Checked:
                merge.append(cid)
        return keep, merge

    def _member(self, cid: int) -> DuplicateMember | None:
        return next((m for g in self.groups for m in g.members if m.id == cid), None)

    def may_merge(self) -> bool:
        """Merging is for the owner and managers (the service refuses the others)."""
        return self.ctx.actor.role in (Role.OWNER, Role.MANAGER)

    def _update_actions(self) -> None:
        top = self.current_group()
        keep, merge = self.choice(top) if top is not None else (None, [])
        self.merge_button.setEnabled(
            self.may_merge() and not self._busy and keep is not None and bool(merge)
        )
        self.apart_button.setEnabled(self.may_merge() and not self._busy and top is not None)
        self.refresh_button.setEnabled(not self._busy)

    # ------------------------------------------------------------------ merge
    def merge_current(self) -> None:
        top = self.current_group()
        if top is None or self._busy or not self.may_merge():
            return
        keep, merge = self.choice(top)
        if keep is None or not merge:
            return
        survivor = self._member(keep)
        label = f"{survivor.name} ({survivor.code})" if survivor else str(keep)
        names = ", ".join(
            f"{m.name} ({m.code})" for m in (self._member(i) for i in merge) if m is not None
        )
        question = self.tr(
            "Merge {names} into {survivor}?\n\nTheir orders, what they owe (sales on "
            "account and payments), points, tags, segments, addresses (the newest 10 kept), "
            "phones and marketplace ids move to {survivor}; they are then hidden from the "
            "lists. This cannot be undone."
        ).format(names=names, survivor=label)
        if not ask_confirm(self, self.tr("Merge customers"), question):
            return
        ctx = self.ctx
        self._busy = True
        self._update_actions()

        def done(report: MergeReport) -> None:
            if not alive(self):
                return
            self.merge_result = self.tr(
                "Merged {n} customer(s) into {survivor}: {orders} order(s) moved."
            ).format(n=len(report.merged_ids), survivor=label,
                     orders=number(report.moved.get("orders", 0)))  # fmt: skip
            self.message.setText(self.merge_result)
            self.merged.emit(report.survivor_id)
            self.refresh()

        Op(self, lambda _job: merge_customers(ctx, keep, merge)).success(done).finally_(
            self._ended
        ).run()

    # ------------------------------------------------------------------ not duplicates
    def not_duplicates_current(self) -> None:
        """Every customer of the current group is someone else: the group stops showing."""
        top = self.current_group()
        if top is None or self._busy or not self.may_merge():
            return
        ids = [int(row.data(NAME, ID_ROLE)) for row in _children(top)]
        names = ", ".join(
            f"{m.name} ({m.code})" for m in (self._member(i) for i in ids) if m is not None
        )
        question = self.tr(
            "Are {names} different people?\n\nThey will no longer be shown as duplicates "
            "of one another, even if they later share more (a phone, a name)."
        ).format(names=names)
        if not ask_confirm(self, self.tr("Not duplicates"), question):
            return
        ctx = self.ctx
        self._busy = True
        self._update_actions()

        def done(_pairs: int) -> None:
            if not alive(self):
                return
            self.merge_result = self.tr("{names}: no longer shown as duplicates.").format(
                names=names
            )
            self.message.setText(self.merge_result)
            self.refresh()

        Op(self, lambda _job: mark_not_duplicates(ctx, ids)).success(done).finally_(
            self._ended
        ).run()
