"""The CLI's `--user` is checked on every command but not recorded as a sign-in: a
`user.login` row and a new last sign-in time per command buried the audit log (48 of 77
rows), and a refused command wrote one. The app's sign-in is still recorded."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK
from primedist.config import resolve_settings
from primedist.db.store import open_store
from primedist.domain.enums import Module, Role
from primedist.errors import AuthenticationError
from primedist.services import auth, staff
from primedist.services.context import ServiceContext

LAN, LAN_PASSWORD = "lan@shop.vn", "lan-own-pass"


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
    finally:
        engine.dispose()
    return data_dir


def _rows(data_dir: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(data_dir / "primedist.db")
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def _audit(data_dir: Path) -> list[tuple[Any, ...]]:
    return _rows(data_dir, "SELECT id, action FROM audit_events ORDER BY id")


def _last_login(data_dir: Path) -> Any:
    return _rows(data_dir, "SELECT last_login_at FROM users WHERE email = ?", LAN)[0][0]


def test_a_cli_command_with_user_records_no_sign_in(
    cli: Any, shop_with_lan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = ("--data-dir", str(shop_with_lan), "--user", LAN)
    monkeypatch.setenv("PRIMEDIST_PASSWORD", LAN_PASSWORD)
    before, last_login = _audit(shop_with_lan), _last_login(shop_with_lan)

    refused = cli(*d, "staff", "list")  # Lan is Staff: the services refuse
    assert refused.code == EXIT_ERROR
    assert "Only the owner or a manager" in refused.error_line()
    assert _audit(shop_with_lan) == before  # a refused command writes nothing

    done = cli(*d, "export", "products", str(tmp_path / "sp.xlsx"))
    assert done.code == EXIT_OK, done.err
    new = [action for _id, action in _audit(shop_with_lan)[len(before) :]]
    assert new == ["products.export"]  # the work, by Lan, and no sign-in
    assert _rows(shop_with_lan, "SELECT u.email FROM audit_events a JOIN users u"
                 " ON u.id = a.user_id WHERE a.action = 'products.export'") == [(LAN,)]  # fmt: skip
    assert _last_login(shop_with_lan) == last_login


def test_the_apps_sign_in_is_still_recorded(shop_with_lan: Path) -> None:
    logins = len(_rows(shop_with_lan, "SELECT 1 FROM audit_events WHERE action = 'user.login'"))
    engine = open_store(resolve_settings(shop_with_lan))
    try:
        auth.login(ServiceContext(engine), LAN, LAN_PASSWORD)
    finally:
        engine.dispose()
    rows = _rows(shop_with_lan, "SELECT 1 FROM audit_events WHERE action = 'user.login'")
    assert len(rows) == logins + 1
    assert _last_login(shop_with_lan) is not None


def test_wrong_user_passwords_are_recorded_and_pause_the_account(
    cli: Any, shop_with_lan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrong `--user` password counts as at the app's sign-in: an audit row each (the
    email, never the password), and after five the account's sign-ins pause — the app's
    too; the right password is then refused until the pause ends."""
    d = ("--data-dir", str(shop_with_lan), "--user", LAN)
    monkeypatch.setenv("PRIMEDIST_PASSWORD", "not-her-password")
    lines = [cli(*d, "staff", "list").error_line() for _ in range(5)]
    assert lines[:4] == ["primedist: error: Wrong email or password."] * 4
    assert lines[4] == (f"primedist: error: Too many wrong passwords for {LAN}: sign-in is "
                        "paused. Try again in 30 seconds.")  # fmt: skip
    failed = _rows(shop_with_lan, "SELECT summary, after_json FROM audit_events WHERE action "
                   "= 'user.sign_in_failed' ORDER BY id")  # fmt: skip
    assert [s for s, _a in failed] == [f"{LAN}: wrong password"] * 5
    assert not any("not-her-password" in (a or "") for _s, a in failed)
    monkeypatch.setenv("PRIMEDIST_PASSWORD", LAN_PASSWORD)
    assert "sign-in is paused" in cli(*d, "staff", "list").error_line()
    engine = open_store(resolve_settings(shop_with_lan))
    try:
        with pytest.raises(AuthenticationError, match="sign-in is paused"):
            auth.login(ServiceContext(engine), LAN, LAN_PASSWORD)
    finally:
        engine.dispose()
