"""Settings → Staff: the accounts, adding one (its one-time password shown once), changing
role, module access and the rights "Refunds and returns" and "Export data",
disabling/enabling, resetting a password; and the idle-lock delay.

Only the owner and managers see the list (the services refuse the others too)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.domain.enums import Module, Role
from primedist.services import staff as svc
from primedist.services.context import Actor, ServiceContext
from primedist.services.staff import IssuedPassword, StaffMember
from primedist.ui.errors import box_text
from primedist.ui.labels import enum_label
from primedist.ui.messages import say
from primedist.ui.ops import Op
from primedist.ui.settings.account import message_label, run_inline
from primedist.ui.widgets import align_headers

COL_NAME, COL_EMAIL, COL_ROLE, COL_MODULES, COL_STATUS = range(5)


def module_title(module: Module) -> str:
    titles = {
        Module.PRODUCTS: QCoreApplication.translate("staff", "Products"),
        Module.ORDERS: QCoreApplication.translate("staff", "Orders"),
        Module.CUSTOMERS: QCoreApplication.translate("staff", "Customers"),
        Module.SETTINGS: QCoreApplication.translate("staff", "Settings"),
        Module.ANALYTICS: QCoreApplication.translate("staff", "Analytics"),
    }
    return titles[module]


def refunds_title() -> str:
    """The staff right to take returns, give refunds, exchange and cancel paid orders."""
    return QCoreApplication.translate("staff", "Refunds and returns")


def exports_title() -> str:
    """The staff right to export the shop's data (of their modules) to files."""
    return QCoreApplication.translate("staff", "Export data")


def may_manage(actor: Actor, member: StaffMember) -> bool:
    """Whether `actor` may change `member`'s account: the services' rule (staff._may_manage)
    said before the click, so a manager is not offered what is refused."""
    if actor.role is Role.OWNER or member.id == actor.id:
        return True
    return member.role not in (Role.OWNER, Role.MANAGER)


def owner_only_text() -> str:
    """Why a manager cannot change the owner's or another manager's account."""
    return QCoreApplication.translate(
        "staff", "Only the owner may change the owner's or a manager's account."
    )


class StaffDialog(QDialog):
    """Add or edit an account: name, email (a mistyped one corrected too: the person then
    signs in with the new one), role, module access, and the right "Refunds and returns"
    under Orders and "Export data" under the modules (both off for a new account; the owner
    and managers always have them)."""

    def __init__(
        self, ctx: ServiceContext, member: StaffMember | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.member = member
        self.result_member: StaffMember | None = None
        self.issued: IssuedPassword | None = None
        self.setObjectName("staffDialog")
        self.setMinimumWidth(440)  # room for a whole name and email address
        self.setWindowTitle(self.tr("Add staff") if member is None else self.tr("Edit staff"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit(member.name if member else "")
        self.email = QLineEdit(member.email if member else "")
        self.email.setObjectName("staffEmail")
        self.role = QComboBox()
        for role in svc.ASSIGNABLE_ROLES:
            if role is Role.MANAGER and not self._may_make_manager():
                continue  # only the owner makes someone a manager (the service refuses it)
            self.role.addItem(enum_label(role), role.value)
        if member is not None and member.role is Role.OWNER:
            self.role.addItem(enum_label(Role.OWNER), Role.OWNER.value)
            self.role.setEnabled(False)
        self.role.setCurrentIndex(max(0, self.role.findData((member.role if member else
                                                             Role.STAFF).value)))  # fmt: skip
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Email"), self.email)
        form.addRow(self.tr("Role"), self.role)
        layout.addLayout(form)
        self.modules_caption = QLabel(self.tr("Module access (staff only):"))
        layout.addWidget(self.modules_caption)
        self.module_boxes: dict[Module, QCheckBox] = {}
        for module in Module:
            box = QCheckBox(module_title(module))
            box.setObjectName(f"module_{module.value}")
            box.setChecked(member is not None and module in member.modules)
            self.module_boxes[module] = box
            layout.addWidget(box)
            if module is Module.ORDERS:
                layout.addLayout(self._refunds_row(member))
        # Across the modules: whatever lists and reports they open, a file leaves the shop.
        self.exports_box = QCheckBox(exports_title())
        self.exports_box.setObjectName("right_exports")
        self.exports_box.setChecked(member is not None and member.can_export)
        self.exports_box.setToolTip(
            self.tr("Export the lists and reports of their modules to files (Excel, CSV): "
                    "orders with customers' phones and addresses, customers, products… The "
                    "owner and managers always may.")
        )  # fmt: skip
        layout.addWidget(self.exports_box)
        self.module_boxes[Module.ORDERS].toggled.connect(lambda _on: self._role_changed())
        self.role.currentIndexChanged.connect(lambda _i: self._role_changed())
        self.message = message_label("errorText")
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setObjectName("primaryButton")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._role_changed()

    def _refunds_row(self, member: StaffMember | None) -> QHBoxLayout:
        """The right under Orders, indented: it is a right within Orders."""
        self.refunds_box = QCheckBox(refunds_title())
        self.refunds_box.setObjectName("right_refunds")
        self.refunds_box.setChecked(member is not None and member.can_refund)
        self.refunds_box.setToolTip(
            self.tr("Take returns, give refunds, exchange items and cancel paid orders. The "
                    "owner and managers always may.")
        )  # fmt: skip
        row = QHBoxLayout()
        row.addSpacing(24)
        row.addWidget(self.refunds_box, 1)
        return row

    def _may_make_manager(self) -> bool:
        """The owner, or a manager keeping their own role (staff._check_role)."""
        if self.ctx.actor.role is Role.OWNER:
            return True
        return self.member is not None and self.member.role is Role.MANAGER

    def _role_changed(self) -> None:
        staff_role = self.role.currentData() == Role.STAFF.value
        for box in self.module_boxes.values():
            box.setEnabled(staff_role)
        # Without Orders there is nothing to refund: the right waits for Orders.
        self.refunds_box.setEnabled(staff_role and self.module_boxes[Module.ORDERS].isChecked())
        self.exports_box.setEnabled(staff_role)

    def chosen_modules(self) -> list[Module]:
        return [m for m, box in self.module_boxes.items() if box.isChecked()]

    def submit(self) -> None:
        name, email = self.name.text(), self.email.text()
        role, modules = Role(self.role.currentData()), self.chosen_modules()
        refunds, exports = self.refunds_box.isChecked(), self.exports_box.isChecked()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if self.member is None:
            run_inline(self, lambda: svc.add_staff(self.ctx, name=name, email=email, role=role,
                                                   modules=modules, can_refund=refunds,
                                                   can_export=exports),
                       self.message, self._added, ok)  # fmt: skip
        else:
            uid = self.member.id
            run_inline(self, lambda: svc.update_staff(self.ctx, uid, name=name, email=email,
                                                      role=role, modules=modules,
                                                      can_refund=refunds, can_export=exports),
                       self.message, self._saved, ok)  # fmt: skip

    def _added(self, issued: IssuedPassword) -> None:
        self.issued = issued
        self.result_member = issued.member
        self.accept()

    def _saved(self, member: StaffMember) -> None:
        self.result_member = member
        self.accept()


class OneTimePasswordDialog(QDialog):
    """Shows a one-time password once, with a Copy button: it is not stored anywhere."""

    def __init__(self, issued: IssuedPassword, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("oneTimePasswordDialog")
        self.setWindowTitle(self.tr("One-time password"))
        layout = QVBoxLayout(self)
        text = QLabel(
            self.tr(
                "Give this one-time password to %s (%s). It is shown only now; they choose "
                "their own password when they first sign in."
            )
            % (issued.member.name, issued.member.email)
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        self.password = QLineEdit(issued.one_time_password)
        self.password.setObjectName("oneTimePassword")
        self.password.setReadOnly(True)
        layout.addWidget(self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = buttons.addButton(
            self.tr("Copy"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.copy_button.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(self.password.text())
        )
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)


class StaffSettings(QWidget):
    """The accounts table with Add / Edit / Disable-Enable / Reset password, and the lock."""

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.members: list[StaffMember] = []
        self.setObjectName("staffSettings")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        layout.addWidget(self.title)
        self.not_allowed = QLabel()
        self.not_allowed.setObjectName("banner")
        self.not_allowed.setWordWrap(True)
        layout.addWidget(self.not_allowed)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("staffTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        align_headers(self.table)
        self.table.viewport().installEventFilter(self)  # its width decides _fit_columns
        self.table.itemSelectionChanged.connect(self._update_actions)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        layout.addWidget(self.table, 1)
        bar = QHBoxLayout()
        self.add_button = QPushButton()
        self.add_button.setObjectName("primaryButton")
        self.add_button.clicked.connect(self.add_member)
        self.edit_button = QPushButton()
        self.edit_button.clicked.connect(self.edit_selected)
        self.active_button = QPushButton()
        self.active_button.setObjectName("toggleActive")
        self.active_button.clicked.connect(self.toggle_active)
        self.reset_button = QPushButton()
        self.reset_button.clicked.connect(self.reset_selected)
        for b in (self.add_button, self.edit_button, self.active_button, self.reset_button):
            bar.addWidget(b)
        bar.addStretch(1)
        layout.addLayout(bar)
        lock_row = QHBoxLayout()
        self.lock_caption = QLabel()
        self.lock_minutes = QSpinBox()
        self.lock_minutes.setObjectName("lockMinutes")
        self.lock_minutes.setRange(0, svc.MAX_LOCK_MINUTES)
        self.lock_save = QPushButton()
        self.lock_save.setObjectName("saveLock")
        self.lock_save.clicked.connect(self.save_lock)
        self.lock_message = message_label("lockMessage")
        lock_row.addWidget(self.lock_caption)
        lock_row.addWidget(self.lock_minutes)
        lock_row.addWidget(self.lock_save)
        lock_row.addWidget(self.lock_message, 1)
        lock_row.addStretch(1)  # the button keeps its width while no message shows
        layout.addLayout(lock_row)
        self.allowed = ctx.actor.role in (Role.OWNER, Role.MANAGER)
        self.not_allowed.setVisible(not self.allowed)
        for w in (self.table, self.add_button, self.edit_button, self.active_button,
                  self.reset_button, self.lock_minutes, self.lock_save):  # fmt: skip
            w.setEnabled(self.allowed)
        self.retranslate()
        # Everyone reads the lock delay that applies to them (only a manager changes it).
        self.lock_minutes.setValue(svc.lock_minutes(ctx))
        if self.allowed:
            self.reload()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_columns()
        return super().eventFilter(watched, event)

    def _fit_columns(self) -> None:
        """Every column as wide as its longest text. The last one (the status: "Active
        (one-time password)" is long) takes the spare width when there is some, so no gap
        shows on the right; when there is none, the list scrolls sideways instead of
        cutting the status with "…" (a stretched last column only gets what is left)."""
        header = self.table.horizontalHeader()
        needed = sum(
            max(self.table.sizeHintForColumn(c), header.sectionSizeHint(c))
            for c in range(self.table.columnCount())
        )
        spare = needed < self.table.viewport().width()
        if header.stretchLastSection() != spare:
            header.setStretchLastSection(spare)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Staff"))
        self.not_allowed.setText(self.tr("Only the owner or a manager manages staff accounts."))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Name"), self.tr("Email"), self.tr("Role"), self.tr("Modules"),
             self.tr("Status")]
        )  # fmt: skip
        self.add_button.setText(self.tr("Add staff…"))
        self.edit_button.setText(self.tr("Edit…"))
        self.reset_button.setText(self.tr("Reset password…"))
        self.lock_caption.setText(
            self.tr("Lock the window after this many idle minutes (0 = never):")
        )
        self.lock_minutes.setSuffix(self.tr(" min"))
        self.lock_save.setText(self.tr("Save"))
        self._fill()

    # Data ---------------------------------------------------------------------------------
    def reload(self) -> None:
        op: Op[list[StaffMember]] = Op(self, lambda _job: svc.list_staff(self.ctx))
        op.success(self._loaded).run()

    def _loaded(self, members: list[StaffMember]) -> None:
        self.members = members
        self._fill()

    def _fill(self) -> None:
        selected = self.selected()
        self.table.setRowCount(len(self.members))
        for row, m in enumerate(self.members):
            rights = [module_title(x) for x in Module if x in m.modules]
            if m.can_refund:
                rights.append(refunds_title())
            if m.can_export:
                rights.append(exports_title())
            granted = ", ".join(rights) or "—"
            modules = self.tr("All") if m.role is not Role.STAFF else granted
            status = self.tr("Active") if m.is_active else self.tr("Disabled")
            if m.is_active and m.must_change_password:
                status = self.tr("Active (one-time password)")
            for col, text in enumerate((m.name, m.email, enum_label(m.role), modules, status)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, m.id)
                self.table.setItem(row, col, item)
            if selected is not None and m.id == selected.id:
                self.table.selectRow(row)
        self._fit_columns()
        self._update_actions()

    def selected(self) -> StaffMember | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.members):
            return None
        return self.members[rows[0].row()]

    def select_email(self, email: str) -> None:
        for row, m in enumerate(self.members):
            if m.email == email:
                self.table.selectRow(row)

    def _update_actions(self) -> None:
        m = self.selected()
        editable = self.allowed and m is not None and may_manage(self.ctx.actor, m)
        self.edit_button.setEnabled(editable)
        own_or_owner = m is not None and (m.role is Role.OWNER or m.id == self.ctx.actor.id)
        self.active_button.setEnabled(editable and not own_or_owner)
        # A manager's own password: changed in My account, reset only by the owner.
        own_manager = (m is not None and m.id == self.ctx.actor.id
                       and self.ctx.actor.role is Role.MANAGER)  # fmt: skip
        self.reset_button.setEnabled(editable and m is not None and m.role is not Role.OWNER
                                     and not own_manager)  # fmt: skip
        self.active_button.setText(
            self.tr("Enable") if m is not None and not m.is_active else self.tr("Disable")
        )
        # A manager on the owner's or another manager's row: the buttons say why they are off.
        why = owner_only_text() if self.allowed and m is not None and not editable else ""
        for button in (self.edit_button, self.active_button, self.reset_button):
            button.setToolTip(why)
        if own_manager:
            self.reset_button.setToolTip(owner_only_text())

    # Actions ------------------------------------------------------------------------------
    def add_member(self) -> StaffDialog:
        dialog = StaffDialog(self.ctx, None, self)
        dialog.accepted.connect(lambda: self._after_add(dialog))
        dialog.open()
        return dialog

    def _after_add(self, dialog: StaffDialog) -> None:
        if dialog.issued is not None:
            self.show_password(dialog.issued)
        self.reload()

    def show_password(self, issued: IssuedPassword) -> OneTimePasswordDialog:
        box = OneTimePasswordDialog(issued, self)
        box.open()
        return box

    def edit_selected(self) -> StaffDialog | None:
        m = self.selected()
        if m is None or not self.edit_button.isEnabled():  # a double-click on such a row
            return None
        dialog = StaffDialog(self.ctx, m, self)
        dialog.accepted.connect(self.reload)
        dialog.open()
        return dialog

    def toggle_active(self) -> None:
        m = self.selected()
        if m is None:
            return
        if m.is_active and not self._confirm_disable(m):
            return
        op: Op[StaffMember] = Op(self, lambda _job: svc.set_active(self.ctx, m.id,
                                                                    not m.is_active))  # fmt: skip
        op.success(lambda _m: self.reload()).run()

    def _confirm_disable(self, m: StaffMember) -> bool:
        """Disabling signs the person out at once: asked first, as a password reset is."""
        answer = QMessageBox.question(
            self,
            self.tr("Disable account"),
            box_text(
                self.tr("Disable %s's account? They are signed out at once and cannot sign in "
                        "until the account is enabled again.") % m.name
            ),
        )  # fmt: skip
        return answer == QMessageBox.StandardButton.Yes

    def reset_selected(self) -> None:
        m = self.selected()
        if m is None:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Reset password"),
            box_text(
                self.tr("Give %s a new one-time password? Their current password stops working.")
                % m.name
            ),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        op: Op[IssuedPassword] = Op(self, lambda _job: svc.reset_password(self.ctx, m.id))
        op.success(self._after_reset).run()

    def _after_reset(self, issued: IssuedPassword) -> None:
        self.show_password(issued)
        self.reload()

    def save_lock(self) -> None:
        minutes = self.lock_minutes.value()
        run_inline(self, lambda: svc.set_lock_minutes(self.ctx, minutes), self.lock_message,
                   lambda _m: self._lock_saved(), self.lock_save)  # fmt: skip

    def _lock_saved(self) -> None:
        say(self.lock_message, lambda: self.tr("Saved."))
        self.lock_message.show()
        window = self.window()
        apply = getattr(window, "set_lock_minutes", None)
        if callable(apply):
            apply(self.lock_minutes.value())
