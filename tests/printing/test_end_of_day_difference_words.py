"""The slip and the chat text say the till's difference in words, as the screen does:
"thiếu 43.000 ₫" / "43,000 VND short", "thừa 7.000 ₫" / "over", "Khớp" / "Exact" (they
printed a bare "-43.000 ₫", and "7.000 ₫" for an over). The gross profit is never on
either (the owner's Excel file has it; README says so)."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

from primedist.core.clock import FixedClock
from primedist.domain.enums import PaymentMethod
from primedist.printing.end_of_day import end_of_day_document, end_of_day_text
from primedist.printing.model import Paper
from primedist.services import end_of_day as eod
from primedist.services import till
from primedist.services.context import ServiceContext
from tests.factories import make_product
from tests.printing.test_end_of_day_print import DAY, SHOP, at
from tests.services.test_end_of_day import sell

README = Path(__file__).resolve().parents[2] / "README.md"


def difference_row(html: str) -> str:
    """The value of the slip's Difference row, tags left out."""
    row = re.search(r"<td>(?:<b>)?(?:Difference|Chênh lệch)(?:</b>)?</td>"
                    r"<td align=\"right\">(.*?)</td>", html)  # fmt: skip
    assert row is not None
    return re.sub("<[^>]+>", "", row.group(1))


def test_over_short_and_exact_in_words(
    owner_ctx: ServiceContext, clock: FixedClock, engine: sa.Engine
) -> None:
    (shirt,) = make_product(engine, "Áo thun", [("AO-S", 100_000, 50)])
    at(clock, 10)
    sell(owner_ctx, [(shirt, 5)], PaymentMethod.CASH)  # 500.000 ₫ in the drawer
    at(clock, 21)
    report = eod.end_of_day(owner_ctx, DAY)
    expected = {
        457_000: ("thiếu 43.000 ₫", "43,000 VND short"),
        507_000: ("thừa 7.000 ₫", "7,000 VND over"),
        500_000: ("Khớp", "Exact"),
    }
    for counted, (vi, en) in expected.items():
        count = till.close_till(owner_ctx, DAY, opening_float=0, counted=counted)
        for lang, words in (("vi", vi), ("en", en)):
            html = end_of_day_document(report, SHOP, lang=lang, paper=Paper.ROLL_80,
                                       till=count).html  # fmt: skip
            assert difference_row(html) == words
            text = end_of_day_text(report, SHOP.name, lang=lang, till=count)
            assert text.splitlines()[-1].endswith(f": {words}"), text
    text = end_of_day_text(report, SHOP.name, lang="vi", till=count)
    assert text.splitlines()[-1] == "Kiểm két: Tiền đếm được 500.000 ₫ · Chênh lệch: Khớp"


def test_the_gross_profit_is_the_owner_s_file_s_never_the_slip_s(
    owner_ctx: ServiceContext, clock: FixedClock, engine: sa.Engine
) -> None:
    (shirt,) = make_product(engine, "Áo thun", [("AO-S", 100_000, 50)])
    at(clock, 10)
    sell(owner_ctx, [(shirt, 1)], PaymentMethod.CASH)
    report = eod.end_of_day(owner_ctx, DAY)
    assert report.gross_profit == 100_000  # the owner sees Analytics
    for lang, name in (("vi", "Lợi nhuận gộp"), ("en", "Gross profit")):
        html = end_of_day_document(report, SHOP, lang=lang, paper=Paper.A4).html
        assert name not in html
        assert name not in end_of_day_text(report, SHOP.name, lang=lang)
    readme = " ".join(README.read_text(encoding="utf-8").split())
    assert "Not printed nor exported" not in readme
    assert ("In the Excel file too, the owner's record, for those same users only; never on "
            "the printed slip nor in the chat text") in readme  # fmt: skip
