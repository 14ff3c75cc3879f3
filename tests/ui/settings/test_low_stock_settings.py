"""Settings → Low stock: tick shops, apply a level, reset it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from sqlalchemy.engine import Engine

from primedist.db.product_summary import LOW_STOCK_KEY
from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.enums import Channel
from primedist.domain.product import Product, ProductListing, Variant
from primedist.domain.settings import ShopParameter
from primedist.services.context import ServiceContext
from primedist.ui.settings.low_stock import COL_LEVEL, COL_SHOP, LowStockSettings
from tests.factories import make_product, make_shop

WAIT_MS = 10_000
pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def shops(engine: Engine, owner_ctx: ServiceContext) -> dict[str, int]:
    """Lazada and Shopee; Áo thun (4 on hand) is listed on Shopee."""
    ids = {
        "Lazada Store": make_shop(engine, "Lazada Store", Channel.LAZADA),
        "Shopee Mall": make_shop(engine, "Shopee Mall", Channel.SHOPEE),
    }
    (v,) = make_product(engine, "Áo thun", [("AO", 99_000, 4)])
    with engine.begin() as conn:
        pid = conn.execute(sa.select(Variant.product_id).where(Variant.id == v)).scalar()
        conn.execute(sa.insert(table_of(ProductListing)),
                     {"product_id": pid, "shop_id": ids["Shopee Mall"]})  # fmt: skip
    return ids


def stored(engine: Engine) -> dict[int, str]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(ShopParameter.shop_id, ShopParameter.value_json).where(
                ShopParameter.key == LOW_STOCK_KEY
            )
        ).all()
    return {int(s): str(v) for s, v in rows}


def low(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.execute(sa.select(Product.low_stock)).scalar())


def shown_levels(widget: LowStockSettings) -> dict[str, str]:
    t = widget.table
    return {t.item(r, COL_SHOP).text(): t.item(r, COL_LEVEL).text() for r in range(t.rowCount())}


def tick(widget: LowStockSettings, name: str) -> None:
    t = widget.table
    for r in range(t.rowCount()):
        if t.item(r, COL_SHOP).text() == name:
            t.item(r, COL_SHOP).setCheckState(Qt.CheckState.Checked)


def test_apply_and_reset_a_level(
    qtbot, engine: Engine, owner_ctx: ServiceContext, shops: dict[str, int]
) -> None:
    widget = LowStockSettings(owner_ctx)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    assert "variant's own" in widget.explanation.text()
    levels = shown_levels(widget)
    assert levels["Lazada Store"] == levels["Shopee Mall"] == "none"
    before = stored(engine)  # the setup's counter shop starts with the new-shop default
    assert not widget.apply_button.isEnabled() and not widget.reset_button.isEnabled()

    tick(widget, "Lazada Store")
    tick(widget, "Shopee Mall")
    assert sorted(widget.selected_shops()) == sorted(shops.values())
    assert widget.apply_button.isEnabled()
    widget.level.setFocus()
    widget.level.selectAll()
    qtbot.keyClicks(widget.level, "12")
    with qtbot.waitSignal(widget.levelsChanged, timeout=WAIT_MS):
        qtbot.mouseClick(widget.apply_button, Qt.MouseButton.LeftButton)
    assert stored(engine) == {**before, shops["Lazada Store"]: "12", shops["Shopee Mall"]: "12"}
    assert shown_levels(widget)["Shopee Mall"] == "12"
    assert widget.message.text() == (
        "Low-stock level 12 applied to 2 shop(s). It now covers 1 product(s) sold there. "
        "Low on stock: 0 → 1."
    )
    assert low(engine)  # 4 available ≤ 12 on a Shopee-listed product

    widget.set_ticked({shops["Shopee Mall"]})
    with qtbot.waitSignal(widget.levelsChanged, timeout=WAIT_MS):
        qtbot.mouseClick(widget.reset_button, Qt.MouseButton.LeftButton)
    assert stored(engine) == {**before, shops["Lazada Store"]: "12"}
    levels = shown_levels(widget)
    assert (levels["Lazada Store"], levels["Shopee Mall"]) == ("12", "none")
    assert widget.message.text() == "Default level removed from 1 shop(s). Low on stock: 1 → 0."
    assert not low(engine)
    assert widget.selected_shops() == [shops["Shopee Mall"]]  # ticks survive the reload
    with engine.connect() as conn:
        actions = (
            conn.execute(
                sa.select(AuditEvent.action).where(AuditEvent.action.startswith("low_stock"))  # type: ignore[attr-defined]
            )
            .scalars()
            .all()
        )
    assert sorted(actions) == ["low_stock.shop_level", "low_stock.shop_level",
                               "low_stock.shop_level_reset"]  # fmt: skip


def test_apply_counts_what_the_owner_sees(
    qtbot, engine: Engine, owner_ctx: ServiceContext, shops: dict[str, int]
) -> None:
    """An archived product sold on the shop is not counted; a variant with its own level is
    said (the default does not reach it); Home's Low on stock before → after."""
    shopee = shops["Shopee Mall"]
    (old,) = make_product(engine, "Áo cũ", [("OLD", 1, 0)])
    (own,) = make_product(engine, "Mũ", [("MU", 1, 3)])
    with engine.begin() as conn:
        for vid in (old, own):
            pid = conn.execute(sa.select(Variant.product_id).where(Variant.id == vid)).scalar()
            conn.execute(sa.insert(table_of(ProductListing)),
                         {"product_id": pid, "shop_id": shopee})  # fmt: skip
            if vid == old:
                conn.execute(sa.update(Product).where(Product.id == pid).values(status="archived"))
        conn.execute(sa.update(Variant).where(Variant.id == own).values(low_stock_level=1))
    widget = LowStockSettings(owner_ctx)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    tick(widget, "Shopee Mall")
    widget.level.setValue(12)
    with qtbot.waitSignal(widget.levelsChanged, timeout=WAIT_MS):
        qtbot.mouseClick(widget.apply_button, Qt.MouseButton.LeftButton)
    # Áo thun and Mũ (not the archived Áo cũ); Mũ keeps 1 (3 > 1); Áo thun 4 ≤ 12.
    assert widget.message.text() == (
        "Low-stock level 12 applied to 1 shop(s). It now covers 2 product(s) sold there. "
        "1 of their variant(s) keep their own level (or their SKU group's). "
        "Low on stock: 0 → 1."
    )
    assert widget.message.objectName() == "muted"


def test_tick_all(qtbot, owner_ctx: ServiceContext, shops: dict[str, int]) -> None:
    widget = LowStockSettings(owner_ctx)
    qtbot.addWidget(widget)
    qtbot.mouseClick(widget.all_button, Qt.MouseButton.LeftButton)
    assert len(widget.selected_shops()) == widget.table.rowCount() >= 2
    qtbot.mouseClick(widget.all_button, Qt.MouseButton.LeftButton)
    assert widget.selected_shops() == []
