"""`primedist suppliers adjust|pay`: a balance below nothing is money paid in advance, and
the text says so (not "owed -1,000,000", which reads as a debt)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from primedist.cli import EXIT_OK


def test_a_balance_paid_in_advance_is_worded_so(cli: Any, data_dir: Path) -> None:
    d = ("--data-dir", str(data_dir))
    assert cli(*d, "suppliers", "add", "Gốm Minh Long").code == EXIT_OK
    down = cli(*d, "suppliers", "adjust", "NCC000001", "-1000000", "--reason", "Ứng trước")
    assert down.code == EXIT_OK, down.err
    assert down.out.strip() == ("DC000001: Gốm Minh Long (NCC000001) owed 1,000,000 less; "
                                "now 1,000,000 paid in advance.")  # fmt: skip
    up = cli(*d, "suppliers", "adjust", "NCC000001", "1500000", "--reason", "Nợ cũ")
    assert up.out.strip() == ("DC000002: Gốm Minh Long (NCC000001) owed 1,500,000 more; "
                              "owed now 500,000.")  # fmt: skip
    paid = cli(*d, "suppliers", "pay", "NCC000001", "800000")
    assert paid.code == EXIT_OK, paid.err
    assert paid.out.strip() == ("PC000001: paid 800,000 to Gốm Minh Long (NCC000001); "
                                "now 300,000 paid in advance.")  # fmt: skip
    # The figures stay signed for scripts.
    assert cli(*d, "suppliers", "pay", "NCC000001", "1", "--json").json()["debt"] == -300_001
