"""A manager may not give their own account a one-time password (`staff reset-password`
on their own email): only the owner resets a manager's password. A manager changes theirs
in My account, with the current one; a forgotten one they ask the owner for (README).
The app and the command line get the same refusal; the owner still resets a manager's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from primedist.cli import EXIT_ERROR
from primedist.config import resolve_settings
from primedist.db.store import open_store
from primedist.domain.enums import Role
from primedist.errors import PermissionDenied
from primedist.services import auth, staff
from primedist.services.context import ServiceContext
from tests.services.test_staff import add_lan, audits

OWNER_ONLY = "Only the owner may change the owner's or a manager's account."


def test_a_manager_cannot_reset_their_own_password(owner_ctx: ServiceContext) -> None:
    issued = staff.add_staff(owner_ctx, name="Minh", email="minh@shop.vn", role=Role.MANAGER)
    minh = owner_ctx.with_actor(auth.login(owner_ctx, "minh@shop.vn", issued.one_time_password))
    staff.choose_password(minh, "minh-own-pass")
    minh_id = issued.member.id

    with pytest.raises(PermissionDenied, match=OWNER_ONLY):
        staff.reset_password(minh, minh_id)
    signed_in = auth.login(owner_ctx, "minh@shop.vn", "minh-own-pass")  # still theirs
    assert not signed_in.must_change_password
    assert audits(owner_ctx, "staff.password_reset") == []

    lan = add_lan(minh)  # a manager still resets a staff member's password
    assert staff.reset_password(minh, lan.member.id).member.must_change_password
    again = staff.reset_password(owner_ctx, minh_id)  # and the owner a manager's
    assert auth.login(owner_ctx, "minh@shop.vn", again.one_time_password).must_change_password


def test_the_command_line_refuses_it_alike(
    cli: Any, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = open_store(resolve_settings(data_dir))
    try:
        ctx = ServiceContext(engine)
        owner = ctx.with_actor(auth.owner_actor(ctx))
        issued = staff.add_staff(owner, name="Minh", email="minh@shop.vn", role=Role.MANAGER)
        minh = ctx.with_actor(auth.login(ctx, "minh@shop.vn", issued.one_time_password))
        staff.choose_password(minh, "minh-own-pass")
    finally:
        engine.dispose()
    monkeypatch.setenv("PRIMEDIST_PASSWORD", "minh-own-pass")
    d = ("--data-dir", str(data_dir), "--user", "minh@shop.vn")
    run = cli(*d, "staff", "reset-password", "MINH@shop.vn")
    assert run.code == EXIT_ERROR
    assert run.error_line() == f"primedist: error: {OWNER_ONLY}"
    assert cli(*d, "staff", "list").code == 0  # the password still works
