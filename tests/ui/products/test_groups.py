"""The SKU groups page driven like a user: create a group in the dialog, add listings of two
shops found by search, see the stock merged in the list, remove one, delete, export."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
import shiboken6
import sqlalchemy as sa
from PySide6.QtCore import Qt
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.enums import Channel
from primedist.domain.product import SkuGroup, Variant
from primedist.services import sku_groups as svc
from primedist.services.context import ServiceContext
from primedist.ui.products import groups as groups_ui
from primedist.ui.products.groups import GroupDialog, ListingPicker, SkuGroupsPage
from tests.factories import make_product, make_shop
from tests.services.test_stock import list_on
from tests.ui.support import WAIT, close_page, show_widget

pytestmark = pytest.mark.usefixtures("english", "shown")


@pytest.fixture
def cat(owner_ctx: ServiceContext) -> dict[str, int]:
    engine = owner_ctx.engine
    shopee = make_shop(engine, "Prime Shopee", Channel.SHOPEE)
    lazada = make_shop(engine, "Prime Lazada", Channel.LAZADA)
    (sp,) = make_product(engine, "Bình nước Shopee", [("BN-SP", 150_000, 10)])
    (lz,) = make_product(engine, "Bình nước Lazada", [("BN-LZ", 155_000, 4)])
    (ao,) = make_product(engine, "Áo thun", [("AO", 99_000, 3)])
    list_on(engine, shopee, [sp, ao])
    list_on(engine, lazada, [lz])
    return {"shopee": shopee, "lazada": lazada, "sp": sp, "lz": lz, "ao": ao}


@pytest.fixture
def page(qtbot, owner_ctx: ServiceContext, cat: dict[str, int]) -> Iterator[SkuGroupsPage]:
    p = show_widget(qtbot, SkuGroupsPage(owner_ctx))
    yield p
    close_page(qtbot, p)


def variant(engine: Engine, vid: int) -> tuple[int, int | None]:
    t = table_of(Variant)
    with engine.connect() as conn:
        row = conn.execute(sa.select(t.c.stock, t.c.sku_group_id).where(t.c.id == vid)).one()
    return int(row[0]), row[1]


def group_stock(engine: Engine, code: str) -> int:
    t = table_of(SkuGroup)
    with engine.connect() as conn:
        return int(conn.execute(sa.select(t.c.stock).where(t.c.code == code)).scalar_one())


def row_of(page: SkuGroupsPage, code: str) -> int:
    for row in range(page.model.rowCount()):
        if page.model.cell(row, "code") == code:
            return row
    raise AssertionError(f"{code} not in the list")


def pick(qtbot, dialog: GroupDialog, text: str, skus: list[str]) -> ListingPicker:
    """Open the picker, type `text`, tick `skus` and press Add."""
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    picker = dialog.picker
    assert picker is not None and picker.isVisible()
    qtbot.keyClicks(picker.search, text)
    qtbot.waitUntil(lambda: picker.search.text() == text and not picker.searching
                    and bool(picker.candidates), timeout=WAIT)  # fmt: skip
    ids = [c.variant_id for c in picker.candidates if c.sku in skus]
    picker.set_ticked(ids)
    assert sorted(c.sku for c in picker.ticked()) == sorted(skus)
    qtbot.mouseClick(picker.add_button, Qt.MouseButton.LeftButton)
    return picker


def save(qtbot, dialog: GroupDialog) -> None:
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def test_create_a_group_with_listings_of_two_shops_then_remove_one(
    qtbot, page: SkuGroupsPage, cat: dict[str, int], owner_ctx: ServiceContext
) -> None:
    engine = owner_ctx.engine
    assert page.model.rowCount() == 0 and page.count.text() == "0 groups"
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible() and dialog.loaded
    qtbot.keyClicks(dialog.code, "PS-0001")
    dialog.name.setText("Bình nước 500ml")  # QTest types ASCII only
    pick(qtbot, dialog, "binh nuoc", ["BN-SP", "BN-LZ"])
    assert sorted(dialog.member_skus()) == ["BN-LZ", "BN-SP"]
    assert dialog.stock.text() == "Stock: 14 from the listings added"
    save(qtbot, dialog)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=WAIT)
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible(), timeout=WAIT)
    m = page.model
    assert (m.cell(0, "name"), m.cell(0, "code"), m.cell(0, "listings"), m.cell(0, "stock"),
            m.cell(0, "available")) == ("Bình nước 500ml", "PS-0001", "2", "14", "14")  # fmt: skip
    assert m.cell(0, "price") == "150,000 VND - 155,000 VND"
    channels = m.index(0, m.col["channels"])
    assert m.data(channels, Qt.ItemDataRole.ToolTipRole) == "Lazada, Shopee"
    assert m.data(channels, Qt.ItemDataRole.DecorationRole) is not None
    assert page.count.text() == "1 group"
    assert group_stock(engine, "PS-0001") == 14
    assert variant(engine, cat["sp"])[0] == 0 and variant(engine, cat["lz"])[0] == 0

    # Edit it: remove the Lazada listing; the goods stay with the group.
    page.select_row(0)
    assert page.edit_button.isEnabled()
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    edit = page.dialog
    assert edit is not None and edit is not dialog
    qtbot.waitUntil(lambda: edit.loaded, timeout=WAIT)
    assert edit.code.text() == "PS-0001" and sorted(edit.member_skus()) == ["BN-LZ", "BN-SP"]
    assert edit.stock.text() == "On hand 14 · reserved 0 · available 14"
    edit.select_skus(["BN-LZ"])
    qtbot.mouseClick(edit.remove_button, Qt.MouseButton.LeftButton)
    assert edit.member_skus() == ["BN-SP"]
    save(qtbot, edit)
    qtbot.waitUntil(lambda: m.cell(0, "listings") == "1", timeout=WAIT)
    assert m.cell(0, "stock") == "14" and m.cell(0, "price") == "150,000 VND"
    assert m.data(channels, Qt.ItemDataRole.ToolTipRole) == "Shopee"
    assert variant(engine, cat["lz"]) == (0, None)


def test_listings_of_another_group_cannot_be_ticked(
    qtbot, page: SkuGroupsPage, cat: dict[str, int], owner_ctx: ServiceContext
) -> None:
    svc.create_group(owner_ctx, "PS-1", "Bình", variant_ids=[cat["sp"]])
    page.refresh()
    dialog = page.open_group(None)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    picker = dialog.picker
    assert picker is not None
    picker.search.setText("binh")
    picker.run_search("binh")
    qtbot.waitUntil(lambda: not picker.searching, timeout=WAIT)
    by_sku = {c.sku: row for row, c in enumerate(picker.candidates)}
    taken = picker.table.item(by_sku["BN-SP"], 0)
    assert not taken.flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert picker.table.item(by_sku["BN-SP"], 6).text() == "PS-1"
    picker.set_ticked([cat["sp"], cat["lz"]])
    assert [c.sku for c in picker.ticked()] == ["BN-LZ"]


def test_a_taken_code_is_shown_in_the_dialog(
    qtbot, page: SkuGroupsPage, owner_ctx: ServiceContext
) -> None:
    svc.create_group(owner_ctx, "PS-1", "Bình")
    dialog = page.open_group(None)
    qtbot.keyClicks(dialog.code, "ps-1")
    qtbot.keyClicks(dialog.name, "Khac")
    save(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=WAIT)
    assert dialog.error.text() == "A group with the code PS-1 already exists: choose another code."
    assert dialog.isVisible() and dialog.save_button.isEnabled()


def test_search_folds_and_delete_asks_and_refuses_a_group_with_listings(
    qtbot, page: SkuGroupsPage, cat: dict[str, int], owner_ctx: ServiceContext, shown, monkeypatch
) -> None:
    svc.create_group(owner_ctx, "PS-1", "Bình nước", variant_ids=[cat["sp"]])
    svc.create_group(owner_ctx, "PS-2", "Đèn bàn")
    page.refresh()
    assert page.model.rowCount() == 2
    qtbot.keyClicks(page.search, "den")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=WAIT)
    assert page.model.cell(0, "code") == "PS-2"
    page.search.clear()
    page.set_search("")
    asked: list[str] = []
    monkeypatch.setattr(groups_ui, "ask_confirm", lambda _p, _t, text: asked.append(text) or True)
    page.select_row(row_of(page, "PS-1"))
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(shown["error"]), timeout=WAIT)
    assert shown["error"] == [
        "Group PS-1 still has 1 listing (BN-SP): remove them from the group first."
    ]
    assert asked[0].startswith("Delete group PS-1?")
    page.select_row(row_of(page, "PS-2"))
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and not page.busy, timeout=WAIT)
    assert page.model.cell(0, "code") == "PS-1"
    monkeypatch.setattr(groups_ui, "ask_confirm", lambda *_a: False)
    page.select_row(0)
    page.delete_selected()
    assert page.model.rowCount() == 1 and not page.busy


def test_export_writes_the_listed_groups(
    qtbot, page: SkuGroupsPage, cat: dict[str, int], owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    svc.create_group(owner_ctx, "PS-1", "Bình nước", variant_ids=[cat["sp"], cat["lz"]])
    svc.create_group(owner_ctx, "PS-2", "Áo", variant_ids=[cat["ao"]])
    page.refresh()
    page.set_search("binh")
    target = tmp_path / "groups"
    page.export(target)
    qtbot.waitUntil(lambda: page.last_message is not None, timeout=WAIT)
    assert page.last_message is not None
    assert page.last_message.text() == f"1 group exported to {target}.xlsx."
    sheet = openpyxl.load_workbook(tmp_path / "groups.xlsx").active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Group", "Code", "Channels", "Listings")
    assert rows[1][:9] == ("Bình nước", "PS-1", "lazada, shopee", 2, 150_000, 155_000, None,
                           14, 14)  # fmt: skip
    assert len(rows) == 2


def test_a_member_removed_by_mistake_can_be_picked_again_before_saving(
    qtbot, page: SkuGroupsPage, cat: dict[str, int], owner_ctx: ServiceContext
) -> None:
    gid = svc.create_group(owner_ctx, "PS-1", "Bình", variant_ids=[cat["sp"], cat["lz"]])
    dialog = page.open_group(gid)
    qtbot.waitUntil(lambda: dialog.loaded, timeout=WAIT)
    dialog.select_skus(["BN-SP"])
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.member_skus() == ["BN-LZ"] and dialog.removed == {cat["sp"]}
    pick(qtbot, dialog, "bn", ["BN-SP"])
    assert sorted(dialog.member_skus()) == ["BN-LZ", "BN-SP"]
    assert dialog.removed == set() and dialog.added == {}
    assert dialog.stock.text() == "On hand 14 · reserved 0 · available 14"
