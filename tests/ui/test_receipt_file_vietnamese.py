"""A goods receipt's "Import lines…" file with a bad value is refused in Vietnamese when
the app is (the tester's r1.csv and r3.csv), naming the column as the file writes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from primedist.errors import ValidationError
from primedist.services import goods_receipts as gr
from primedist.services.context import ServiceContext
from primedist.ui.messages import error_text
from tests.factories import make_product

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Mã SKU,Số lượng,Giá nhập\nAT-S,2,1.250.000\n",
         "dòng 2, cột 'Giá nhập': '1.250.000' có dấu phân cách hàng nghìn: hãy ghi số không "
         "có dấu (1250000)"),
        ("Mã SKU,Số lượng\nAT-S,2 cái\n", "dòng 2, cột 'Số lượng': '2 cái' không phải là số"),
    ],
)  # fmt: skip
def test_a_bad_value_in_a_receipt_file_is_told_in_vietnamese(
    owner_ctx: ServiceContext, tmp_path: Path, vietnamese: None, text: str, shown: str
) -> None:
    make_product(owner_ctx.engine, "Áo thun", [("AT-S", 150_000, 10)])
    path = tmp_path / "r.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        gr.read_receipt_file(owner_ctx, path)
    assert error_text(info.value) == shown
