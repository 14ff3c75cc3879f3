"""The global `--user EMAIL` option: commands run with that user's permissions (password
from PRIMEDIST_PASSWORD), and without it as the owner."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from primedist.cli import EXIT_ERROR, EXIT_OK
from primedist.config import resolve_settings
from primedist.db.store import open_store
from primedist.domain.audit import AuditEvent
from primedist.domain.enums import Module, Role
from primedist.services import auth, staff
from primedist.services.context import ServiceContext
from tests.cli_support import table_count
from tests.factories import make_customers

LAN = "lan@shop.vn"
LAN_PASSWORD = "lan-own-pass"


@pytest.fixture
def shop_with_lan(data_dir: Path) -> Path:
    """The CLI test shop with Lan: Staff with Products only, own password chosen."""
    engine = open_store(resolve_settings(data_dir))
    try:
        ctx = ServiceContext(engine)
        owner = ctx.with_actor(auth.owner_actor(ctx))
        issued = staff.add_staff(owner, name="Lan", email=LAN, role=Role.STAFF,
                                 modules=[Module.PRODUCTS])  # fmt: skip
        lan = ctx.with_actor(auth.login(ctx, LAN, issued.one_time_password))
        staff.choose_password(lan, LAN_PASSWORD)
        make_customers(engine, 3)
        staff.add_staff(owner, name="Mới", email="moi@shop.vn", role=Role.STAFF)
    finally:
        engine.dispose()
    return data_dir


def exports(data_dir: Path) -> list[str]:
    conn_path = data_dir / "primedist.db"
    import sqlite3

    conn = sqlite3.connect(conn_path)
    try:
        rows = conn.execute("SELECT action FROM audit_events WHERE action LIKE '%export%'")
        return [r[0] for r in rows]
    finally:
        conn.close()


def test_staff_without_customers_cannot_export_them(
    cli: Any, shop_with_lan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRIMEDIST_PASSWORD", LAN_PASSWORD)
    target = tmp_path / "khach.xlsx"
    run = cli("--data-dir", str(shop_with_lan), "--user", LAN, "export", "customers", str(target))
    assert run.code == EXIT_ERROR
    assert (
        run.error_line() == "primedist: error: Lan has no access to customers: ask the shop owner."
    )
    assert not target.exists()
    assert exports(shop_with_lan) == []

    allowed = cli("--data-dir", str(shop_with_lan), "--user", LAN, "export", "products",
                  str(tmp_path / "sp.xlsx"))  # fmt: skip
    assert allowed.code == EXIT_OK, allowed.err
    # The export's audit row names Lan, not the owner.
    with Session(open_store(resolve_settings(shop_with_lan))) as session:
        row = session.exec(select(AuditEvent).where(AuditEvent.action.like("%export%"))).one()  # type: ignore[attr-defined]
        assert row.user_id is not None
        from primedist.domain.user import User

        user = session.get(User, row.user_id)
        assert user is not None and user.email == LAN


def test_without_user_the_cli_acts_as_the_owner(
    cli: Any, shop_with_lan: Path, tmp_path: Path
) -> None:
    run = cli("--data-dir", str(shop_with_lan), "export", "customers", str(tmp_path / "k.xlsx"))
    assert run.code == EXIT_OK, run.err
    assert table_count(shop_with_lan, "customers") == 3


def test_wrong_password_and_missing_password(
    cli: Any, shop_with_lan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = ("--data-dir", str(shop_with_lan), "--user", LAN, "export", "products",
            str(tmp_path / "sp.xlsx"))  # fmt: skip
    monkeypatch.setenv("PRIMEDIST_PASSWORD", "not-her-password")
    assert cli(*base).error_line() == "primedist: error: Wrong email or password."
    monkeypatch.delenv("PRIMEDIST_PASSWORD")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal: nothing to ask
    line = cli(*base).error_line()
    assert "set PRIMEDIST_PASSWORD or run from a terminal" in line
    assert not (tmp_path / "sp.xlsx").exists()


def test_a_one_time_password_must_be_replaced_in_the_app_first(
    cli: Any, shop_with_lan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = open_store(resolve_settings(shop_with_lan))
    try:
        ctx = ServiceContext(engine)
        owner = ctx.with_actor(auth.owner_actor(ctx))
        moi = next(m for m in staff.list_staff(owner) if m.email == "moi@shop.vn")
        otp = staff.reset_password(owner, moi.id).one_time_password
    finally:
        engine.dispose()
    monkeypatch.setenv("PRIMEDIST_PASSWORD", otp)
    run = cli("--data-dir", str(shop_with_lan), "--user", "moi@shop.vn", "backup")
    assert "one-time password" in run.error_line()
