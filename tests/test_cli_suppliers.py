"""`primedist suppliers list|add|pay`, `receive --paid` and `export suppliers`: what the
shop owes its suppliers from the command line, in JSON and text, and its one-line errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from primedist.config import resolve_settings
from primedist.db.store import open_store
from tests.cli_support import table_count
from tests.factories import make_product


@pytest.fixture
def shop(data_dir: Path) -> Path:
    engine = open_store(resolve_settings(data_dir))
    make_product(engine, "Cốc sứ Bát Tràng", [("COC-1", 45_000, 3)])
    engine.dispose()
    return data_dir


def test_a_delivery_partly_paid_then_paid_off(cli: Any, shop: Path, tmp_path: Path) -> None:
    d = ("--data-dir", str(shop))
    added = cli(*d, "suppliers", "add", "Gốm Minh Long", "--phone", "0912 345 678",
                "--tax-code", "0101234567", "--json")  # fmt: skip
    assert added.code == EXIT_OK, added.err
    assert (added.json()["code"], added.json()["phone"]) == ("NCC000001", "0912345678")
    path = tmp_path / "giao.csv"
    path.write_text("sku,quantity,unit_cost\nCOC-1,10,30000\n", encoding="utf-8")
    run = cli(*d, "receive", str(path), "--supplier", "gom minh long", "--paid", "100000",
              "--method", "bank_transfer")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    assert run.out.strip() == ("Received PN000001 from gom minh long: 1 line, 10 units, "
                               "cost 300,000 (200,000 left owed).")  # fmt: skip
    listed = cli(*d, "suppliers", "list", "--owing", "--json").json()
    assert [(s["code"], s["bought"], s["paid"], s["debt"]) for s in listed["suppliers"]] == [
        ("NCC000001", 300_000, 100_000, 200_000)]  # fmt: skip
    assert listed["total_owed"] == 200_000
    paid = cli(*d, "suppliers", "pay", "NCC000001", "200000", "--note", "trả hết")
    assert paid.code == EXIT_OK, paid.err
    assert paid.out.strip() == "PC000002: paid 200,000 to Gốm Minh Long (NCC000001); owed now 0."
    text = cli(*d, "suppliers", "list").out
    assert "NCC000001  Gốm Minh Long" in text
    assert "1 supplier listed, owed 0; owed to all suppliers (archived too): 0" in text
    assert cli(*d, "suppliers", "list", "--owing", "--json").json()["suppliers"] == []

    import openpyxl

    target = tmp_path / "ncc.xlsx"
    exported = cli(*d, "export", "suppliers", str(target), "--lang", "en", "--json")
    assert exported.code == EXIT_OK, exported.err
    rows = list(openpyxl.load_workbook(target).active.iter_rows(values_only=True))
    assert rows[1][:3] == ("NCC000001", "Gốm Minh Long", "0912345678")
    assert rows[1][6:11] == (1, 300_000, 300_000, 0, 0)


def test_errors_name_the_cause_and_change_nothing(cli: Any, shop: Path, tmp_path: Path) -> None:
    d = ("--data-dir", str(shop))
    assert cli(*d, "suppliers", "add", "Gốm", "--email", "gom@").err.strip() == (
        "primedist: error: gom@ is not an email address.")  # fmt: skip
    missing = cli(*d, "suppliers", "pay", "Không Có", "1000")
    assert missing.code == EXIT_ERROR
    assert missing.err.strip() == "primedist: error: There is no supplier Không Có."
    path = tmp_path / "giao.csv"
    path.write_text("sku,quantity,unit_cost\nCOC-1,10,30000\n", encoding="utf-8")
    unnamed = cli(*d, "receive", str(path), "--paid", "300000", "--method", "cash")
    assert unnamed.code == EXIT_ERROR
    assert unnamed.error_line() == (
        "primedist: error: Name the supplier the 300,000 was paid to: a receipt without one "
        "records nothing paid.")  # fmt: skip
    assert table_count(shop, "goods_receipts") == 0
    assert table_count(shop, "suppliers") == 0
    lots = cli(*d, "suppliers", "pay", "X", "lots")
    assert lots.code == EXIT_USAGE and "'lots' is not an amount of money" in lots.err


def test_goods_back_to_the_supplier(cli: Any, shop: Path, tmp_path: Path) -> None:
    d = ("--data-dir", str(shop))
    path = tmp_path / "giao.csv"
    path.write_text("sku,quantity,unit_cost\nCOC-1,10,30000\n", encoding="utf-8")
    assert cli(*d, "receive", str(path), "--supplier", "Gốm Minh Long", "--paid", "0").code == (
        EXIT_OK
    )
    run = cli(*d, "suppliers", "return", "pn000001", "coc-1:2", "COC-1:1", "--reason", "Vỡ",
              "--refund", "30000", "--json")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    assert run.json() == {"code": "TH000001", "receipt": "PN000001", "units": 3,
                          "total": 90_000, "refund": 30_000, "method": "cash"}  # fmt: skip
    owed = cli(*d, "suppliers", "list", "--json").json()["suppliers"][0]["debt"]
    assert owed == 300_000 - 90_000 + 30_000
    text = cli(*d, "suppliers", "return", "PN000001", "COC-1:1", "--reason", "Sai mẫu")
    assert text.out.strip() == ("TH000002: 1 unit of PN000001 back to the supplier, worth "
                                "30,000.")  # fmt: skip
    too_many = cli(*d, "suppliers", "return", "PN000001", "COC-1:9", "--reason", "x")
    assert too_many.code == EXIT_ERROR
    assert "SKU COC-1: 10 came in and 4 went back already: at most 6" in too_many.err
    not_on_it = cli(*d, "suppliers", "return", "PN000001", "KHAC:1", "--reason", "x")
    assert not_on_it.code == EXIT_ERROR  # refused by the data, not the command line
    assert not_on_it.error_line() == (
        "primedist: error: PN000001 has no SKU KHAC (its SKUs: COC-1).")  # fmt: skip
    assert cli(*d, "suppliers", "return", "PN000001", "COC-1", "--reason", "x").code == EXIT_USAGE
    assert table_count(shop, "supplier_returns") == 2


def test_a_return_entered_by_mistake_is_cancelled(cli: Any, shop: Path, tmp_path: Path) -> None:
    d = ("--data-dir", str(shop))
    path = tmp_path / "giao.csv"
    path.write_text("sku,quantity,unit_cost\nCOC-1,10,30000\n", encoding="utf-8")
    assert cli(*d, "receive", str(path), "--supplier", "Gốm Minh Long", "--paid", "0").code == (
        EXIT_OK
    )
    assert cli(*d, "suppliers", "return", "PN000001", "COC-1:4", "--reason", "Vỡ").code == (EXIT_OK)
    run = cli(*d, "suppliers", "cancel-return", "th000001", "--reason", "Nhầm", "--json")
    assert run.code == EXIT_OK, run.err
    assert run.json() == {"code": "TH000001", "receipt": "PN000001", "units": 4,
                          "reason": "Nhầm", "debt": 300_000}  # fmt: skip
    again = cli(*d, "suppliers", "cancel-return", "TH000001", "--reason", "Nhầm")
    assert again.code == EXIT_ERROR and "TH000001 was cancelled already" in again.err
    missing = cli(*d, "suppliers", "cancel-return", "TH000009", "--reason", "x")
    assert missing.code == EXIT_ERROR and "There is no return to a supplier TH000009" in missing.err
    assert cli(*d, "suppliers", "cancel-return", "TH000001").code == EXIT_USAGE  # no reason
    # The cups are back: all ten can go back now, said in text.
    assert cli(*d, "suppliers", "return", "PN000001", "COC-1:10", "--reason", "x").code == EXIT_OK
    text = cli(*d, "suppliers", "cancel-return", "TH000002", "--reason", "Nhầm")
    assert text.out.strip() == ("TH000002 cancelled: 10 units of PN000001 back in stock. "
                                "Gốm Minh Long is owed 300,000 now.")  # fmt: skip


def test_an_opening_debt_then_a_discount(cli: Any, shop: Path) -> None:
    d = ("--data-dir", str(shop))
    assert cli(*d, "suppliers", "add", "Gốm Minh Long").code == EXIT_OK
    run = cli(*d, "suppliers", "adjust", "gom minh long", "1500000", "--reason", "Nợ cũ",
              "--json")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    assert run.json() == {"adjustment": "DC000001", "supplier": "NCC000001",
                          "name": "Gốm Minh Long", "amount": 1_500_000,
                          "debt": 1_500_000}  # fmt: skip
    down = cli(*d, "suppliers", "adjust", "NCC000001", "-200000", "--reason", "Chiết khấu")
    assert down.out.strip() == ("DC000002: Gốm Minh Long (NCC000001) owed 200,000 less; owed "
                                "now 1,300,000.")  # fmt: skip
    listed = cli(*d, "suppliers", "list", "--json").json()["suppliers"][0]
    assert (listed["adjusted"], listed["debt"]) == (1_300_000, 1_300_000)
    refused = cli(*d, "suppliers", "adjust", "NCC000001", "0", "--reason", "x")
    assert refused.code == EXIT_ERROR and "An adjustment is 1 to" in refused.err
    assert cli(*d, "suppliers", "adjust", "NCC000001", "5").code == EXIT_USAGE  # no reason


def test_import_suppliers(cli: Any, shop: Path, tmp_path: Path) -> None:
    d = ("--data-dir", str(shop))
    path = tmp_path / "ncc.csv"
    path.write_text("name,phone,opening_debt\nGốm Minh Long,0912345678,700000\n"
                    "Nhựa Song Long,,\n", encoding="utf-8")  # fmt: skip
    run = cli(*d, "import", "suppliers", str(path), "--json")
    assert run.code == EXIT_OK, run.err
    assert run.json() == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0,
                          "opening_debts": 1, "opening_total": 700_000,
                          "opening_skipped": 0}  # fmt: skip
    again = cli(*d, "import", "suppliers", str(path))
    assert again.out.strip() == ("Suppliers: 2 rows, 0 new, 0 updated, 2 unchanged; 0 opening "
                                 "debts (0); 1 opening debt not applied (supplier there "
                                 "already).")  # fmt: skip
    bad = tmp_path / "bad.csv"
    bad.write_text("ten,phone\nGốm,0912345678\n", encoding="utf-8")
    refused = cli(*d, "import", "suppliers", str(bad))
    assert refused.code == EXIT_ERROR and "name" in refused.err
    assert cli(*d, "suppliers", "list", "--json").json()["total_owed"] == 700_000


def test_the_list_footer_totals_the_suppliers_listed(cli: Any, shop: Path) -> None:
    """`suppliers list --archived` (or a search): the footer's owed figure is the listed
    suppliers', the shop-wide total named as such beside it."""
    d = ("--data-dir", str(shop))
    for name, debt in (("Gốm Minh Long", "540000"), ("Nhựa Song Long", "100000")):
        assert cli(*d, "suppliers", "add", name).code == EXIT_OK
        assert cli(*d, "suppliers", "adjust", name, debt, "--reason", "Nợ cũ").code == EXIT_OK
    from primedist.services import auth
    from primedist.services import suppliers as sup
    from primedist.services.context import ServiceContext

    settings = resolve_settings(shop)
    engine = open_store(settings)
    ctx = ServiceContext(engine, settings=settings)
    sup.set_supplier_active(ctx.with_actor(auth.owner_actor(ctx)), 1, False)
    engine.dispose()
    archived = cli(*d, "suppliers", "list", "--archived")
    all_owed = "owed to all suppliers (archived too): 640,000"
    assert archived.out.splitlines()[-1] == f"1 supplier listed, owed 540,000; {all_owed}"
    listed = cli(*d, "suppliers", "list", "--search", "khong co", "--json").json()
    assert (listed["suppliers"], listed["listed_owed"], listed["total_owed"]) == ([], 0, 640_000)
    active = cli(*d, "suppliers", "list").out.splitlines()[-1]
    assert active == f"1 supplier listed, owed 100,000; {all_owed}"


def test_a_delivery_names_its_supplier_by_code(cli: Any, shop: Path, tmp_path: Path) -> None:
    """As `suppliers pay` does: the code finds the supplier (the receipt keeps its name);
    one no supplier has is refused, not added as a supplier named after it."""
    d = ("--data-dir", str(shop))
    assert cli(*d, "suppliers", "add", "Gốm Minh Long").code == EXIT_OK
    path = tmp_path / "giao.csv"
    path.write_text("sku,quantity,unit_cost\nCOC-1,10,30000\n", encoding="utf-8")
    run = cli(*d, "receive", str(path), "--supplier", "ncc000001", "--paid", "100000", "--json")
    assert run.code == EXIT_OK, run.err
    assert (run.json()["supplier_id"], run.json()["supplier"], run.json()["owed"]) == (
        1, "Gốm Minh Long", 200_000)  # fmt: skip
    typo = cli(*d, "receive", str(path), "--supplier", "NCC000002")
    assert typo.error_line() == "primedist: error: There is no supplier NCC000002."
    assert table_count(shop, "suppliers") == 1 and table_count(shop, "goods_receipts") == 1


def test_no_supplier_no_money(cli: Any, shop: Path, tmp_path: Path) -> None:
    """A delivery with no supplier named records nothing paid (End of day's money to
    suppliers stays 0); paying with it needs the supplier named."""
    d = ("--data-dir", str(shop))
    path = tmp_path / "giao.csv"
    path.write_text("sku,quantity,unit_cost\nCOC-1,10,170000\n", encoding="utf-8")
    paid = cli(*d, "receive", str(path), "--paid", "1700000", "--method", "cash", "--json")
    assert paid.error_line() == (
        "primedist: error: Name the supplier the 1,700,000 was paid to: a receipt without "
        "one records nothing paid.")  # fmt: skip
    plain = cli(*d, "receive", str(path), "--json")
    assert plain.code == EXIT_OK, plain.err
    assert (plain.json()["supplier_id"], plain.json()["paid"], plain.json()["owed"]) == (
        None, 0, 0)  # fmt: skip
    assert table_count(shop, "supplier_payments") == 0
    day = cli(*d, "report", "end-of-day", "--json")
    assert day.code == EXIT_OK, day.err
    assert day.json()["supplier_cash"] == 0
