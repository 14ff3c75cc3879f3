"""Generating the variants again never loses stock silently: a value renamed in its place
keeps its rows (SKU, stock, id), rows that would go while holding stock or history are named
in a question first, and the save names the stock a removed variant held and refuses one
open orders hold. Real widgets over a migrated store."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy.engine import Engine

from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.enums import OrderSource
from primedist.domain.product import Variant
from primedist.errors import ValidationError
from primedist.services import catalogue as svc
from primedist.services import orders as orders_svc
from primedist.services.catalogue import ProductDraft, VariantDraft
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.products.editor import OPT1, OPT2, SKU, STOCK, ProductEditor
from tests.ui.products.test_editor import Questions, cells, open_editor, save_and_wait

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def questions(monkeypatch: pytest.MonkeyPatch) -> Questions:
    """QMessageBox.question recorded and answered No (the test sets `answer`)."""
    asker = Questions()
    monkeypatch.setattr(QMessageBox, "question", asker)
    return asker


COLOURS = {"Đen": "DEN", "Xanh rêu": "XANHREU"}


def linen_shirt(ctx: ServiceContext) -> int:
    """Áo sơ mi linen: Màu (Đen, Xanh rêu) × Size (S, M), stock 10, 11, 12, 13."""
    variants = [
        VariantDraft(sku=f"ASML-{code}-{size}", option1=colour, option2=size, price=250_000,
                     stock=10 + 2 * c + s)
        for c, (colour, code) in enumerate(COLOURS.items())
        for s, size in enumerate(("S", "M"))
    ]  # fmt: skip
    draft = ProductDraft(name="Áo sơ mi linen nữ", option1_name="Màu", option2_name="Size",
                         variants=variants)  # fmt: skip
    return svc.create_product(ctx, draft)


def active(engine: Engine, pid: int) -> dict[str, tuple[int, str | None, str | None, int]]:
    v = table_of(Variant).c
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(v.sku, v.id, v.option1, v.option2, v.stock)
            .where(v.product_id == pid, v.is_active.is_(True))
        )  # fmt: skip
        return {r.sku: (r.id, r.option1, r.option2, r.stock) for r in rows}


def generate(qtbot: Any, dialog: ProductEditor) -> None:
    qtbot.mouseClick(dialog.generate_button, Qt.MouseButton.LeftButton)


def test_renaming_a_value_keeps_its_rows_skus_and_stock(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine, questions: Questions
) -> None:
    pid = linen_shirt(owner_ctx)
    before = active(engine, pid)
    dialog = open_editor(qtbot, owner_ctx, pid)
    assert dialog.attr_values[0].text() == "Đen, Xanh rêu"
    dialog.attr_values[0].setText("Đen, Rêu")
    generate(qtbot, dialog)
    assert questions.asked == []
    assert cells(dialog.grid, OPT1) == ["Đen", "Đen", "Rêu", "Rêu"]
    assert cells(dialog.grid, SKU) == ["ASML-DEN-S", "ASML-DEN-M", "ASML-XANHREU-S",
                                       "ASML-XANHREU-M"]  # fmt: skip
    assert cells(dialog.grid, STOCK) == ["10", "11", "12", "13"]
    save_and_wait(qtbot, dialog)
    after = active(engine, pid)
    assert after["ASML-XANHREU-S"] == (before["ASML-XANHREU-S"][0], "Rêu", "S", 12)
    assert after["ASML-XANHREU-M"] == (before["ASML-XANHREU-M"][0], "Rêu", "M", 13)
    assert after["ASML-DEN-S"] == before["ASML-DEN-S"]


def test_dropping_an_attribute_asks_first_naming_the_rows_and_their_stock(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine, questions: Questions
) -> None:
    pid = linen_shirt(owner_ctx)
    dialog = open_editor(qtbot, owner_ctx, pid)
    dialog.attr_names[1].setText("")
    dialog.attr_values[1].setText("")
    dialog.base_sku.setText("ASML")
    generate(qtbot, dialog)  # answered No: nothing changes
    assert len(questions.asked) == 1
    asked = questions.asked[0]
    for sku, stock in (("ASML-DEN-S", 10), ("ASML-DEN-M", 11), ("ASML-XANHREU-S", 12),
                       ("ASML-XANHREU-M", 13)):  # fmt: skip
        assert f"• {sku}: stock {stock}" in asked
    assert dialog.grid.rowCount() == 4
    assert cells(dialog.grid, OPT2) == ["S", "M", "S", "M"]
    assert cells(dialog.grid, STOCK) == ["10", "11", "12", "13"]

    questions.answer = QMessageBox.StandardButton.Yes
    generate(qtbot, dialog)
    assert cells(dialog.grid, SKU) == ["ASML-DEN", "ASML-XANHREU"]
    save_and_wait(qtbot, dialog)
    # Never sold: deleted, the audit naming the stock each held.
    assert sorted(active(engine, pid)) == ["ASML-DEN", "ASML-XANHREU"]
    audit = table_of(AuditEvent).c
    with engine.connect() as conn:
        summary = conn.execute(
            sa.select(audit.summary).where(audit.action == "product.update")
        ).scalar_one()
    for sku, stock in (("ASML-DEN-S", 10), ("ASML-XANHREU-M", 13)):
        assert f"deleted {sku} with its stock {stock}" in summary


def test_rows_without_stock_or_history_go_without_a_question(
    qtbot: Any, owner_ctx: ServiceContext, questions: Questions
) -> None:
    dialog = open_editor(qtbot, owner_ctx)
    dialog.attr_names[0].setText("Size")
    dialog.attr_values[0].setText("S, M")
    generate(qtbot, dialog)
    dialog.attr_values[0].setText("S, L, XL")  # M dropped, L and XL added: not a rename
    generate(qtbot, dialog)
    assert questions.asked == []
    assert cells(dialog.grid, OPT1) == ["S", "L", "XL"]


def test_a_variant_open_orders_hold_is_named_and_cannot_be_removed(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine, questions: Questions
) -> None:
    pid = linen_shirt(owner_ctx)
    ids = active(engine, pid)
    held = ids["ASML-DEN-M"][0]
    phone_order = OrderDraft(lines=(DraftLine(held, 3),), source=OrderSource.PHONE,
                             ship_name="Lan", ship_phone="0901234567",
                             ship_address="12 Lý Thường Kiệt", ship_province="Hà Nội")  # fmt: skip
    orders_svc.create_order(owner_ctx, phone_order)  # confirmed: the 3 are reserved
    dialog = open_editor(qtbot, owner_ctx, pid)
    dialog.attr_values[1].setText("S")
    questions.answer = QMessageBox.StandardButton.Yes
    generate(qtbot, dialog)
    assert (
        "• ASML-DEN-M: stock 11, 3 held for open orders, sold or listed before"
        in (questions.asked[0])
    )
    # The service refuses too (the form shows it and nothing changes).
    draft = svc.get_product(owner_ctx, pid).draft
    draft.variants = [v for v in draft.variants if v.id != held]
    with pytest.raises(ValidationError) as caught:
        svc.update_product(owner_ctx, pid, draft)
    assert caught.value.reason == (
        "ASML-DEN-M is held for open orders (3): ship or cancel them before removing it."
    )
    assert held in {i for i, *_ in active(engine, pid).values()}


def test_the_audit_names_the_stock_of_removed_variants(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    pid = linen_shirt(owner_ctx)
    ids = active(engine, pid)
    gone, sold = ids["ASML-DEN-S"][0], ids["ASML-DEN-M"][0]
    orders_svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(sold, 1),)))  # 11 -> 10
    draft = svc.get_product(owner_ctx, pid).draft
    draft.variants = [v for v in draft.variants if v.id not in (gone, sold)]
    svc.update_product(owner_ctx, pid, draft)
    audit = table_of(AuditEvent).c
    with engine.connect() as conn:
        summary = conn.execute(
            sa.select(audit.summary).where(audit.action == "product.update")
        ).scalar_one()
    assert "deleted ASML-DEN-S with its stock 10" in summary
    assert "deactivated ASML-DEN-M (sold or listed before), keeping its stock 10" in summary
