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
    """The CLI test shop with Lan: Staff with Products only and the right "Export data", own
    password chosen."""
    engine = open_store(resolve_settings(data_dir))
    try:
        ctx = ServiceContext(engine)
        owner = ctx.with_actor(auth.owner_actor(ctx))
        issued = staff.add_staff(owner, name="Lan", email=LAN, role=Role.STAFF,
                                 modules=[Module.PRODUCTS], can_export=True)  # fmt: skip
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


def revision_of(data_dir: Path) -> str | None:
    from primedist.db.engine import make_engine
    from primedist.db.store import current_revision

    engine = make_engine(f"sqlite:///{data_dir / 'primedist.db'}")
    try:
        return current_revision(engine)
    finally:
        engine.dispose()


def test_a_wrong_password_is_refused_before_the_store_is_migrated(
    cli: Any, shop_with_lan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store one version behind (as after an update of the app): the wrong password
    writes nothing — no migration, no backup before it, no audit row; the right one then
    migrates and runs."""
    from primedist.db import store
    from primedist.db.engine import make_engine

    engine = make_engine(f"sqlite:///{shop_with_lan / 'primedist.db'}")
    store.migrate(engine, "0030_voucher_uses_follow_orders", down=True)
    engine.dispose()
    audit_rows = table_count(shop_with_lan, "audit_events")
    d = ("--data-dir", str(shop_with_lan), "--user", LAN)
    for command in (["export", "products", "sp.xlsx"], ["migrate"]):
        for password in ("not-her-password", ""):
            monkeypatch.setenv("PRIMEDIST_PASSWORD", password)
            run = cli(*d, *command)
            assert run.error_line() == "primedist: error: Wrong email or password."
            assert revision_of(shop_with_lan) == "0030_voucher_uses_follow_orders"
            assert not any((shop_with_lan / "backups").iterdir())
            assert table_count(shop_with_lan, "audit_events") == audit_rows
    monkeypatch.setenv("PRIMEDIST_PASSWORD", "any")
    nobody = cli("--data-dir", str(shop_with_lan), "--user", "nobody@shop.vn", "audit")
    assert nobody.error_line() == "primedist: error: Wrong email or password."
    assert revision_of(shop_with_lan) == "0030_voucher_uses_follow_orders"

    monkeypatch.setenv("PRIMEDIST_PASSWORD", LAN_PASSWORD)
    run = cli(*d, "staff", "list")  # signed in, then refused by the services: Staff
    assert revision_of(shop_with_lan) == store.HEAD_REVISION
    assert [p.name.endswith("-pre-migrate.db") for p in (shop_with_lan / "backups").iterdir()] == [
        True]  # fmt: skip


def test_a_disabled_or_one_time_password_account_writes_nothing(
    cli: Any, shop_with_lan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refused before signing in: no `user.login` audit row, no last sign-in time."""
    engine = open_store(resolve_settings(shop_with_lan))
    try:
        ctx = ServiceContext(engine)
        owner = ctx.with_actor(auth.owner_actor(ctx))
        moi = next(m for m in staff.list_staff(owner) if m.email == "moi@shop.vn")
        otp = staff.reset_password(owner, moi.id).one_time_password
        lan = next(m for m in staff.list_staff(owner) if m.email == LAN)
        staff.set_active(owner, lan.id, False)
    finally:
        engine.dispose()
    audit_rows = table_count(shop_with_lan, "audit_events")
    monkeypatch.setenv("PRIMEDIST_PASSWORD", otp)
    run = cli("--data-dir", str(shop_with_lan), "--user", "MOI@shop.vn", "backup")
    assert "moi@shop.vn signs in with a one-time password" in run.error_line()
    monkeypatch.setenv("PRIMEDIST_PASSWORD", LAN_PASSWORD)
    run = cli("--data-dir", str(shop_with_lan), "--user", LAN, "audit")
    assert run.error_line() == "primedist: error: This account is disabled: ask the shop owner."
    assert table_count(shop_with_lan, "audit_events") == audit_rows
    assert not any((shop_with_lan / "backups").iterdir())
    import sqlite3

    conn = sqlite3.connect(shop_with_lan / "primedist.db")
    try:
        logins = conn.execute("SELECT email, last_login_at FROM users WHERE email IN (?, ?)",
                              ("moi@shop.vn", LAN)).fetchall()  # fmt: skip
    finally:
        conn.close()
    assert dict(logins)["moi@shop.vn"] is None


def test_the_password_is_asked_once(
    cli: Any, shop_with_lan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checked before the store is opened and used to sign in: one question."""
    monkeypatch.delenv("PRIMEDIST_PASSWORD", raising=False)
    asked: list[str] = []
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or LAN_PASSWORD)
    run = cli("--data-dir", str(shop_with_lan), "--user", LAN, "export", "products",
              str(tmp_path / "sp.xlsx"))  # fmt: skip
    assert run.code == EXIT_OK, run.err
    assert asked == [f"Password for {LAN}: "]
