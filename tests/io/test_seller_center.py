"""Values and headers of Seller Center exports (io/seller_center.py)."""

from __future__ import annotations

import unicodedata
from datetime import datetime

import pytest

from primedist.io.seller_center import (
    ExportFormat,
    detect_format,
    parse_export_datetime,
    parse_money,
)


@pytest.mark.parametrize(
    ("cell", "amount"),
    [(90000, 90000), (90000.0, 90000), ("90.000", 90000), ("1.250.000", 1250000),
     ("90,000", 90000), ("₫90.000", 90000), ("VND 185,000", 185000), ("90000", 90000),
     ("-10.000", None), ("", 0), ("12,5", None), ("9.0001", None), ("abc", None),
     (12.5, None), (True, None),
     # Both marks: the other one is the decimals, which must be zero.
     ("100,000.00", 100000), ("100.000,00", 100000), ("VND 1,250,000.00", 1250000),
     ("₫1.250.000,0", 1250000), ("100,000.50", None), ("100.000,05", None),
     ("1.000,000", None), ("1,000.000", None)],
)  # fmt: skip
def test_money_cells(cell: object, amount: int | None) -> None:
    if amount is None:
        with pytest.raises(ValueError):
            parse_money(cell)  # type: ignore[arg-type]
    else:
        assert parse_money(cell) == amount  # type: ignore[arg-type]


@pytest.mark.parametrize("cell", ["100,000.50", "100.000,05"])
def test_a_fraction_of_a_dong_says_so(cell: str) -> None:
    with pytest.raises(ValueError, match="is not a whole number of đồng"):
        parse_money(cell)


@pytest.mark.parametrize(
    ("cell", "when"),
    [("04 Jul 2022 11:46", datetime(2022, 7, 4, 11, 46)),
     ("4 Sept 2022 09:05:30", datetime(2022, 9, 4, 9, 5, 30)),
     ("2024-10-01 10:00", datetime(2024, 10, 1, 10, 0)),
     ("05/11/2026 10:30:15", datetime(2026, 11, 5, 10, 30, 15)),
     (datetime(2026, 1, 2, 3, 4), datetime(2026, 1, 2, 3, 4))],
)  # fmt: skip
def test_dates(cell: object, when: datetime) -> None:
    assert parse_export_datetime(cell) == when  # type: ignore[arg-type]


@pytest.mark.parametrize("cell", ["31 Feb 2022 10:00", "04 Foo 2022 11:46", "yesterday"])
def test_bad_dates_say_why(cell: str) -> None:
    with pytest.raises(ValueError, match=repr(cell)[1:-1][:10]):
        parse_export_datetime(cell)


def test_layouts_by_header_nfc_and_case() -> None:
    shopee = ["Mã đơn hàng", unicodedata.normalize("NFD", "Ngày đặt hàng"),
              " Trạng Thái  Đơn Hàng "]  # fmt: skip
    assert detect_format(shopee) == ExportFormat.SHOPEE
    assert detect_format(["orderItemId", "orderNumber", "createTime"]) == ExportFormat.LAZADA
    assert detect_format(["Order ID", "Order Status", "Created Time"]) == ExportFormat.TIKTOK
    assert detect_format(["Order ID", "Order Date", "Shop", "SKU"]) == ExportFormat.TEMPLATE
    assert detect_format(["ORDERITEMID", "ordernumber", "createtime"]) is None
    assert detect_format(["a", "b"]) is None
