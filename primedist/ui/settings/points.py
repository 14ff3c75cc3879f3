"""Settings → Loyalty points: the earn rate, what a point is worth, and the redemption cap.

Only the owner or a manager changes them; the others read them, with a notice."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QFormLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from primedist.domain.enums import Role
from primedist.errors import PrimedistError
from primedist.services.context import ServiceContext
from primedist.services.loyalty.settings import (
    PointsSettings,
    read_points_settings,
    save_points_settings,
)
from primedist.ui.customers.loyalty_panel import run_inline
from primedist.ui.messages import say, say_error
from primedist.ui.widgets import add_narrow, button_row


class PointsSettingsSection(QWidget):
    """Earn rate (đ per point, 0 = off), point value (đ) and cap (% of an order)."""

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("pointsSettings")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.explanation = QLabel()
        self.explanation.setObjectName("banner")
        self.explanation.setWordWrap(True)
        self.not_allowed = QLabel()
        self.not_allowed.setObjectName("banner")
        self.not_allowed.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.explanation)
        layout.addWidget(self.not_allowed)
        form = QFormLayout()
        self.earn_per = self._spin("earnPer", 0, 2_000_000_000)
        self.point_value = self._spin("pointValue", 1, 10_000_000)
        self.cap = self._spin("redeemCap", 1, 100)
        self.captions = [QLabel(), QLabel(), QLabel()]
        for caption, spin in zip(self.captions, (self.earn_per, self.point_value, self.cap),
                                 strict=True):  # fmt: skip
            form.addRow(caption, spin)
        add_narrow(layout, form)
        self.save_button = QPushButton()
        self.save_button.setObjectName("primaryButton")
        self.save_button.clicked.connect(self.save)
        layout.addLayout(button_row(self.save_button))
        self.message = QLabel()
        self.message.setObjectName("muted")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.may_edit = ctx.actor.role in (Role.OWNER, Role.MANAGER)
        self.not_allowed.setVisible(not self.may_edit)
        for w in (self.earn_per, self.point_value, self.cap, self.save_button):
            w.setEnabled(self.may_edit)
        self._retranslate()
        self.reload()

    @staticmethod
    def _spin(name: str, low: int, high: int) -> QSpinBox:
        spin = QSpinBox()
        spin.setObjectName(name)
        spin.setRange(low, high)
        spin.setGroupSeparatorShown(True)
        spin.setMinimumWidth(140)
        return spin

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.title.setText(self.tr("Loyalty points"))
        self.explanation.setText(self.tr(
            "Customers earn points when an order becomes successful (completed); the points go "
            "again if it is cancelled or returned. Points are redeemed in Create order."
        ))  # fmt: skip
        self.not_allowed.setText(
            self.tr("Only the owner or a manager changes the loyalty points rules.")
        )
        texts = (self.tr("VND per point earned (0 = off)"), self.tr("One point is worth (VND)"),
                 self.tr("Points pay at most (% of an order)"))  # fmt: skip
        for caption, text in zip(self.captions, texts, strict=True):
            caption.setText(text)
        self.save_button.setText(self.tr("Save"))

    def reload(self) -> None:
        try:
            s = read_points_settings(self.ctx)
        except PrimedistError as exc:
            say_error(self.message, exc)
            return
        self.earn_per.setValue(s.earn_per)
        self.point_value.setValue(s.point_value)
        self.cap.setValue(s.cap_percent)

    def save(self) -> None:
        if not self.may_edit:
            return
        new = PointsSettings(self.earn_per.value(), self.point_value.value(), self.cap.value())
        ctx = self.ctx
        self.save_button.setEnabled(False)
        run_inline(self, self.tr("Saving the points rules"),
                   lambda: save_points_settings(ctx, new), self.message,
                   lambda _r: say(self.message, lambda: self.tr("Saved.")),
                   lambda: self.save_button.setEnabled(True))  # fmt: skip
