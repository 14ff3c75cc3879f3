"""`primedist shop add`: one shop per name whatever its case and accents — "kho a" or
"Khổ A" next to "Kho A" is refused, the shop there named; the very same name still gives a
not-linked shop its credentials."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK
from primedist.errors import Conflict
from primedist.services import channels
from tests.cli_support import table_count
from tests.test_cli_shops import add

THERE = "primedist: error: There is already a shop called 'Kho A' (shopee): choose another name."


def test_a_name_differing_in_case_or_accents_is_refused(cli: Any, data_dir: Path) -> None:
    assert add(cli, data_dir, "Kho A").code == EXIT_OK
    for twin in ("kho a", "KHO A", "Khó Ả", "  kho   a "):
        run = add(cli, data_dir, twin)
        assert run.code == EXIT_ERROR
        assert run.error_line() == THERE
    lazada = cli("--data-dir", str(data_dir), "shop", "add", "--channel", "lazada", "--name",
                 "kho a", "--app-key", "123456", "--app-secret", "s" * 32)  # fmt: skip
    assert lazada.error_line() == THERE
    assert table_count(data_dir, "shops") == 2  # the counter outlet of `init`, Kho A
    assert cli("--data-dir", str(data_dir), "shop", "disconnect", "Kho A").code == EXIT_OK
    again = add(cli, data_dir, "Kho A")  # the very same name: that shop gets the key
    assert again.out.startswith("Credentials set for Kho A (Shopee, partner id 2001887)")
    assert add(cli, data_dir, "Kho B").code == EXIT_OK
    assert table_count(data_dir, "shops") == 3


def test_the_service_names_the_shop_there(owner_ctx) -> None:
    channels.add_shop(owner_ctx, "shopee", name="Kho Sỉ", app_id=1, app_secret="a" * 32)
    with pytest.raises(Conflict, match=r"a shop called 'Kho Sỉ' \(shopee\): choose another"):
        channels.add_shop(owner_ctx, "tiki", name="kho si", app_id=1, app_secret="a" * 32)
