"""Add shop: choosing "Other address…" shows the URL row and grows the dialog to fit it,
each label still beside its field (squeezed, the rows slid off their labels)."""

from __future__ import annotations

from typing import Any

import pytest

from primedist.services.context import ServiceContext
from primedist.ui.settings.channel_dialogs import AddStoreDialog

pytestmark = pytest.mark.usefixtures("english", "app_style")


def _labels_beside_fields(dialog: AddStoreDialog) -> None:
    for label in dialog.labels:
        field = label.buddy()
        top = field.mapTo(dialog, field.rect().topLeft()).y()
        middle = label.mapTo(dialog, label.rect().center()).y()
        assert top <= middle <= top + field.height(), label.text()


def test_other_address_grows_the_dialog_and_keeps_labels_aligned(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    dialog = AddStoreDialog(owner_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.custom_host.isVisible()
    before = dialog.height()
    _labels_beside_fields(dialog)

    dialog.host.setCurrentIndex(dialog.host.findData(""))  # Other address…
    qtbot.waitUntil(lambda: dialog.custom_host.isVisible())
    dialog.layout().activate()
    assert dialog.height() >= dialog.heightForWidth(dialog.width())  # nothing squeezed
    assert dialog.height() > before
    _labels_beside_fields(dialog)
    host = dialog.host.mapTo(dialog, dialog.host.rect().bottomLeft()).y()
    assert dialog.custom_host.mapTo(dialog, dialog.custom_host.rect().topLeft()).y() > host
