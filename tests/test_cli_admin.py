"""`primedist staff ...` and `primedist audit`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from primedist.config import resolve_settings
from primedist.core import host
from primedist.db.store import open_store
from primedist.domain.enums import Role
from primedist.errors import AuthenticationError
from primedist.services import auth, staff
from primedist.services.audit_log import AuditFilter, list_events
from primedist.services.context import ServiceContext
from tests.conftest import OWNER_EMAIL, OWNER_PASSWORD


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


def test_audit_names_the_pc_once_the_rows_name_two(
    cli: Any, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each row names the PC it was written on (--json always); the text says it beside
    the user once the rows listed come from more than one PC."""
    d = ("--data-dir", str(data_dir))
    monkeypatch.setattr(host, "HOST", "QUAY-1")  # the counter's PC
    assert cli(*d, "staff", "add", "--name", "Lan", "--email", "lan@shop.vn").code == EXIT_OK
    one = cli(*d, "audit", "--kind", "staff")
    assert one.code == EXIT_OK and "staff.add" in one.out and "QUAY-1" not in one.out
    monkeypatch.setattr(host, "HOST", "KHO-PC")  # the stock room's, on the same database
    assert cli(*d, "staff", "disable", "lan@shop.vn").code == EXIT_OK
    rows = cli(*d, "audit", "--kind", "staff", "--json").json()["events"]
    assert [(e["action"], e["pc"]) for e in rows] == [("staff.disable", "KHO-PC"),
                                                      ("staff.add", "QUAY-1")]  # fmt: skip
    lines = cli(*d, "audit", "--kind", "staff").out.splitlines()
    assert [line.split()[2:6] for line in lines] == [
        ["Chủ", "CLI", "KHO-PC", "staff.disable"], ["Chủ", "CLI", "QUAY-1", "staff.add"]
    ]  # fmt: skip


def test_an_owner_who_forgot_the_password_gets_a_one_time_one_on_this_computer(
    cli: Any, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = ("--data-dir", str(data_dir))
    reset = cli(*d, "staff", "reset-password", OWNER_EMAIL.upper(), "--json")
    assert reset.code == EXIT_OK, reset.err
    otp = reset.json()["one_time_password"]
    engine = open_store(resolve_settings(data_dir))
    try:
        ctx = ServiceContext(engine)
        with pytest.raises(AuthenticationError):
            auth.login(ctx, OWNER_EMAIL, OWNER_PASSWORD)  # the forgotten one no longer works
        owner = auth.login(ctx, OWNER_EMAIL, otp)
        assert owner.role is Role.OWNER and owner.must_change_password  # chooses one at sign-in
        events = list_events(ctx.with_actor(owner), AuditFilter(kinds=("staff",)))
        assert [e["action"] for e in events] == ["staff.password_reset"]
        assert (
            events[0]["summary"] == f"Chủ CLI <{OWNER_EMAIL}>: the owner's password "
            "reset on this computer"
        )
        # A manager signed in on the command line may not reset the owner's password.
        issued = staff.add_staff(ctx.with_actor(owner), name="Minh", email="minh@shop.vn",
                                 role=Role.MANAGER)  # fmt: skip
        minh = ctx.with_actor(auth.login(ctx, "minh@shop.vn", issued.one_time_password))
        staff.choose_password(minh, "minh-own-pass")
    finally:
        engine.dispose()
    monkeypatch.setenv("PRIMEDIST_PASSWORD", "minh-own-pass")
    refused = cli(*d, "--user", "minh@shop.vn", "staff", "reset-password", OWNER_EMAIL)
    assert refused.code == EXIT_ERROR and "owner" in refused.error_line()


def test_modules_for_a_manager_are_refused_naming_the_option(cli: Any, data_dir: Path) -> None:
    """A manager uses every module: `--module` with `--role manager` is refused (exit 2,
    nothing added) rather than dropped without a word."""
    d = ("--data-dir", str(data_dir))
    run = cli(*d, "staff", "add", "--name", "Minh", "--email", "minh@shop.vn",
              "--role", "manager", "--module", "orders")  # fmt: skip
    assert run.code == EXIT_USAGE, run.err
    assert "--module is for staff accounts" in run.err and "--role staff" in run.err
    listed = cli(*d, "staff", "list", "--json").json()["staff"]
    assert [m["email"] for m in listed] == [OWNER_EMAIL]
    manager = cli(*d, "staff", "add", "--name", "Minh", "--email", "minh@shop.vn",
                  "--role", "manager", "--json")  # fmt: skip
    assert manager.code == EXIT_OK and manager.json()["role"] == "manager"


def test_the_refund_right_is_given_with_add_then_taken_and_given_again(
    cli: Any, data_dir: Path
) -> None:
    """`--refunds` gives a new staff member the right "Refunds and returns" (off without
    it); `disallow-refunds` / `allow-refunds` change it, audited; `staff list` shows it;
    for a manager (who always may) both are refused naming why."""
    d = ("--data-dir", str(data_dir))
    lan = cli(*d, "staff", "add", "--name", "Lan", "--email", "lan@shop.vn",
              "--module", "orders", "--refunds", "--json")  # fmt: skip
    assert lan.code == EXIT_OK, lan.err
    assert (lan.json()["modules"], lan.json()["refunds"]) == (["orders"], True)
    hoa = cli(*d, "staff", "add", "--name", "Hoa", "--email", "hoa@shop.vn",
              "--module", "orders", "--json")  # fmt: skip
    assert hoa.json()["refunds"] is False
    _owner, hoa_line, lan_line = cli(*d, "staff", "list").out.splitlines()
    assert hoa_line.endswith(" orders  Hoa") and lan_line.endswith(" orders, refunds  Lan")

    taken = cli(*d, "staff", "disallow-refunds", "LAN@shop.vn")
    assert taken.code == EXIT_OK, taken.err
    assert taken.out.strip() == "lan@shop.vn may no longer take returns and give refunds."
    given = cli(*d, "staff", "allow-refunds", "hoa@shop.vn", "--json")
    assert given.json()["refunds"] is True
    listed = cli(*d, "staff", "list", "--json").json()["staff"]
    assert {m["email"]: m["refunds"] for m in listed} == {
        OWNER_EMAIL: True, "hoa@shop.vn": True, "lan@shop.vn": False
    }  # fmt: skip
    audit = cli(*d, "audit", "--kind", "staff", "--json").json()["events"]
    assert [e["action"] for e in audit][:2] == ["staff.update", "staff.update"]

    manager = cli(*d, "staff", "add", "--name", "Minh", "--email", "minh@shop.vn",
                  "--role", "manager", "--refunds")  # fmt: skip
    assert manager.code == EXIT_USAGE and "--refunds is for staff accounts" in manager.err
    owner = cli(*d, "staff", "allow-refunds", OWNER_EMAIL)
    assert owner.code == EXIT_USAGE and "always may give refunds" in owner.err


def test_the_export_right_is_given_with_add_then_taken_and_refused_on_the_command_line(
    cli: Any, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--exports` gives a new staff member the right "Export data" (off without it);
    `disallow-exports` / `allow-exports` change it, audited; `staff list` shows it; an
    export run as a staff member without it is refused, writing nothing; for a manager
    (who always may) both are refused naming why."""
    d = ("--data-dir", str(data_dir))
    lan = cli(*d, "staff", "add", "--name", "Lan", "--email", "lan@shop.vn",
              "--module", "orders", "--exports", "--json")  # fmt: skip
    assert lan.code == EXIT_OK, lan.err
    assert (lan.json()["modules"], lan.json()["exports"], lan.json()["refunds"]) == (
        ["orders"], True, False)  # fmt: skip
    hoa = cli(*d, "staff", "add", "--name", "Hoa", "--email", "hoa@shop.vn",
              "--module", "orders", "--json")  # fmt: skip
    assert hoa.json()["exports"] is False
    _owner, hoa_line, lan_line = cli(*d, "staff", "list").out.splitlines()
    assert hoa_line.endswith(" orders  Hoa") and lan_line.endswith(" orders, exports  Lan")

    taken = cli(*d, "staff", "disallow-exports", "LAN@shop.vn")
    assert taken.code == EXIT_OK, taken.err
    assert taken.out.strip() == "lan@shop.vn may no longer export the shop's data to files."
    given = cli(*d, "staff", "allow-exports", "hoa@shop.vn", "--json")
    assert given.json()["exports"] is True
    listed = cli(*d, "staff", "list", "--json").json()["staff"]
    assert {m["email"]: m["exports"] for m in listed} == {
        OWNER_EMAIL: True, "hoa@shop.vn": True, "lan@shop.vn": False
    }  # fmt: skip
    audit = cli(*d, "audit", "--kind", "staff", "--json").json()["events"]
    assert [e["action"] for e in audit][:2] == ["staff.update", "staff.update"]

    # Lan, signed in on the command line, is refused the export: no file.
    settings = resolve_settings(data_dir=data_dir)
    engine = open_store(settings)
    try:
        ctx = ServiceContext(engine, settings=settings)
        lan_id = lan.json()["id"]
        otp = lan.json()["one_time_password"]
        staff.choose_password(ctx.with_actor(auth.login(ctx, "lan@shop.vn", otp)),
                              "lan-own-pass")  # fmt: skip
        assert staff.get_member(ctx.with_actor(auth.owner_actor(ctx)), lan_id).can_export is False
    finally:
        engine.dispose()
    monkeypatch.setenv("PRIMEDIST_PASSWORD", "lan-own-pass")
    target = tmp_path / "orders.xlsx"
    refused = cli(*d, "--user", "lan@shop.vn", "export", "orders", str(target))
    assert refused.code == EXIT_ERROR and "right “Export data”" in refused.error_line()
    assert not target.exists()

    manager = cli(*d, "staff", "add", "--name", "Minh", "--email", "minh@shop.vn",
                  "--role", "manager", "--exports")  # fmt: skip
    assert manager.code == EXIT_USAGE and "--exports is for staff accounts" in manager.err
    owner = cli(*d, "staff", "allow-exports", OWNER_EMAIL)
    assert owner.code == EXIT_USAGE and "always may export data" in owner.err
