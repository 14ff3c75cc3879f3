"""Settings → Loyalty points: the earn rate, what a point is worth, the redemption cap and
the channels whose orders earn. What the rule gives back (≈ % of an order) shows live.

Only the owner or a manager changes them; the others read them, with a notice."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from primedist.domain.enums import Channel, Role
from primedist.errors import PrimedistError
from primedist.services.context import ServiceContext
from primedist.services.loyalty.settings import (
    EARN_CHANNELS,
    PointsSettings,
    read_points_settings,
    save_points_settings,
)
from primedist.ui.customers.loyalty_panel import run_inline
from primedist.ui.formatting import format_percent
from primedist.ui.labels import enum_label
from primedist.ui.messages import say, say_error
from primedist.ui.money_form import MoneyEdit
from primedist.ui.widgets import add_narrow, button_row

#: Above this share of an order given back as points the rule reads in a warning colour
#: (shops commonly give back 1–5%).
HIGH_BACK_PERCENT = 5.0


def _percent(value: float) -> str:
    """10 → "10%", 3.333… → "3,3%" (vi); a small share keeps two decimals ("0,05%")."""
    if abs(value - round(value)) < 0.05:
        return format_percent(round(value), digits=0)
    return format_percent(value, digits=1 if value >= 1 else 2)


def _amount(edit: MoneyEdit) -> int:
    """The amount typed, 0 when empty; ValueError when it is not money."""
    return edit.amount() or 0


class PointsSettingsSection(QWidget):
    """Earn rate (đ per point, 0 = off), point value (đ) and cap (% of an order)."""

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        #: The rules as last read or saved (None before): `has_edits` compares with them.
        self._loaded: PointsSettings | None = None
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
        # The two amounts read "100k" / "1tr" like every money field; the cap is a percent.
        self.earn_per = MoneyEdit("earnPer")
        self.point_value = MoneyEdit("pointValue")
        for edit in (self.earn_per, self.point_value):
            edit.setMinimumWidth(140)
        self.cap = QSpinBox()
        self.cap.setObjectName("redeemCap")
        self.cap.setRange(1, 100)
        self.cap.setMinimumWidth(140)
        self.captions = [QLabel(), QLabel(), QLabel()]
        for caption, box in zip(self.captions, (self.earn_per, self.point_value, self.cap),
                                strict=True):  # fmt: skip
            form.addRow(caption, box)
        # What the two numbers give back, live: "1 point per 10,000 đ, worth 1,000 đ"
        # does not read as "10% of every order" until it is said.
        self.back = QLabel()
        self.back.setObjectName("pointsBack")
        self.back.setWordWrap(True)
        form.insertRow(2, "", self.back)
        for edit in (self.earn_per, self.point_value):
            edit.textChanged.connect(lambda _t: self._show_back())
        add_narrow(layout, form)
        self.channels_box = QGroupBox()
        self.channels_box.setObjectName("earnChannels")
        box_layout = QVBoxLayout(self.channels_box)
        self.channel_checks: dict[Channel, QCheckBox] = {}
        for channel in EARN_CHANNELS:
            check = QCheckBox()
            check.setObjectName(f"earn_{channel.value}")
            box_layout.addWidget(check)
            self.channel_checks[channel] = check
        add_narrow(layout, self.channels_box)
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
        for w in (self.earn_per, self.point_value, self.cap, self.save_button,
                  *self.channel_checks.values()):  # fmt: skip
            w.setEnabled(self.may_edit)
        self._retranslate()
        self.reload()

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
        self.channels_box.setTitle(self.tr("Orders that earn points"))
        for channel, check in self.channel_checks.items():
            check.setText(self.tr("Counter, phone and chat orders (the shop's own sales)")
                          if channel == Channel.OFFLINE else enum_label(channel))  # fmt: skip
        self.save_button.setText(self.tr("Save"))
        self._show_back()

    def _show_back(self) -> None:
        """≈ the share of an order's value that comes back as points (point value ÷ đồng
        per point), in a warning colour above HIGH_BACK_PERCENT."""
        try:
            back = PointsSettings(_amount(self.earn_per), _amount(self.point_value)).percent_back
        except ValueError:  # an amount not readable (marked red): nothing to say yet
            self.back.setText("")
            return
        high = back is not None and back > HIGH_BACK_PERCENT
        if back is None:
            text = self.tr("Earning is off: orders earn no points.")
        elif high:
            text = self.tr("≈ %1 of the order's value comes back as points: that is a lot "
                           "(shops usually give 1–5%).")  # fmt: skip
        else:
            text = self.tr("≈ %1 of the order's value comes back as points.")
        self.back.setText(text.replace("%1", "" if back is None else _percent(back)))
        if self.back.property("high") != high:
            self.back.setProperty("high", high)
            self.back.style().unpolish(self.back)
            self.back.style().polish(self.back)

    def reload(self) -> None:
        try:
            s = read_points_settings(self.ctx)
        except PrimedistError as exc:
            say_error(self.message, exc)
            return
        self.earn_per.set_amount(s.earn_per)
        self.point_value.set_amount(s.point_value)
        self.cap.setValue(s.cap_percent)
        for channel, check in self.channel_checks.items():
            check.setChecked(channel in s.channels)
        self._loaded = self.form_settings()

    def form_settings(self) -> PointsSettings:
        """The rules as the form shows them (saved or not); ValueError when an amount is
        not money."""
        chosen = frozenset(c for c, check in self.channel_checks.items() if check.isChecked())
        return PointsSettings(_amount(self.earn_per), _amount(self.point_value),
                              self.cap.value(), chosen)  # fmt: skip

    def has_edits(self) -> bool:
        """Rules changed on screen and not saved: reading the saved ones again (Settings
        shows the section again) would overwrite them."""
        if self._loaded is None:
            return False
        try:
            return self.form_settings() != self._loaded
        except ValueError:
            return True  # something typed that is not money yet: keep it

    def save(self) -> None:
        if not self.may_edit:
            return
        for edit in (self.earn_per, self.point_value):
            try:
                edit.amount()
            except ValueError:
                self._unreadable(edit)
                return
        new = self.form_settings()
        ctx = self.ctx
        self.save_button.setEnabled(False)

        def saved(_result: object) -> None:
            self._loaded = new
            say(self.message, lambda: self.tr("Saved."))

        run_inline(self, self.tr("Saving the points rules"),
                   lambda: save_points_settings(ctx, new), self.message, saved,
                   lambda: self.save_button.setEnabled(True))  # fmt: skip

    def _unreadable(self, edit: MoneyEdit) -> None:
        edit.refuse(self.message, lambda typed: self.tr(
            "Cannot read “%1” as an amount: type e.g. 100000, 100k or 1tr."
        ).replace("%1", typed))  # fmt: skip
