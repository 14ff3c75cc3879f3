"""`export suppliers` then `import suppliers` into another shop: the export's own headers,
Vietnamese or English, import back, giving the same suppliers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from primedist.cli import EXIT_OK
from tests.cli_support import INIT_ARGS

CONTACT = ("name", "phone", "email", "address", "tax_code", "note")


def suppliers_of(cli: Any, folder: Path) -> list[tuple[Any, ...]]:
    run = cli("--data-dir", str(folder), "suppliers", "list", "--json")
    assert run.code == EXIT_OK, run.err
    return sorted(tuple(s[k] for k in CONTACT) for s in run.json()["suppliers"])


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_an_export_imports_back(cli: Any, data_dir: Path, tmp_path: Path, lang: str) -> None:
    d = ("--data-dir", str(data_dir))
    for args in (("Gốm Minh Long", "--phone", "0912 345 678", "--tax-code", "0101234567",
                  "--email", "ban@gom.vn", "--address", "12 Bát Tràng, Gia Lâm"),
                 ("Nhựa Song Long", "--note", "giao thứ 3")):  # fmt: skip
        assert cli(*d, "suppliers", "add", *args).code == EXIT_OK
    file = tmp_path / f"ncc-{lang}.xlsx"
    exported = cli(*d, "export", "suppliers", str(file), "--lang", lang)
    assert exported.code == EXIT_OK, exported.err
    fresh = tmp_path / "fresh"
    assert cli("--data-dir", str(fresh), "init", *INIT_ARGS).code == EXIT_OK
    imported = cli("--data-dir", str(fresh), "import", "suppliers", str(file), "--json")
    assert imported.code == EXIT_OK, imported.err
    assert (imported.json()["rows"], imported.json()["created"]) == (2, 2)
    assert suppliers_of(cli, fresh) == suppliers_of(cli, data_dir)
    assert ("Gốm Minh Long", "0912345678", "ban@gom.vn", "12 Bát Tràng, Gia Lâm", "0101234567",
            "") in suppliers_of(cli, fresh)  # fmt: skip
