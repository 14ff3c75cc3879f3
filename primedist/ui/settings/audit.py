"""Settings → Audit log: who did what and when, filtered by user, kind and days, newest
first (keyset-paged from SQL: the log is never loaded whole), and exported to Excel. The
PC each change was made on shows in its own column once the rows name more than one."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, QEvent, QModelIndex, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from primedist.core.clock import as_utc, format_date, format_datetime, shop_tz
from primedist.core.money import format_number
from primedist.domain.enums import Role
from primedist.errors import PrimedistError
from primedist.services import audit_log as svc
from primedist.services.audit_log import AuditFilter
from primedist.services.context import ServiceContext
from primedist.services.export_support import ExportReport
from primedist.ui.formatting import CellFormatter
from primedist.ui.i18n import current_language
from primedist.ui.labels import QT_TRANSLATE_NOOP, enum_label
from primedist.ui.list_tools import ask_save_path, setup_list_view, sort_by_default
from primedist.ui.messages import localize, say, say_error
from primedist.ui.ops import Op
from primedist.ui.settings.account import message_label
from primedist.ui.settings.audit_columns import AuditColumns, AuditTableModel
from primedist.ui.settings.audit_labels import (
    ENUM_FIELDS,
    action_label,
    document_label,
    field_label,
    field_value_label,
    kind_choices,
    record_label,
    stored_message_text,
    yes_no,
)

#: The audit list's column labels, marked for lupdate (SqlTableModel translates them).
COLUMN_LABELS = (
    QT_TRANSLATE_NOOP("columns", "When"),
    QT_TRANSLATE_NOOP("columns", "User"),
    QT_TRANSLATE_NOOP("columns", "PC"),
    QT_TRANSLATE_NOOP("columns", "Action"),
    QT_TRANSLATE_NOOP("columns", "Record"),
    QT_TRANSLATE_NOOP("columns", "Summary"),
    QT_TRANSLATE_NOOP("columns", "Before"),
    QT_TRANSLATE_NOOP("columns", "After"),
)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class AuditFormatter(CellFormatter):
    """The list's cells, with the action, the record's kind and the summary in the
    reader's words."""

    def __call__(self, kind: str, value: Any) -> str:
        if kind == "action" and value is not None:
            return action_label(str(value))
        if kind == "record" and value is not None:
            return record_label(str(value))
        if kind == "user" and value is None:  # the scheduler, the CLI acting as the system
            return QCoreApplication.translate("AuditLogSettings", "System")
        if kind == "message":
            return localize(svc.summary_text(value))
        if kind == "changes":
            return changes_text(value)
        return super().__call__(kind, value)


def changes_text(stored: Any) -> str:
    """A stored before/after value in the reader's words: an object as "low stock level:
    10; role: Staff; access to: Orders, Products; active: Yes" (objects inside it as
    "name: value" pairs too), times as the shop's local day and time, a setting's value as
    it reads (the raw text when it is not JSON)."""
    text = "" if stored is None else str(stored)
    try:
        data = json.loads(text) if text else None
    except ValueError:
        return text
    if not isinstance(data, dict):
        return text if data is None else _value_text("", data)
    return _object_text(data, top=True)


def _object_text(data: dict[Any, Any], *, top: bool = False) -> str:
    """The pairs of an object: the stored one's apart by ";", an inner one's by ","."""
    return ("; " if top else ", ").join(
        f"{_key_text(str(k), v)}: {_value_text(str(k), v, nested=not top)}" for k, v in data.items()
    )


def _key_text(key: str, value: Any) -> str:
    # A printer profile is stored under its document type (its `doc_type`).
    if isinstance(value, dict) and value.get("doc_type") == key:
        return document_label(key)
    return field_label(key)


#: ISO times and days as the services store them ("2026-12-12T00:00:00+07:00",
#: "2026-12-20"); other text that starts like a day (a note) stays as it is.
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _value_text(field: str, value: Any, *, nested: bool = False) -> str:
    """One value; `nested`: inside an object already, where an object or a list reads in
    brackets (its pairs apart from the outer ones)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, list):
        items = ", ".join(_value_text(field, v, nested=True) for v in value) or "—"
        return f"({items})" if nested and value else items
    if (said := stored_message_text(value)) is not None:
        return said
    if isinstance(value, dict):
        return f"({_object_text(value)})" if nested else _object_text(value)
    if field in ENUM_FIELDS:
        return enum_label(value)
    if (named := field_value_label(field, value)) is not None:
        return named
    if field == "doc_type":
        return document_label(str(value))
    if isinstance(value, str):
        return _time_text(value)
    return str(value)


def value_text(field: str, value: Any) -> str:
    """One stored value of `field` as the list words it (the row's detail)."""
    return _value_text(field, value)


def _time_text(text: str) -> str:
    """An ISO time as the shop's local day and time (a time without a zone is UTC, as the
    database keeps them), an ISO day as the day; other text as it is."""
    try:
        if _ISO_TIME.fullmatch(text):
            return format_datetime(as_utc(datetime.fromisoformat(text)), shop_tz(),
                                   current_language())  # fmt: skip
        if _ISO_DAY.fullmatch(text):
            return format_date(date.fromisoformat(text), current_language())
    except ValueError:  # 2026-13-45: not a day after all
        pass
    return text


class AuditLogSettings(QWidget):
    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("auditLogSettings")
        self.allowed = ctx.actor.role in (Role.OWNER, Role.MANAGER)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        layout.addWidget(self.title)
        self.not_allowed = QLabel()
        self.not_allowed.setObjectName("banner")
        self.not_allowed.setVisible(not self.allowed)
        layout.addWidget(self.not_allowed)
        row = QHBoxLayout()
        self.user = QComboBox()
        self.user.setObjectName("auditUser")
        self.kind = QComboBox()
        self.kind.setObjectName("auditKind")
        today = _qdate(ctx.clock.now().astimezone(shop_tz()).date())
        self.use_from, self.use_to = QCheckBox(), QCheckBox()
        self.date_from, self.date_to = QDateEdit(today.addDays(-30)), QDateEdit(today)
        for edit, box in ((self.date_from, self.use_from), (self.date_to, self.use_to)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.dateChanged.connect(lambda _d, box=box: self._date_chosen(box))
        for box in (self.use_from, self.use_to):
            box.toggled.connect(lambda _c: self.apply_filter())
        self.export_button = QPushButton()
        self.export_button.setObjectName("auditExport")
        self.export_button.clicked.connect(self.choose_export)
        for w in (self.user, self.kind, self.use_from, self.date_from, self.use_to, self.date_to):
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(self.export_button)
        layout.addLayout(row)
        self.message = message_label("auditMessage")
        layout.addWidget(self.message)
        self.count = QLabel()
        self.count.setObjectName("muted")
        self._rows: int | None = None
        layout.addWidget(self.count)
        self.view = QTableView()
        self.view.setObjectName("auditView")
        self.model = AuditTableModel(ctx.engine, svc.AUDIT_SPEC, formatter=AuditFormatter(),
                                     parent=self)  # fmt: skip
        layout.addWidget(self.view, 1)
        controls: tuple[QWidget, ...] = (self.user, self.kind, self.use_from, self.use_to,
                                         self.date_from, self.date_to, self.export_button,
                                         self.view)  # fmt: skip
        for control in controls:
            control.setEnabled(self.allowed)
        self.retranslate()
        if self.allowed:
            self._fill_choices()
            self.user.currentIndexChanged.connect(lambda _i: self.apply_filter())
            self.kind.currentIndexChanged.connect(lambda _i: self.apply_filter())
            setup_list_view(self.view, self.model, single=True, hidden=("pc",))
            # The columns fit the page's width (Before / After no longer past its edge).
            self.view.horizontalHeader().setStretchLastSection(False)
            self.columns = AuditColumns(self.view)
            # Queued: the model says it while the view reads a page to paint it.
            self.model.severalPcsChanged.connect(self._show_pcs,
                                                 Qt.ConnectionType.QueuedConnection)  # fmt: skip
            self.model.queryChanged.connect(lambda n: self._show_count(n))
            self.model.set_state(svc.audit_state(self.current_filter()))
            sort_by_default(self.view, svc.AUDIT_SPEC)
            self.view.activated.connect(self.open_detail)  # double-click, Enter

    def _show_pcs(self, _several: bool) -> None:
        """The PC column, when the rows read name more than one PC (as the model says
        now: a later page may have changed it since the signal was queued)."""
        self.columns.set_shown("pc", self.model.several_pcs)

    def open_detail(self, index: QModelIndex) -> QDialog | None:
        """The row whole: who, what, and each field before and after, one a line."""
        from primedist.ui.settings.audit_detail import AuditDetailDialog

        key = self.model.key_at(index.row())
        if key is None:
            return None
        try:
            row = svc.audit_event(self.ctx, key)
        except PrimedistError as exc:
            say_error(self.message, exc)
            self.message.show()
            return None
        dialog = AuditDetailDialog(row, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _fill_choices(self) -> None:
        """(Re)fill the user and kind filters in the current language, with the users and
        kinds the log holds now, keeping what is chosen."""
        users = [(self.tr("Everyone"), None)] + [
            (self.tr("System") if uid == svc.SYSTEM_USER else name, uid)
            for uid, name in svc.audit_users(self.ctx)
        ]
        # A choice's kinds as "order,orders": findData compares a tuple by identity.
        kinds = [(self.tr("Every kind"), None)] + [
            (name, ",".join(ks)) for name, ks in kind_choices(svc.audit_kinds(self.ctx))
        ]
        for box, items in ((self.user, users), (self.kind, kinds)):
            chosen = box.currentData()
            box.blockSignals(True)
            try:
                box.clear()
                for text, data in items:
                    box.addItem(text, data)
                box.setCurrentIndex(max(0, box.findData(chosen)))
            finally:
                box.blockSignals(False)

    def showEvent(self, event: QShowEvent) -> None:  # kinds and users may be new since
        if self.allowed:
            self._fill_choices()
        super().showEvent(event)

    def current_filter(self) -> AuditFilter:
        uid, kind = self.user.currentData(), self.kind.currentData()
        return AuditFilter(
            user_id=uid,
            kinds=tuple(kind.split(",")) if kind else (),
            date_from=self.date_from.date().toPython() if self.use_from.isChecked() else None,  # type: ignore[arg-type]
            date_to=self.date_to.date().toPython() if self.use_to.isChecked() else None,  # type: ignore[arg-type]
        )

    def _date_chosen(self, box: QCheckBox) -> None:
        """A date chosen filters by it: with its box unticked the list did not change, as
        if the date were ignored. Ticking the box applies the filter (its toggled)."""
        if box.isChecked():
            self.apply_filter()
        else:
            box.setChecked(True)

    def apply_filter(self) -> None:
        if not self.allowed:
            return
        flt = self.current_filter()
        try:
            svc.check_filter(flt)
        except PrimedistError as exc:
            say_error(self.message, exc)
            self.message.show()
            return
        self.message.hide()
        self.model.set_state(svc.audit_state(flt).with_sort(*self._sort()))

    def _sort(self) -> tuple[str, bool]:
        state = self.model.state
        if state.sort_key is None or state.descending is None:
            return svc.AUDIT_SPEC.default_sort, True
        return state.sort_key, state.descending

    def _show_count(self, n: int | None) -> None:
        self._rows = n
        if n is not None:  # kept to be said again in another language
            self.count.setText(self.tr("%s rows") % format_number(n, current_language()))

    def choose_export(self) -> None:
        folder = self.ctx.settings.export_dir if self.ctx.settings else Path.home()
        target = ask_save_path(self, self.tr("Export the audit log"), folder, "audit-log.xlsx",
                               self.ctx)  # fmt: skip
        if target is not None:
            self.export_to(target)

    def export_to(self, path: Path) -> None:
        flt = self.current_filter()
        self.export_button.setEnabled(False)
        op: Op[ExportReport] = Op(self, lambda job: svc.export_audit(self.ctx, path, flt,
                                                                      progress=job.progress),
                                  title=self.tr("Exporting the audit log"))  # fmt: skip
        op.success(self._exported).finally_(lambda: self.export_button.setEnabled(True))
        op.with_progress(beside=True).run()

    def _exported(self, report: ExportReport) -> None:
        say(
            self.message,
            lambda: (
                self.tr("Exported %s rows to %s")
                % (format_number(report.rows, current_language()), report.path.name)
            ),
        )
        self.message.show()

    def shutdown(self) -> None:
        self.model.stop()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            if self.allowed:
                self._fill_choices()
            self.model.reformat()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Audit log"))
        self.not_allowed.setText(self.tr("Only the owner or a manager reads the audit log."))
        self.use_from.setText(self.tr("From"))
        self.use_to.setText(self.tr("To"))
        self.export_button.setText(self.tr("Export…"))
        self._show_count(self._rows)
