# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""The same order open in Edit on two sale screens (two PCs on one database), driven like
the cashiers would: A adds a product and saves; B, opened before, changes a quantity and
saves — B's form says the order changed meanwhile and stays open with B's changes, and
A's product is still on the order."""

from __future__ import annotations

from datetime import timedelta

from pytestqt.qtbot import QtBot
from sqlalchemy.engine import Engine

from primedist.services.context import ServiceContext
from primedist.ui.orders.sale import SaleDialog
from tests.services.test_order_edit import lines, phone_order
from tests.services.test_order_edit_two_screens import pc_b  # noqa: F401  (fixture)
from tests.services.test_orders import customer_id  # noqa: F401  (fixture)
from tests.ui.orders.test_order_detail import click, variants  # noqa: F401  (fixture)
from tests.ui.orders.test_sale_dialog import (
    Questions,
    questions,  # noqa: F401  (fixture: no modal box)
    scan,
    settle,
)
from tests.ui.orders.test_sale_dialog import lines as form_lines
from tests.ui.support import show_widget


def edit_screen(qtbot: QtBot, ctx: ServiceContext, order_id: int) -> SaleDialog:
    form = show_widget(qtbot, SaleDialog(ctx, edit_order_id=order_id))
    settle(qtbot, form)
    return form


def test_the_later_of_two_screens_is_told_and_keeps_its_form(
    qtbot: QtBot, owner_ctx: ServiceContext, pc_b: ServiceContext, engine: Engine,
    variants: list[int], questions: Questions,
) -> None:  # fmt: skip
    order_id = phone_order(owner_ctx, variants)  # 2 × AO-S + 1 × AO-M
    on_a = edit_screen(qtbot, owner_ctx, order_id)
    scan(qtbot, on_a, "AO-M")  # one more AO-M
    settle(qtbot, on_a)
    assert form_lines(on_a) == [("AO-S", 2), ("AO-M", 2)]
    on_b = edit_screen(qtbot, pc_b, order_id)  # opened before A saves
    owner_ctx.clock.advance(timedelta(minutes=3))  # type: ignore[attr-defined]
    with qtbot.waitSignal(on_a.orderSaved, timeout=5_000):
        click(qtbot, on_a.save_button)
    assert not on_a.isVisible()

    on_b.lines.selectRow(0)
    on_b.step_quantity(1)
    settle(qtbot, on_b)
    click(qtbot, on_b.save_button)
    assert on_b.isVisible() and form_lines(on_b) == [("AO-S", 3), ("AO-M", 1)]
    assert on_b.problems_label.isVisible()
    assert "was changed on another screen or PC since you opened it (by Chủ Thử at " \
        "20/11/2026 10:03): nothing was saved." in on_b.problems_label.text()  # fmt: skip
    assert [ln[:2] for ln in lines(engine, order_id)] == [("AO-S", 2), ("AO-M", 2)]
    on_b.reject()  # B's changes were not saved: closing asks first
    assert questions.asked == ["The changes to this order are not saved. Close and lose them?"]


def test_one_screen_alone_saves_its_edit(
    qtbot: QtBot, owner_ctx: ServiceContext, engine: Engine, variants: list[int]
) -> None:
    order_id = phone_order(owner_ctx, variants)
    form = edit_screen(qtbot, owner_ctx, order_id)
    form.lines.selectRow(0)
    form.step_quantity(1)
    settle(qtbot, form)
    with qtbot.waitSignal(form.orderSaved, timeout=5_000):
        click(qtbot, form.save_button)
    assert not form.isVisible()
    assert [ln[:2] for ln in lines(engine, order_id)] == [("AO-S", 3), ("AO-M", 1)]
