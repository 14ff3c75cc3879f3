"""The labels' Save as PDF offers a name in the app's language with the day (it offered the
same English "labels.pdf" every time, in the Vietnamese app too), as the orders' PDFs do."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from primedist.core.clock import FixedClock
from primedist.services.catalogue import VariantDraft
from primedist.services.context import ServiceContext
from primedist.ui.printing.actions import dated_pdf_name
from primedist.ui.products import labels
from tests.factories import add_product
from tests.ui.products.test_labels_dialog import open_labels

pytestmark = pytest.mark.usefixtures("english", "no_crash")


def offered_name(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, ctx: ServiceContext,
                 product_ids: list[int]) -> str:  # fmt: skip
    offered: list[Path] = []

    def ask(_parent, _ctx, _purpose, _title, suggested: Path, _filters):  # type: ignore[no-untyped-def]
        offered.append(suggested)
        return None  # cancelled: nothing is saved

    monkeypatch.setattr(labels, "ask_save_file", ask)
    dialog = open_labels(qtbot, ctx, product_ids)
    dialog.save_pdf()
    dialog.close()
    assert len(offered) == 1
    return offered[0].name


def test_the_labels_pdf_is_named_by_what_it_is_and_the_day(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    shirt = add_product(owner_ctx, "Áo thun", [VariantDraft(sku="AO-S", price=29_000, stock=3)])
    # 2026-11-20 03:00 UTC: the 20th in the shop.
    assert offered_name(qtbot, monkeypatch, owner_ctx, [shirt]) == "barcode-labels-2026-11-20.pdf"
    clock.advance(timedelta(hours=21))  # 07:00 on the 21st in Vietnam (00:00 UTC)
    assert offered_name(qtbot, monkeypatch, owner_ctx, [shirt]) == "barcode-labels-2026-11-21.pdf"


def test_a_vietnamese_name_is_written_without_diacritics() -> None:
    assert dated_pdf_name("Tem mã vạch", date(2026, 12, 8)) == "tem-ma-vach-2026-12-08.pdf"
    assert dated_pdf_name("Đơn & Tem", date(2026, 12, 8)) == "don-tem-2026-12-08.pdf"
