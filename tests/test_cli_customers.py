"""`primedist import customers`, `primedist export customers` and
`primedist customers rebuild-stats`: exit codes, reports, options and one-line errors."""

from __future__ import annotations

import csv
import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from tests.cli_support import table_count
from tests.services.test_customer_import import VI_HEADER, hoa, write_csv


@pytest.fixture(autouse=True)
def _isolated(cli_env: None) -> None:
    """Every test here runs the CLI without the environment leaking in."""


def people(tmp_path: Path) -> Path:
    rows = [hoa(), hoa(**{"Họ tên": "Trần Nam", "SĐT": "0912345678"}), hoa(**{"SĐT": "12"})]
    return write_csv(tmp_path / "k.csv", VI_HEADER, rows)


def test_import_json_then_the_duplicate_policies(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    path = people(tmp_path)
    run = cli("--data-dir", str(data_dir), "import", "customers", str(path),
              "--on-duplicate", "skip", "--json")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    data = json.loads(run.out)
    assert {k: data[k] for k in ("file", "rows_read", "imported", "updated", "skipped")} == {
        "file": "k.csv", "rows_read": 3, "imported": 2, "updated": 0, "skipped": 0,
    }  # fmt: skip
    assert data["rows_rejected"] == [
        {"row": 4, "column": "SĐT", "reason": "'12' is not a phone number"}
    ]
    assert table_count(data_dir, "customers") == 2
    skip = cli("--data-dir", str(data_dir), "import", "customers", str(path),
               "--on-duplicate", "skip")  # fmt: skip
    assert skip.code == EXIT_OK
    lines = skip.out.splitlines()
    assert lines[0].startswith("Imported k.csv: 3 rows; 0 new customers, 0 updated, "
                               "0 unchanged, 2 skipped; 1 rows rejected")  # fmt: skip
    assert lines[1] == "  row 4, SĐT: '12' is not a phone number"
    create = cli("--data-dir", str(data_dir), "import", "customers", str(path),
                 "--on-duplicate", "create", "--json")  # fmt: skip
    assert create.json()["imported"] == 2
    assert table_count(data_dir, "customers") == 4


def test_import_map_option_and_errors(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "k.csv", ["Biệt danh", "Liên lạc"], [["Bé Na", "0901234567"]])
    base = ("--data-dir", str(data_dir), "import", "customers", str(path), "--on-duplicate")
    run = cli(*base, "skip")
    assert run.code == EXIT_ERROR
    assert "k.csv has no customer name column" in run.error_line()
    assert table_count(data_dir, "customers") == 0
    run = cli(*base, "skip", "--map", "name=Biệt danh", "--map", "phone=Liên lạc", "--json")
    assert run.code == EXIT_OK, run.err
    assert run.json()["imported"] == 1
    bad = cli(*base, "skip", "--map", "age=Liên lạc")
    assert bad.code == EXIT_USAGE
    assert "'age=Liên lạc' is not FIELD=HEADER" in bad.err
    missing = cli("--data-dir", str(data_dir), "import", "customers", str(path))
    assert missing.code == EXIT_USAGE
    assert "--on-duplicate" in missing.err


def test_export_xlsx_csv_and_txt(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    cli("--data-dir", str(data_dir), "import", "customers", str(people(tmp_path)),
        "--on-duplicate", "skip")  # fmt: skip
    target = tmp_path / "out.xlsx"
    run = cli("--data-dir", str(data_dir), "export", "customers", str(target), "--json")
    assert run.code == EXIT_OK, run.err
    assert run.json()["rows"] == 2
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    assert sheet.cell(1, 1).value == "Mã khách hàng"
    csv_target = tmp_path / "out.csv"
    run = cli("--data-dir", str(data_dir), "export", "customers", str(csv_target),
              "--search", "tran nam", "--lang", "en", "--columns", "name,phone")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    assert run.out.startswith(f"Exported 1 customer to {csv_target} in ")
    with csv_target.open(encoding="utf-8-sig") as f:
        assert list(csv.reader(f)) == [["Name", "Phone"], ["Trần Nam", "0912345678"]]
    txt_target = tmp_path / "k.txt"
    run = cli("--data-dir", str(data_dir), "export", "customers", str(txt_target),
              "--search", "tran nam", "--lang", "en", "--columns", "name,phone")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    assert txt_target.read_bytes() == "\ufeffName\tPhone\r\nTrần Nam\t0912345678\r\n".encode()
    bad = cli("--data-dir", str(data_dir), "export", "customers", str(tmp_path / "x.pdf"))
    assert bad.code == EXIT_ERROR
    assert "Export to an .xlsx, .csv or .txt file" in bad.error_line()


def test_export_columns_unknown_are_a_usage_error(cli: Any, tmp_path: Path) -> None:
    """A --columns key that is no column is refused before the store is opened (exit 2),
    naming the valid keys."""
    nowhere = tmp_path / "no-shop"
    run = cli("--data-dir", str(nowhere), "export", "customers", str(tmp_path / "k.csv"),
              "--columns", "name,bogus")  # fmt: skip
    assert run.code == EXIT_USAGE
    assert "unknown column 'bogus' (columns: code, name, phone," in run.err
    assert not nowhere.exists()
    empty = cli("--data-dir", str(nowhere), "export", "customers", str(tmp_path / "k.csv"),
                "--columns", ",")  # fmt: skip
    assert empty.code == EXIT_USAGE and "',' names no column" in empty.err


def test_rebuild_stats(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    cli("--data-dir", str(data_dir), "import", "customers", str(people(tmp_path)),
        "--on-duplicate", "skip")  # fmt: skip
    run = cli("--data-dir", str(data_dir), "customers", "rebuild-stats", "--json")
    assert run.code == EXIT_OK, run.err
    assert run.json()["customers"] == 2
    text = cli("--data-dir", str(data_dir), "customers", "rebuild-stats")
    assert text.out.startswith("Rebuilt the statistics of 2 customers")


def live_customers(data_dir: Path) -> int:
    with closing(sqlite3.connect(data_dir / "primedist.db")) as conn:
        return int(conn.execute("SELECT count(*) FROM customers WHERE deleted_at IS NULL")
                   .fetchone()[0])  # fmt: skip


def test_delete_customers_by_code(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    run = cli("--data-dir", str(data_dir), "import", "customers", str(people(tmp_path)),
              "--on-duplicate", "skip")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    assert live_customers(data_dir) == 2
    run = cli("--data-dir", str(data_dir), "customers", "adjust", "KH000002", "50000",
              "--reason", "nợ cũ")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    run = cli("--data-dir", str(data_dir), "customers", "delete", "KH000001", "kh000002",
              "--json")  # fmt: skip
    assert run.code == EXIT_ERROR  # one was kept
    assert json.loads(run.out) == {
        "deleted": 1, "kept_owing": [{"code": "KH000002", "name": "Trần Nam", "owed": 50_000}],
        "kept_owed_by_shop": [],
    }  # fmt: skip
    assert live_customers(data_dir) == 1
    run = cli("--data-dir", str(data_dir), "customers", "delete", "KH000009")
    assert run.code == EXIT_ERROR and "No customer has the code KH000009" in run.err


def test_a_customer_the_shop_owes_money_is_kept_and_the_account_says_so(
    cli: Any, data_dir: Path, tmp_path: Path
) -> None:
    """A deposit (a balance below 0: the shop owes the customer) is no debt of "-100,000",
    and deleting the customer would lose it: kept, named, exit 1."""
    d = ("--data-dir", str(data_dir))
    run = cli(*d, "import", "customers", str(people(tmp_path)), "--on-duplicate", "skip")
    assert run.code == EXIT_OK, run.err
    run = cli(*d, "customers", "adjust", "KH000002", "-100000", "--reason", "tiền đặt cọc")
    assert run.code == EXIT_OK, run.err
    assert run.out.strip().endswith("changed by -100,000; the shop owes them 100,000 (credit) now.")
    account = cli(*d, "customers", "account", "KH000002")
    assert account.out.startswith("KH000002 Trần Nam: the shop owes them 100,000 (credit)\n")

    run = cli(*d, "customers", "delete", "KH000002")

    assert run.code == EXIT_ERROR
    assert run.out.strip() == ("0 customers deleted. Kept until their account is settled: "
                               "KH000002 Trần Nam (the shop owes them 100,000 đ).")  # fmt: skip
    assert live_customers(data_dir) == 2
    run = cli(*d, "customers", "delete", "KH000002", "--json")
    assert json.loads(run.out) == {"deleted": 0, "kept_owing": [], "kept_owed_by_shop": [
        {"code": "KH000002", "name": "Trần Nam", "shop_owes": 100_000}]}  # fmt: skip


def test_import_notes_are_capped_like_rejected_rows(
    cli: Any, data_dir: Path, tmp_path: Path
) -> None:
    """25 customers kept with a bad optional value: the text names the first 20 notes and
    says how many more there are; --json lists them all."""
    rows = [hoa(**{"Họ tên": f"Khách {i}", "SĐT": f"09123450{i:02d}", "Email": "not-an-email"})
            for i in range(25)]  # fmt: skip
    path = write_csv(tmp_path / "k.csv", VI_HEADER, rows)
    run = cli(
        "--data-dir", str(data_dir), "import", "customers", str(path), "--on-duplicate", "skip"
    )
    assert run.code == EXIT_OK, run.err
    notes = [line for line in run.out.splitlines() if line.startswith("  Note: ")]
    assert len(notes) == 20
    assert "  ... and 5 more notes (--json lists them all)" in run.out.splitlines()
    assert table_count(data_dir, "customers") == 25
    again = write_csv(tmp_path / "k2.csv", VI_HEADER,
                      [hoa(**{"Họ tên": f"Khách B{i}", "SĐT": f"09223450{i:02d}",
                              "Email": "nope"}) for i in range(25)])  # fmt: skip
    data = cli(
        "--data-dir",
        str(data_dir),
        "import",
        "customers",
        str(again),
        "--on-duplicate",
        "skip",
        "--json",
    ).json()
    assert len(data["notes"]) == 25
