"""README's example barcodes are valid: the app refuses an EAN-13 whose check digit is
wrong, so an example written in its printed groups (`8 930000 000028`) must pass the
same check (that one should have ended in 6)."""

from __future__ import annotations

import re
from pathlib import Path

from primedist.services.catalogue import barcode_problem

README = Path(__file__).resolve().parents[1] / "README.md"
#: An EAN-13 as printed under its bars: 1, 6 and 6 digits.
PRINTED_EAN13 = re.compile(r"`(\d \d{6} \d{6})`")


def test_printed_barcode_examples_have_their_check_digit() -> None:
    codes = PRINTED_EAN13.findall(README.read_text(encoding="utf-8"))
    assert codes, "README shows no barcode typed in its printed groups"
    wrong = {c: str(barcode_problem(c.replace(" ", ""))) for c in codes
             if barcode_problem(c.replace(" ", "")) is not None}  # fmt: skip
    assert wrong == {}
