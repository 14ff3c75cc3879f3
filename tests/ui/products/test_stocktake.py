"""The stock-take: the count sheet query, and the page — load, scan, type, apply."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from sqlalchemy.engine import Engine

from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.enums import Channel, ProductStatus, StockMoveKind
from primedist.domain.product import Product, ProductListing, SkuGroup, StockMovement, Variant
from primedist.queries.stocktake import categories, count_sheet
from primedist.services.context import Actor, ServiceContext
from primedist.ui.products import stocktake
from primedist.ui.products.stocktake import (
    COL_COUNTED,
    ApplyStocktakeDialog,
    StocktakePage,
    Totals,
    parse_count,
)
from tests.conftest import FIXED_NOW
from tests.factories import make_product, make_shop

WAIT_MS = 10_000
pytestmark = pytest.mark.usefixtures("quiet")


def update(engine: Engine, model: type, row_id: int, **values: object) -> None:
    t = table_of(model)
    with engine.begin() as conn:
        conn.execute(sa.update(t).where(t.c.id == row_id).values(**values))


def product_of(engine: Engine, variant_id: int) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(sa.select(Variant.product_id).where(Variant.id == variant_id)).scalar_one()
        )


@pytest.fixture
def store(engine: Engine, owner_ctx: ServiceContext) -> dict[str, int]:
    """Áo thun (category Áo; AO-S 10 on hand at 50,000 đ, AO-M 3), Mũ (MU-1 5 at 30,000 đ,
    listed on Shopee), group PRIME-1 (20 on hand) with BN-SP (cost 100,000, on Shopee) and
    BN-LZ; an archived product and an inactive variant that never show."""
    ao_s, ao_m = make_product(engine, "Áo thun", [("AO-S", 99_000, 10), ("AO-M", 99_000, 3)],
                              barcodes=["8930000000011", "8930000000028"])  # fmt: skip
    (mu,) = make_product(engine, "Mũ", [("MU-1", 60_000, 5)], barcodes=["8930000000035"])
    with engine.begin() as conn:
        gid = conn.execute(
            sa.insert(table_of(SkuGroup)).returning(table_of(SkuGroup).c.id),
            {"code": "PRIME-1", "name": "Bình", "stock": 20, "reserved": 0,
             "created_at": FIXED_NOW},
        ).scalar_one()  # fmt: skip
    (bn_sp,) = make_product(engine, "Bình nước (Shopee)", [("BN-SP", 150_000, 0)],
                            barcodes=["8930000000042"], sku_group_id=gid)  # fmt: skip
    (bn_lz,) = make_product(engine, "Bình nước (Lazada)", [("BN-LZ", 155_000, 0)],
                            sku_group_id=gid)  # fmt: skip
    (old,) = make_product(engine, "Hàng cũ", [("OLD", 1, 7)])
    (off, _on) = make_product(engine, "Zen", [("ZEN-OFF", 1, 1), ("ZEN-ON", 1, 2)])
    update(engine, Variant, ao_s, cost=50_000)
    update(engine, Variant, mu, cost=30_000)
    update(engine, Variant, bn_sp, cost=100_000)
    update(engine, Variant, off, is_active=False)
    update(engine, Product, product_of(engine, ao_s), category="Áo")
    update(engine, Product, product_of(engine, old), status=ProductStatus.ARCHIVED)
    shopee = make_shop(engine, "Shopee Mall", Channel.SHOPEE)
    with engine.begin() as conn:
        for v in (mu, bn_sp):
            conn.execute(sa.insert(table_of(ProductListing)),
                         {"product_id": product_of(engine, v), "shop_id": shopee})  # fmt: skip
    return {"AO-S": ao_s, "AO-M": ao_m, "MU-1": mu, "BN-SP": bn_sp, "BN-LZ": bn_lz,
            "group": gid, "shopee": shopee}  # fmt: skip


def test_count_sheet_lists_a_group_once_and_filters(engine: Engine, store: dict[str, int]) -> None:
    with engine.connect() as conn:
        sheet = count_sheet(conn)
        assert [(r.sku, r.product_name, r.on_hand, r.group_code) for r in sheet] == [
            ("AO-M", "Áo thun", 3, None),  # "Áo" sorts as "ao", before "Bình"
            ("AO-S", "Áo thun", 10, None),
            ("BN-LZ", "Bình nước (Lazada)", 20, "PRIME-1"),  # the group, once
            ("MU-1", "Mũ", 5, None),
            ("ZEN-ON", "Zen", 2, None),
        ]
        assert sheet[1].barcode == "8930000000011" and sheet[1].cost == 50_000
        assert sheet[1].options == "V1"
        assert [r.sku for r in count_sheet(conn, category="Áo")] == ["AO-M", "AO-S"]
        # On Shopee: MŨ and BN-SP's product; the group shows under BN-SP there.
        assert [r.sku for r in count_sheet(conn, shop_id=store["shopee"])] == ["BN-SP", "MU-1"]
        assert count_sheet(conn, category="Áo", shop_id=store["shopee"]) == []
        assert categories(conn) == ["Áo"]


def test_the_group_line_carries_its_other_members_codes(
    engine: Engine, store: dict[str, int]
) -> None:
    with engine.connect() as conn:
        (line,) = [r for r in count_sheet(conn) if r.group_code == "PRIME-1"]
        assert (line.sku, line.member_skus, line.member_barcodes) == (
            "BN-LZ", ("BN-SP",), ("8930000000042",))  # fmt: skip
        # Filtered to Shopee the line is BN-SP's; BN-LZ (Lazada only) still finds it.
        (line,) = [r for r in count_sheet(conn, shop_id=store["shopee"]) if r.group_code]
        assert (line.sku, line.member_skus, line.member_barcodes) == ("BN-SP", ("BN-LZ",), ())


def test_scanning_any_member_of_a_group_counts_the_groups_line(
    qtbot, store: dict[str, int], page: StocktakePage
) -> None:
    load(qtbot, page)
    scan(qtbot, page, "8930000000042")  # BN-SP's barcode; the line is listed as BN-LZ
    scan(qtbot, page, "bn-sp")
    scan(qtbot, page, "BN-LZ")
    assert page.model.counted[row_of(page, "BN-LZ")] == 3
    assert page.model.counts() == {store["BN-LZ"]: 3}


def test_parse_count() -> None:
    assert parse_count("") is None and parse_count("  ") is None
    assert parse_count("12") == 12 and parse_count("1.200") == 1200 and parse_count(7) == 7
    for bad in ("-1", "abc", "1.5x", -3):
        with pytest.raises(ValueError):
            parse_count(bad)


@pytest.fixture
def page(qtbot, owner_ctx: ServiceContext) -> StocktakePage:
    widget = StocktakePage(owner_ctx)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def load(qtbot, page: StocktakePage) -> None:
    with qtbot.waitSignal(page.sheetLoaded, timeout=WAIT_MS):
        qtbot.mouseClick(page.load_button, Qt.MouseButton.LeftButton)


def scan(qtbot, page: StocktakePage, code: str) -> None:
    """What a barcode scanner does: type the code, then Enter."""
    qtbot.keyClicks(page.scan_field, code)
    qtbot.keyClick(page.scan_field, Qt.Key.Key_Return)


def row_of(page: StocktakePage, sku: str) -> int:
    return [r.sku for r in page.model.rows].index(sku)


def cells(page: StocktakePage, sku: str) -> list[str]:
    row = row_of(page, sku)
    return [page.model.index(row, c).data() for c in range(5, 9)]


def test_load_scan_type_and_apply(
    qtbot, monkeypatch, engine: Engine, owner_ctx: ServiceContext, owner: Actor,
    store: dict[str, int], page: StocktakePage
) -> None:  # fmt: skip
    beeps: list[bool] = []
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: beeps.append(True)))
    assert page.totals_label.text() == "No count sheet loaded."
    assert not page.apply_button.isEnabled()
    load(qtbot, page)
    assert page.model.rowCount() == 5
    assert page.scan_message.text() == "5 lines loaded. Scan the first item."

    scan(qtbot, page, "8930000000011")  # AO-S by barcode, twice
    scan(qtbot, page, "8930000000011")
    assert page.scan_field.text() == ""  # ready for the next scan
    assert page.scan_message.text() == "AO-S · Áo thun: counted 2"
    assert page.view.currentIndex().row() == row_of(page, "AO-S")  # scrolled to and selected
    scan(qtbot, page, "mu-1")  # by SKU, any case
    assert cells(page, "MU-1") == ["5", "1", "-4", "-120,000 VND"]
    scan(qtbot, page, "0000")
    assert beeps == [True]
    assert page.scan_message.text() == (
        "Unknown code “0000”: no line of this sheet has that barcode or SKU."
    )
    assert page.scan_message.objectName() == "errorText"

    # Type a count into the Counted column of the group's line (20 on hand).
    index = page.model.index(row_of(page, "BN-LZ"), COL_COUNTED)
    page.view.setCurrentIndex(index)
    page.view.edit(index)
    (editor,) = page.view.viewport().findChildren(QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, "25")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next event loop
    qtbot.waitUntil(lambda: page.model.counted[index.row()] == 25, timeout=WAIT_MS)
    # A count that is not a number is refused, and said so.
    assert not page.model.setData(index, "2x")
    assert page.model.counted[index.row()] == 25 and beeps == [True, True]
    assert page.scan_message.text() == (
        "“2x” is not a count: type a whole number of 0 or more, or nothing."
    )
    # BN-LZ costs 0; the group counts under it (its first member on this sheet).
    assert cells(page, "BN-LZ") == ["20", "25", "+5", "0 VND"]
    assert cells(page, "AO-S") == ["10", "2", "-8", "-400,000 VND"]
    assert cells(page, "AO-M") == ["3", "", "", ""]  # not counted
    differing = page.model.index(row_of(page, "AO-S"), 0).data(Qt.ItemDataRole.BackgroundRole)
    plain = page.model.index(row_of(page, "AO-M"), 0).data(Qt.ItemDataRole.BackgroundRole)
    assert differing is not None and plain is None
    assert page.totals() == Totals(lines=3, differing=3, units=-7, value=-520_000)
    assert page.totals_label.text() == (
        "5 lines on the sheet.  Lines counted: 3 · differing: 3 · units: -7 · value: -520,000 VND"
    )
    assert page.apply_button.isEnabled()

    asked: list[Totals] = []
    monkeypatch.setattr(stocktake, "ask_apply",
                        lambda _p, t, _moved=0, *_o: asked.append(t) or "Kiem ke T11")  # fmt: skip
    with qtbot.waitSignals([page.applied, page.sheetLoaded], timeout=WAIT_MS):
        qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)
    assert asked == [Totals(3, 3, -7, -520_000)]
    qtbot.waitUntil(lambda: not page._busy, timeout=WAIT_MS)
    assert page.scan_message.text() == (
        "Stock-take applied: 3 lines counted, 3 changed, -7 units, -520,000 VND."
    )
    # Reloaded: the new on hand, nothing counted.
    assert cells(page, "AO-S")[0] == "2" and page.totals() == Totals()
    assert not page.apply_button.isEnabled()

    with engine.connect() as conn:
        stock = dict(conn.execute(sa.select(Variant.sku, Variant.stock)).all())
        group = conn.execute(sa.select(SkuGroup.stock).where(SkuGroup.id == store["group"]))
        moves = conn.execute(
            sa.select(StockMovement.variant_id, StockMovement.kind, StockMovement.quantity,
                      StockMovement.stock_after, StockMovement.reason, StockMovement.user_id)
            .order_by(StockMovement.variant_id)  # type: ignore[arg-type]
        ).all()  # fmt: skip
        assert group.scalar() == 25
        audit = conn.execute(
            sa.select(AuditEvent.summary, AuditEvent.user_id).where(
                AuditEvent.action == "stock.stocktake"
            )
        ).all()
    assert (stock["AO-S"], stock["AO-M"], stock["MU-1"]) == (2, 3, 1)
    assert sorted(tuple(m) for m in moves) == sorted([
        (store["AO-S"], StockMoveKind.STOCKTAKE, -8, 2, "Kiem ke T11", owner.id),
        (store["MU-1"], StockMoveKind.STOCKTAKE, -4, 1, "Kiem ke T11", owner.id),
        (store["BN-LZ"], StockMoveKind.STOCKTAKE, 5, 25, "Kiem ke T11", owner.id),
    ])  # fmt: skip
    assert len(audit) == 1 and audit[0][1] == owner.id
    assert audit[0][0] == "3 lines counted, 3 changed, difference -7 (-520,000 đ); Kiem ke T11"


def test_stepping_back_applies_nothing(
    qtbot, monkeypatch, engine: Engine, store: dict[str, int], page: StocktakePage
) -> None:
    load(qtbot, page)
    scan(qtbot, page, "AO-M")
    monkeypatch.setattr(stocktake, "ask_apply", lambda _p, _t, _moved=0, *_o: None)
    qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)
    assert page.totals().lines == 1  # the count is kept
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(StockMovement)).scalar() == 0
    # Loading another sheet asks before the counts are dropped.
    monkeypatch.setattr(stocktake, "confirm_discard", lambda _p, n: n == 99)
    qtbot.mouseClick(page.load_button, Qt.MouseButton.LeftButton)
    assert page.totals().lines == 1 and not page._busy


def test_filters_choose_the_sheet(
    qtbot, owner_ctx: ServiceContext, store: dict[str, int], page: StocktakePage
) -> None:
    assert [page.category.itemText(i) for i in range(page.category.count())] == [
        "All categories", "Áo"]  # fmt: skip
    assert page.shop.itemText(0) == "All shops"
    page.shop.setCurrentIndex(page.shop.findData(store["shopee"]))
    load(qtbot, page)
    assert [r.sku for r in page.model.rows] == ["BN-SP", "MU-1"]
    assert page.loaded_filters == (None, store["shopee"])
    scan(qtbot, page, "AO-S")  # not on this sheet
    assert page.scan_message.objectName() == "errorText"


def test_confirmation_needs_a_reason(qtbot) -> None:
    dialog = ApplyStocktakeDialog(Totals(3, 2, -7, -520_000))
    qtbot.addWidget(dialog)
    assert dialog.summary.text() == (
        "Lines counted: 3 · differing: 2 · units: -7 · value: -520,000 VND"
    )
    assert not dialog.ok.isEnabled()
    qtbot.keyClicks(dialog.reason, "  ")
    assert not dialog.ok.isEnabled()
    qtbot.keyClicks(dialog.reason, "Kiem ke")
    assert dialog.ok.isEnabled() and dialog.reason_text() == "Kiem ke"


def test_a_sale_while_counting_stays_sold_and_the_confirmation_says_so(
    qtbot, monkeypatch, engine: Engine, owner_ctx: ServiceContext, store: dict[str, int],
    page: StocktakePage
) -> None:  # fmt: skip
    """The count is applied as of the sheet's load: 3 AO-S sold after it was loaded (and
    counted as the sheet showed) stay sold; the dialog says one counted line moved."""
    from primedist.services import orders

    load(qtbot, page)
    page.model.set_count(row_of(page, "AO-S"), 10)  # what the sheet shows: no difference
    page.model.set_count(row_of(page, "MU-1"), 4)  # one missing
    orders.create_order(owner_ctx, orders.OrderDraft(lines=(orders.DraftLine(store["AO-S"], 3),)))
    asked: list[tuple[Totals, int]] = []
    monkeypatch.setattr(
        stocktake, "ask_apply", lambda _p, t, moved=0, *_o: asked.append((t, moved)) or "Kiem ke"
    )
    with qtbot.waitSignals([page.applied, page.sheetLoaded], timeout=WAIT_MS):
        qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)
    assert asked == [(Totals(2, 1, -1, -30_000), 1)]
    with engine.connect() as conn:
        stock = dict(conn.execute(sa.select(Variant.sku, Variant.stock)).all())
        takes = conn.execute(
            sa.select(StockMovement.variant_id, StockMovement.quantity, StockMovement.stock_after)
            .where(StockMovement.kind == StockMoveKind.STOCKTAKE)  # type: ignore[arg-type]
        ).all()  # fmt: skip
    assert (stock["AO-S"], stock["MU-1"]) == (7, 4)
    assert [tuple(t) for t in takes] == [(store["MU-1"], -1, 4)]


def test_the_confirmation_tells_how_many_lines_moved(qtbot) -> None:
    quiet = ApplyStocktakeDialog(Totals(3, 2, -7, -520_000))
    moved = ApplyStocktakeDialog(Totals(3, 2, -7, -520_000), moved=2)
    qtbot.addWidget(quiet)
    qtbot.addWidget(moved)
    assert quiet.moved.isHidden() and not moved.moved.isHidden()
    assert moved.moved.text().startswith("The stock of 2 counted lines changed since")


def test_a_scanned_sku_finds_its_exact_case_before_a_case_twin() -> None:
    from primedist.queries.stocktake import SheetRow
    from primedist.ui.products.stocktake import SheetModel

    model = SheetModel()
    model.load([SheetRow(1, "ao-1", None, "Áo khoác", "", 4, 0, None, None),
                SheetRow(2, "AO-1", None, "Áo thun", "", 10, 0, None, None)])  # fmt: skip
    assert model.row_of_code("AO-1") == 1
    assert model.row_of_code("ao-1") == 0
    assert model.row_of_code("Ao-1") == 0  # any case: the first line with it
