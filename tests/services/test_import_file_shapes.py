"""Importers given files as shops hand them over: merged order columns in an .xlsx, a file
changed while it is imported, a delivery list with Vietnamese headers, a title above the
header, an invisible character in a SKU."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from sqlalchemy.engine import Engine

from primedist.errors import ValidationError
from primedist.jobs.progress import JobProgress
from primedist.services import goods_receipts as gr
from primedist.services.context import ServiceContext
from primedist.services.order_import import COLUMNS, import_orders
from tests.services.test_goods_receipts import goods  # noqa: F401  (fixture)
from tests.services.test_order_import import (
    dump,
    sample,
    table_rows,
    typed,
    write_csv,
    write_xlsx,
)


def test_an_order_with_its_columns_merged_over_its_lines_imports_whole(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "merged.xlsx", typed(sample())[:2])  # one order, 2 lines
    book = openpyxl.load_workbook(path)
    for c in range(1, COLUMNS.index("discount") + 2):  # order_id … discount: A–M
        letter = get_column_letter(c)
        book.active.merge_cells(f"{letter}2:{letter}3")  # row 3's cells are emptied
    book.save(path)
    report = import_orders(owner_ctx, path)
    assert (report.orders_inserted, report.rejected) == (1, [])
    (placed,) = table_rows(engine, "orders", external_id="DH001")
    lines = table_rows(engine, "order_lines", order_id=placed["id"])
    assert sorted(line["sku"] for line in lines) == ["AO-TRANG-M", "QUAN-JEAN-30"]


class CutTheFile(JobProgress):
    """At the importer's first check (row 2,000), cuts its file at a line boundary: as a
    sync or a save does while the import runs."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path, self.cut = path, False

    def check(self) -> None:
        super().check()
        if not self.cut:
            data = self.path.read_bytes()
            with self.path.open("r+b") as f:
                f.truncate(data.rfind(b"\n", 0, len(data) * 3 // 4) + 1)
            self.cut = True


def test_an_order_file_changed_while_imported_imports_nothing(
    owner_ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    rows = [{**sample()[0], "order_id": f"DH{n:05}"} for n in range(6_000)]
    path = write_csv(tmp_path / "chg.csv", rows)
    before = dump(engine)
    progress = CutTheFile(path)
    with pytest.raises(ValidationError) as info:
        import_orders(owner_ctx, path, progress=progress)
    assert progress.cut
    assert info.value.user_message == (
        "chg.csv changed while it was being read (saved again or synced?): nothing was "
        "imported; import it again."
    )
    assert dump(engine) == before


# Delivery lists ------------------------------------------------------------------------
@pytest.mark.usefixtures("goods")
def test_a_delivery_list_with_vietnamese_headers_below_a_title(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    path = tmp_path / "phieu-giao.csv"
    path.write_text("Phiếu giao hàng,,\nNCC Đức Minh,,\nMã SKU,Số lượng,Giá nhập\n"
                    "AT-S,4,90000\ncoc-1,2,\n", encoding="utf-8")  # fmt: skip
    lines = gr.read_receipt_file(owner_ctx, path)
    assert [(ln.hit.sku, ln.quantity, ln.unit_cost, ln.row) for ln in lines] == [
        ("AT-S", 4, 90_000, 4), ("COC-1", 2, None, 5)]  # fmt: skip
    # Accents and case optional; "Giá vốn" is the unit cost too.
    path.write_text("ma sku,SO LUONG,Giá vốn\nAT-M,3,70000\n", encoding="utf-8")
    lines = gr.read_receipt_file(owner_ctx, path)
    assert [(ln.hit.sku, ln.quantity, ln.unit_cost) for ln in lines] == [("AT-M", 3, 70_000)]


@pytest.mark.usefixtures("goods")
def test_a_delivery_list_naming_a_column_twice_is_refused(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    path = tmp_path / "list.csv"
    path.write_text("sku,Mã SKU,quantity\nAT-S,AT-M,1\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="appears twice in the header"):
        gr.read_receipt_file(owner_ctx, path)


@pytest.mark.usefixtures("goods")
def test_invisible_characters_in_a_delivery_list_sku_are_dropped(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    path = tmp_path / "list.csv"
    path.write_text("sku,quantity\nAT\u200b-S\u00a0,5\n\ufeffCOC-1,1\n", encoding="utf-8")
    lines = gr.read_receipt_file(owner_ctx, path)
    assert [(ln.hit.sku, ln.quantity, ln.row) for ln in lines] == [("AT-S", 5, 2), ("COC-1", 1, 3)]
