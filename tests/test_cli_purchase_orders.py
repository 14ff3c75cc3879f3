"""`primedist purchase-orders list|add|show|cancel|close` and `receive --order`: ordering
from a supplier and receiving against the order from the command line, in JSON and text,
and its one-line errors (nothing saved)."""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from primedist.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from primedist.cli_commands.purchase_orders import STATES, order_line
from primedist.config import resolve_settings
from primedist.db.store import open_store
from primedist.domain.purchase_order import PurchaseOrderState
from tests.cli_support import table_count
from tests.factories import make_product
from tests.test_cli_receive import stock_of


@pytest.fixture
def shop(data_dir: Path) -> Path:
    engine = open_store(resolve_settings(data_dir))
    make_product(engine, "Cốc sứ Bát Tràng", [("COC-1", 45_000, 3)])
    make_product(engine, "Đĩa gốm", [("DIA-1", 80_000, 0)], barcodes=["8934563123456"])
    engine.dispose()
    return data_dir


def delivery(tmp_path: Path, rows: str) -> str:
    path = tmp_path / "giao.csv"
    path.write_text("sku,quantity,unit_cost\n" + rows, encoding="utf-8")
    return str(path)


def test_order_receive_part_then_the_rest(cli: Any, shop: Path, tmp_path: Path) -> None:
    d = ("--data-dir", str(shop))
    expected = date.today() + timedelta(days=7)
    added = cli(*d, "purchase-orders", "add", "--supplier", "Gốm Minh Long",
                "--line", "COC-1:10:30,000", "--line", "8934563123456:5",
                "--expected", expected.isoformat(), "--note", " giao sáng ", "--json")  # fmt: skip
    assert added.code == EXIT_OK, added.err
    order = added.json()
    assert {k: order[k] for k in ("id", "code", "supplier", "supplier_id", "expected_on",
                                  "note", "state", "lines", "units", "received_units",
                                  "awaited_units", "total_cost", "ordered_by")} == {
        "id": 1, "code": "DHN000001", "supplier": "Gốm Minh Long", "supplier_id": 1,
        "expected_on": expected.isoformat(), "note": "giao sáng", "state": "ordered",
        "lines": 2, "units": 15, "received_units": 0, "awaited_units": 15,
        "total_cost": 300_000, "ordered_by": "Chủ CLI",
    }  # fmt: skip
    assert stock_of(shop, "COC-1") == 3  # ordering moves no stock

    part = cli(*d, "receive", delivery(tmp_path, "COC-1,4,30000\n"), "--order", "dhn000001",
               "--json")  # fmt: skip
    assert part.code == EXIT_OK, part.err
    assert (part.json()["code"], part.json()["supplier"], part.json()["purchase_order"]) == (
        "PN000001", "Gốm Minh Long", "DHN000001")  # fmt: skip
    assert stock_of(shop, "COC-1") == 7
    shown = cli(*d, "purchase-orders", "show", "DHN000001", "--json").json()
    assert (shown["order"]["state"], shown["order"]["awaited_units"]) == ("partly_received", 11)
    assert [
        (ln["sku"], ln["quantity"], ln["unit_cost"], ln["received"], ln["remaining"])
        for ln in shown["lines"]
    ] == [("COC-1", 10, 30_000, 4, 6), ("DIA-1", 5, None, 0, 5)]
    assert [(r["code"], r["cancelled"]) for r in shown["receipts"]] == [("PN000001", False)]

    # No FILE: everything the order still awaits, at its expected costs.
    rest = cli(*d, "receive", "--order", "DHN000001")
    assert rest.code == EXIT_OK, rest.err
    assert rest.out.strip() == ("Received PN000002 from Gốm Minh Long: 2 lines, 11 units, "
                                "cost 180,000. DHN000001 is received.")  # fmt: skip
    assert (stock_of(shop, "COC-1"), stock_of(shop, "DIA-1")) == (13, 5)
    text = cli(*d, "purchase-orders", "show", "dhn000001").out.splitlines()
    assert text[0] == "DHN000001  Gốm Minh Long  received"
    assert text[1].startswith("Ordered ") and text[1].endswith(
        f"by Chủ CLI; expected {expected.isoformat()}; note: giao sáng")  # fmt: skip
    assert text[3].split() == ["COC-1", "Cốc", "sứ", "Bát", "Tràng", "10", "10", "0", "30,000"]
    assert text[4].split()[-4:] == ["5", "5", "0", "-"]
    assert text[5] == "2 lines, 15 units (15 received, 0 to come), cost 300,000"
    assert text[6].startswith("Receipts: PN000001 ") and ", PN000002 " in text[6]


def test_list_by_state_supplier_and_search(cli: Any, shop: Path, tmp_path: Path) -> None:
    d = ("--data-dir", str(shop))
    for supplier, line in (("Gốm Minh Long", "COC-1:10"), ("Sứ Hải Dương", "DIA-1:2:70000")):
        assert cli(*d, "purchase-orders", "add", "--supplier", supplier, "--line", line).code == 0
    assert cli(*d, "receive", delivery(tmp_path, "COC-1,3,\n"), "--order", "DHN000001").code == 0

    def codes(*options: str) -> list[str]:
        run = cli(*d, "purchase-orders", "list", *options, "--json")
        assert run.code == EXIT_OK, run.err
        return [o["code"] for o in run.json()["orders"]]

    assert codes() == ["DHN000002", "DHN000001"]
    assert codes("--state", "open") == ["DHN000002", "DHN000001"]
    assert codes("--state", "partly_received") == ["DHN000001"]
    assert codes("--state", "ordered") == ["DHN000002"]
    assert codes("--state", "received") == []
    assert codes("--supplier", "NCC000002") == ["DHN000002"]
    assert codes("--supplier", "gom minh long") == ["DHN000001"]
    assert codes("--search", "dia-1") == ["DHN000002"]  # a SKU ordered
    assert codes("--search", "hai duong") == ["DHN000002"]
    text = cli(*d, "purchase-orders", "list").out.splitlines()
    assert text[1].startswith("DHN000001  ") and "Gốm Minh Long" in text[1]
    assert "partly received" in text[1] and "3/10 units" in text[1]
    assert text[-1] == "2 purchase orders"
    missing = cli(*d, "purchase-orders", "list", "--supplier", "Không Có")
    assert missing.error_line() == "primedist: error: There is no supplier Không Có."


def test_suggested_lines(cli: Any, shop: Path, tmp_path: Path) -> None:
    d = ("--data-dir", str(shop))
    assert cli(*d, "receive", delivery(tmp_path, "COC-1,1,30000\n"), "--supplier", "Gốm").code == 0
    engine = open_store(resolve_settings(shop))
    with engine.begin() as conn:  # 4 cups left, low at 5: up to 10 → 6 suggested
        conn.execute(sa.text("UPDATE variants SET low_stock_level = 5 WHERE sku = 'COC-1'"))
    engine.dispose()
    # A --line of a suggested SKU replaces its suggestion; others add to it.
    run = cli(*d, "purchase-orders", "add", "--supplier", "gom", "--suggested",
              "--line", "DIA-1:2", "--json")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    assert (run.json()["lines"], run.json()["units"], run.json()["total_cost"]) == (
        2, 8, 180_000)  # fmt: skip
    assert cli(*d, "purchase-orders", "cancel", "DHN000001", "--reason", "thử").code == 0
    replaced = cli(*d, "purchase-orders", "add", "--supplier", "NCC000001", "--suggested",
                   "--line", "COC-1:8:29000", "--json")  # fmt: skip
    assert (replaced.json()["lines"], replaced.json()["units"]) == (1, 8)
    assert replaced.json()["total_cost"] == 232_000
    # What the open order brings covers the need: nothing left to suggest.
    nothing = cli(*d, "purchase-orders", "add", "--supplier", "Gốm", "--suggested")
    assert nothing.code == EXIT_ERROR
    assert nothing.error_line() == (
        "primedist: error: Nothing Gốm delivered before is low on stock: there is nothing to "
        "suggest.")  # fmt: skip


def test_cancel_and_close(cli: Any, shop: Path, tmp_path: Path) -> None:
    d = ("--data-dir", str(shop))
    for _ in range(2):
        assert cli(*d, "purchase-orders", "add", "--supplier", "Gốm", "--line", "COC-1:5").code == 0
    cancelled = cli(*d, "purchase-orders", "cancel", "DHN000002", "--reason", " đặt nhầm ")
    assert cancelled.code == EXIT_OK, cancelled.err
    assert cancelled.out.strip() == "DHN000002 cancelled: đặt nhầm (0 of 5 units came)."
    assert cli(*d, "receive", delivery(tmp_path, "COC-1,2,\n"), "--order", "DHN000001").code == 0
    refused = cli(*d, "purchase-orders", "cancel", "DHN000001", "--reason", "thôi")
    assert refused.code == EXIT_ERROR
    assert refused.error_line() == (
        "primedist: error: Goods of DHN000001 came already: close it instead.")  # fmt: skip
    closed = cli(*d, "purchase-orders", "close", "dhn000001", "--reason", "NCC hết hàng",
                 "--json")  # fmt: skip
    assert closed.code == EXIT_OK, closed.err
    assert (closed.json()["state"], closed.json()["close_reason"]) == ("closed", "NCC hết hàng")
    assert closed.json()["closed_at"] and closed.json()["cancelled_at"] is None
    assert closed.json()["awaited_units"] == 0
    after = cli(*d, "receive", "--order", "DHN000001")
    assert after.code == EXIT_ERROR and "awaits no more goods" in after.error_line()
    assert table_count(shop, "goods_receipts") == 1


def test_errors_name_the_cause_and_save_nothing(cli: Any, shop: Path, tmp_path: Path) -> None:
    d = ("--data-dir", str(shop))
    add = (*d, "purchase-orders", "add", "--supplier", "Gốm")
    unknown = cli(*add, "--line", "KHONG-CO:1", "--line", "COC-1:2", "--line", "NOPE:3")
    assert unknown.code == EXIT_ERROR
    assert unknown.error_line() == (
        "primedist: error: No product has the SKU or barcode KHONG-CO, NOPE.")  # fmt: skip
    for bad in ("COC-1", "COC-1:x", "COC-1:2:", ":5", "COC-1:-2", "COC-1:²"):
        run = cli(*add, "--line", bad)
        assert run.code == EXIT_USAGE, bad
        assert f"{bad!r} is not SKU:QTY[:UNIT_COST]" in run.err, run.err
    assert "Line 1: the quantity must be 1 to" in cli(*add, "--line", "COC-1:0").error_line()
    twice = cli(*add, "--line", "COC-1:1", "--line", "coc-1:2")
    assert "Line 2: the product is on the order already." in twice.error_line()
    assert cli(*add).code == EXIT_USAGE  # no --line, no --suggested
    assert cli(*add, "--line", "COC-1:1", "--expected", "12/10/2026").code == EXIT_USAGE
    assert cli(*d, "purchase-orders", "list", "--state", "lost").code == EXIT_USAGE
    assert cli(*d, "purchase-orders", "cancel", "DHN000001").code == EXIT_USAGE  # no --reason
    assert table_count(shop, "purchase_orders") == 0 and table_count(shop, "suppliers") == 0
    for argv in (("purchase-orders", "show", "DHN999"),
                 ("purchase-orders", "cancel", "DHN999", "--reason", "x"),
                 ("purchase-orders", "close", "DHN999", "--reason", "x"),
                 ("receive", "--order", "DHN999")):  # fmt: skip
        run = cli(*d, *argv)
        assert run.code == EXIT_ERROR, argv
        assert run.error_line() == "primedist: error: There is no purchase order DHN999."
    assert cli(*d, "receive").code == EXIT_USAGE  # neither FILE nor --order
    assert cli(*add, "--line", "COC-1:4").code == EXIT_OK
    other = cli(*d, "receive", delivery(tmp_path, "COC-1,4,\n"), "--order", "DHN000001",
                "--supplier", "Sứ Hải Dương")  # fmt: skip
    assert other.code == EXIT_ERROR and "was ordered from Gốm" in other.error_line()
    assert table_count(shop, "goods_receipts") == 0 and stock_of(shop, "COC-1") == 3


@pytest.mark.parametrize(("text", "line"), [
    ("COC-1:10", ("COC-1", 10, None)), ("COC-1:10:30000", ("COC-1", 10, 30_000)),
    ("COC-1:1,000:30_000", ("COC-1", 1_000, 30_000)), ("A:B:5", ("A:B", 5, None)),
    ("A:B:5:0", ("A:B", 5, 0)),
])  # fmt: skip
def test_a_line_is_sku_quantity_and_cost(text: str, line: tuple[str, int, int | None]) -> None:
    assert order_line(text) == line
    with pytest.raises(argparse.ArgumentTypeError):
        order_line(text.rpartition(":")[0] + ":lots")


def test_the_state_choices_are_the_order_states() -> None:
    assert STATES == ("open", *PurchaseOrderState)


def test_export_the_orders_lines(cli: Any, shop: Path, tmp_path: Path) -> None:
    import openpyxl

    d = ("--data-dir", str(shop))
    for supplier, line in (("Gốm Minh Long", "COC-1:10:30000"), ("Sứ Bát Tràng", "DIA-1:2")):
        assert cli(*d, "purchase-orders", "add", "--supplier", supplier, "--line", line).code == 0
    assert cli(*d, "purchase-orders", "cancel", "DHN000002", "--reason", "trùng").code == 0
    target = tmp_path / "dat-hang.xlsx"
    done = cli(*d, "export", "purchase-orders", str(target), "--state", "open", "--lang", "en",
               "--json")  # fmt: skip
    assert done.code == EXIT_OK, done.err
    assert done.json()["rows"] == 1
    rows = list(openpyxl.load_workbook(target).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("Order", "Ordered", "Supplier", "Expected", "State")
    assert rows[1][0] == "DHN000001" and rows[1][4] == "Ordered" and rows[1][10:] == (
        10, 0, 30_000, 300_000)  # fmt: skip
    both = cli(*d, "export", "purchase-orders", str(target), "--supplier", "sứ bát tràng")
    assert both.code == EXIT_OK, both.err
    rows = list(openpyxl.load_workbook(target).active.iter_rows(values_only=True))
    assert [(r[0], r[4]) for r in rows[1:]] == [("DHN000002", "Đã hủy")]
    bad = cli(*d, "export", "purchase-orders", str(tmp_path / "x.csv"))
    assert bad.code == EXIT_ERROR and "not 'x.csv'" in bad.err


def test_the_same_goods_ordered_again(cli: Any, shop: Path) -> None:
    d = ("--data-dir", str(shop))
    first = cli(*d, "purchase-orders", "add", "--supplier", "Gốm", "--line", "COC-1:10:30000",
                "--line", "DIA-1:5", "--note", "lần 1")  # fmt: skip
    assert first.code == EXIT_OK, first.err
    assert cli(*d, "purchase-orders", "cancel", "DHN000001", "--reason", "sai").code == EXIT_OK
    # Whatever became of it, its lines as ordered, from its supplier; a --line replaces one.
    again = cli(*d, "purchase-orders", "add", "--like", "dhn000001", "--line", "DIA-1:7:50000",
                "--json")  # fmt: skip
    assert again.code == EXIT_OK, again.err
    data = again.json()
    assert (data["code"], data["supplier"], data["lines"], data["units"], data["note"]) == (
        "DHN000002", "Gốm", 2, 17, "")  # fmt: skip
    assert data["total_cost"] == 10 * 30_000 + 7 * 50_000
    shown = cli(*d, "purchase-orders", "show", "DHN000002", "--json").json()
    assert [(ln["sku"], ln["quantity"]) for ln in shown["lines"]] == [("COC-1", 10), ("DIA-1", 7)]
    other = cli(*d, "purchase-orders", "add", "--like", "DHN000001", "--supplier", "Sứ Hải Dương",
                "--json")  # fmt: skip
    assert other.code == EXIT_OK and other.json()["supplier"] == "Sứ Hải Dương"
    missing = cli(*d, "purchase-orders", "add", "--like", "DHN999")
    assert missing.error_line() == "primedist: error: There is no purchase order DHN999."
    assert cli(*d, "purchase-orders", "add", "--line", "COC-1:1").code == EXIT_USAGE  # who from?


def test_a_renamed_supplier_keeps_its_orders(cli: Any, shop: Path, tmp_path: Path) -> None:
    """Renamed after ordering: the order's receipts (paid or not) and repeat orders go to
    its record, named by its new name or code; nothing is added under the old name."""
    from primedist.services import auth
    from primedist.services import suppliers as sup
    from primedist.services.context import ServiceContext

    d = ("--data-dir", str(shop))
    for _ in range(2):
        assert cli(*d, "purchase-orders", "add", "--supplier", "Gốm Minh Long",
                   "--line", "COC-1:10:30000").code == EXIT_OK  # fmt: skip
    assert cli(*d, "suppliers", "add", "Sứ Hải Dương").code == EXIT_OK
    settings = resolve_settings(shop)  # renamed on the Suppliers page (no CLI for it)
    ctx = ServiceContext(open_store(settings), settings=settings)
    try:
        owner = ctx.with_actor(auth.owner_actor(ctx))
        sup.update_supplier(owner, 1, sup.SupplierDraft("Gốm Minh Long Bát Tràng"))
    finally:
        ctx.engine.dispose()
    owed = cli(*d, "receive", "--order", "DHN000001", "--paid", "0", "--json")
    assert owed.code == EXIT_OK, owed.err
    assert (owed.json()["supplier_id"], owed.json()["supplier"], owed.json()["owed"]) == (
        1, "Gốm Minh Long Bát Tràng", 300_000)  # fmt: skip
    for typed in ("gom minh long bat trang", "NCC000001"):
        run = cli(*d, "receive", delivery(tmp_path, "COC-1,1,30000\n"), "--order", "DHN000002",
                  "--supplier", typed, "--json")  # fmt: skip
        assert run.code == EXIT_OK, run.err
        assert run.json()["supplier_id"] == 1
    other = cli(*d, "receive", delivery(tmp_path, "COC-1,1,30000\n"), "--order", "DHN000002",
                "--supplier", "NCC000002")  # fmt: skip
    assert other.error_line() == (
        "primedist: error: DHN000002 was ordered from Gốm Minh Long Bát Tràng: the receipt "
        "names another supplier.")  # fmt: skip
    again = cli(*d, "purchase-orders", "add", "--like", "DHN000001", "--json")
    assert again.code == EXIT_OK, again.err
    assert (again.json()["supplier_id"], again.json()["supplier"]) == (
        1, "Gốm Minh Long Bát Tràng")  # fmt: skip
    listed = cli(*d, "suppliers", "list", "--json").json()["suppliers"]
    assert [(s["code"], s["name"], s["debt"]) for s in listed] == [
        ("NCC000001", "Gốm Minh Long Bát Tràng", 300_000),
        ("NCC000002", "Sứ Hải Dương", 0),
    ]


def test_a_supplier_code_no_supplier_has_adds_nobody(cli: Any, shop: Path) -> None:
    d = ("--data-dir", str(shop))
    run = cli(*d, "purchase-orders", "add", "--supplier", "NCC000099", "--line", "COC-1:1")
    assert run.error_line() == "primedist: error: There is no supplier NCC000099."
    suggested = cli(*d, "purchase-orders", "add", "--supplier", "ncc000099", "--suggested")
    assert suggested.error_line() == "primedist: error: There is no supplier ncc000099."
    assert table_count(shop, "suppliers") == 0 and table_count(shop, "purchase_orders") == 0


def test_nothing_low_from_a_new_supplier(cli: Any, shop: Path) -> None:
    """A supplier not known yet delivered nothing: nothing to suggest, said so; with a
    --line as well, the order is made (and the supplier added)."""
    d = ("--data-dir", str(shop))
    new = cli(*d, "purchase-orders", "add", "--supplier", "Nhà CC Mới", "--suggested")
    assert new.error_line() == (
        "primedist: error: Nothing Nhà CC Mới delivered before is low on stock: there is "
        "nothing to suggest.")  # fmt: skip
    assert table_count(shop, "suppliers") == 0
    made = cli(*d, "purchase-orders", "add", "--supplier", "Nhà CC Mới", "--suggested",
               "--line", "COC-1:3", "--json")  # fmt: skip
    assert made.code == EXIT_OK, made.err
    assert (made.json()["supplier"], made.json()["units"]) == ("Nhà CC Mới", 3)


def test_one_line_and_one_unit_are_counted_in_the_singular(
    cli: Any, shop: Path, tmp_path: Path
) -> None:
    d = ("--data-dir", str(shop))
    added = cli(*d, "purchase-orders", "add", "--supplier", "Gốm", "--line", "COC-1:1:30000")
    assert added.out.strip() == "Ordered DHN000001 from Gốm: 1 line, 1 unit, cost 30,000."
    listed = cli(*d, "purchase-orders", "list").out.splitlines()
    assert "0/1 unit  cost" in listed[0] and listed[-1] == "1 purchase order"
    shown = cli(*d, "purchase-orders", "show", "DHN000001").out.splitlines()
    assert shown[4] == "1 line, 1 unit (0 received, 1 to come), cost 30,000"
    received = cli(*d, "receive", delivery(tmp_path, "COC-1,1,30000\n"), "--supplier", "Gốm")
    assert received.out.strip() == "Received PN000001 from Gốm: 1 line, 1 unit, cost 30,000."
    cancelled = cli(*d, "purchase-orders", "cancel", "DHN000001", "--reason", "thôi")
    assert cancelled.out.strip() == "DHN000001 cancelled: thôi (0 of 1 unit came)."
    assert cli(*d, "purchase-orders", "add", "--supplier", "Gốm", "--line", "COC-1:3").code == 0
    part = cli(*d, "receive", delivery(tmp_path, "COC-1,2,\n"), "--order", "DHN000002")
    assert part.out.strip().endswith(" DHN000002 is partly received: 1 unit still to come.")


def test_nothing_low_names_the_supplier_typed_by_its_code(cli: Any, shop: Path) -> None:
    """`--supplier NCC000001` with nothing low: the message names the supplier, not its
    code as typed."""
    d = ("--data-dir", str(shop))
    made = cli(*d, "purchase-orders", "add", "--supplier", "Gốm Minh Long", "--line", "DIA-1:2")
    assert made.code == EXIT_OK, made.err
    said = cli(*d, "purchase-orders", "add", "--supplier", "ncc000001", "--suggested")
    assert said.code == EXIT_ERROR
    assert said.error_line() == (
        "primedist: error: Nothing Gốm Minh Long delivered before is low on stock: there "
        "is nothing to suggest.")  # fmt: skip
    assert table_count(shop, "purchase_orders") == 1
