"""A label always shows its variant whole: three variants of a long-named product used to
print the same label (the variant was the tail cut off the wrapped name)."""

from __future__ import annotations

import pytest

from primedist.printing.labels import LabelItem, LabelOptions
from primedist.ui.printing import labels as draw
from tests.printing.support import LONG_NAME, has_phrase, pdf_text

VARIANTS = ("Hộp gỗ / 200g", "Hộp giấy / 100g", "Xanh rêu đậm / Size XXL / Tay dài có túi")


def items() -> list[LabelItem]:
    return [LabelItem(i + 1, f"QUA-0{i}", f"QUA-0{i}", LONG_NAME, variant, 1_250_000, 5, 1)
            for i, variant in enumerate(VARIANTS)]  # fmt: skip


@pytest.mark.parametrize("stock", ["roll_35x22_2", "roll_40x30_1", "a4_65", "a4_24"])
def test_every_variant_shows_whole_on_its_own_line(qapp, tmp_path, stock):
    out = tmp_path / f"{stock}.pdf"
    draw.labels_to_pdf(draw.LabelJob(items(), LabelOptions(stock=stock), "Nến Thơm", "vi"), out)
    text = " ".join(pdf_text(out).split())  # a row's labels come side by side
    for variant in VARIANTS:
        assert variant in text, (variant, text)  # whole, not cut
    assert "·" not in text  # on a line of its own, not after the name
    # Each label still starts with the name (cut to one line when it is long).
    assert text.count("Bộ quà tặng nến thơm") == len(VARIANTS)


def test_without_a_variant_the_name_takes_two_lines(qapp, tmp_path):
    item = LabelItem(1, "QUA-01", "QUA-01", LONG_NAME, "", 1_250_000, 5, 1)
    out = tmp_path / "plain.pdf"
    draw.labels_to_pdf(draw.LabelJob([item], LabelOptions(stock="roll_35x22_2"), "", "vi"), out)
    assert has_phrase(pdf_text(out), "Bộ quà tặng nến thơm tinh dầu thiên nhiên")


def test_a_very_long_variant_keeps_to_two_lines(qapp, tmp_path):
    """Wrapped without a limit it pushed the barcode down to 3 mm and the price off the
    label: two lines at most, the rest elided."""
    variant = " / ".join(["Màu xanh dương đậm", "Size XXL", "Chất liệu cotton 100%",
                          "Tay dài có túi ngực", "Cổ bẻ", "Mẫu mới nhất cuối"])  # fmt: skip
    item = LabelItem(1, "QUA-01", "QUA-01", LONG_NAME, variant, 1_250_000, 5, 1)
    out = tmp_path / "long.pdf"
    draw.labels_to_pdf(draw.LabelJob([item], LabelOptions(stock="roll_35x22_2"), "", "vi"), out)
    text = " ".join(pdf_text(out).split())
    assert "Màu xanh dương đậm" in text and "cuối" not in text and "…" in text
    assert "1.250.000" in text  # the price still on the label
