"""Change an own order's recipient and delivery address (from the order detail).

The fields are the sale form's delivery block: recipient, phone, street, ward or commune,
province (and the district, only when the order has one from the old three-level map).
The service refuses what it must (a marketplace order, a live shipment); a bad value is
named under the form and its field gets the focus.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from primedist.carriers.base import Place
from primedist.domain.geo import PROVINCES_2025
from primedist.errors import PrimedistError, ValidationError
from primedist.services import delivery as svc
from primedist.services.context import ServiceContext
from primedist.services.shipping import match_places
from primedist.ui.messages import error_text
from primedist.ui.ops import Op
from primedist.ui.orders.place_search import PlaceSearch

#: The customer address's field names (services/customer_detail.py) → this form's.
FIELD_OF_ADDRESS = {"recipient": "name", "street": "address"}


#: The 2025 provinces as places, for the search typed into `province_combo`.
_PROVINCE_PLACES = [Place(p.code, p.name) for p in PROVINCES_2025]


def province_combo(name: str) -> QComboBox:
    """An editable combo of the 2025 provinces (typing another name is allowed): typing
    lists the provinces the text finds ("hcm", "sai gon", "nang"), Enter or Tab takes the
    first (`PlaceSearch`)."""
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    combo.addItems(["", *sorted(p.name for p in PROVINCES_2025)])

    def pick(province: str) -> None:
        combo.setCurrentIndex(combo.findText(province, Qt.MatchFlag.MatchExactly))

    PlaceSearch(combo, lambda text: [p.name for p in match_places(_PROVINCE_PLACES, text)], pick)
    return combo


class DeliveryAddressDialog(QDialog):
    """The order's delivery fields; Save stores them (in the background) and accepts."""

    def __init__(self, ctx: ServiceContext, order_id: int, external_id: str,
                 current: svc.DeliveryAddress, parent: QWidget | None = None, *,
                 customer_name: str | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.ctx, self.order_id = ctx, order_id
        self._saving = False
        self.setObjectName("deliveryAddressDialog")
        self.setWindowTitle(self.tr("Delivery address of order %1").replace("%1", external_id))
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.edits: dict[str, QLineEdit] = {}
        captions = {
            "name": self.tr("Recipient"),
            "phone": self.tr("Phone"),
            "address": self.tr("Street address"),
            "ward": self.tr("Ward / commune"),
            "district": self.tr("District (old address)"),
        }
        for key, caption in captions.items():
            if key == "district" and not current.district:
                continue  # the 2025 map has no districts: only an old address shows one
            edit = QLineEdit(getattr(current, key))
            edit.setObjectName(f"delivery_{key}")
            edit.setMaxLength(svc.COLUMNS[key][1])
            self.edits[key] = edit
            form.addRow(caption, edit)
        self.edits["address"].setPlaceholderText(self.tr("House number, street"))
        self.province = province_combo("delivery_province")
        province_edit = self.province.lineEdit()
        assert province_edit is not None  # editable combo
        province_edit.setText(current.province)
        form.addRow(self.tr("Province / city"), self.province)
        layout.addLayout(form)
        # The customer's next order starts from their default address.
        self.for_customer = QCheckBox(
            self.tr("Also make it %1's default address").replace("%1", customer_name or "")
        )
        self.for_customer.setObjectName("deliveryForCustomer")
        self.for_customer.setVisible(customer_name is not None)
        layout.addWidget(self.for_customer)
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.edits["name"].setFocus()

    def address(self) -> svc.DeliveryAddress:
        def text(key: str) -> str:
            edit = self.edits.get(key)
            return edit.text() if edit is not None else ""

        return svc.DeliveryAddress(text("name"), text("phone"), text("address"), text("ward"),
                                   text("district"), self.province.currentText())  # fmt: skip

    def save(self) -> None:
        """Check the fields here first (no round trip for a typo), then store them."""
        if self._saving:
            return
        new = self.address()
        try:
            svc.clean_address(new)
        except ValidationError as exc:
            self._show_problem(exc)
            return
        self._saving = True
        self.save_button.setEnabled(False)
        ctx, order_id = self.ctx, self.order_id
        keep = self.for_customer.isVisible() and self.for_customer.isChecked()

        def work(_job: object) -> svc.DeliveryChange:
            return svc.change_delivery_address(ctx, order_id, new, for_customer=keep)

        Op(self, work, engine=ctx.engine, title=self.tr("Saving the delivery address")).success(
            lambda _change: self.accept()).failure(self._failed).run()  # fmt: skip

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._saving = False
        self.save_button.setEnabled(True)
        if isinstance(exc, PrimedistError):
            self._show_problem(exc)
        else:
            self.message.setText(repr(exc))
            self.message.show()

    def _show_problem(self, exc: PrimedistError) -> None:
        self.message.setText(error_text(exc))
        self.message.show()
        name = exc.field if isinstance(exc, ValidationError) else None
        name = FIELD_OF_ADDRESS.get(name or "", name)  # the customer's address names
        widget: QWidget | None = self.province if name == "province" else self.edits.get(name or "")
        if widget is not None:
            widget.setFocus()
