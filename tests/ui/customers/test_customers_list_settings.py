"""The Customers list as the owner meets it: anonymous marketplace buyers hidden by a quick
filter that stays as left, rank and customer group told apart (header tips, a line in both
Settings pages, the group column only once groups exist), "Bronze" for the lowest rank,
and a name prompt wide enough for its title."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from primedist.domain.enums import Rank
from primedist.services.context import ServiceContext
from primedist.services.loyalty import levels as levels_svc
from primedist.ui.customers.list_page import CustomerListPage
from primedist.ui.customers.segments import NAME_PROMPT_WIDTH, name_dialog
from primedist.ui.labels import enum_label
from primedist.ui.settings.levels import LevelsSettings
from primedist.ui.settings.ranking import RankingSettings
from tests.factories import make_customers
from tests.ui.support import close_page, show_widget

pytestmark = pytest.mark.usefixtures("english", "shown")

NAMES = ["Nguyễn Thị Hoa", "N*************m", "L****a có số"]


@pytest.fixture
def people(owner_ctx: ServiceContext) -> dict[str, int]:
    engine = owner_ctx.engine
    ids = dict(zip(NAMES, make_customers(engine, len(NAMES), names=NAMES), strict=True))
    with engine.begin() as conn:  # the masked buyer left no phone
        conn.execute(sa.text("DELETE FROM customer_phones WHERE customer_id = :c"),
                     {"c": ids["N*************m"]})  # fmt: skip
    return ids


def _open(qtbot: Any, ctx: ServiceContext) -> CustomerListPage:
    return show_widget(qtbot, CustomerListPage(ctx))


def _names(page: CustomerListPage) -> set[str]:
    page.model.load_all_keys()
    col = page.model.col["name"]
    return {page.model.data(page.model.index(r, col)) for r in range(page.model.rowCount())}


def test_hide_anonymous_buyers_stays_as_left(
    qtbot: Any, owner_ctx: ServiceContext, people: dict[str, int]
) -> None:
    page = _open(qtbot, owner_ctx)
    button = page.quick_buttons["hide_anonymous"]
    assert button.text() == "Hide anonymous buyers" and not button.isChecked()
    assert _names(page) == set(NAMES)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    # A masked name with a phone can still be called: it stays.
    assert _names(page) == {"Nguyễn Thị Hoa", "L****a có số"}
    assert page.count.text() == "2 customers"
    close_page(qtbot, page)

    again = _open(qtbot, owner_ctx)  # the next time the tab opens (ui.ini of the data dir)
    assert again.quick_buttons["hide_anonymous"].isChecked()
    assert _names(again) == {"Nguyễn Thị Hoa", "L****a có số"}
    qtbot.mouseClick(again.quick_buttons["hide_anonymous"], Qt.MouseButton.LeftButton)
    assert _names(again) == set(NAMES)
    close_page(qtbot, again)
    last = _open(qtbot, owner_ctx)
    assert not last.quick_buttons["hide_anonymous"].isChecked()
    close_page(qtbot, last)


def test_rank_and_group_headers_say_which_does_what(
    qtbot: Any, owner_ctx: ServiceContext, people: dict[str, int]
) -> None:
    page = _open(qtbot, owner_ctx)
    model, view = page.model, page.view
    tip = Qt.ItemDataRole.ToolTipRole
    assert model.headerData(model.col["rank"], Qt.Orientation.Horizontal, tip).startswith(
        "Rank: automatic, by what the customer spends"
    )
    assert model.headerData(model.col["level"], Qt.Orientation.Horizontal, tip).startswith(
        "Customer group: decides the price list"
    )
    # No customer group yet: no empty Group column beside the rank to mistake for it.
    assert view.isColumnHidden(model.col["level"]) and not view.isColumnHidden(model.col["rank"])
    levels_svc.save_level(owner_ctx, name="Khách sỉ", code="SI")
    page.refresh()
    assert not view.isColumnHidden(model.col["level"])
    close_page(qtbot, page)


@pytest.fixture
def settings_pages(qtbot: Any, owner_ctx: ServiceContext) -> Iterator[list[Any]]:
    pages = [show_widget(qtbot, RankingSettings(owner_ctx)),
             show_widget(qtbot, LevelsSettings(owner_ctx))]  # fmt: skip
    yield pages
    for page in pages:
        page.close()


def test_settings_pages_say_rank_is_automatic_and_the_group_sets_prices(
    settings_pages: list[Any],
) -> None:
    ranking, levels = settings_pages
    assert ranking.explain.isVisible() and levels.explain.isVisible()
    assert ranking.explain.text().startswith("Rank: automatic, by what each customer spends")
    assert "the customer group does" in ranking.explain.text()
    assert levels.explain.text().startswith("Customer group: decides the price list")


def test_the_lowest_rank_is_bronze_in_english() -> None:
    assert enum_label(Rank.COPPER) == "Bronze"  # stored "copper" as before


def test_the_segment_name_prompt_is_wide_enough_for_its_title(qtbot: Any) -> None:
    dialog = name_dialog(None, "Tạo phân khúc", "Tên phân khúc:")  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    title = dialog.fontMetrics().horizontalAdvance("Tạo phân khúc")
    assert dialog.width() >= max(NAME_PROMPT_WIDTH, title + 160)
    assert isinstance(dialog, QInputDialog) and dialog.textValue() == ""
