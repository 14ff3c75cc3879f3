"""`primedist staff ...` and `primedist audit`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

from primedist.cli import EXIT_ERROR, EXIT_OK
from tests.conftest import OWNER_EMAIL


def test_staff_add_list_disable_reset_and_audit(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    d = ("--data-dir", str(data_dir))
    added = cli(*d, "staff", "add", "--name", "Trần Lan", "--email", "Lan@Shop.vn",
                "--module", "orders", "--module", "customers", "--json")  # fmt: skip
    assert added.code == EXIT_OK, added.err
    data = added.json()
    assert (data["email"], data["role"], data["modules"]) == ("lan@shop.vn", "staff",
                                                              ["customers", "orders"])  # fmt: skip
    assert len(data["one_time_password"]) == 12

    dup = cli(*d, "staff", "add", "--name", "X", "--email", "lan@shop.vn")
    assert dup.code == EXIT_ERROR and "already used" in dup.error_line()

    listed = cli(*d, "staff", "list", "--json").json()["staff"]
    assert [m["email"] for m in listed] == [OWNER_EMAIL, "lan@shop.vn"]
    assert cli(*d, "staff", "disable", "lan@shop.vn").out.strip() == "lan@shop.vn is disabled."
    assert (
        cli(*d, "staff", "disable", "nobody@shop.vn")
        .error_line()
        .endswith("No account has the email nobody@shop.vn.")
    )
    reset = cli(*d, "staff", "reset-password", "LAN@shop.vn")
    assert reset.code == EXIT_OK and "shown once" in reset.out

    assert cli(*d, "staff", "enable", "lan@shop.vn").code == EXIT_OK

    audit = cli(*d, "audit", "--kind", "staff", "--json").json()["events"]
    assert [e["action"] for e in audit] == [
        "staff.enable", "staff.password_reset", "staff.disable", "staff.add"
    ]  # fmt: skip
    text = cli(*d, "audit", "--by", OWNER_EMAIL, "--kind", "staff", "--limit", "1")
    assert text.code == EXIT_OK and "staff." in text.out and len(text.out.splitlines()) == 1
    target = tmp_path / "audit.xlsx"
    exported = cli(*d, "audit", "--kind", "staff", "--export", str(target), "--json")
    assert exported.json()["rows"] == 4
    sheet = openpyxl.load_workbook(target, read_only=True).active
    assert sheet is not None
    assert len(list(sheet.iter_rows(values_only=True))) == 5
    assert cli(*d, "audit", "--by", "ghost@shop.vn").code == EXIT_ERROR
