"""Settings → Sync schedule: how often the marketplace shops are synced."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QFormLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from primedist.services import schedule_settings as svc
from primedist.services.context import ServiceContext
from primedist.ui.messages import say
from primedist.ui.settings.account import message_label, run_inline
from primedist.ui.widgets import add_narrow, button_row


class SyncScheduleSettings(QWidget):
    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("syncScheduleSettings")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        layout.addWidget(self.title)
        self.explanation = QLabel()
        self.explanation.setObjectName("banner")
        self.explanation.setWordWrap(True)
        layout.addWidget(self.explanation)
        form = QFormLayout()
        self.caption = QLabel()
        self.minutes = QSpinBox()
        self.minutes.setObjectName("syncMinutes")
        self.minutes.setRange(svc.MIN_SYNC_INTERVAL, svc.MAX_SYNC_INTERVAL)
        self.minutes.setValue(svc.get_sync_interval(ctx))
        form.addRow(self.caption, self.minutes)
        add_narrow(layout, form)
        self.save = QPushButton()
        self.save.setObjectName("primaryButton")
        self.save.clicked.connect(self.on_save)
        layout.addLayout(button_row(self.save))
        self.message = message_label("syncMessage")
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.retranslate()

    def on_save(self) -> None:
        minutes = self.minutes.value()
        run_inline(self, lambda: svc.set_sync_interval(self.ctx, minutes), self.message,
                   lambda _m: self._saved(), self.save)  # fmt: skip

    def _saved(self) -> None:
        say(self.message, lambda: self.tr("Saved: the next syncs follow the new interval."))
        self.message.show()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Sync schedule"))
        self.explanation.setText(
            self.tr(
                "While the app runs, each connected shop's new and changed orders are fetched "
                "at this interval; waiting actions (confirm, cancel, stock) go out every minute."
            )
        )
        self.caption.setText(self.tr("Sync every"))
        self.minutes.setSuffix(self.tr(" min"))
        self.save.setText(self.tr("Save"))
