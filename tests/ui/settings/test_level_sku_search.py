"""Settings → Customer groups & price levels: the price's SKU field offers the SKUs that
part of a SKU or the product's name (accents optional) finds, "SKU · product · list
price", the one picked going into the field; a SKU of an archived product is not offered
(a level price ignores it) and one listed on two shops comes once. After a switch of
language the price table's figures are the new language's."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.enums import ProductStatus
from primedist.domain.product import Product, Variant
from primedist.services.context import ServiceContext
from primedist.services.loyalty import levels
from primedist.ui.i18n import install_language
from primedist.ui.settings.levels import LevelsSettings
from tests.factories import make_product
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet", "english")
products_t, variants_t = table_of(Product), table_of(Variant)


def offered(section: LevelsSettings) -> list[str]:
    rows = section.sku_lookup.rows
    return [rows.item(r).text() for r in range(rows.rowCount())]


def type_sku(qtbot: QtBot, section: LevelsSettings, text: str) -> None:
    section.sku.setFocus()
    section.sku.clear()
    qtbot.keyClicks(section.sku, text)
    qtbot.waitUntil(lambda: section.sku_lookup.popup().isVisible(), timeout=WAIT)


@pytest.fixture
def shirts(engine: Engine) -> None:
    make_product(engine, "Áo sơ mi linen nữ", [("ASML-DEN-M", 299_000, 5),
                                               ("ASML-DEN-L", 299_000, 5)])  # fmt: skip
    make_product(engine, "Áo sơ mi linen nữ (Lazada)", [("ASML-DEN-M", 299_000, 2)])
    old = make_product(engine, "Áo sơ mi cũ", [("ASML-CU", 150_000, 0)])
    with engine.begin() as conn:
        product = sa.select(variants_t.c.product_id).where(variants_t.c.id == old[0])
        conn.execute(products_t.update().where(products_t.c.id == product.scalar_subquery())
                     .values(status=ProductStatus.ARCHIVED.value))  # fmt: skip


@pytest.mark.usefixtures("shirts")
def test_part_of_a_sku_or_the_name_offers_the_skus(qtbot: QtBot, owner_ctx: ServiceContext) -> None:
    levels.save_level(owner_ctx, name="VIP", code="VIP")
    section = show_widget(qtbot, LevelsSettings(owner_ctx), 1000, 700)
    type_sku(qtbot, section, "asml")
    assert offered(section) == [
        "ASML-DEN-L · Áo sơ mi linen nữ — V2 · 299,000 VND",
        "ASML-DEN-M · Áo sơ mi linen nữ — V1 · 299,000 VND",  # once, though on two products
    ]
    type_sku(qtbot, section, "so mi linen")  # the name, without its accents
    assert [row.split(" · ")[0] for row in offered(section)] == ["ASML-DEN-M", "ASML-DEN-L"]
    popup = section.sku_lookup.popup()
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert section.sku.text() == "ASML-DEN-L"


@pytest.mark.usefixtures("shirts")
def test_search_skus_leaves_archived_products_out(owner_ctx: ServiceContext) -> None:
    assert [o.sku for o in levels.search_skus(owner_ctx, "asml")] == ["ASML-DEN-L",
                                                                     "ASML-DEN-M"]  # fmt: skip
    assert levels.search_skus(owner_ctx, "ao so mi cu") == []


def test_the_prices_follow_a_switch_of_language(
    qtbot: QtBot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    make_product(engine, "Áo thun", [("AO-S", 299_000, 5)])
    vip = levels.save_level(owner_ctx, name="VIP", code="VIP")
    levels.set_level_price(owner_ctx, vip, "AO-S", 250_000)
    install_language("vi")
    section = show_widget(qtbot, LevelsSettings(owner_ctx), 1000, 700)
    section.table.selectRow([lv.id for lv in section.levels].index(vip))
    qtbot.waitUntil(lambda: section.price_table.rowCount() == 1, timeout=WAIT)

    def figures() -> list[str]:
        return [section.price_table.item(0, col).text() for col in (2, 3)]

    assert figures() == ["299.000", "250.000"]
    assert section.price_table.item(0, 0).text() == "AO-S"
    install_language("en")
    qtbot.wait(50)  # the LanguageChange, posted
    assert figures() == ["299,000", "250,000"]  # were left "299.000", "250.000"
