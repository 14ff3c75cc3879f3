"""The orders tab's Import takes the order template or a Seller Center export: the layout
is detected, an export asks for its shop (of the export's channel), then imports."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from primedist.services.order_export import export_orders
from primedist.ui import errors, file_dialogs
from primedist.ui.orders.import_dialog import ExportImportDialog
from tests.services.seller_center_files import write_lazada, write_shopee
from tests.services.test_import_own_export import refusal
from tests.ui.orders import test_orders_tab as tab_tests
from tests.ui.orders.test_orders_tab import WAIT, click, settle

#: The orders tab's own fixtures: its page over a store of 153 orders in three shops.
data = tab_tests.data
page = tab_tests.page

ROW = {"Mã đơn hàng": "2611050XYZ01", "Ngày đặt hàng": "2026-05-20 09:15",
       "Trạng Thái Đơn Hàng": "Chờ lấy hàng", "Tên sản phẩm": "Áo thun", "Số lượng": 2,
       "Giá gốc": "90.000", "Tổng số tiền người mua thanh toán": "180.000",
       "SKU phân loại hàng": "AO-S"}  # fmt: skip


def choose_file(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(file_dialogs, "run_dialog", lambda _d: ([str(path)], ""))


def test_a_shopee_export_asks_its_shop_then_imports(qtbot, page, monkeypatch, tmp_path):
    path = write_shopee(tmp_path / "Order.all.20260501_20260531.xlsx", [ROW])
    choose_file(monkeypatch, path)
    before = page.model.rowCount()
    click(qtbot, page.import_button)
    qtbot.waitUntil(lambda: page.export_import_dialog is not None, timeout=WAIT)
    dialog: ExportImportDialog = page.export_import_dialog
    assert dialog.chosen_format().value == "shopee"
    shops = [dialog.shop_box.itemText(i) for i in range(dialog.shop_box.count())]
    assert shops == ["Shopee Mall"]  # only the shops of the export's channel
    # Another layout lists that channel's shops instead.
    dialog.format_box.setCurrentIndex(1)
    assert dialog.shop_box.itemText(0) == "Lazada Kho"
    dialog.format_box.setCurrentIndex(0)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: page.import_dialog is not None, timeout=WAIT)
    settle(qtbot, page)
    report = page.import_dialog
    assert report.summary.text() == (
        "Orders in Order.all.20260501_20260531.xlsx: 1 new, 0 updated, 0 unchanged, 0 rejected."
    )
    assert page.model.rowCount() == before + 1
    report.close()


def test_a_new_shop_name_is_needed_when_the_channel_has_none(qtbot, page, monkeypatch, tmp_path):
    path = write_lazada(tmp_path / "lazada.xlsx", [
        {"orderItemId": 1, "orderNumber": "L1", "createTime": "04 Jul 2022 11:46",
         "status": "pending", "unitPrice": 1000, "paidPrice": 1000, "itemName": "X"}])  # fmt: skip
    choose_file(monkeypatch, path)
    click(qtbot, page.import_button)
    qtbot.waitUntil(lambda: page.export_import_dialog is not None, timeout=WAIT)
    dialog: ExportImportDialog = page.export_import_dialog
    assert dialog.chosen_format().value == "lazada"
    dialog.format_box.setCurrentIndex(2)  # TikTok Shop: no shop of that channel yet
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert dialog.shop_box.count() == 0 and not ok.isEnabled()
    assert dialog.hint.text().startswith("No shop of this channel yet")
    dialog.shop_box.setEditText("  TikTok   Mới ")
    assert ok.isEnabled() and dialog.chosen_shop() == "TikTok Mới"
    dialog.reject()


def test_an_unknown_layout_is_refused_naming_what_was_expected(qtbot, page, monkeypatch, tmp_path):
    shown: list[str] = []
    monkeypatch.setattr(errors, "show_error", lambda _p, message, _t=None: shown.append(message))
    path = tmp_path / "odd.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    choose_file(monkeypatch, path)
    before = page.model.rowCount()
    click(qtbot, page.import_button)
    qtbot.waitUntil(lambda: bool(shown), timeout=WAIT)
    settle(qtbot, page)
    assert "odd.csv is not an order file this app knows" in shown[0]
    assert "Mã đơn hàng" in shown[0] and "orderItemId" in shown[0] and "Order ID" in shown[0]
    assert page.export_import_dialog is None and page.import_dialog is None
    assert page.model.rowCount() == before


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_an_orders_export_is_refused_as_what_it_is(qtbot, page, monkeypatch, tmp_path, lang):
    shown: list[str] = []
    monkeypatch.setattr(errors, "show_error", lambda _p, message, _t=None: shown.append(message))
    path = export_orders(page.ctx, tmp_path / "o.xlsx", lang=lang).path  # the real export
    choose_file(monkeypatch, path)
    before = page.model.rowCount()
    click(qtbot, page.import_button)
    qtbot.waitUntil(lambda: bool(shown), timeout=WAIT)
    settle(qtbot, page)
    assert shown == [refusal("o.xlsx")]  # word for word what the command line says
    assert page.export_import_dialog is None and page.import_dialog is None
    assert page.model.rowCount() == before
