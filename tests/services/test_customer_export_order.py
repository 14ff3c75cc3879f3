"""services/customer_export.py: the whole list is exported in the order the Customers list
shows it (the column sorted by and its direction), not always newest first."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from primedist.domain.base import table_of
from primedist.domain.customer import Customer
from primedist.services.context import ServiceContext
from primedist.services.customer_export import export_customers
from tests.factories import make_customers

customers_t = table_of(Customer)
#: name: total spent; created in this order (the newest last).
SHOP = {"Bùi Lan": 300_000, "An Khang": 900_000, "Châu Mỹ": 100_000, "Đào Vy": 500_000}


@pytest.fixture
def shop(owner_ctx: ServiceContext) -> None:
    ids = make_customers(owner_ctx.engine, len(SHOP), names=list(SHOP))
    with owner_ctx.engine.begin() as conn:
        for cid, spent in zip(ids, SHOP.values(), strict=True):
            conn.execute(sa.update(customers_t).where(customers_t.c.id == cid)
                         .values(total_expenses=spent))  # fmt: skip


def names(path: Path) -> list[str]:
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    return [str(row[0]) for row in sheet.iter_rows(min_row=2, values_only=True)]


@pytest.mark.usefixtures("shop")
def test_the_export_follows_the_lists_sort(owner_ctx: ServiceContext, tmp_path: Path) -> None:
    out = tmp_path / "k.xlsx"
    export_customers(owner_ctx, out, columns=["name"], sort_key="total_expenses",
                     descending=True)  # fmt: skip
    assert names(out) == ["An Khang", "Đào Vy", "Bùi Lan", "Châu Mỹ"]
    export_customers(owner_ctx, out, columns=["name"], sort_key="name", descending=False)
    assert names(out) == ["An Khang", "Bùi Lan", "Châu Mỹ", "Đào Vy"]
    # Without a sort (the command line): newest first, as before.
    export_customers(owner_ctx, out, columns=["name"])
    assert names(out) == ["Đào Vy", "Châu Mỹ", "An Khang", "Bùi Lan"]


def test_an_unknown_sort_is_refused(owner_ctx: ServiceContext, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot be sorted by 'phone'"):
        export_customers(owner_ctx, tmp_path / "k.xlsx", sort_key="phone")
