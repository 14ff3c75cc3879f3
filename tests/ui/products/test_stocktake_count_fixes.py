"""The stock-take's Counted cell takes whole numbers only (a decimal is refused, not read
10× too large), the confirmation says what applying really does when stock moved while
counting, and a stale line is counted again alone, the other counts kept."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy.engine import Engine

from primedist.domain.enums import StockMoveKind
from primedist.domain.product import StockMovement, Variant
from primedist.services import stock as stock_svc
from primedist.services.context import ServiceContext
from primedist.ui.products import stocktake
from primedist.ui.products.stocktake import (
    COL_COUNTED,
    ApplyStocktakeDialog,
    NotWholeCount,
    StocktakePage,
    Totals,
    parse_count,
)
from tests.factories import make_product

WAIT_MS = 10_000
pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def skus(engine: Engine, owner_ctx: ServiceContext) -> dict[str, int]:
    """AO-S (10 on hand), MU-1 (5 on hand)."""
    (ao,) = make_product(engine, "Áo thun", [("AO-S", 99_000, 10)])
    (mu,) = make_product(engine, "Mũ", [("MU-1", 60_000, 5)])
    return {"AO-S": ao, "MU-1": mu}


@pytest.fixture
def page(qtbot, monkeypatch, owner_ctx: ServiceContext, skus: dict[str, int]) -> StocktakePage:
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: None))
    widget = StocktakePage(owner_ctx)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitExposed(widget)
    with qtbot.waitSignal(widget.sheetLoaded, timeout=WAIT_MS):
        qtbot.mouseClick(widget.load_button, Qt.MouseButton.LeftButton)
    return widget


def row_of(page: StocktakePage, sku: str) -> int:
    return [r.sku for r in page.model.rows].index(sku)


def test_a_count_is_a_whole_number_grouped_in_threes() -> None:
    for typed in ("1.200", "1,200", "1 200", "1\u00a0200", "1200", " 1.200 "):
        assert parse_count(typed) == 1200, typed
    assert parse_count("1.000.000") == 1_000_000 and parse_count("007") == 7
    # A decimal, or digits not grouped in threes: refused, never read as 30, 15, 250, 5.
    for typed in ("3.0", "1,5", "2.50", "0,5", "1.2000", "12,00", "0.500", "1.200,5",
                  "1,200.000", "1.200 000"):  # fmt: skip
        with pytest.raises(NotWholeCount):
            parse_count(typed)
    for typed in ("-1", "abc", "1.5x", "1..2", ".5", "5."):
        with pytest.raises(ValueError):
            parse_count(typed)


def test_a_decimal_typed_as_a_count_is_refused_and_said_so(page: StocktakePage) -> None:
    for r, typed in enumerate(["3.0", "1,5"]):
        index = page.model.index(r, COL_COUNTED)
        assert not page.model.setData(index, typed)
        assert page.model.counted[r] is None  # not 30, not 15
        assert page.scan_message.text() == (
            f"“{typed}” is not a whole number: a count has no decimals, and its thousands go "
            "in groups of three, as in 1,200."
        )
        assert page.scan_message.objectName() == "errorText"
    assert page.totals() == Totals()
    # Thousands grouped in threes are a count.
    assert page.model.setData(page.model.index(0, COL_COUNTED), "1.200")
    assert page.model.counted[0] == 1200
    # Not a number at all: the plain refusal.
    assert not page.model.setData(page.model.index(1, COL_COUNTED), "2x")
    assert page.scan_message.text() == (
        "“2x” is not a count: type a whole number of 0 or more, or nothing."
    )


def test_the_confirmation_says_a_moved_line_changes_by_the_difference(qtbot) -> None:
    """Counted 5 on a sheet showing 8, 2 sold since: the line ends at 3, not at the 5
    counted; the confirmation says so when lines moved (and as before when none did)."""
    moved = ApplyStocktakeDialog(
        Totals(1, 1, -3, 0), moved=1, outcomes=[stocktake.Outcome("AO-S", "Áo", 6, -3, 0)]
    )
    still = ApplyStocktakeDialog(Totals(1, 1, -3, 0), outcomes=[])
    qtbot.addWidget(moved)
    qtbot.addWidget(still)
    assert moved.outcomes.item(0, 4).text() == "3"
    assert moved.intro.text() == (
        "The stock of the 1 counted lines changes by the difference you counted against the "
        "sheet (1 of them change), not to the number counted. Lines you did not count keep "
        "their stock."
    )
    assert "becomes what you counted" in still.intro.text()


def test_a_stale_line_is_counted_again_alone(
    qtbot, monkeypatch, engine: Engine, owner_ctx: ServiceContext, skus: dict[str, int],
    page: StocktakePage,
) -> None:  # fmt: skip
    """AO-S counted 1 on a sheet showing 10, then 2 taken out elsewhere: it would end at -1.
    The confirmation refuses and says to count just that line again; stepping back clears
    only its count and shows its stock now (8); MU-1's count stays. Counted again (7), it
    is applied against the 8: AO-S ends at 7."""
    ao, mu = row_of(page, "AO-S"), row_of(page, "MU-1")
    page.model.set_count(ao, 1)
    page.model.set_count(mu, 4)
    stock_svc.stock_out(owner_ctx, skus["AO-S"], 2, reason="elsewhere")
    seen: list[ApplyStocktakeDialog] = []

    def refuse(parent, totals, moved=0, outcomes=()):
        dialog = ApplyStocktakeDialog(totals, parent, moved=moved, outcomes=outcomes)
        qtbot.addWidget(dialog)
        seen.append(dialog)
        return None  # only Cancel can be pressed

    monkeypatch.setattr(stocktake, "ask_apply", refuse)
    qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)
    (dialog,) = seen
    assert not dialog.below_zero.isHidden() and not dialog.applicable
    assert dialog.below_zero.text() == (
        "1 lines would end below 0: more went out of them while they were counted than was "
        "counted missing. Cancel, then count just those lines again: they will show their "
        "stock as it is now, with an empty count. Your other counts are kept."
    )
    # Only the stale line waits for a new count, on its stock as it is now.
    assert page.model.counted[ao] is None and page.model.counted[mu] == 4
    assert page.model.index(ao, COL_COUNTED - 1).data() == "8"
    assert page.view.currentIndex().row() == ao
    assert page.scan_message.text() == (
        "Count 1 lines again: they show their stock as it is now, with an empty count. Your "
        "other counts are kept."
    )

    assert page.model.setData(page.model.index(ao, COL_COUNTED), "7")
    monkeypatch.setattr(stocktake, "ask_apply", lambda *_a, **_k: "Kiem ke")
    with qtbot.waitSignals([page.applied, page.sheetLoaded], timeout=WAIT_MS):
        qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)
    with engine.connect() as conn:
        stock = dict(conn.execute(sa.select(Variant.sku, Variant.stock)).all())
        takes = conn.execute(
            sa.select(StockMovement.variant_id, StockMovement.quantity)
            .where(StockMovement.kind == StockMoveKind.STOCKTAKE)  # type: ignore[arg-type]
            .order_by(StockMovement.variant_id)  # type: ignore[arg-type]
        ).all()  # fmt: skip
    assert (stock["AO-S"], stock["MU-1"]) == (7, 4)
    assert sorted(tuple(t) for t in takes) == sorted([(skus["AO-S"], -1), (skus["MU-1"], -1)])
