"""`primedist suppliers cancel-return` by a staff member signed in with `--user`: a return
that carried money given back is the owner's or a manager's to cancel, refused in one line
(one without money back the staff member may cancel)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK
from primedist.config import resolve_settings
from primedist.db.store import open_store
from primedist.domain.enums import Module, Role
from primedist.services import auth, staff
from primedist.services.context import ServiceContext
from tests.factories import make_product


def test_staff_cannot_cancel_a_return_with_money_back(
    cli: Any, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = ("--data-dir", str(data_dir))
    settings = resolve_settings(data_dir)
    engine = open_store(settings)
    try:
        make_product(engine, "Cốc sứ Bát Tràng", [("COC-1", 45_000, 0)])
        ctx = ServiceContext(engine=engine, settings=settings)
        owner = ctx.with_actor(auth.owner_actor(ctx))
        issued = staff.add_staff(owner, name="Kho", email="kho@shop.vn", role=Role.STAFF,
                                 modules=[Module.PRODUCTS])  # fmt: skip
        kho = ctx.with_actor(auth.login(ctx, "kho@shop.vn", issued.one_time_password))
        staff.choose_password(kho, "kho-own-pass")
    finally:
        engine.dispose()
    path = tmp_path / "giao.csv"
    path.write_text("sku,quantity,unit_cost\nCOC-1,10,30000\n", encoding="utf-8")
    assert cli(*d, "receive", str(path), "--supplier", "Gốm Minh Long").code == EXIT_OK
    assert cli(*d, "suppliers", "return", "PN000001", "COC-1:2", "--reason", "Vỡ",
               "--refund", "60000").code == EXIT_OK  # fmt: skip
    assert cli(*d, "suppliers", "return", "PN000001", "COC-1:1", "--reason", "Vỡ").code == EXIT_OK
    monkeypatch.setenv("PRIMEDIST_PASSWORD", "kho-own-pass")
    as_kho = (*d, "--user", "kho@shop.vn")
    refused = cli(*as_kho, "suppliers", "cancel-return", "TH000001", "--reason", "Nhầm")
    assert refused.code == EXIT_ERROR
    assert refused.error_line().endswith("Only the owner or a manager may do this.")
    assert "Traceback" not in refused.err
    assert cli(*as_kho, "suppliers", "cancel-return", "TH000002", "--reason", "Nhầm").code == (
        EXIT_OK
    )
    # The owner may.
    monkeypatch.delenv("PRIMEDIST_PASSWORD")
    assert cli(*d, "suppliers", "cancel-return", "TH000001", "--reason", "Nhầm").code == EXIT_OK
